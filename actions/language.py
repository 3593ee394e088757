"""Keeps the ``language`` slot in step with the citizen.

The NLU pipeline writes ``detected_language`` into each message's parse data. The slot
follows it, ignores language-neutral messages ("ok", "hi", numbers, button payloads), and an
explicit ``change_language`` request pins the choice until the citizen asks again.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

LANGUAGES = ("en", "hi", "hinglish")
DEFAULT_LANGUAGE = "en"

# How citizens name a language in the `language` entity, mapped to the slot value.
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "angrezi": "en",
    "angreji": "en",
    "अंग्रेज़ी": "en",
    "अंग्रेजी": "en",
    "इंग्लिश": "en",
    "hi": "hi",
    "hindi": "hi",
    "हिंदी": "hi",
    "हिन्दी": "hi",
    "devanagari": "hi",
    "hinglish": "hinglish",
    "roman": "hinglish",
    "roman hindi": "hinglish",
    "हिंग्लिश": "hinglish",
}


def language_from_entity(value: Optional[str]) -> Optional[str]:
    """Maps a ``language`` entity value ("Hindi", "हिंदी", "hinglish") to a slot value."""
    if not value:
        return None
    return _LANGUAGE_NAMES.get(value.strip().lower())


def next_language(
    current: Optional[str],
    locked: bool,
    intent: Optional[str],
    requested: Optional[str],
    detected: Optional[str],
    answering: bool = False,
    words: int = 3,
) -> Dict[str, Any]:
    """Decides the slot updates for one user message.

    Args:
        current: The ``language`` slot before this message.
        locked: Whether the citizen explicitly chose a language earlier.
        intent: The message's intent name.
        requested: The ``language`` entity value, if any.
        detected: The language the NLU detected for this message, if any.
        answering: Whether the message answers a form question. Answers are data
            ("7 july 1988", "baad me", "१५ अगस्त १९९०", an address): they never switch
            the conversation language (asking for a language still does).
        words: How many words the message has. Hinglish speakers use English words
            all the time ("status check", "ok thanks"): leaving Hinglish for English
            takes a sentence of at least three words.

    Returns:
        Slot updates (possibly empty).
    """
    if intent == "change_language":
        chosen = language_from_entity(requested)
        if chosen:
            return {"language": chosen, "language_locked": True}
    if locked or detected not in LANGUAGES or detected == current:
        return {}
    if answering:
        return {}
    if current == "hinglish" and detected == "en" and words < 3:
        return {}
    return {"language": detected}


def _without_ids(text: str) -> str:
    """The text without application ids (their letters are no language)."""
    return re.sub(r"\bdl-[a-z]{3}-\d{4}-\d+\b", " ", text, flags=re.IGNORECASE)


class ValidateSlotMappings(ValidationAction):
    """Fills the custom-mapped global slots after every user message."""

    def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Follows the citizen's language unless they pinned one."""
        message = tracker.latest_message or {}
        return next_language(
            current=tracker.get_slot("language"),
            locked=bool(tracker.get_slot("language_locked")),
            intent=(message.get("intent") or {}).get("name"),
            requested=next(tracker.get_latest_entity_values("language"), None),
            detected=message.get("detected_language"),
            answering=(tracker.active_loop or {}).get("name") == "application_form",
            words=len(
                re.findall(r"[^\W\d_]+", _without_ids(message.get("text") or ""))
            ),
        )
