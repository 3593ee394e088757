import logging
from typing import List, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.delhi_entity_extractor import DelhiEntityExtractor, extract
from components.normalizer import normalise
from delhi import aadhaar

AADHAAR = "234567890124"  # valid Verhoeff checksum
AADHAAR_BAD = "234567890123"


def found(text: str) -> List[Tuple[str, str, str]]:
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]]) for e in extract(text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my pin is 110001", [("pincode", "110001", "110001")]),
        ("पिन कोड ११००१७ है", [("pincode", "110017", "११००१७")]),
        ("mera pincode 110 092 hai", [("pincode", "110092", "110 092")]),
        ("pin 400001", []),  # Mumbai: not Delhi
        ("pin 110098", []),
        (
            "call me on +91 98765 43210",
            [("mobile", "+919876543210", "+91 98765 43210")],
        ),
        ("mera number 098765-43210 hai", [("mobile", "+919876543210", "098765-43210")]),
        ("मोबाइल ९८७६५४३२१० है", [("mobile", "+919876543210", "९८७६५४३२१०")]),
        ("number 5876543210", []),
        (f"aadhaar {AADHAAR}", [("aadhaar", AADHAAR, AADHAAR)]),
        ("आधार 2345 6789 0124", [("aadhaar", AADHAAR, "2345 6789 0124")]),
        (f"aadhaar {AADHAAR_BAD}", []),  # checksum fails
        ("aadhaar 134567890124", []),  # cannot start with 1
        (
            "status of dl bir 2026 000123",
            [("application_id", "DL-BIR-2026-000123", "dl bir 2026 000123")],
        ),
        (
            "DL-BIR-2026-110012 ka status",  # its digits are not a PIN code
            [("application_id", "DL-BIR-2026-110012", "DL-BIR-2026-110012")],
        ),
        (
            "pin 110001 mobile 9876543210",
            [
                ("pincode", "110001", "110001"),
                ("mobile", "+919876543210", "9876543210"),
            ],
        ),
    ],
)
def test_identifiers(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("I live in South East Delhi", "south_east"),
        ("north-east", "north_east"),
        ("मैं दक्षिण पूर्व जिला में रहता हूं", "south_east"),
        ("मेरा जिला पुरानी दिल्ली है", "old_delhi"),
        ("dakshin purv", "south_east"),
        ("bahri uttar jila", "outer_north"),
        ("central north district", "central_north"),
        ("mera ghar purani dilli me hai", "old_delhi"),
        ("Shahdara", "north_east"),  # old district name
        ("शाहदरा में रहते हैं", "north_east"),
        ("rohini sector 7", "north_west"),  # sub-division
        ("west", "west"),  # a bare name as a short form answer
        ("उत्तर", "north"),
        ("north district", "north"),
        ("नई दिल्ली", "new_delhi"),
    ],
)
def test_districts(text: str, district: str) -> None:
    assert [(e[0], e[1]) for e in found(text)] == [("district", district)]


@pytest.mark.parametrize(
    "text",
    [
        "मेरा उत्तर हाँ है",  # उत्तर = answer
        "the north gate of the office was closed",
        "i want to go east for a holiday tomorrow",
        "Mumbai",
    ],
)
def test_no_district_in_everyday_words(text: str) -> None:
    assert found(text) == []


def test_works_on_normalised_text() -> None:
    text = normalise("मेरा पिन ११००१७ और आधार २३४५ ६७८९ ०१२४ 🙏").text
    assert [e[:2] for e in found(text)] == [
        ("pincode", "110017"),
        ("aadhaar", AADHAAR),
    ]


def test_component_adds_entities_and_replaces_overlapping_model_guesses() -> None:
    guess = {
        "entity": "pincode",
        "start": 4,
        "end": 10,
        "value": "11000",
        "extractor": "DIET",
    }
    service = {"entity": "service", "start": 11, "end": 15, "value": "ration_card"}
    message = Message(data={"text": "pin 110001 card", "entities": [guess, service]})
    DelhiEntityExtractor(DelhiEntityExtractor.get_default_config()).process([message])
    entities = message.get("entities")
    assert service in entities
    pins = [e for e in entities if e["entity"] == "pincode"]
    assert pins == [
        {
            "entity": "pincode",
            "start": 4,
            "end": 10,
            "value": "110001",
            "extractor": "DelhiEntityExtractor",
        }
    ]


def test_config_limits_entities() -> None:
    extractor = DelhiEntityExtractor({"entities": ["pincode"]})
    message = Message(data={"text": "pin 110001 mobile 9876543210"})
    extractor.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["pincode"]
    with pytest.raises(ValueError):
        DelhiEntityExtractor({"entities": ["passport"]})


def test_aadhaar_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    message = Message(data={"text": f"aadhaar {AADHAAR}"})
    DelhiEntityExtractor(DelhiEntityExtractor.get_default_config()).process([message])
    assert message.get("entities")[0]["value"] == AADHAAR
    assert AADHAAR not in caplog.text
    assert aadhaar.mask(AADHAAR) == "XXXX XXXX 0124"
