"""A message that names an application id is a question about that application.

"DL-DEA-2026-000004 me kya problem h?", "what is the problem with DL-BIR-2026-000123",
"DL-INC-2026-000045 ke liye kya documents chahiye": DIET reads the question words
(eligibility, documents, fees) and not the id, and the citizen gets the general rules of
the service instead of their application. Once the ``DelhiEntityExtractor`` found an
``application_id``, the general service questions are one class: the probability DIET gave
them moves to ``check_status`` (whose answer says where the application stands and what
the officer asked for). Intents that already act on an application (status, download,
verify), conversation moves (cancel, erase, a person, thanks) and form answers keep their
reading. The confidence is a sum of DIET's own probabilities, so the FallbackClassifier
after this component still asks again when DIET was unsure of everything.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

STATUS = "check_status"
# Questions about a service in general; with an application id, about that application.
GENERAL_QUESTIONS = frozenset(
    {
        STATUS,
        "apply_service",
        "ask_documents",
        "ask_eligibility",
        "ask_fee",
        "ask_processing_time",
        "list_services",
        "help",
    }
)


def names_an_application(message: Message) -> bool:
    """Whether the entity extractors found an application id in ``message``."""
    return any(e.get("entity") == "application_id" for e in message.get(ENTITIES) or [])


def merged_ranking(ranking: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The ranking with the general questions merged into ``check_status``, best first."""
    merged = sum(i["confidence"] for i in ranking if i["name"] in GENERAL_QUESTIONS)
    others = [i for i in ranking if i["name"] not in GENERAL_QUESTIONS]
    return sorted(
        others + [{"name": STATUS, "confidence": merged}],
        key=lambda i: i["confidence"],
        reverse=True,
    )


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class ApplicationReference(GraphComponent):
    """Reads a general service question naming an application id as ``check_status``."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ApplicationReference:
        """Creates the component; it has no configuration and learns nothing."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep the intents trainers gave them."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Merges the general questions of each message naming an application id."""
        for message in messages:
            intent = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            if (
                not ranking
                or intent.get("name") not in GENERAL_QUESTIONS
                or not names_an_application(message)
            ):
                continue
            ranking = merged_ranking(ranking)
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
