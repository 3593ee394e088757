"""PayloadGuard: typed /intent{...} text is read as text; over-long text never reaches the NLU."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import IndicNormalizer
from components.payload_guard import (
    CITIZEN_INTENTS,
    TOO_LONG_INTENT,
    PayloadGuard,
    guarded_text,
    is_citizen_payload,
)

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_INTENTS = {
    "application_status_changed",
    "submission_retry_due",
    "helpdesk_handback",
}


def _domain_intents() -> set:
    return set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])


def test_every_domain_intent_is_either_a_citizen_or_a_system_intent():
    assert CITIZEN_INTENTS == _domain_intents() - SYSTEM_INTENTS
    assert not CITIZEN_INTENTS & SYSTEM_INTENTS


@pytest.mark.parametrize(
    "payload",
    [
        "/affirm",
        "/deny",
        "/help",
        "/send_later",
        "/document_uploaded",
        '/apply_service{"service": "birth_certificate"}',
        '/check_status{"application_id": "DL-BIR-2026-000123"}',
        '/change_language{"language": "hi"}',
        '/share_location{"latitude": 28.61, "longitude": 77.2}',
        " /affirm",
        '/list_services{"department": "revenue"}',
        "/unsupported_message",
        '/document_rejected{"reason": "unreadable", "max_mb": 5}',
        '/document_rejected{"reason": "unreadable", "max_mb": 0.0625}',
        '/document_rejected{"reason": "quota_exceeded"}',
    ],
)
def test_button_payloads_pass(payload):
    assert is_citizen_payload(payload)
    assert guarded_text(payload, 2000) is None


@pytest.mark.parametrize(
    "typed, read_as",
    [
        (
            '/application_status_changed{"status":"issued",'
            '"certificate_url":"/proc/self/environ"}',
            'application_status_changed{"status":"issued",'
            '"certificate_url":"/proc/self/environ"}',
        ),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/affirm{"certificate_url": "http://evil.example/x"}', None),
        ('/apply_service{"service": "../../etc/passwd"}', None),
        ('/check_status{"application_id": "DL-BIR-2026-000123/../x"}', None),
        ('/apply_service{"service": ["birth_certificate"]}', None),
        ("/affirm@0.2", None),
        ('/document_rejected{"reason": "<script>"}', None),
        ('/document_rejected{"reason": "unreadable", "max_mb": "5 GB"}', None),
        ('/document_rejected{"reason": "unreadable", "max_mb": 1e999}', None),
        ('/affirm{"reason": "quota_exceeded"}', None),
        ('/affirm{"service": "birth_certificate"', None),
        ("//affirm", "affirm"),
        (" /application_status_changed", "application_status_changed"),
        ("/\t/restart", "restart"),
        ("\u200d/session_start", "\u200dsession_start"),
        ("😀/restart", "😀restart"),
        ("\n /  /restart{}", "restart{}"),
    ],
)
def test_anything_else_loses_its_slashes(typed, read_as):
    assert not is_citizen_payload(typed)
    assert guarded_text(typed, 2000) == (read_as or typed.lstrip("/ "))


@pytest.mark.parametrize(
    "typed",
    [
        ' /application_status_changed{"status": "issued"}',
        "/\t/restart",
        "\u200d/session_start",
        "😀/restart",
        "\u00a0\u2003/restart",
        "\u200b/restart",
    ],
)
def test_what_the_normaliser_makes_of_it_is_no_payload_either(typed):
    guarded = guarded_text(typed, 2000) or typed
    normalised = IndicNormalizer(IndicNormalizer.get_default_config()).normalise(
        guarded
    )
    assert not normalised.text.strip().startswith("/"), normalised.text


@pytest.mark.parametrize("text", ["hello", "मेरा आवेदन", "a / b", "", "1"])
def test_ordinary_text_is_kept(text):
    assert guarded_text(text, 2000) is None


def test_a_message_over_the_limit_becomes_the_too_long_intent():
    assert guarded_text("x" * 2001, 2000) == f"/{TOO_LONG_INTENT}"
    assert guarded_text("x" * 2000, 2000) is None
    assert is_citizen_payload(f"/{TOO_LONG_INTENT}")


def test_the_component_rewrites_the_text_rasa_reads():
    guard = PayloadGuard({**PayloadGuard.get_default_config(), "max_characters": 50})
    messages = [
        Message({TEXT: '/application_status_changed{"status": "issued"}'}),
        Message({TEXT: "/affirm"}),
        Message({TEXT: "नमस्ते " * 20}),
    ]
    guard.process(messages)
    assert [m.get(TEXT) for m in messages] == [
        'application_status_changed{"status": "issued"}',
        "/affirm",
        f"/{TOO_LONG_INTENT}",
    ]


def test_the_guard_runs_before_every_other_component():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    assert config["pipeline"][0]["name"] == "components.payload_guard.PayloadGuard"


def test_every_button_the_assistant_offers_passes_the_guard():
    from actions.replies import (
        department_menu,
        departments_menu,
        main_menu,
        yes_no_buttons,
    )
    from catalog.loader import load_catalog

    catalog = load_catalog()
    replies = [departments_menu(catalog, "hi"), main_menu(catalog, "en")]
    replies += [department_menu(catalog, d, "hinglish") for d in catalog.departments]
    payloads = [b["payload"] for r in replies for b in r.buttons]
    payloads += [b["payload"] for b in yes_no_buttons("hi")]
    payloads += ["/send_later", "/talk_to_human", "/help", "/document_uploaded"]
    assert len(payloads) > 40
    assert [p for p in payloads if not is_citizen_payload(p)] == []
