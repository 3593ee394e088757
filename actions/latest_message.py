"""The citizen's latest message, as the form steps read it (``actions.reading.Incoming``)."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from actions.catalog_access import get_catalog
from actions.reading import Incoming


def incoming(tracker: Tracker) -> Incoming:
    """The latest user message as the form's state machine sees it."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    entities = {
        e["entity"]: e.get("value")
        for e in reversed(message.get("entities") or [])
        if e["entity"] != "service" or e.get("value") in get_catalog()
    }
    metadata = message.get("metadata") or {}
    return Incoming(
        # The NLU normaliser lowercases and strips emojis; answers keep what was typed.
        text=message.get("original_text")
        or typed_text(tracker)
        or message.get("text")
        or "",
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities={k: str(v) for k, v in entities.items() if v is not None},
        guessed_service=any(
            e["entity"] == "service" and e.get("extractor") == "ServiceClassifier"
            for e in message.get("entities") or []
        ),
        document=metadata.get("document"),
    )


def typed_text(tracker: Tracker) -> Optional[str]:
    """The latest user message as the citizen typed it.

    ``latest_message`` is the NLU parse data, whose ``text`` is the normalised text
    (lowercased, nuktas dropped); the user event keeps the channel's original text.
    """
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return event.get("text")
    return None
