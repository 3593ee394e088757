"""Tests for components.service_choice: the wanted one of several services named."""

from typing import Any, Dict, List, Tuple

import pytest

from components.service_choice import all_set_aside, clauses, wanted


def mentions(text: str, *named: Tuple[str, str]) -> List[Dict[str, Any]]:
    """``service`` entities for each (words, id), at the words' offsets in ``text``."""
    found = []
    for words, value in named:
        start = text.index(words)
        found.append(
            {
                "entity": "service",
                "start": start,
                "end": start + len(words),
                "value": value,
            }
        )
    return found


def kept(text: str, *named: Tuple[str, str]) -> List[str]:
    return [e["value"] for e in wanted(text, mentions(text, *named))]


LEARNER = ("learner", "learner_licence")


@pytest.mark.parametrize(
    "text, named, expected",
    [
        (
            "not the learner one, the permanent licence",
            [LEARNER, ("permanent licence", "driving_licence")],
            ["driving_licence"],
        ),
        (
            "i already have the learner licence now i need the permanent dl",
            [
                ("learner licence", "learner_licence"),
                ("permanent dl", "driving_licence"),
            ],
            ["driving_licence"],
        ),
        (
            "लर्निंग लाइसेंस बन गया है, अब पक्का डीएल चाहिए",
            [("लर्निंग लाइसेंस", "learner_licence"), ("पक्का डीएल", "driving_licence")],
            ["driving_licence"],
        ),
        (
            "learner wala nahi pakka licence chahiye",
            [LEARNER, ("pakka licence", "driving_licence")],
            ["driving_licence"],
        ),
        (
            "SC ka nahi, OBC certificate chahiye",
            [("SC", "caste_certificate"), ("OBC certificate", "obc_certificate")],
            ["obc_certificate"],
        ),
        (
            "पति का मृत्यु प्रमाण पत्र मिल गया है, अब विधवा पेंशन चाहिए",
            [("मृत्यु प्रमाण पत्र", "death_certificate"), ("विधवा पेंशन", "widow_pension")],
            ["widow_pension"],
        ),
        (
            "i need the income certificate, not the ews one",
            [("income certificate", "income_certificate"), ("ews", "ews_certificate")],
            ["income_certificate"],
        ),
    ],
)
def test_keeps_the_wanted_service(text, named, expected):
    assert kept(text, *named) == expected


@pytest.mark.parametrize(
    "text, named",
    [
        # One service: kept whatever the wording around it.
        ("ration card nahi hai, banwana hai", [("ration card", "ration_card")]),
        (
            "i already have a birth certificate",
            [("birth certificate", "birth_certificate")],
        ),
        # Two services, both asked for.
        (
            "need birth certificate and caste certificate",
            [
                ("birth certificate", "birth_certificate"),
                ("caste certificate", "caste_certificate"),
            ],
        ),
        # Both set aside: nothing is guessed, both stay.
        (
            "i have the learner licence, and i already have the permanent dl too",
            [LEARNER, ("permanent dl", "driving_licence")],
        ),
    ],
)
def test_keeps_every_service_when_none_is_set_aside_alone(text, named):
    assert kept(text, *named) == [value for _, value in named]


def test_other_entities_are_never_dropped():
    text = "not the learner one, the permanent licence in 110062"
    entities = mentions(text, LEARNER, ("permanent licence", "driving_licence"))
    entities.append({"entity": "pincode", "start": 45, "end": 51, "value": "110062"})
    assert [e["entity"] for e in wanted(text, entities)] == ["service", "pincode"]


def test_clauses_split_at_punctuation_and_contrast_words():
    text = "learner ban gaya ab pakka chahiye, jaldi"
    parts = [text[a:b].strip(" ,") for a, b in clauses(text)]
    assert parts == ["learner ban gaya", "ab pakka chahiye", "jaldi"]


def test_a_name_said_again_more_precisely_is_the_wanted_one():
    text = "dl was inside it, need a duplicate dl"
    found = mentions(text, ("dl", "driving_licence"))
    start = text.index("duplicate dl")
    found.append(
        {
            "entity": "service",
            "start": start,
            "end": start + 12,
            "value": "duplicate_driving_licence",
        }
    )
    assert [e["value"] for e in wanted(text, found)] == ["duplicate_driving_licence"]


@pytest.mark.parametrize(
    "text, named, expected",
    [
        (
            "I have a learner dl, now I need a dl",
            [("learner dl", "learner_licence"), ("a dl", "driving_licence")],
            ["driving_licence"],
        ),
        (
            "dl renewal nahi, naya dl chahiye",
            [("dl renewal", "driving_licence_renewal"), ("naya dl", "driving_licence")],
            ["driving_licence"],
        ),
    ],
)
def test_a_precise_name_set_aside_does_not_hide_the_wanted_one(text, named, expected):
    assert kept(text, *named) == expected


def test_every_service_set_aside():
    text = "i already got the death certificate, now i want the pension for widows"
    assert all_set_aside(
        text, mentions(text, ("death certificate", "death_certificate"))
    )
    text = "i want the death certificate"
    assert not all_set_aside(
        text, mentions(text, ("death certificate", "death_certificate"))
    )
    assert not all_set_aside("nothing named", [])
