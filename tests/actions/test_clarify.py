"""The clarification after an unsure NLU: buttons, or the status when an id is named."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker

from actions.fallback import ActionClarify, asks_about_an_application
from tests.actions import gateway_answers as answers
from tests.actions.test_tracking_ownership import (
    APPLICATION,
    CITIZEN,
    LINK,
    documents,
    issued,
    run,
)


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


def ranked(*names: str) -> Dict[str, Any]:
    """An unsure message whose closest meanings are ``names``, best first."""
    message = unsure(["nlu_fallback", *names], {})
    for rank, entry in enumerate(message["intent_ranking"]):
        entry["confidence"] = round(0.45 - 0.05 * rank, 2)
    return message


def test_unsure_between_eligibility_and_download_with_a_certificate_sends_it(gateway):
    message = ranked("ask_eligibility", "download_certificate", "apply_service")
    message["entities"] = [{"entity": "service", "value": "birth_certificate"}]
    gateway.script = [(200, {"items": [issued()]})]
    messages = run(ActionClarify(), tracker(message))
    assert messages[0]["response"] == "utter_certificate_ready"
    assert documents(messages) == [LINK]
    assert gateway.requests[0]["path"] == f"/api/v1/applications?citizen_id={CITIZEN}"


@pytest.mark.parametrize(
    "listed, status",
    [
        ([issued(service_id="income_certificate")], 200),  # not the service named
        ([answers.application()], 200),  # applied, nothing issued yet
        ({"error": "unavailable"}, 503),  # gateway down: the usual question
    ],
)
def test_without_an_issued_certificate_of_that_service_the_meanings_are_offered(
    gateway, listed, status
):
    message = ranked("ask_eligibility", "download_certificate")
    message["entities"] = [{"entity": "service", "value": "birth_certificate"}]
    body = {"items": listed} if isinstance(listed, list) else listed
    gateway.script = [(status, body)] * 3
    [reply] = run(ActionClarify(), tracker(message))
    assert reply["response"] == "utter_ask_rephrase"


def test_download_far_down_the_ranking_asks_no_gateway(gateway):
    message = ranked("ask_eligibility", "apply_service", "download_certificate")
    [reply] = run(ActionClarify(), tracker(message))
    assert reply["response"] == "utter_ask_rephrase"
    assert gateway.requests == []
