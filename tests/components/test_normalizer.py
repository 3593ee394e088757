import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalizer import IndicNormalizer, de_elongate, normalise

NUKTA = "\u093c"


def component(**overrides: object) -> IndicNormalizer:
    return IndicNormalizer({**IndicNormalizer.get_default_config(), **overrides})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nukta: precomposed (U+095B), decomposed (ज + ़) and no nukta are the same word
        ("\u095bमीन", "जमीन"),
        ("ज" + NUKTA + "मीन", "जमीन"),
        ("जमीन", "जमीन"),
        ("क़ानून", "कानून"),
        # chandrabindu -> anusvara
        ("हँसना", "हंसना"),
        ("पाँच", "पांच"),
        # zero-width joiner / non-joiner inside a word, zero-width space between words
        ("प्रमाण\u200dपत्र", "प्रमाणपत्र"),
        ("ple\u200case", "please"),
        ("birth\u200bcertificate", "birth certificate"),
        # Devanagari digits
        ("१२३", "123"),
        ("पिन ११००१७", "पिन 110017"),
        # elongation and case
        ("Pleaseeee", "please"),
        ("hiiii", "hi"),
        ("HELLOOOO", "hello"),
        ("goooood morning", "good morning"),
        ("aaaap", "aap"),
        # emoji
        ("🙏", "namaste"),
        ("ok 👍", "ok ok"),
        ("thanks 😊😊", "thanks"),
        ("haan ✅", "haan yes"),
        ("👍🏽", "ok"),
        # whitespace
        ("  मुझे   birth  certificate   चाहिए  ", "मुझे birth certificate चाहिए"),
        # NFC (e + combining acute)
        ("cafe\u0301", "café"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text).text == expected


def test_elongation_keeps_real_double_letters() -> None:
    keep = frozenset({"good", "need"})
    assert de_elongate("neeeeed", keep) == "need"
    assert de_elongate("yesss", keep) == "yes"
    assert de_elongate("need", keep) == "need"


def test_options_keep_nukta_and_case() -> None:
    result = component(remove_nuktas=False, lowercase=False).normalise("ज़मीन OK")
    assert NUKTA in result.text
    assert result.text.endswith("OK")


def test_process_rewrites_text_and_keeps_original() -> None:
    message = Message(data={"text": "Mujhe  JANAM praman patra chahiyeee 🙏"})
    component().process([message])
    assert message.get("text") == "mujhe janam praman patra chahiye namaste"
    assert message.get("original_text") == "Mujhe  JANAM praman patra chahiyeee 🙏"


def test_payloads_are_not_touched() -> None:
    message = Message(data={"text": '/apply_service{"service": "Birth_Certificate"}'})
    component().process([message])
    assert message.get("text") == '/apply_service{"service": "Birth_Certificate"}'


def annotated(text: str, span: str, value: str) -> Message:
    start = text.index(span)
    entity = {
        "entity": "service",
        "start": start,
        "end": start + len(span),
        "value": value,
    }
    return Message(data={"text": text, "intent": "apply_service", "entities": [entity]})


@pytest.mark.parametrize(
    ("text", "span", "value", "expected_span"),
    [
        (
            "Mujhe   JANAM Praman Patra chahiyeee",
            "JANAM Praman Patra",
            "birth_certificate",
            "janam praman patra",
        ),
        ("🙏🙏 मुझे ज़मीन का प्रमाण\u200dपत्र चाहिए", "प्रमाण\u200dपत्र", "x", "प्रमाणपत्र"),
        ("pleaseeee RATION cardddd", "RATION cardddd", "ration_card", "ration card"),
        ("१२३ ज़ाति प्रमाण पत्र", "ज़ाति प्रमाण पत्र", "caste_certificate", "जाति प्रमाण पत्र"),
    ],
)
def test_training_entities_follow_the_text(
    text: str, span: str, value: str, expected_span: str
) -> None:
    example = annotated(text, span, value)
    training_data = TrainingData([example])
    component().process_training_data(training_data)
    entity = example.get("entities")[0]
    assert example.get("text")[entity["start"] : entity["end"]] == expected_span
    assert entity["value"] == value


def test_training_entity_value_without_synonym_is_normalised() -> None:
    example = annotated("talk in HINDIIII please", "HINDIIII", "HINDIIII")
    component().process_training_data(TrainingData([example]))
    entity = example.get("entities")[0]
    assert entity["value"] == "hindi"
    assert example.get("text")[entity["start"] : entity["end"]] == "hindi"


def test_synonyms_get_their_normalised_spelling() -> None:
    training_data = TrainingData(entity_synonyms={"ज़मीन रजिस्ट्री": "land_registry"})
    component().process_training_data(training_data)
    assert training_data.entity_synonyms["जमीन रजिस्ट्री"] == "land_registry"
    assert training_data.entity_synonyms["ज़मीन रजिस्ट्री"] == "land_registry"


def test_map_span_on_every_piece_boundary() -> None:
    result = normalise("A  BB\u200b🙏 cc")
    assert result.text == "a bb namaste cc"
    assert result.map_span(0, 1) == (0, 1)
    assert result.map_span(3, 5) == (2, 4)
    assert result.map_span(8, 10) == (13, 15)
    assert result.map_span(6, 7) == (5, 12)  # the emoji became 'namaste'
