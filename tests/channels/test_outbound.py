"""Outgoing formatting: limits, splitting, Devanagari-safe shortening."""

from __future__ import annotations

import pytest

from channels.outbound import (
    PayloadRegistry,
    addressed,
    button_payloads,
    graphemes,
    shorten,
    split_text,
    template_payload,
    text_payload,
)
from channels.texts import response_language
from tests.channels.whatsapp_limits import assert_valid, units, validate_outgoing


def _sendable(payloads):
    return [
        {"messaging_product": "whatsapp", "to": "919800000001", **p} for p in payloads
    ]


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        ("क्षत्रिय", ["क्ष", "त्रि", "य"]),
        ("प्रमाण पत्र", ["प्र", "मा", "ण", " ", "प", "त्र"]),
        ("ज़िला", ["ज़ि", "ला"]),  # nukta + matra stay with the consonant
        ("abc", ["a", "b", "c"]),
    ],
)
def test_graphemes_keep_devanagari_syllables_whole(text, clusters):
    assert graphemes(text) == clusters


@pytest.mark.parametrize(
    "title",
    [
        "जाति प्रमाण पत्र के लिए आवेदन",
        "अन्य पिछड़ा वर्ग प्रमाणपत्र",
        "क्षत्रिय्क्षत्रिय्क्षत्रिय्क्षत्रिय्क्ष",
        "Birth certificate application",
        "Janm praman patra banwana hai",
    ],
)
@pytest.mark.parametrize("limit", [20, 24, 72])
def test_shorten_fits_and_never_splits_a_syllable(title, limit):
    short = shorten(title, limit)
    assert units(short) <= limit
    assert title.startswith(short.rstrip("…").rstrip())
    if short != title:
        assert short.endswith("…")
        kept = short[:-1].rstrip()
        assert "".join(graphemes(title)[: len(graphemes(kept))]) == kept
        assert not kept.endswith("\u094d")


def test_split_text_at_sentence_boundaries_within_4096():
    sentence = "यह एक लंबा वाक्य है जो आवेदन की स्थिति बताता है। "
    text = sentence * 200
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(units(chunk) <= 4096 for chunk in chunks)
    assert all(chunk.endswith("।") for chunk in chunks)
    assert "".join(chunk + " " for chunk in chunks).split() == text.split()


def test_split_text_without_spaces_still_fits():
    text = "क्ष" * 3000
    chunks = split_text(text)
    assert all(units(chunk) <= 4096 for chunk in chunks)
    assert "".join(chunks) == text
    assert all(not chunk.endswith("\u094d") for chunk in chunks)


def test_short_text_is_one_chunk():
    assert split_text("Hello. World.") == ["Hello. World."]


def test_three_buttons_become_reply_buttons_with_payload_ids():
    buttons = [
        {"title": "जन्म प्रमाण पत्र के लिए आवेदन करें", "payload": '/apply{"s":"birth"}'},
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]
    [message] = button_payloads("Choose", buttons, "hi", PayloadRegistry())
    assert message["interactive"]["type"] == "button"
    ids = [b["reply"]["id"] for b in message["interactive"]["action"]["buttons"]]
    assert ids == ['/apply{"s":"birth"}', "/affirm", "/deny"]
    assert_valid(_sendable([message]))


def test_many_buttons_become_lists_of_at_most_ten_rows():
    buttons = [
        {"title": f"सेवा संख्या {n}: आय प्रमाण पत्र का नवीनीकरण", "payload": f"/s{n}"}
        for n in range(23)
    ]
    messages = button_payloads("कौन सी सेवा चाहिए?", buttons, "hi", PayloadRegistry())
    assert [m["interactive"]["type"] for m in messages] == ["list"] * 3
    rows = [
        row
        for m in messages
        for section in m["interactive"]["action"]["sections"]
        for row in section["rows"]
    ]
    assert [row["id"] for row in rows] == [f"/s{n}" for n in range(23)]
    # shortened titles carry the full title in the description
    assert all(row["description"].startswith("सेवा संख्या") for row in rows)
    assert messages[0]["interactive"]["action"]["button"] == "चुनें"
    assert_valid(_sendable(messages))


