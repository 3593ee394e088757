"""Conversation events encrypted at rest, and masked for the event broker.

Every event Rasa keeps holds what the citizen typed and what the form collected (names,
addresses, Aadhaar numbers). The tracker store keeps each event's JSON sealed with
Fernet (AES-128-CBC + HMAC-SHA256) under ``TRACKER_STORE_KEY``; the event broker, read
by analytics, gets the events with personal numbers masked (:mod:`delhi.redaction`) and
the conversation id (a phone number) replaced by a keyed pseudonym.

``TRACKER_STORE_KEY`` is any long random secret; several, comma separated, rotate keys:
the first seals, all open. Without it, the embedded default (SQLite under ``var/``)
uses the key kept in ``var/secrets.env`` (made once, mode 600, like the API tokens); a
configured database (``TRACKER_STORE_URL``) refuses to start without one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any, Dict, Mapping

from delhi.redaction import redact
from infra import tokens
from sealing import Seal, is_sealed

KEY_VARIABLE = "TRACKER_STORE_KEY"


class MissingKey(RuntimeError):
    """A configured tracker store without ``TRACKER_STORE_KEY``."""


class EventSeal:
    """Seals event dictionaries for the tracker store and opens them again."""

    def __init__(self, secrets: list[str]) -> None:
        """Creates the seal from the secrets, the one that seals first."""
        self._seal = Seal([s.encode("utf-8") for s in secrets], KEY_VARIABLE)
        self._pseudonyms = hashlib.sha256(b"pseudonym:" + secrets[0].encode()).digest()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> EventSeal:
        """The seal of ``TRACKER_STORE_KEY`` (see the module's documentation).

        Raises:
            MissingKey: ``TRACKER_STORE_URL`` is set but ``TRACKER_STORE_KEY`` is not.
        """
        raw = env.get(KEY_VARIABLE, "").strip()
        if not raw:
            if env.get("TRACKER_STORE_URL", "").strip():
                raise MissingKey(
                    f"{KEY_VARIABLE} is not set: the tracker store keeps every "
                    "conversation, encrypted with this key. Set a long random value "
                    "(the same for every Rasa server sharing the database; keep it as "
                    "safe as the database password)."
                )
            raw = tokens.ensure(env)[KEY_VARIABLE]
        return cls([s.strip() for s in raw.split(",") if s.strip()])

    def seal(self, event: Dict[str, Any]) -> str:
        """The event's JSON, encrypted and authenticated."""
        return self._seal.seal(event)

    def open(self, stored: str) -> Dict[str, Any]:
        """The event again; rows written before sealing (plain JSON) are read as they are.

        Raises:
            ValueError: A sealed row no key opens (a lost or wrong key).
        """
        opened = self._seal.open(stored) if is_sealed(stored) else json.loads(stored)
        return opened  # type: ignore[no-any-return]

    def open_json(self, stored: str) -> str:
        """The event's JSON text; rows written before sealing are that text already."""
        return (
            self._seal.open_json(stored).decode("utf-8")
            if is_sealed(stored)
            else stored
        )

    def pseudonym(self, sender_id: str) -> str:
        """A stable stand-in for a conversation id (a phone number) outside the store."""
        digest = hmac.new(self._pseudonyms, sender_id.encode(), hashlib.sha256)
        return "c-" + digest.hexdigest()[:20]

    def seal_text(self, text: str) -> str:
        """Any text (a webhook body waiting in the channel's inbox), sealed."""
        return self._seal.seal(text)

    def open_text(self, stored: str) -> str:
        """The text again; text stored before sealing is returned as it is."""
        return str(self._seal.open(stored)) if is_sealed(stored) else stored


def masked(value: Any) -> Any:
    """``value`` (an event, or part of one) with personal numbers masked in all text."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value
