"""The clarification after an unsure NLU: buttons, or the status when an id is named."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker

from actions.fallback import ActionClarify, asks_about_an_application
from tests.actions.test_tracking_ownership import APPLICATION, CITIZEN, issued, run


def unsure(ranking: List[str], entities: Dict[str, str]) -> Dict[str, Any]:
    return {
        "text": "...",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [{"name": n, "confidence": 0.3} for n in ranking],
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
    }


def tracker(message: Dict[str, Any]) -> Tracker:
    events = [{"event": "user", "parse_data": message}]
    return Tracker(
        CITIZEN,
        {"language": "hinglish"},
        message,
        events,
        False,
        None,
        None,
        "action_listen",
    )


def test_an_unsure_message_naming_an_application_gets_its_status(gateway):
    gateway.script = [(200, issued(status="documents_requested"))]
    message = unsure(
        ["nlu_fallback", "apply_service", "check_status"],
        {"application_id": APPLICATION},
    )
    messages = run(ActionClarify(), tracker(message))
    assert [m["response"] for m in messages] == ["utter_status_documents_requested"]
    assert gateway.requests[0]["headers"]["X-Citizen-Id"] == CITIZEN


def test_someone_elses_id_gets_the_unknown_id_answer(gateway):
    gateway.script = [(404, {"error": "unknown_application"})]
    message = unsure(["nlu_fallback", "check_status"], {"application_id": APPLICATION})
    assert [m["response"] for m in run(ActionClarify(), tracker(message))] == [
        "utter_application_not_found"
    ]


@pytest.mark.parametrize(
    "ranking, entities",
    [
        (["nlu_fallback", "apply_service", "check_status"], {}),
        (["nlu_fallback", "apply_service", "ask_fee"], {"application_id": APPLICATION}),
    ],
)
def test_otherwise_the_closest_meanings_are_offered(gateway, ranking, entities):
    message = unsure(ranking, entities)
    assert not asks_about_an_application(message)
    [reply] = run(ActionClarify(), tracker(message))
    assert reply["response"] == "utter_ask_rephrase"
    assert gateway.requests == []


def test_an_unsure_message_asking_in_so_many_words_to_delete_data_asks_to_confirm():
    from rasa_sdk.executor import CollectingDispatcher

    message = unsure(["nlu_fallback", "stop", "erase_my_data"], {})
    message["text"] = "नहीं, मुझे डर लग रहा है। मेरा सारा डाटा मिटा दो"
    dispatcher = CollectingDispatcher()
    events = ActionClarify().run(dispatcher, tracker(message), {})
    assert events == [{"event": "followup", "timestamp": None, "name": "erase_form"}]
    assert dispatcher.messages == []  # the erase form asks its own question
