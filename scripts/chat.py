"""Terminal chat with the running assistant over Rasa's REST channel.

Buttons are shown numbered; type the number to press one. Commands:
  /quit            leave (stops everything `make run` started)
  /attach PATH     send a photo or PDF (stored like a WhatsApp upload)
  /restart         forget this conversation and start over
  /help            show these commands
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from channels.documents import DocumentRejected, store_document

COMMANDS_HELP = __doc__.split("Commands:", 1)[1]


class Chat:
    """One citizen's conversation with the assistant over the REST channel.

    Args:
        url: Base URL of the Rasa server.
        sender: Conversation id; a stable id lets a citizen resume a draft later.
    """

    def __init__(self, url: str, sender: str) -> None:
        self.webhook = f"{url.rstrip('/')}/webhooks/rest/webhook"
        self.sender = sender
        self.session = requests.Session()
        token = os.environ.get("REST_CHANNEL_TOKEN", "").strip()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.buttons: List[Dict[str, Any]] = []

    def send(
        self, text: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        """Sends one message and returns the assistant's replies."""
        body: Dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = self.session.post(self.webhook, json=body, timeout=60)
        response.raise_for_status()
        replies: List[Dict[str, Any]] = response.json()
        return replies

    def attach(self, path: str) -> List[Dict[str, Any]]:
        """Stores a local file through the channels' document store and sends it."""
        data = Path(path).expanduser().read_bytes()
        stored = store_document(data, Path(path).name, None)
        return self.send(
            "/document_uploaded", {"document": stored.to_metadata(), "channel": "csc"}
        )

    def resolve(self, text: str) -> str:
        """Turns a typed button number into that button's payload."""
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return str(self.buttons[int(text) - 1]["payload"])
        return text

    def show(self, replies: List[Dict[str, Any]]) -> None:
        """Prints replies; remembers the last buttons for numbered answers."""
        self.buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"\033[36mbot>\033[0m {reply['text']}")
            if reply.get("image"):
                print(f"\033[36mbot>\033[0m [image] {reply['image']}")
            if reply.get("attachment"):
                print(f"\033[36mbot>\033[0m [attachment] {reply['attachment']}")
            document = (reply.get("custom") or {}).get("document")
            if isinstance(document, dict):  # a certificate: a short-lived signed link
                name = document.get("filename") or "document"
                print(f"\033[36mbot>\033[0m [{name}] {document.get('url')}")
            elif reply.get("custom"):
                print(f"\033[36mbot>\033[0m [custom] {reply['custom']}")
            for button in reply.get("buttons") or []:
                self.buttons.append(button)
                print(f"      [{len(self.buttons)}] {button.get('title')}")


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the chat loop until /quit, Ctrl-C or end of input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default=f"terminal-{getpass.getuser()}")
    args = parser.parse_args(argv)
    chat = Chat(args.url, args.sender)
    print("Type a message (English, हिंदी or Hinglish), e.g. Hi / नमस्ते / namaste ji.")
    print("Commands: /attach PATH, /help, /restart, /quit")
    while True:
        try:
            text = input("\033[33myou>\033[0m ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return 0
        if text == "/help":
            print(COMMANDS_HELP)
            continue
        try:
            if text.startswith("/attach"):
                chat.show(chat.attach(text.removeprefix("/attach").strip()))
            else:
                chat.show(chat.send(chat.resolve(text)))
        except (OSError, DocumentRejected) as error:
            print(f"(could not attach the file: {error})")
        except requests.RequestException as error:
            print(f"(could not reach the assistant: {error}; see var/log/rasa.log)")


if __name__ == "__main__":
    sys.exit(main())
