"""Sparse features shared by the Devanagari and Roman spellings of the same word.

Each token is turned into its loose cross-script key (:mod:`components.cross_script`), so
"praman patra", "pramaan patr" and "प्रमाण पत्र" all become "praman patr"; the features are
counts of the key's character n-grams (with word-boundary markers). The n-gram vocabulary is
learnt from the training data; DIET then sees the same features whichever script or
spelling a citizen uses.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.cross_script import loose_key

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "cross_script_vocabulary.json"


def key_ngrams(word: str, min_n: int, max_n: int) -> List[str]:
    """Returns the character n-grams of a word's loose key, with boundary markers.

    Args:
        word: One token.
        min_n: Smallest n-gram length.
        max_n: Largest n-gram length.

    Returns:
        The n-grams of ``"<" + key + ">"`` (empty for a word without a key).
    """
    key = loose_key(word)
    if not key:
        return []
    padded = f"<{key}>"
    return [
        padded[i : i + n]
        for n in range(min_n, max_n + 1)
        for i in range(len(padded) - n + 1)
    ]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class CrossScriptFeaturizer(SparseFeaturizer, GraphComponent):
    """Char n-gram counts over a transliterated, spelling-normalised form of each token."""

    @classmethod
    def required_components(cls) -> List[type]:
        """Needs tokens."""
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        """Packages needed by this component."""
        return ["indic_transliteration"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config.

        Returns:
            ``min_ngram``/``max_ngram``: n-gram lengths over the key (with ``<``/``>``
            boundary markers); ``min_count``: keep n-grams seen at least this often in
            training; ``alias`` as for every featurizer.
        """
        return {
            **SparseFeaturizer.get_default_config(),
            "min_ngram": 2,
            "max_ngram": 4,
            "min_count": 1,
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Checks the n-gram range."""
        if not 1 <= config["min_ngram"] <= config["max_ngram"]:
            raise ValueError(
                "CrossScriptFeaturizer: need 1 <= min_ngram <= max_ngram, got "
                f"{config['min_ngram']} and {config['max_ngram']}"
            )

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: Optional[Dict[str, int]] = None,
    ) -> None:
        """Creates the featurizer.

        Args:
            config: Component config (see :meth:`get_default_config`).
            model_storage: Where the vocabulary is persisted.
            resource: This component's resource in the model storage.
            execution_context: Graph execution context (its node name is the alias).
            vocabulary: n-gram -> column, when loading a trained model.
        """
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._min_n = int(config["min_ngram"])
        self._max_n = int(config["max_ngram"])
        self._min_count = int(config["min_count"])
        self.vocabulary: Dict[str, int] = vocabulary or {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrossScriptFeaturizer:
        """Creates an untrained component (see parent class for the arguments)."""
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrossScriptFeaturizer:
        """Loads the trained vocabulary (see parent class for the arguments)."""
        vocabulary: Dict[str, int] = {}
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / VOCABULARY_FILE
                vocabulary = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("CrossScriptFeaturizer: no vocabulary found; no features.")
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the n-gram vocabulary from the training examples' tokens.

        Args:
            training_data: Tokenised NLU training data.

        Returns:
            The resource the vocabulary was persisted to.
        """
        counts: Dict[str, int] = {}
        for example in training_data.training_examples:
            for token in example.get(TOKENS_NAMES[TEXT]) or []:
                for gram in key_ngrams(token.text, self._min_n, self._max_n):
                    counts[gram] = counts.get(gram, 0) + 1
        kept = sorted(g for g, c in counts.items() if c >= self._min_count)
        self.vocabulary = {gram: index for index, gram in enumerate(kept)}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def features(self, tokens: List[Any]) -> scipy.sparse.coo_matrix:
        """Returns the (tokens x vocabulary) count matrix for a token list.

        Args:
            tokens: Rasa tokens.

        Returns:
            A sparse matrix with one row per token.
        """
        rows: List[int] = []
        cols: List[int] = []
        for row, token in enumerate(tokens):
            for gram in key_ngrams(token.text, self._min_n, self._max_n):
                column = self.vocabulary.get(gram)
                if column is not None:
                    rows.append(row)
                    cols.append(column)
        data = np.ones(len(rows), dtype=np.float32)
        shape = (len(tokens), max(len(self.vocabulary), 1))
        matrix = scipy.sparse.coo_matrix((data, (rows, cols)), shape=shape)
        matrix.sum_duplicates()
        return matrix

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens:
            return
        sequence = self.features(tokens)
        sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0))
        self.add_features_to_message(sequence, sentence, TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds features to every training example (see :meth:`process`)."""
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds sequence and sentence features for the message text.

        Args:
            messages: Tokenised messages.

        Returns:
            The same messages with features added.
        """
        for message in messages:
            self._featurize(message)
        return messages
