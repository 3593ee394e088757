"""The few texts the WhatsApp channel writes itself, in en / hi / hinglish.

Everything else the citizen reads comes from the assistant's responses. The channel
answers on its own only where Rasa cannot understand the message (voice notes, videos,
stickers, contacts, orders, unsupported types, files it cannot accept), in the language of
the citizen's last text message (a small per-sender cache, English by default).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Dict, Optional

LANGUAGES = ("en", "hi", "hinglish")
DEFAULT_LANGUAGE = "en"

TEXTS: Dict[str, Dict[str, str]] = {
    "unsupported_message": {
        "en": (
            "Sorry, I cannot understand voice notes, videos, stickers, contacts or this "
            "kind of message yet. Please type your message, or send a photo or PDF of "
            "your document."
        ),
        "hi": (
            "क्षमा करें, मैं अभी वॉइस नोट, वीडियो, स्टिकर, संपर्क या इस तरह का संदेश नहीं "
            "समझ सकता। कृपया अपना संदेश लिखकर भेजें, या अपने दस्तावेज़ की फ़ोटो या PDF भेजें।"
        ),
        "hinglish": (
            "Maaf kijiye, main abhi voice note, video, sticker, contact ya is tarah ka "
            "message nahi samajh sakta. Kripya apna message type karke bhejiye, ya apne "
            "document ki photo ya PDF bhejiye."
        ),
    },
    "document_rejected": {
        "en": (
            "Sorry, I could not accept this file. Please send a clear photo (JPEG or "
            "PNG) or a PDF of at most {max_mb} MB."
        ),
        "hi": (
            "क्षमा करें, यह फ़ाइल स्वीकार नहीं की जा सकी। कृपया साफ़ फ़ोटो (JPEG या PNG) "
            "या PDF भेजें, अधिकतम {max_mb} MB।"
        ),
        "hinglish": (
            "Maaf kijiye, yeh file accept nahi ho saki. Kripya saaf photo (JPEG ya PNG) "
            "ya PDF bhejiye, zyada se zyada {max_mb} MB."
        ),
    },
    "document_failed": {
        "en": "Sorry, I could not download your file. Please send it again in a minute.",
        "hi": "क्षमा करें, आपकी फ़ाइल डाउनलोड नहीं हो सकी। कृपया एक मिनट बाद फिर से भेजें।",
        "hinglish": (
            "Maaf kijiye, aapki file download nahi ho saki. Kripya ek minute baad "
            "dobara bhejiye."
        ),
    },
    "document_store_unavailable": {
        "en": (
            "Sorry, I could not save your file just now. Please send it again in a few "
            "minutes."
        ),
        "hi": "क्षमा करें, अभी आपकी फ़ाइल सहेजी नहीं जा सकी। कृपया कुछ मिनट बाद इसे फिर से भेजें।",
        "hinglish": (
            "Maaf kijiye, abhi aapki file save nahi ho saki. Kripya kuch minute baad "
            "ise dobara bhejiye."
        ),
    },
    "document_quota_exceeded": {
        "en": (
            "Thank you for your documents. You have sent as many files as can be "
            "accepted today, so this one was not saved. Please send it again tomorrow; "
            "your application and the files already sent are safe."
        ),
        "hi": (
            "आपके दस्तावेज़ों के लिए धन्यवाद। आज के लिए जितनी फ़ाइलें ली जा सकती हैं, वे आप भेज "
            "चुके हैं, इसलिए यह फ़ाइल सहेजी नहीं गई। कृपया इसे कल फिर से भेजें; आपका आवेदन और "
            "पहले भेजी गई फ़ाइलें सुरक्षित हैं।"
        ),
        "hinglish": (
            "Aapke documents ke liye dhanyavaad. Aaj ke liye jitni files li ja sakti "
            "hain, woh aap bhej chuke hain, isliye yeh file save nahi hui. Kripya ise "
            "kal dobara bhejiye; aapka application aur pehle bheji gayi files surakshit "
            "hain."
        ),
    },
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
