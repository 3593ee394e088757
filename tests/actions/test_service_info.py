"""A question about a service whose certificate the citizen already holds may ask for it."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker

from actions.services import ActionServiceInfo
from tests.actions.test_tracking_ownership import CITIZEN, LINK, documents, issued, run

MARRIAGE = "marriage_registration"


def question(download: float) -> Dict[str, Any]:
    """An eligibility question naming marriage registration; download read second."""
    return {
        "text": "can we get the marriage certificate please?",
        "intent": {"name": "ask_eligibility", "confidence": 1 - download},
        "intent_ranking": [
            {"name": "ask_eligibility", "confidence": 1 - download},
            {"name": "download_certificate", "confidence": download},
        ],
        "entities": [{"entity": "service", "value": MARRIAGE}],
    }


def tracker(message: Dict[str, Any], **slots: Any) -> Tracker:
    events = [{"event": "user", "parse_data": message}]
    return Tracker(
        CITIZEN,
        {"language": "en", **slots},
        message,
        events,
        False,
        None,
        None,
        "action_listen",
    )


def test_holding_the_issued_certificate_the_certificate_is_the_answer(gateway):
    gateway.script = [(200, {"items": [issued(service_id=MARRIAGE)]})]
    messages = run(ActionServiceInfo(), tracker(question(download=0.35)))
    assert messages[0]["response"] == "utter_certificate_ready"
    assert documents(messages) == [LINK]


def test_without_an_issued_certificate_the_question_is_answered(gateway):
    gateway.script = [(200, {"items": [issued(service_id="income_certificate")]})]
    messages = run(ActionServiceInfo(), tracker(question(download=0.35)))
    assert [m["response"] for m in messages] == ["utter_service_eligibility"]


def test_a_faint_download_reading_asks_no_gateway(gateway):
    messages = run(ActionServiceInfo(), tracker(question(download=0.05)))
    assert [m["response"] for m in messages] == ["utter_service_eligibility"]
    assert gateway.requests == []


def test_the_service_talked_about_before_finds_its_certificate_among_others(gateway):
    message = question(download=0.35)
    message["entities"] = []  # "can we get it please?": the service is the slot's
    gateway.script = [
        (
            200,
            {
                "items": [
                    issued(service_id="income_certificate"),
                    issued(service_id=MARRIAGE, application_id="DL-MAR-2026-000009"),
                ]
            },
        )
    ]
    messages = run(ActionServiceInfo(), tracker(message, service=MARRIAGE))
    assert messages[0]["response"] == "utter_certificate_ready"
    assert messages[0]["application_id"] == "DL-MAR-2026-000009"
