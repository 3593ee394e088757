"""Terminal chat with the running assistant over Rasa's REST channel.

Messages the assistant sends on its own (status changes, certificate links) are fetched
from the channel's inbox every few seconds and printed like replies.
Buttons are shown numbered; type the number to press one. Commands:
  /quit            leave (stops everything `make run` started)
  /attach PATH     send a photo or PDF (handed to the gateway like a WhatsApp upload)
  /restart         forget this conversation and start over
  /help            show these commands
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from channels.documents import (
    DocumentRejected,
    DocumentStoreUnavailable,
    store_document,
)

COMMANDS_HELP = __doc__.split("Commands:", 1)[1]
PROMPT = "\033[33myou>\033[0m "
DEFAULT_POLL_SECONDS = 3.0


class Chat:
    """One citizen's conversation with the assistant over the REST channel.

    Args:
        url: Base URL of the Rasa server.
        sender: Conversation id; a stable id lets a citizen resume a draft later.
    """

    def __init__(self, url: str, sender: str) -> None:
        self.webhook = f"{url.rstrip('/')}/webhooks/rest/webhook"
        self.inbox = f"{url.rstrip('/')}/webhooks/rest/inbox"
        self.sender = sender
        self.session = self.new_session()
        self.buttons: List[Dict[str, Any]] = []
        # Held while printing: replies and pushed messages never interleave.
        self.output_lock = threading.Lock()
        self.at_prompt = False  # True while input() waits (the prompt is on screen)

    @staticmethod
    def new_session() -> requests.Session:
        """A session carrying ``REST_CHANNEL_TOKEN`` when it is set."""
        session = requests.Session()
        token = os.environ.get("REST_CHANNEL_TOKEN", "").strip()
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        return session

    def fetch_pushed(self, session: requests.Session) -> List[Dict[str, Any]]:
        """Takes the messages the assistant sent on its own since the last look."""
        response = session.get(self.inbox, params={"sender": self.sender}, timeout=10)
        response.raise_for_status()
        pushed: List[Dict[str, Any]] = response.json()
        return pushed

    def show_pushed(self, pushed: List[Dict[str, Any]]) -> None:
        """Prints pushed messages above the prompt, then redraws what was typed."""
        if not pushed:
            return
        with self.output_lock:
            redraw = self.at_prompt and sys.stdout.isatty()
            if redraw:
                sys.stdout.write("\r\033[K")
            self.show(pushed, pushed=True)
            if redraw:
                sys.stdout.write(PROMPT + _typed_so_far())
            sys.stdout.flush()

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
        """Hands a local file to the gateway's document store and sends its reference."""
        data = Path(path).expanduser().read_bytes()
        stored = store_document(data, Path(path).name, None, sender_id=self.sender)
        return self.send(
            "/document_uploaded", {"document": stored.to_metadata(), "channel": "csc"}
        )

    def resolve(self, text: str) -> str:
        """Turns a typed button number into that button's payload."""
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return str(self.buttons[int(text) - 1]["payload"])
        return text

    def show(self, replies: List[Dict[str, Any]], pushed: bool = False) -> None:
        """Prints replies; remembers the last buttons for numbered answers.

        Pushed messages without buttons keep the buttons of the question on screen.
        """
        if not pushed or any(reply.get("buttons") for reply in replies):
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


def _typed_so_far() -> str:
    """The line being typed at the prompt (empty without readline)."""
    try:
        import readline
    except ImportError:  # not on every platform
        return ""
    return readline.get_line_buffer()


class InboxPoller(threading.Thread):
    """Looks at the chat's inbox now and every ``interval`` seconds, printing arrivals.

    Errors (assistant restarting, unreachable) are skipped: the next look retries.
    """

    def __init__(self, chat: Chat, interval: float) -> None:
        super().__init__(name="inbox-poller", daemon=True)
        self.chat = chat
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        session = self.chat.new_session()  # requests sessions are not thread-safe
        while not self.stopped.is_set():
            try:
                self.chat.show_pushed(self.chat.fetch_pushed(session))
            except (requests.RequestException, ValueError):
                pass
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        """Stops after the current look."""
        self.stopped.set()


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the chat loop until /quit, Ctrl-C or end of input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default=f"terminal-{getpass.getuser()}")
    parser.add_argument(
        "--poll",
        type=float,
        default=DEFAULT_POLL_SECONDS,
        help="seconds between looks at the inbox for notifications (0: never)",
    )
    args = parser.parse_args(argv)
    chat = Chat(args.url, args.sender)
    print("Type a message (English, हिंदी or Hinglish), e.g. Hi / नमस्ते / namaste ji.")
    print("Commands: /attach PATH, /help, /restart, /quit")
    poller = InboxPoller(chat, args.poll) if args.poll > 0 else None
    if poller is not None:
        poller.start()
    try:
        return _loop(chat)
    finally:
        if poller is not None:
            poller.stop()


def _loop(chat: Chat) -> int:
    while True:
        with chat.output_lock:
            chat.at_prompt = True
        try:
            text = input(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        finally:
            with chat.output_lock:
                chat.at_prompt = False
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return 0
        if text == "/help":
            print(COMMANDS_HELP)
            continue
        try:
            if text.startswith("/attach"):
                replies = chat.attach(text.removeprefix("/attach").strip())
            else:
                with chat.output_lock:  # the poller may replace the buttons
                    text = chat.resolve(text)
                replies = chat.send(text)
            with chat.output_lock:
                chat.show(replies)
        except requests.RequestException as error:  # before OSError, its base class
            print(f"(could not reach the assistant: {error}; see var/log/rasa.log)")
        except (OSError, DocumentRejected) as error:
            print(f"(could not attach the file: {error})")
        except DocumentStoreUnavailable as error:
            print(
                f"(could not store the file now, send it again in a few minutes: {error})"
            )


if __name__ == "__main__":
    sys.exit(main())
