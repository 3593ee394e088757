"""Which service a message is about, read from the whole sentence when no name is found.

Citizens describe a service instead of naming it: "the card that gets us cheap wheat and
rice", "पिताजी नहीं रहे, उसका कागज़ बनवाना है", "bus me ticket kaatne wala licence". DIET and
the gazetteer look for a span that names a service and find none. This component reads the
sentence as a whole: a linear classifier (TF-IDF of the words' cross-script loose keys and
their character n-grams, logistic regression) trained on every training example that
names one service, labelled with it, and on service questions that name none
(``none``).

It speaks only when nothing else found a service (or every service found is set aside:
"already have", "not"; :mod:`components.service_choice`), the intent is one that is about
a service (``apply_service``, the ``ask_*`` questions), and its best guess is a service
with probability at least ``threshold``. The entity then spans the whole message, with the
probability as its confidence. Persisted with skops, as Rasa's own sklearn classifier.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.service_choice import all_set_aside
from components.service_gazetteer import phrase_key

logger = logging.getLogger(__name__)

ENTITY = "service"
NONE = "none"
MODEL_FILE = "service_classifier.skops"
# Plain data containers the TF-IDF weights are stored in (skops trusts sklearn's own types).
DATA_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})
# Intents whose message is about one service.
SERVICE_INTENTS = frozenset(
    {
        "apply_service",
        "ask_documents",
        "ask_fee",
        "ask_processing_time",
        "ask_eligibility",
    }
)


def labelled_sentences(training_data: TrainingData) -> Tuple[List[str], List[str]]:
    """(texts, labels): examples naming one service, and service questions naming none."""
    texts, labels = [], []
    for example in training_data.intent_examples:
        services = {
            e.get("value")
            for e in example.get(ENTITIES) or []
            if e.get("entity") == ENTITY
        }
        if len(services) == 1:
            label = str(services.pop())
        elif not services and example.get(INTENT) in SERVICE_INTENTS:
            label = NONE
        else:
            continue
        key = phrase_key(example.get(TEXT) or "")
        if key:
            texts.append(key)
            labels.append(label)
    return texts, labels


def build_model() -> Any:
    """An untrained pipeline: word and character n-grams of the keys, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    return Pipeline(
        [("features", features), ("model", LogisticRegression(C=10, max_iter=2000))]
    )


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class ServiceClassifier(GraphComponent, EntityExtractorMixin):
    """Adds a ``service`` read from the whole sentence when no name was found."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config.

        ``threshold``: smallest probability of the best service for it to be used;
        ``min_words``: shorter messages are not descriptions ("बेटी" is an answer).
        """
        return {"threshold": 0.4, "min_words": 3}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Any] = None,
    ) -> None:
        """Creates the component (``model`` is given when loading a trained one)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceClassifier:
        """Creates an untrained component (see parent class for the arguments)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ServiceClassifier:
        """Loads the trained classifier, refusing any type skops does not trust."""
        import skops.io as sio

        model = None
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = set(sio.get_untrusted_types(file=path)) - DATA_TYPES
                if untrusted:
                    logger.error("ServiceClassifier: untrusted types %s", untrusted)
                else:
                    model = sio.load(path, trusted=sorted(DATA_TYPES))
        except (ValueError, FileNotFoundError):
            logger.warning("ServiceClassifier: no trained model; it adds nothing.")
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the classifier on the labelled sentences and persists it."""
        import skops.io as sio

        texts, labels = labelled_sentences(training_data)
        if len(set(labels)) >= 2:
            self.model = build_model().fit(texts, labels)
            with self._model_storage.write_to(self._resource) as directory:
                sio.dump(self.model, directory / MODEL_FILE)
        return self._resource

    def guess(self, text: str) -> Tuple[Optional[str], float]:
        """The most probable service for ``text`` and its probability (None for none)."""
        key = phrase_key(text)
        if self.model is None or not key:
            return None, 0.0
        probabilities = self.model.predict_proba([key])[0]
        best = int(probabilities.argmax())
        label = str(self.model.classes_[best])
        return (None if label == NONE else label), float(probabilities[best])

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the sentence's service to messages about a service that name none.

        A message whose only services are set aside ("the death certificate is done, now
        the pension for widows") gets the sentence's service instead, when it is another.
        """
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get("name")
            entities = message.get(ENTITIES, [])
            named = [e for e in entities if e.get("entity") == ENTITY]
            if (
                not isinstance(text, str)
                or text.startswith("/")
                or intent not in SERVICE_INTENTS
                or (named and not all_set_aside(text, entities))
                or len(phrase_key(text).split()) < self._config["min_words"]
            ):
                continue
            value, probability = self.guess(text)
            if not value or probability < self._config["threshold"]:
                continue
            if any(e.get("value") == value for e in named):
                continue
            entity = {
                "entity": ENTITY,
                "start": 0,
                "end": len(text),
                "value": value,
                "confidence_entity": round(probability, 3),
            }
            message.set(
                ENTITIES,
                [e for e in entities if e not in named]
                + self.add_extractor_name([entity]),
                add_to_output=True,
            )
        return messages
