"""Tests for components.service_classifier: the service of a sentence that names none."""

from typing import Any, Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.service_classifier import ServiceClassifier

DESCRIPTIONS = {
    "ration_card": [
        "the card for cheap wheat and rice",
        "sasta gehun chawal wala card",
        "सस्ते राशन वाला कार्ड",
        "card to get grain from the govt shop",
    ],
    "old_age_pension": [
        "monthly money for old people",
        "budhe logo ko har mahine paisa",
        "बुज़ुर्गों को हर महीने मिलने वाला पैसा",
        "pension for people over sixty",
    ],
}
NO_SERVICE = ["i need a certificate", "form bharna hai", "मुझे आवेदन करना है"]


def example(text: str, value: Optional[str]) -> Message:
    entities = (
        [{"entity": "service", "start": 0, "end": len(text), "value": value}]
        if value
        else []
    )
    return Message(data={"text": text, "intent": "apply_service", "entities": entities})


@pytest.fixture
def classifier(
    model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
) -> ServiceClassifier:
    component = ServiceClassifier.create(
        ServiceClassifier.get_default_config(),
        model_storage,
        resource,
        execution_context,
    )
    examples = [example(t, s) for s, texts in DESCRIPTIONS.items() for t in texts]
    examples += [example(t, None) for t in NO_SERVICE]
    component.train(TrainingData(training_examples=examples))
    return component


def services(
    component: ServiceClassifier,
    text: str,
    intent: str = "apply_service",
    entities: Any = (),
) -> List[Dict[str, Any]]:
    message = Message(
        data={"text": text, "intent": {"name": intent}, "entities": list(entities)}
    )
    component.process([message])
    return [e for e in message.get("entities") if e["entity"] == "service"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("we need the card for cheap rice and wheat", "ration_card"),
        ("papa ke liye budhe logo wala mahine ka paisa", "old_age_pension"),
    ],
)
def test_a_description_gets_its_service(classifier, text, value):
    found = services(classifier, text)
    assert [(e["value"], e["start"], e["end"], e["extractor"]) for e in found] == [
        (value, 0, len(text), "ServiceClassifier")
    ]


def test_nothing_is_guessed_for_a_request_naming_no_service(classifier):
    assert services(classifier, "form bharna hai") == []


def test_a_found_service_is_never_second_guessed(classifier):
    named = {"entity": "service", "start": 0, "end": 4, "value": "birth_certificate"}
    text = "the card for cheap wheat and rice"
    assert [e["value"] for e in services(classifier, text, entities=[named])] == [
        "birth_certificate"
    ]


def test_only_messages_about_a_service_get_one(classifier):
    assert (
        services(classifier, "the card for cheap wheat and rice", intent="greet") == []
    )


def test_the_trained_classifier_survives_persist_and_load(
    classifier, model_storage, resource, execution_context
):
    loaded = ServiceClassifier.load(
        ServiceClassifier.get_default_config(),
        model_storage,
        resource,
        execution_context,
    )
    text = "the card for cheap wheat and rice"
    assert [e["value"] for e in services(loaded, text)] == ["ration_card"]


def test_a_service_set_aside_gives_way_to_the_sentences(classifier):
    text = "ration card to mil gaya hai, ab budhe logo ko har mahine paisa wala chahiye"
    had = {"entity": "service", "start": 0, "end": 11, "value": "ration_card"}
    assert [e["value"] for e in services(classifier, text, entities=[had])] == [
        "old_age_pension"
    ]


def test_a_word_or_two_is_no_description(classifier):
    assert services(classifier, "sasta card") == []
