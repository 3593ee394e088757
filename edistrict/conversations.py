"""A conversation as the helpdesk sees it, read from Rasa's HTTP API (``GET .../tracker``).

Rasa's tracker store is the one record of what was said; the gateway keeps no copy. Every
text shown is masked (Aadhaar, phone and account numbers) and system messages (status
notifications, reminders) are left out of the history and of WhatsApp's 24-hour window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from delhi.redaction import redact
from edistrict.settings import Settings

log = logging.getLogger(__name__)
SYSTEM_INTENTS = frozenset(
    {"application_status_changed", "submission_retry_due", "helpdesk_handback"}
)
WHATSAPP_CHANNELS = frozenset({"whatsapp", "twilio_whatsapp"})
PAYLOAD_WORDS = {"document_uploaded": "📎", "share_location": "📍"}
HISTORY_LIMIT = 80


@dataclass(frozen=True)
class Line:
    """One message: ``who`` is citizen, assistant or agent (with ``agent`` set)."""

    at: datetime
    who: str
    text: str
    agent: str | None = None


@dataclass
class Conversation:
    """What an agent needs to answer: the history, the draft and the channel."""

    lines: list[Line] = field(default_factory=list)
    draft: list[tuple[str, str]] = field(default_factory=list)
    service: str | None = None
    channel: str | None = None
    paused: bool = False
    last_citizen_at: datetime | None = None

    @property
    def whatsapp(self) -> bool:
        """Whether WhatsApp's 24-hour window applies."""
        return self.channel in WHATSAPP_CHANNELS


def fetch(settings: Settings, sender_id: str) -> Conversation | None:
    """The conversation, or None when Rasa cannot be reached (the page says so)."""
    url = f"{settings.rasa_url}/conversations/{quote(sender_id, safe='')}/tracker"
    params = {"token": settings.rasa_token} if settings.rasa_token else {}
    try:
        response = httpx.get(
            url, params=params, timeout=settings.outbox_timeout_seconds
        )
        response.raise_for_status()
        return read_tracker(response.json())
    except (httpx.HTTPError, ValueError) as error:
        log.warning("conversation not readable from Rasa: %s", type(error).__name__)
        return None


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)


def _citizen_text(event: dict[str, Any]) -> str | None:
    """What the citizen sent, or None for a system message."""
    text = event.get("text") or ""
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    if text.startswith("EXTERNAL:") or intent in SYSTEM_INTENTS:
        return None
    if text.startswith("/"):
        name = text[1:].split("{", 1)[0]
        return PAYLOAD_WORDS.get(name, text)
    return text


def read_tracker(tracker: dict[str, Any]) -> Conversation:
    """Reads Rasa's tracker JSON into a :class:`Conversation`."""
    conversation = Conversation(
        channel=tracker.get("latest_input_channel"),
        paused=bool(tracker.get("paused")),
    )
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind == "user":
            text = _citizen_text(event)
            if text is None:
                continue
            conversation.last_citizen_at = _when(event)
            conversation.lines.append(Line(_when(event), "citizen", redact(text)))
        elif kind == "bot" and event.get("text"):
            agent = (event.get("metadata") or {}).get("helpdesk_agent")
            who = "agent" if agent else "assistant"
            conversation.lines.append(
                Line(_when(event), who, redact(event["text"]), agent)
            )
    conversation.lines = conversation.lines[-HISTORY_LIMIT:]
    draft = (tracker.get("slots") or {}).get("application") or {}
    if isinstance(draft, dict):
        conversation.service = draft.get("service")
        shown = draft.get("display") or {}
        if isinstance(shown, dict):
            conversation.draft = [(str(k), redact(str(v))) for k, v in shown.items()]
    return conversation
