"""The few labels the WhatsApp channel writes itself, in en / hi / hinglish.

Everything the citizen reads comes from the assistant's responses; messages Rasa cannot
read (voice notes, stickers ..., files the channel could not store) reach it as
``/unsupported_message`` and ``/document_rejected``, and the assistant answers them. The
channel only labels what WhatsApp needs around a response: the list button and the
heading of a list's further pages.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Dict, Optional

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

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_LATIN = re.compile(r"[A-Za-z]")
_HINGLISH_WORDS = frozenset(
    """
    hai hain tha thi kya kyu kyun kaise kaisa kaun kab kahan kidhar mujhe mera meri
    mere hum humko aap aapka aapki apna apni nahi nahin nhi chahiye chahte karna karo
    kijiye kariye karwana banwana banana batao bataiye bataye dijiye kripya krupya
    haan theek thik accha acha achha hoga hogi sakta sakte sakti liye mein mujhko
    namaste namaskar dhanyavad shukriya janam praman patra naya purana wala wali
    """.split()
)


def detect_language(text: str) -> str:
    """Guesses ``en``, ``hi`` (Devanagari) or ``hinglish`` (Roman Hindi) from a text.

    Args:
        text: A citizen's message.

    Returns:
        ``hi`` when Devanagari letters dominate the letters, ``hinglish`` when a
        Roman-script text contains common Hindi words, ``en`` otherwise.
    """
    devanagari = len(_DEVANAGARI.findall(text))
    latin = len(_LATIN.findall(text))
    if devanagari and devanagari >= latin:
        return "hi"
    words = re.findall(r"[a-z]+", text.lower())
    if any(word in _HINGLISH_WORDS for word in words):
        return "hinglish"
    return "en"


def text_for(key: str, language: str, **values: object) -> str:
    """Returns one of :data:`TEXTS` in ``language`` (English when unknown)."""
    variants = TEXTS[key]
    template = variants.get(language) or variants[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template


class LanguageCache:
    """The language each citizen was last spoken to or wrote in (bounded, LRU).

    The assistant answers in the conversation's ``language`` slot, so its own texts are
    the best evidence; the citizen's typed texts fill in before the first answer.

    Args:
        max_size: Most senders remembered.
    """

    def __init__(self, max_size: int = 50_000) -> None:
        self.max_size = max_size
        self._languages: OrderedDict[str, str] = OrderedDict()

    def observe(self, sender_id: str, text: str) -> None:
        """Remembers the language of a free text (payloads and bare codes are ignored)."""
        if not text or text.startswith("/") or not re.search(r"[^\W\d_]", text):
            return
        self.remember(sender_id, detect_language(text))

    def remember(self, sender_id: str, language: str) -> None:
        """Stores a known language (such as Rasa's ``language`` slot)."""
        self._languages[sender_id] = language
        self._languages.move_to_end(sender_id)
        while len(self._languages) > self.max_size:
            self._languages.popitem(last=False)

    def known(self, sender_id: str) -> Optional[str]:
        """The remembered language, or None."""
        return self._languages.get(sender_id)

    def get(self, sender_id: str) -> str:
        """Returns the citizen's last language, English when unknown."""
        return self._languages.get(sender_id, DEFAULT_LANGUAGE)
