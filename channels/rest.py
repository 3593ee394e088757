"""The REST channel (terminal chat, Common Service Centre tools, tests), hardened.

Rasa's built-in ``rest`` channel trusts its body: a caller could name any ``input_channel``
(and pass for WhatsApp), attach any metadata (a WhatsApp id, a profile name), or send a
body that is not an object (a 500). This channel keeps the same URL and answer format
(``POST /webhooks/rest/webhook`` with ``{"sender", "message", "metadata"}``, a JSON list
of replies) and:

- requires ``Authorization: Bearer <REST_CHANNEL_TOKEN>`` when that variable is set (it
  must be wherever the REST webhook can be reached by anyone but trusted tools; the
  public edge never exposes it);
- answers 400 for a body that is not ``{"sender": str, "message": str}`` or whose sender
  is a WhatsApp number (those conversations belong to the WhatsApp channels), 413 above
  ``MAX_MESSAGE_CHARACTERS`` (longer-but-sane messages get a polite answer from the
  assistant, see components/payload_guard.py);
- records every message as ``input_channel="rest"`` and keeps only the metadata a REST
  client may give: ``document`` (a reference into the gateway's document store) and
  ``channel`` (``csc`` or ``web``);
- keeps what Rasa sends a REST citizen outside a request (the gateway's status and
  certificate notifications through ``trigger_intent``, and what Rasa's reminders say
  after the request was answered) in a durable mailbox
  (``channels/mailbox.py``): each webhook answer starts with the sender's pending
  messages, oldest first, and ``GET /webhooks/rest/inbox?sender=<id>`` (same token and
  sender rules) returns them without sending anything. Each is handed out once.
"""

from __future__ import annotations

import hmac
import os
import re
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import (
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.documents import DOCUMENT_ID
from channels.mailbox import MailboxOutputChannel, RequestOutputChannel, RestMailbox
from channels.settings import RestMailboxSettings

MAX_MESSAGE_CHARACTERS = 20_000
_SENDER = re.compile(r"[\w.:@+-]{1,128}")
# WhatsApp ids (Cloud API: digits; Twilio: whatsapp:+digits) belong to those channels: a
# REST caller naming one would be reading that citizen's conversation and applications.
_WHATSAPP_SENDER = re.compile(r"(?:whatsapp:)?\+?\d+", re.IGNORECASE)
_CHANNELS = frozenset({"csc", "web"})


def allowed_metadata(metadata: Any) -> Dict[str, Any]:
    """The part of a REST client's metadata the assistant may trust.

    Args:
        metadata: ``metadata`` from the request body.

    Returns:
        ``document`` (when its id is a document-store id) and ``channel`` (csc/web).
    """
    if not isinstance(metadata, dict):
        return {}
    kept: Dict[str, Any] = {}
    document = metadata.get("document")
    if isinstance(document, dict) and DOCUMENT_ID.fullmatch(
        str(document.get("id", ""))
    ):
        kept["document"] = {
            key: document[key]
            for key in ("id", "mime_type", "size", "sha256", "filename")
            if isinstance(document.get(key), (str, int))
        }
    if metadata.get("channel") in _CHANNELS:
        kept["channel"] = metadata["channel"]
    return kept


class CitizenRestInput(InputChannel):
    """REST input channel with the checks above.

    Args:
        token: Bearer token callers must present; None leaves the webhook open (local
            development on loopback).
        mailbox: Where messages sent outside a request wait for the citizen; None: the
            one configured by ``REST_MAILBOX_DB`` (default ``var/rest_mailbox.db``).
    """

    @classmethod
    def name(cls) -> str:
        """Name of the channel (URL prefix ``/webhooks/rest``)."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Reads ``REST_CHANNEL_TOKEN`` and the mailbox settings from the environment."""
        return cls(os.environ.get("REST_CHANNEL_TOKEN", "").strip() or None)

    def __init__(
        self, token: Optional[str] = None, mailbox: Optional[RestMailbox] = None
    ) -> None:
        self.token = token
        if mailbox is None:
            mailbox = RestMailbox.from_settings(RestMailboxSettings.from_env())
        self.mailbox = mailbox

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Output for messages sent outside a request: the mailbox.

        Rasa asks for it when ``trigger_intent`` (the gateway's notifications) or
        ``execute`` names this channel (``output_channel=latest`` for a REST citizen).
        """
        return MailboxOutputChannel(self.mailbox)

    def _authorised(self, request: Request) -> bool:
        if self.token is None:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Routes: health ``/``, ``/webhook`` and ``/inbox``."""
        webhook = Blueprint("citizen_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/inbox", methods=["GET"])
        async def inbox(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorized"}, status=401)
            sender = request.args.get("sender")
            problem = sender_problem(sender)
            if problem is not None:
                return _bad_request(problem)
            return response.json(await self.mailbox.take(str(sender)))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                body = request.load_json()
            except Exception:  # noqa: BLE001 - any undecodable body is the caller's error
                body = None
            if not isinstance(body, dict):
                return _bad_request("the body must be a JSON object")
            sender, text = body.get("sender"), body.get("message")
            problem = sender_problem(sender)
            if problem is not None:
                return _bad_request(problem)
            if not isinstance(text, str):
                return _bad_request("'message' must be a string")
            if len(text) > MAX_MESSAGE_CHARACTERS:
                return response.json(
                    {"error": f"message longer than {MAX_MESSAGE_CHARACTERS}"},
                    status=413,
                )
            collector = RequestOutputChannel(self.mailbox)
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=allowed_metadata(body.get("metadata")),
                )
            )
            # Taken once the message is handled: a failure leaves them in the mailbox.
            collector.close()
            pending = await self.mailbox.take(str(sender))
            return response.json(pending + collector.messages)

        return webhook


def sender_problem(sender: Any) -> Optional[str]:
    """Why ``sender`` cannot name a REST conversation, or None when it can."""
    if not isinstance(sender, str) or not _SENDER.fullmatch(sender):
        return "'sender' must be 1-128 letters, digits or ._:@+-"
    if _WHATSAPP_SENDER.fullmatch(sender):
        return "'sender' must not be a WhatsApp number"
    return None


def _bad_request(message: str) -> HTTPResponse:
    return response.json({"error": message}, status=400)
