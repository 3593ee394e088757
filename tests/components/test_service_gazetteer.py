from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.service_gazetteer import Gazetteer, ServiceGazetteer


def example(text: str, span: str, value: str) -> Message:
    start = text.index(span)
    entity = {
        "entity": "service",
        "start": start,
        "end": start + len(span),
        "value": value,
    }
    return Message(data={"text": text, "intent": "apply_service", "entities": [entity]})


def training_data() -> TrainingData:
    return TrainingData(
        training_examples=[
            example(
                "mujhe birth certificate chahiye",
                "birth certificate",
                "birth_certificate",
            ),
            example("ration card banwana hai", "ration card", "ration_card"),
        ],
        entity_synonyms={
            "janam praman patra": "birth_certificate",
            "जन्म प्रमाण पत्र": "birth_certificate",
            "राशन कार्ड": "ration_card",
            "learner licence": "learner_licence",
            "licence": "learner_licence",
            "hindi": "hi",  # another entity's synonym: not a service
        },
        lookup_tables=[
            {"name": "service", "elements": ["learner licence", "licence", "dl"]},
        ],
    )


@pytest.fixture
def gazetteer(
    model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
) -> ServiceGazetteer:
    component = ServiceGazetteer.create(
        ServiceGazetteer.get_default_config(),
        model_storage,
        resource,
        execution_context,
    )
    component.train(training_data())
    return component


def services(component: ServiceGazetteer, text: str, entities: Any = ()) -> List[Dict]:
    message = Message(data={"text": text, "entities": list(entities)})
    component.process([message])
    return [
        {k: e[k] for k in ("value", "start", "end", "extractor") if k in e}
        for e in message.get("entities")
        if e["entity"] == "service"
    ]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("mujhe janam praman patra chahiye", "birth_certificate", "janam praman patra"),
        ("janm pramaan patr chahiye", "birth_certificate", "janm pramaan patr"),
        ("मुझे जन्म प्रमाण-पत्र चाहिए", "birth_certificate", "जन्म प्रमाण-पत्र"),
        ("bachche ka birth certifcate", "birth_certificate", "birth certifcate"),
        ("rashan card", "ration_card", "rashan card"),
        ("राशन कार्ड का status", "ration_card", "राशन कार्ड"),
        ("my learner license", "learner_licence", "learner license"),
    ],
)
def test_finds_services_in_any_script_and_spelling(
    gazetteer: ServiceGazetteer, text: str, value: str, span: str
) -> None:
    found = services(gazetteer, text)
    assert [(e["value"], text[e["start"] : e["end"]]) for e in found] == [(value, span)]
    assert found[0]["extractor"] == "ServiceGazetteer"


def test_other_entities_synonyms_are_not_services(gazetteer: ServiceGazetteer) -> None:
    assert services(gazetteer, "hindi me baat karo") == []
    assert services(gazetteer, "what is the weather") == []


def test_diet_entity_with_known_id_wins_without_duplicate(
    gazetteer: ServiceGazetteer,
) -> None:
    diet = {
        "entity": "service",
        "start": 6,
        "end": 23,
        "value": "birth_certificate",
        "extractor": "DIETClassifier",
    }
    found = services(gazetteer, "mujhe birth certificate chahiye", [diet])
    assert found == [
        {
            "value": "birth_certificate",
            "start": 6,
            "end": 23,
            "extractor": "DIETClassifier",
        }
    ]


def test_diet_entity_with_unknown_value_is_replaced(
    gazetteer: ServiceGazetteer,
) -> None:
    diet = {
        "entity": "service",
        "start": 0,
        "end": 11,
        "value": "rashan card",
        "extractor": "DIETClassifier",
    }
    found = services(gazetteer, "rashan card chahiye", [diet])
    assert found == [
        {"value": "ration_card", "start": 0, "end": 11, "extractor": "ServiceGazetteer"}
    ]


def test_text_claimed_by_another_entity_is_not_a_service(
    gazetteer: ServiceGazetteer,
) -> None:
    text = "learner licence ka status lll-learner licence"
    app_id = {"entity": "application_id", "start": 26, "end": 45, "value": "DL-X"}
    found = services(gazetteer, text, [app_id])
    assert [(e["start"], e["end"]) for e in found] == [(0, 15)]


def test_ambiguous_names_match_nothing() -> None:
    table = Gazetteer.from_names({"a_licence": {"licence"}, "b_licence": {"licence"}})
    assert table.find("licence chahiye") == []


def test_phrase_table_survives_persist_and_load(
    gazetteer: ServiceGazetteer,
    model_storage: ModelStorage,
    resource: Resource,
    execution_context: ExecutionContext,
) -> None:
    loaded = ServiceGazetteer.load(
        ServiceGazetteer.get_default_config(),
        model_storage,
        resource,
        execution_context,
    )
    assert loaded.gazetteer.phrases == gazetteer.gazetteer.phrases
    assert loaded.gazetteer.ids == {
        "birth_certificate",
        "ration_card",
        "learner_licence",
    }


def test_a_fuzzy_match_needs_every_word_close() -> None:
    table = Gazetteer.from_names({"ews_certificate": {"ews certificate"}})
    assert [e["value"] for e in table.find("ews certifcate chahiye")] == [
        "ews_certificate"
    ]
    assert table.find("first aid certificate kaha milega") == []


def test_diet_value_that_is_no_service_is_dropped(gazetteer: ServiceGazetteer) -> None:
    diet = {"entity": "service", "start": 9, "end": 16, "value": "budhape"}
    assert services(gazetteer, "papa ki budhape pension", [diet]) == []


def test_a_longer_gazetteer_name_over_diet_wins(gazetteer: ServiceGazetteer) -> None:
    text = "mujhe naya learner licence chahiye"
    diet = {"entity": "service", "start": 19, "end": 26, "value": "learner_licence"}
    found = services(gazetteer, text, [diet])
    assert [(e["start"], e["end"], e["extractor"]) for e in found] == [
        (11, 26, "ServiceGazetteer")
    ]


def test_of_two_services_the_unwanted_is_dropped(gazetteer: ServiceGazetteer) -> None:
    found = services(gazetteer, "ration card to hai, ab birth certificate chahiye")
    assert [e["value"] for e in found] == ["birth_certificate"]


def test_a_name_in_more_words_for_another_service_wins(
    gazetteer: ServiceGazetteer,
) -> None:
    text = "janam praman patra wala"  # DIET read "patra wala" as another service
    diet = {"entity": "service", "start": 13, "end": 23, "value": "ration_card"}
    found = services(gazetteer, text, [diet])
    assert [(e["value"], e["extractor"]) for e in found] == [
        ("birth_certificate", "ServiceGazetteer")
    ]
