"""Asking for a person: the helpdesk ticket, when a person replies, two failures in a row."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from rasa_sdk import Tracker

from actions.fallback import ActionClarify
from actions.handoff import (
    ActionHumanHandoff,
    failed_before,
    opening_text,
    resolve,
)
from actions.replies import HANDOFF_ASKED, HANDOFF_NOT_UNDERSTOOD, Reply
from tests.actions import gateway_answers as answers
from tests.actions.test_tracking_ownership import CITIZEN, run

IST = timezone(timedelta(hours=5, minutes=30))
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=IST)


def unsure(text: str = "asdf qwer") -> Dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [{"name": "ask_fee", "confidence": 0.3}],
        "entities": [],
    }


def tracker(
    events: List[Dict[str, Any]], language: str = "hinglish", message: Any = None
) -> Tracker:
    message = message or unsure()
    return Tracker(
        CITIZEN,
        {"language": language},
        message,
        [*events, {"event": "user", "parse_data": message, "text": message["text"]}],
        False,
        None,
        None,
        "action_listen",
    )


def user(text: str = "hmm") -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": unsure(text)}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def responses(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["response"] for m in messages]


def test_when_a_person_replies_is_said_in_the_citizens_language():
    tomorrow = MONDAY_NOON + timedelta(days=1)
    assert opening_text(MONDAY_NOON, "en", MONDAY_NOON) == "today at 12:00"
    assert opening_text(tomorrow.replace(hour=9), "hi", MONDAY_NOON) == "कल 09:00 बजे"
    saturday = (MONDAY_NOON + timedelta(days=5)).replace(hour=9)
    assert opening_text(saturday, "hinglish", MONDAY_NOON) == "Shanivaar ko 09:00 baje"
    assert opening_text(saturday, "en", MONDAY_NOON) == "Saturday at 09:00"


def test_asking_for_a_person_queues_the_conversation_and_says_so(gateway):
    gateway.script = [(200, answers.handoff())]
    messages = run(ActionHumanHandoff(), tracker([], message=unsure("insaan chahiye")))
    assert responses(messages) == ["utter_handoff_queued"]
    assert messages[0]["ticket"] == "HD-000007"
    sent = gateway.requests[0]
    assert (sent["method"], sent["path"]) == ("POST", "/api/v1/handoffs")
    assert sent["body"] == {"reason": "asked", "language": "hinglish"}
    assert sent["headers"]["X-Citizen-Id"] == CITIZEN


def test_outside_hours_the_citizen_is_told_when_a_person_will_reply(gateway):
    opens = datetime.now(IST) + timedelta(days=1)
    gateway.script = [(200, answers.handoff(opens_at=opens.isoformat()))]
    messages = run(ActionHumanHandoff(), tracker([], language="hi"))
    assert responses(messages) == ["utter_handoff_after_hours"]
    assert messages[0]["opens"] == f"कल {opens.strftime('%H:%M')} बजे"


def test_a_second_request_names_the_open_ticket_and_a_gateway_outage_names_an_office(
    gateway,
):
    gateway.script = [(200, answers.handoff(new=False, status="active"))]
    assert responses(run(ActionHumanHandoff(), tracker([]))) == [
        "utter_handoff_already_queued"
    ]
    gateway.script = [(503, {})]
    assert responses(run(ActionHumanHandoff(), tracker([]))) == [HANDOFF_ASKED]


def test_resolve_replaces_only_hand_off_requests_and_keeps_the_order(gateway):
    gateway.script = [(200, answers.handoff())]
    replies = [
        Reply("utter_invalid_date"),
        Reply("utter_explain_again"),
        Reply(HANDOFF_NOT_UNDERSTOOD),
    ]
    out = resolve(replies, tracker([]), "en")
    assert [r.response for r in out] == [
        "utter_invalid_date",
        "utter_explain_again",
        "utter_handoff_not_understood",
    ]
    assert out[2].params == {"ticket": "HD-000007"}
    # Already queued: a failure says nothing more about the helpdesk.
    gateway.script = [(200, answers.handoff(new=False))]
    assert [r.response for r in resolve(replies[2:], tracker([]), "en")] == []


def test_failed_before_looks_at_the_answer_to_the_previous_message_only():
    listen, slots = action("action_listen"), action("action_extract_slots")
    clarified = [user(), slots, action("action_clarify"), listen]
    assert failed_before(tracker(clarified), "action_clarify")
    answered = [user(), action("utter_fee"), listen]
    assert not failed_before(tracker(answered), "action_clarify")
    older = [
        user(),
        action("action_clarify"),
        listen,
        user("fee?"),
        action("utter_fee"),
        listen,
    ]
    assert not failed_before(tracker(older), "action_clarify")
    assert not failed_before(tracker([]), "action_clarify")


def test_two_unsure_messages_in_a_row_ask_the_helpdesk_then_the_options(gateway):
    gateway.script = [(200, answers.handoff())]
    first = run(ActionClarify(), tracker([]))
    assert responses(first) == ["utter_ask_rephrase"] and not gateway.requests
    second = run(
        ActionClarify(),
        tracker([user(), action("action_clarify"), action("action_listen")]),
    )
    assert responses(second) == ["utter_handoff_not_understood", "utter_ask_rephrase"]
    assert gateway.requests[0]["body"]["reason"] == "not_understood"
