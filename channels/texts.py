"""The few labels the WhatsApp channel writes itself, in en / hi / hinglish.

Everything the citizen reads comes from the assistant's responses; messages Rasa cannot
read (voice notes, stickers ..., files the channel could not store) reach it as
``/unsupported_message`` and ``/document_rejected``, and the assistant answers them. The
channel only labels what WhatsApp needs around a response (the list button and the
heading of a list's further pages) and picks the template language, in the language of
the response itself (:func:`response_language`).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

LANGUAGES = ("en", "hi", "hinglish")
DEFAULT_LANGUAGE = "en"

TEXTS: Dict[str, Dict[str, str]] = {
    "list_button": {"en": "Choose", "hi": "चुनें", "hinglish": "Chuniye"},
    "more_options": {
        "en": "More options ({page}/{pages})",
        "hi": "और विकल्प ({page}/{pages})",
        "hinglish": "Aur options ({page}/{pages})",
    },
}


def response_language(message: Mapping[str, Any]) -> str:
    """The language of the response Rasa chose, read from the bot message it sends.

    Rasa merges a bot message's metadata into the dict an output channel gets
    (``BotUttered.message()``); for a domain response it holds the chosen variation's
    ``condition``, e.g. ``[{"type": "slot", "name": "language", "value": "hi"}]``. The
    variation without a ``language`` condition is English, and so is a message that is no
    domain response. The assistant's ``language`` slot is the one language decision; the
    channel only follows it.

    Args:
        message: The bot message, or the keyword arguments of an ``OutputChannel`` call.

    Returns:
        ``en``, ``hi`` or ``hinglish``.
    """
    conditions = message.get("condition")
    for condition in conditions if isinstance(conditions, list) else []:
        if (
            isinstance(condition, dict)
            and condition.get("type") == "slot"
            and condition.get("name") == "language"
            and condition.get("value") in LANGUAGES
        ):
            return str(condition["value"])
    return DEFAULT_LANGUAGE


def text_for(key: str, language: str, **values: object) -> str:
    """Returns one of :data:`TEXTS` in ``language`` (English when unknown)."""
    variants = TEXTS[key]
    template = variants.get(language) or variants[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template
