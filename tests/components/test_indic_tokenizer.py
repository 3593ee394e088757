import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.indic_tokenizer import IndicTokenizer


def tokenize(text: str, **overrides: object) -> list:
    tokenizer = IndicTokenizer({**IndicTokenizer.get_default_config(), **overrides})
    tokens = tokenizer.tokenize(Message(data={"text": text}), "text")
    return [(t.text, t.start, t.end) for t in tokens]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("क्षत्रिय", [("क्षत्रिय", 0, 8)]),
        ("प्रमाण-पत्र।", [("प्रमाण", 0, 6), ("पत्र", 7, 11)]),
        (
            "मुझे birth certificate चाहिए।",
            [
                ("मुझे", 0, 4),
                ("birth", 5, 10),
                ("certificate", 11, 22),
                ("चाहिए", 23, 28),
            ],
        ),
        ("हिंदी॥ठीक", [("हिंदी", 0, 5), ("ठीक", 6, 9)]),
        ("ज़मीन", [("ज़मीन", 0, 5)]),  # nukta stays with its consonant
        ("certificateचाहिए", [("certificate", 0, 11), ("चाहिए", 11, 16)]),
        ("pin 110001, ok?", [("pin", 0, 3), ("110001", 4, 10), ("ok", 12, 14)]),
        ("don't", [("don't", 0, 5)]),
        ("आवेदन(नया)", [("आवेदन", 0, 5), ("नया", 6, 9)]),
    ],
)
def test_tokens_and_spans(text: str, expected: list) -> None:
    assert tokenize(text) == expected


def test_no_token_starts_with_a_combining_sign() -> None:
    text = "प्रमाणपत्र कृपया क्षत्रिय श्रीमान् हँसना ज़िंदगी"
    for token, start, end in tokenize(text):
        assert text[start:end] == token
        assert not ("\u093a" <= token[0] <= "\u094f"), token  # matra / virama / nukta


def test_keep_punctuation_splits_danda_into_its_own_token() -> None:
    tokens = tokenize("प्रमाण-पत्र। ok?", keep_punctuation=True)
    assert [t[0] for t in tokens] == ["प्रमाण", "-", "पत्र", "।", "ok", "?"]


def test_only_emoji_keeps_text_as_one_token() -> None:
    assert tokenize("🙏") == [("🙏", 0, 1)]


def test_training_data_gets_tokens() -> None:
    tokenizer = IndicTokenizer(IndicTokenizer.get_default_config())
    example = Message(data={"text": "राशन कार्ड।", "intent": "apply_service"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [t.text for t in example.get("text_tokens")] == ["राशन", "कार्ड"]
