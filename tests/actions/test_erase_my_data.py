""" "Delete my data" in the chat: confirmed first, erased at the gateway, then here."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.erasure import (
    HISTORY_ERASED,
    ActionAskEraseConfirmed,
    ActionEraseMyData,
    ValidateEraseForm,
)
from actions.form_steps import handle_answer, new_draft, next_step
from actions.reading import Incoming
from catalog.loader import load_catalog
from tests.actions.test_edistrict_client import gateway  # noqa: F401 (fixture)
from tests.actions.test_form_steps import TODAY

REPORT = {
    "withdrawn": 1,
    "unlinked": 2,
    "documents_deleted": 1,
    "uploads_deleted": 3,
    "notifications_deleted": 4,
}
SLOTS = {
    "language": "hinglish",
    "application": {"service": "birth_certificate", "answers": {"child_name": "Asha"}},
    "drafts": {"income_certificate": {"answers": {"applicant_name": "Asha"}}},
    "queued_submissions": {"k": {"payload": {}}},
    "last_application_id": "DL-BIR-2026-000001",
}


def tracker(**slots) -> Tracker:
    return Tracker("919811100001", {**SLOTS, **slots}, {}, [], False, None, {}, None)


def run(action, monkeypatch, gateway, **slots):  # noqa: F811
    monkeypatch.setenv("EDISTRICT_URL", gateway.url)
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(**slots), {})
    return dispatcher.messages, events


def test_the_question_says_what_goes_and_offers_yes_and_no(monkeypatch, gateway):  # noqa: F811
    [message], events = run(ActionAskEraseConfirmed(), monkeypatch, gateway)
    assert message["response"] == "utter_ask_confirm_erase" and events == []
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert message["buttons"][0]["title"] == "Haan"
    assert gateway.requests == []  # asking erases nothing


def test_confirmed_the_gateway_erases_then_the_conversation_goes(monkeypatch, gateway):  # noqa: F811
    gateway.script = [(200, REPORT)]
    [message], events = run(
        ActionEraseMyData(), monkeypatch, gateway, erase_confirmed="yes"
    )
    [request] = gateway.requests
    assert request["method"] == "POST" and request["path"] == "/api/v1/erasure"
    assert request["headers"]["X-Citizen-Id"] == "919811100001"
    assert message["response"] == "utter_data_erased" and message["withdrawn"] == 1
    assert events[0]["name"] == HISTORY_ERASED and events[1]["event"] == "reset_slots"
    kept = {e["name"]: e["value"] for e in events[2:]}
    assert kept == {"language": "hinglish"}  # drafts, queue, last id: all gone


def test_with_the_gateway_down_nothing_is_erased(monkeypatch, gateway):  # noqa: F811
    gateway.script = [(503, {})] * 3
    [message], events = run(
        ActionEraseMyData(), monkeypatch, gateway, erase_confirmed="yes"
    )
    assert message["response"] == "utter_erase_failed"
    assert events == []


def test_no_keeps_everything(monkeypatch, gateway):  # noqa: F811
    [message], events = run(
        ActionEraseMyData(), monkeypatch, gateway, erase_confirmed="no"
    )
    assert message["response"] == "utter_data_kept"
    assert events == [
        {"event": "slot", "timestamp": None, "name": "erase_confirmed", "value": None}
    ]
    assert gateway.requests == []


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "answer"),
    [
        ("/affirm", "affirm", 1.0, "yes"),
        ("haan mita do", "affirm", 0.95, "yes"),
        ("नहीं", "deny", 0.97, "no"),
        ("cancel", "stop", 0.99, "no"),  # cancel wording never erases
        ("what happens to my application then?", "check_status", 0.9, None),
        ("hmm theek", "affirm", 0.6, None),  # an unsure reading counts for nothing
    ],
)
def test_the_erase_question_takes_only_yes_or_no(text, intent, confidence, answer):
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    events = [{"event": "user", "text": text}]
    asked = Tracker("c", {}, latest, events, False, None, {}, None)
    dispatcher = CollectingDispatcher()
    slots = ValidateEraseForm().validate_erase_confirmed(text, dispatcher, asked, {})
    assert slots == {"erase_confirmed": answer}
    expected = [] if answer else ["utter_invalid_yes_no"]
    assert [m["response"] for m in dispatcher.messages] == expected


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Path(__file__).parent / "catalog")


def say(draft, catalog, text, intent, confidence=0.95):
    message = Incoming(text=text, intent=intent, confidence=confidence)
    return [r.response for r in handle_answer(draft, message, catalog, "en", TODAY)]


def test_inside_the_form_it_is_confirmed_and_no_keeps_everything(catalog):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, "yes", "affirm")  # consent
    say(draft, catalog, "Asha", "inform")
    assert say(draft, catalog, "delete my data", "erase_my_data") == []
    assert next_step(draft, catalog).kind == "confirm_erase"
    assert say(draft, catalog, "no", "deny") == [
        "utter_data_kept",
        "utter_continue_application",
    ]
    assert draft["answers"]["applicant_name"] == "Asha" and draft["status"] == "open"
    assert next_step(draft, catalog).name == "date_of_birth"
    say(draft, catalog, "I withdraw my consent", "erase_my_data")
    assert say(draft, catalog, "hmm", "inform") == ["utter_invalid_yes_no"]
    assert say(draft, catalog, "/affirm", "affirm") == []
    assert draft["status"] == "erase"  # the form ends; action_finish_application erases


def test_an_unsure_reading_is_an_answer_not_an_erasure(catalog):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, "Data Devi", "erase_my_data", confidence=0.3)
    assert draft["answers"]["applicant_name"] == "Data Devi"


@pytest.mark.parametrize(
    ("text", "confidence", "asked"),
    [
        ("कृपया मेरी सारी निजी जानकारी हटा दें, अब आवेदन नहीं करना", 0.45, True),
        ("please remove my data, I don't want to apply any more", 0.55, True),
        ("Sunita Devi", 0.45, False),  # names no data: an answer
        ("sab hata do", 0.45, False),  # fairly sure, but says nothing of data
    ],
)
def test_a_fairly_sure_erase_reading_needs_the_data_named(
    catalog, text, confidence, asked
):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, text, "erase_my_data", confidence=confidence)
    assert (next_step(draft, catalog).kind == "confirm_erase") is asked


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("नहीं, मेरा सारा डाटा मिटा दो, मुझे आवेदन नहीं करना", True),
        ("please remove my data from your records", True),
        ("meri jankari hata do", True),
        ("mera data mat hatao", False),
        ("don't delete my details", False),
        ("remove the second document", False),  # no data or consent word
    ],
)
def test_plain_words_asking_to_delete_data(catalog, text, asks):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, "yes", "affirm")
    say(draft, catalog, text, "nlu_fallback", confidence=0.3)
    assert (next_step(draft, catalog).kind == "confirm_erase") is asks


@pytest.mark.parametrize(
    "text", ["I give my consent.", "haan, sahmati hai", "मैं सहमत हूँ"]
)
def test_giving_consent_is_never_read_as_withdrawing_it(catalog, text):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", "affirm")  # eligible
    say(draft, catalog, text, "erase_my_data", confidence=0.9)
    assert draft["consent"] is not None and draft["pending"] is None
    assert next_step(draft, catalog).kind == "field"
