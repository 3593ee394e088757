from typing import Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.language_detector import LanguageDetector, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # neutral: the slot must not flip on these
        ("ok", None),
        ("OK", None),
        ("hi", None),
        ("Hiii", None),
        ("hello", None),
        ("thank you", None),
        ("yes please", None),
        ("👍", None),
        ("110001", None),
        ("DL-BIR-2026-000123", None),
        ("birth certificate", None),
        ("/greet", None),
        ('/apply_service{"service": "ration_card"}', None),
        ("", None),
        # Hindi in Devanagari, also when mixed with English words
        ("नमस्ते", "hi"),
        ("ठीक है", "hi"),
        ("मुझे birth certificate चाहिए", "hi"),
        ("मेरा application कहाँ तक पहुँचा", "hi"),
        # Hinglish
        ("namaste ji", "hinglish"),
        ("mujhe birth certificate chahiye", "hinglish"),
        ("mera application ka status kya hai", "hinglish"),
        ("ration card banwana hai", "hinglish"),
        ("kitne din lagenge", "hinglish"),
        ("caste certificate ke liye kaun se documents chahiye", "hinglish"),
        ("please mera status check karo", "hinglish"),
        ("hindi me baat karo", "hinglish"),
        ("nahi", "hinglish"),
        # English
        ("I need a birth certificate", "en"),
        ("what is the status of my application", "en"),
        ("how many days will it take", "en"),
        ("documents required for caste certificate", "en"),
        ("talk in hindi", "en"),
        ("can you help me apply for a ration card", "en"),
    ],
)
def test_detect_language(text: str, expected: Optional[str]) -> None:
    assert detect_language(text) == expected


def test_component_writes_detected_language_to_output() -> None:
    messages = [
        Message(data={"text": "mujhe madad chahiye"}),
        Message(data={"text": "ok"}),
    ]
    LanguageDetector().process(messages)
    assert messages[0].get("detected_language") == "hinglish"
    assert messages[1].get("detected_language") is None
    assert "detected_language" in messages[0].as_dict(only_output_properties=True)


def test_component_reads_the_original_text_when_normalised() -> None:
    # the normaliser maps 🙏 to "namaste"; the citizen did not write Hinglish
    message = Message(data={"text": "namaste", "original_text": "🙏"})
    LanguageDetector().process([message])
    assert message.get("detected_language") is None