def test_long_body_goes_first_as_text_then_interactive():
    body = "Please read carefully. " * 100
    messages = button_payloads(
        body, [{"title": "OK", "payload": "/affirm"}], "en", PayloadRegistry()
    )
    assert [m["type"] for m in messages][-1] == "interactive"
    assert messages[0]["type"] == "text"
    assert_valid(_sendable(messages))


def test_duplicate_titles_are_made_unique():
    buttons = [
        {"title": "Apply for certificate now", "payload": f"/p{n}"} for n in range(3)
    ]
    [message] = button_payloads("x", buttons, "en", PayloadRegistry())
    titles = [b["reply"]["title"] for b in message["interactive"]["action"]["buttons"]]
    assert len(set(titles)) == 3
    assert_valid(_sendable([message]))


def test_overlong_payload_gets_short_id_that_resolves_back():
    registry = PayloadRegistry()
    payload = "/inform" + '{"x": "' + "y" * 300 + '"}'
    [message] = button_payloads(
        "x", [{"title": "T", "payload": payload}], "en", registry
    )
    button_id = message["interactive"]["action"]["buttons"][0]["reply"]["id"]
    assert len(button_id) <= 256 and button_id != payload
    assert registry.resolve(button_id) == payload
    assert registry.resolve("/affirm") == "/affirm"


def test_template_parameter_has_no_newlines():
    payload = template_payload(
        "application_update", "hi", "Line one\n\nLine\ttwo      end"
    )
    [parameter] = payload["template"]["components"][0]["parameters"]
    assert parameter["text"] == "Line one Line two   end"
    assert_valid(_sendable([payload]))


def test_validate_outgoing_catches_broken_payloads():
    bad = {
        "messaging_product": "whatsapp",
        "to": "1",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "x" * 1025},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": str(n), "title": "प्रमाण पत्र प्"}}
                    for n in range(4)
                ]
            },
        },
    }
    problems = validate_outgoing(bad)
    assert any("1025" in p for p in problems)
    assert any("4 reply buttons" in p for p in problems)
    assert any("conjunct" in p for p in problems)
    assert any("unique" in p for p in problems)


LANGUAGE_SLOT = {"type": "slot", "name": "language"}


@pytest.mark.parametrize(
    ("message", "language"),
    [
        (
            {"text": "Hello", "utter_action": "utter_greet"},
            "en",
        ),  # the default variation
        ({"condition": [{**LANGUAGE_SLOT, "value": "hi"}]}, "hi"),
        ({"condition": [{**LANGUAGE_SLOT, "value": "hinglish"}]}, "hinglish"),
        (
            {
                "condition": [
                    {"type": "slot", "name": "language_locked", "value": True},
                    {**LANGUAGE_SLOT, "value": "hi"},
                ]
            },
            "hi",
        ),
        ({"condition": [{**LANGUAGE_SLOT, "value": "fr"}]}, "en"),
        ({"condition": [{"type": "slot", "name": "service", "value": "hi"}]}, "en"),
        ({"condition": None}, "en"),
        ({"condition": "hi"}, "en"),
        ({"condition": ["hi"]}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_of_a_response_is_its_variations_condition(message, language):
    assert response_language(message) == language


@pytest.mark.parametrize(
    ("recipient", "address"),
    [
        ("919800000001", {"to": "919800000001"}),
        ("IN.1502576394655843", {"recipient": "IN.1502576394655843"}),
        ("US.ENT.11815799212886844830", {"recipient": "US.ENT.11815799212886844830"}),
    ],
)
def test_a_number_goes_in_to_anything_else_in_recipient(recipient, address):
    payload = text_payload("Namaste")
    assert addressed(recipient, payload) == {**address, **payload}
    assert_valid([{"messaging_product": "whatsapp", **addressed(recipient, payload)}])
