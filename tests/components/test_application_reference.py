"""Tests for components.application_reference: a named application id means its status."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.application_reference import ApplicationReference

ID = {"entity": "application_id", "value": "DL-DEA-2026-000004", "start": 0, "end": 18}


def parsed(ranking, entities):
    message = Message(data={TEXT: "DL-DEA-2026-000004 me kya problem h?"})
    ranking = [{"name": n, "confidence": c} for n, c in ranking]
    message.set(INTENT, dict(ranking[0]))
    message.set(INTENT_RANKING_KEY, ranking)
    message.set(ENTITIES, entities)
    ApplicationReference().process([message])
    return message


def test_general_questions_about_a_named_application_are_its_status():
    message = parsed(
        [
            ("ask_eligibility", 0.30),
            ("talk_to_human", 0.25),
            ("ask_documents", 0.2),
            ("check_status", 0.15),
            ("thank", 0.1),
        ],
        [ID],
    )
    assert message.get(INTENT)["name"] == "check_status"
    assert message.get(INTENT)["confidence"] == pytest.approx(0.65)
    ranking = [
        (i["name"], round(i["confidence"], 2)) for i in message.get(INTENT_RANKING_KEY)
    ]
    assert ranking == [("check_status", 0.65), ("talk_to_human", 0.25), ("thank", 0.1)]


@pytest.mark.parametrize(
    "intent", ["download_certificate", "stop", "talk_to_human", "inform"]
)
def test_an_act_on_the_application_keeps_its_reading(intent):
    message = parsed(
        [(intent, 0.6), ("ask_eligibility", 0.3), ("check_status", 0.1)], [ID]
    )
    assert message.get(INTENT)["name"] == intent


def test_without_an_application_id_nothing_changes():
    service = {"entity": "service", "value": "death_certificate", "start": 0, "end": 5}
    message = parsed([("ask_eligibility", 0.7), ("check_status", 0.3)], [service])
    assert message.get(INTENT) == {"name": "ask_eligibility", "confidence": 0.7}
