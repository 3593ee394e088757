"""A citizen on WhatsApp, for end-to-end tests against the real, trained assistant.

The citizen posts signed Cloud API webhook bodies to Rasa's ``whatsapp`` channel and reads
what the assistant sent from the fake Graph API (``tests/channels/fake_graph.py``). After
each message it waits until Rasa's tracker holds that message (by its WhatsApp message id)
and the assistant is listening again: Rasa saves the tracker only after it has sent every
reply, so the replies are then all recorded by the fake.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, Dict, List, Tuple

import requests

from channels.signature import sign
from tests.channels.conftest import APP_SECRET, messages_body
from tests.channels.fake_graph import FakeGraph
from tests.integration.servers import get_tracker


class WhatsAppCitizen:
    """One WhatsApp user talking to the Rasa server on ``port``.

    Args:
        port: Port of the Rasa server (its ``whatsapp`` channel is configured).
        graph: The fake Graph API that server sends to.
        wa_id: The citizen's WhatsApp id (also Rasa's sender id).
        name: The WhatsApp profile name.
    """

    def __init__(self, port: int, graph: FakeGraph, wa_id: str, name: str) -> None:
        self.port = port
        self.graph = graph
        self.wa_id = wa_id
        self.name = name
        self.sent_ids: List[str] = []
        self._numbers = itertools.count(1)
        self._seen = 0

    # ------------------------------------------------------------------ sending
    def text(self, body: str, answered: bool = True) -> List[Dict[str, Any]]:
        """Types a text message; returns the assistant's new messages.

        ``answered=False``: the conversation is with a person at the helpdesk (Rasa's
        pause), so only wait until the message is recorded.
        """
        return self.send({"type": "text", "text": {"body": body}}, answered=answered)

    def tap(self, reply_id: str) -> List[Dict[str, Any]]:
        """Taps the reply button or list row with this id in the latest interactive
        message (it must be on offer); returns the assistant's new messages."""
        kind, title = self.offered(self.received()).get(reply_id, (None, None))
        assert kind, f"{reply_id!r} is not on offer: {self.offered(self.received())}"
        reply = "button_reply" if kind == "button" else "list_reply"
        return self.send(
            {
                "type": "interactive",
                "interactive": {"type": reply, reply: {"id": reply_id, "title": title}},
            }
        )

    def image(
        self, media_id: str, mime_type: str = "image/jpeg"
    ) -> List[Dict[str, Any]]:
        """Sends a photo the fake Graph API serves as ``media_id``."""
        return self.send(
            {"type": "image", "image": {"id": media_id, "mime_type": mime_type}}
        )

    def send(
        self, message: Dict[str, Any], timeout: float = 60, answered: bool = True
    ) -> List[Dict[str, Any]]:
        """Posts one signed webhook with ``message``; waits until Rasa handled it."""
        message_id = f"wamid.{self.wa_id}.{next(self._numbers)}"
        body = messages_body(
            self.wa_id,
            [
                {
                    "from": self.wa_id,
                    "id": message_id,
                    "timestamp": str(int(time.time())),
                    **message,
                }
            ],
            self.name,
        )
        raw = json.dumps(body, ensure_ascii=False).encode()
        sent_at = time.time()
        response = requests.post(
            f"http://127.0.0.1:{self.port}/webhooks/whatsapp/webhook",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(APP_SECRET, raw),
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        self.sent_ids.append(message_id)
        self._wait_handled(message_id, timeout, sent_at, answered)
        return self.new_messages()

    def _wait_handled(
        self, message_id: str, timeout: float, sent_at: float, answered: bool
    ) -> None:
        """Until Rasa has answered the message (or erased the conversation after it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = get_tracker(self.port, self.wa_id)["events"]
            handled = [
                index
                for index, event in enumerate(events)
                if event["event"] == "user"
                and ((event.get("metadata") or {}).get("whatsapp") or {}).get(
                    "message_id"
                )
                == message_id
            ]
            listening = events and events[-1].get("name") == "action_listen"
            if handled and (
                not answered or (listening and len(events) - 1 > handled[0])
            ):
                return
            erased = any(  # "delete my data": the message went with the history
                event.get("name") == "history_erased"
                and float(event.get("value") or 0) >= sent_at
                for event in events
            )
            if erased and listening:
                return
            time.sleep(0.2)
        raise AssertionError(f"Rasa did not handle {message_id} in {timeout}s")

    # ------------------------------------------------------------------ reading
    def received(self) -> List[Dict[str, Any]]:
        """Every message the assistant sent this citizen, oldest first."""
        return [m for m in self.graph.messages() if m.get("to") == self.wa_id]

    def new_messages(self) -> List[Dict[str, Any]]:
        """The messages sent since the last call."""
        messages = self.received()
        new, self._seen = messages[self._seen :], len(messages)
        return new

    def read_receipts(self) -> List[Dict[str, Any]]:
        """Mark-as-read calls for this citizen's messages."""
        return [
            r for r in self.graph.read_receipts() if r["message_id"] in self.sent_ids
        ]

    @staticmethod
    def offered(messages: List[Dict[str, Any]]) -> Dict[str, Tuple[str, str]]:
        """Reply id -> (interactive type, title) of the last interactive message(s)
        (a long menu comes as several list messages in a row)."""
        interactive: List[Dict[str, Any]] = []
        for message in reversed(messages):
            if message.get("type") != "interactive":
                break
            interactive.insert(0, message["interactive"])
        options: Dict[str, Tuple[str, str]] = {}
        for item in interactive:
            action = item["action"]
            for button in action.get("buttons", []):
                options[button["reply"]["id"]] = ("button", button["reply"]["title"])
            for section in action.get("sections", []):
                for row in section["rows"]:
                    options[row["id"]] = ("list", row["title"])
        return options


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    """The visible text of messages (text bodies and interactive bodies)."""
    found: List[str] = []
    for message in messages:
        if message.get("type") == "text":
            found.append(message["text"]["body"])
        elif message.get("type") == "interactive":
            found.append(message["interactive"]["body"]["text"])
    return found
