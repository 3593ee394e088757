"""The pre-check's advice in the form: a document that differs from the answers holds the form.

The gateway is the scripted fake on loopback; what it answers is the pre-check API's shape
(edistrict/schemas.py PrecheckOut).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_access import get_catalog
from actions.form import ActionAskApplicationStep, ValidateApplicationForm
from actions.form_steps import GIVEN, new_draft, next_step

CITIZEN = "919811122233"
SERVICE = "domicile_certificate"
AADHAAR = {"id": "a" * 64, "mime_type": "image/jpeg"}
CLEARER = {"id": "b" * 64, "mime_type": "image/jpeg"}


def result(verdict: str = "ok", **extra: Any) -> Dict[str, Any]:
    return {
        "verdict": verdict,
        "document_type": "identity_proof",
        "engine": "tesseract 5.3.0",
        "source": "ocr",
        "confidence": 91.0,
        "problems": [],
        "kind": {
            "read": "aadhaar_card",
            "expected": ["aadhaar_card"],
            "status": "matched",
            "names": {
                "en": "an Aadhaar card",
                "hi": "आधार कार्ड",
                "hinglish": "Aadhaar card",
            },
        },
        "checks": [],
        "checked_at": "2026-12-03T10:00:00+00:00",
        **extra,
    }


MISSPELT = result(
    "advice",
    checks=[
        {"field": "name", "status": "mismatch", "read": "SUNIL KUMAR", "score": 95.7},
        {
            "field": "aadhaar_last4",
            "status": "matched",
            "read": "XXXX XXXX 9012",
            "score": None,
        },
    ],
)


def at_identity_proof() -> Dict[str, Any]:
    catalog = get_catalog()
    draft = new_draft(SERVICE)
    draft["consent"], draft["eligible"] = GIVEN, True
    service = catalog[SERVICE]
    for item in service.fields:
        if item.applies(draft["answers"]):
            draft["answers"][item.name] = "x"
    draft["answers"].update(
        applicant_name="Sunil Kumaar",
        date_of_birth="1985-08-14",
        aadhaar="482177349012",
        pincode="110092",
        married=False,
    )
    draft["display"]["applicant_name"] = "Sunil Kumaar"
    draft["documents"]["photo"] = {"id": "c" * 64, "mime_type": "image/jpeg"}
    assert next_step(draft, catalog).name == "identity_proof"
    return draft


def message(
    draft: Dict[str, Any],
    text: str = "",
    document: Optional[Dict[str, Any]] = None,
    language: str = "en",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [],
        "metadata": {"document": document} if document else {},
    }
    slots = {
        "application": draft,
        "language": language,
        "requested_slot": "application_step",
    }
    return Tracker(
        CITIZEN,
        slots,
        latest,
        [{"event": "user", "text": text}],
        False,
        None,
        {},
        "action_listen",
    )


def step(draft: Dict[str, Any], text: str = "", document=None, language="en"):
    """One citizen message through the form: validation, then the next question."""
    dispatcher = CollectingDispatcher()
    slots = ValidateApplicationForm().validate_application_step(
        None, dispatcher, message(draft, text, document, language), {}
    )
    draft = slots["application"]
    ActionAskApplicationStep().run(dispatcher, message(draft, language=language), {})
    return draft, dispatcher.messages


def names(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["response"] for m in messages]


def test_a_name_that_differs_holds_the_form_with_what_was_read(gateway):
    gateway.script = [(200, MISSPELT)]
    draft, said = step(at_identity_proof(), document=AADHAAR)
    [request] = gateway.requests
    assert request["path"] == f"/api/v1/documents/{AADHAAR['id']}/precheck"
    assert request["headers"]["X-Citizen-Id"] == CITIZEN
    assert request["body"] == {
        "document_type": "identity_proof",
        "expected": {
            "name": "Sunil Kumaar",
            "date_of_birth": "1985-08-14",
            "aadhaar_last4": "9012",
            "pincode": "110092",
        },
    }
    assert names(said) == [
        "utter_document_received",
        "utter_precheck_differs",
        "utter_precheck_choices",
    ]
    differs = said[1]
    assert (differs["read"], differs["typed"]) == ("SUNIL KUMAR", "Sunil Kumaar")
    assert [b["title"] for b in said[2]["buttons"]] == [
        "correct my answer",
        "continue anyway",
    ]
    assert next_step(draft, get_catalog()).kind == "precheck"
    assert draft["documents"]["identity_proof"]["precheck"] == "advice"


def test_correcting_the_answer_reopens_it_and_checks_the_document_again(gateway):
    gateway.script = [(200, MISSPELT)]
    draft, _ = step(at_identity_proof(), document=AADHAAR)
    draft, said = step(draft, "correct my answer")
    assert draft["editing"] == "applicant_name" and names(said) == ["utter_ask_field"]
    gateway.script = [(200, result())]
    draft, said = step(draft, "Sunil Kumar")
    assert draft["answers"]["applicant_name"] == "Sunil Kumar"
    assert gateway.requests[-1]["body"]["expected"]["name"] == "Sunil Kumar"
    assert (
        "utter_precheck_ok" in names(said)
        and next_step(draft, get_catalog()).kind != "precheck"
    )


def test_continue_anyway_keeps_the_document(gateway):
    gateway.script = [(200, MISSPELT)]
    draft, _ = step(at_identity_proof(), document=AADHAAR, language="hi")
    draft, said = step(draft, "फिर भी आगे बढ़ें", language="hi")
    assert draft["documents"]["identity_proof"]["id"] == AADHAAR["id"]
    assert next_step(draft, get_catalog()).name == "address_proof"
    assert draft["pending"] is None and "precheck" not in draft


def test_a_clearer_photo_replaces_the_document_and_is_checked(gateway):
    unreadable = result(
        "unreadable",
        problems=["blurred"],
        kind={**result()["kind"], "read": None, "status": "not_checked"},
    )
    gateway.script = [(200, unreadable)]
    draft, said = step(at_identity_proof(), document=AADHAAR, language="hinglish")
    assert names(said)[1:] == ["utter_precheck_blurred", "utter_precheck_resend"]
    assert [b["title"] for b in said[-1]["buttons"]] == ["phir bhi aage"]
    draft, said = step(draft, "something else", language="hinglish")
    assert names(said) == [
        "utter_precheck_blurred",
        "utter_precheck_resend",
    ]  # asked again
    gateway.script = [(200, result())]
    draft, said = step(draft, document=CLEARER, language="hinglish")
    assert draft["documents"]["identity_proof"]["id"] == CLEARER["id"]
    assert names(said)[:2] == ["utter_document_received", "utter_precheck_ok"]
    assert said[1]["kind"] == "Aadhaar card"


def test_the_wrong_kind_is_named(gateway):
    wrong = result(
        "advice",
        kind={
            "read": "ration_card",
            "expected": ["aadhaar_card"],
            "status": "mismatch",
            "names": {
                "en": "a ration card",
                "hi": "राशन कार्ड",
                "hinglish": "ration card",
            },
        },
    )
    gateway.script = [(200, wrong)]
    _, said = step(at_identity_proof(), document=AADHAAR)
    assert names(said)[1:] == ["utter_precheck_wrong_kind", "utter_precheck_resend"]
    assert said[1]["kind"] == "a ration card"


@pytest.mark.parametrize("status", [503, 404])
def test_a_gateway_that_cannot_check_never_holds_the_form(gateway, status):
    gateway.script = [(status, {"error": "x"})] * 3
    draft, said = step(at_identity_proof(), document=AADHAAR)
    assert names(said) == ["utter_document_received", "utter_ask_document"]
    assert next_step(draft, get_catalog()).name == "address_proof"


def test_a_document_sent_after_the_form_is_attached_then_advised(gateway):
    from actions.documents import ActionReceiveDocument

    waiting = {
        "application_id": "DL-DOM-2026-000007",
        "service_id": SERVICE,
        "status": "documents_requested",
        "status_reason": "Photo ya scan padhne laayak saaf nahi hai",
        "requested_documents": ["identity_proof"],
        "due_date": "2026-12-20",
        "fields": {"applicant_name": "Sunil Kumaar", "aadhaar": "482177349012"},
    }
    attached = {
        "id": 3,
        "document_type": "identity_proof",
        "sha256": AADHAAR["id"],
        "precheck": {
            **MISSPELT,
            "checks": [
                *MISSPELT["checks"][:1],
                {
                    "field": "aadhaar_last4",
                    "status": "mismatch",
                    "read": "XXXX XXXX 1111",
                },
            ],
        },
    }
    gateway.script = [(200, {"items": [waiting]}), (200, waiting), (201, attached)]
    dispatcher = CollectingDispatcher()
    latest = {
        "intent": {"name": "document_uploaded"},
        "metadata": {"document": AADHAAR},
    }
    state = Tracker(
        CITIZEN, {"language": "hinglish"}, latest, [], False, None, {}, "action_listen"
    )
    ActionReceiveDocument().run(dispatcher, state, {})
    assert names(dispatcher.messages) == [
        "utter_document_attached",
        "utter_precheck_differs",
        "utter_precheck_differs",
        "utter_precheck_late",
    ]
    name, number = dispatcher.messages[1:3]
    assert (name["read"], name["typed"]) == ("SUNIL KUMAR", "Sunil Kumaar")
    assert number["typed"] == "XXXX XXXX 9012"  # the citizen's own number, masked


@pytest.mark.parametrize("text", ["cancel", "mera data mita do"])
def test_no_to_cancel_or_erase_during_advice_goes_back_to_the_advice(gateway, text):
    gateway.script = [(200, MISSPELT)]
    draft, _ = step(at_identity_proof(), document=AADHAAR)
    draft, said = step(draft, text)
    assert next_step(draft, get_catalog()).kind in ("confirm_stop", "confirm_erase")
    draft, said = step(draft, "no")
    assert next_step(draft, get_catalog()).kind == "precheck"
    assert "utter_precheck_differs" in names(said)
    draft, _ = step(draft, "continue anyway")
    assert next_step(draft, get_catalog()).name == "address_proof"


def test_a_better_one_later_keeps_the_document_and_goes_on(gateway):
    gateway.script = [(200, MISSPELT)]
    draft, _ = step(at_identity_proof(), document=AADHAAR, language="hinglish")
    draft, _ = step(draft, "baad mein", language="hinglish")
    assert draft["documents"]["identity_proof"]["id"] == AADHAAR["id"]
    assert next_step(draft, get_catalog()).name == "address_proof"
