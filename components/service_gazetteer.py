"""Gazetteer extractor for the ``service`` entity, complementing DIET.

Learns every way of naming a service from the training data: the entity synonyms (the
generated ``data/nlu/generated/service_synonyms.yml``, which comes from the catalog), the
``service`` lookup table and the annotated ``service`` examples. Phrases are compared on
their cross-script loose keys (:mod:`components.cross_script`), exactly first, then fuzzily
(difflib ratio), so "जन्म प्रमाण पत्र", "janm pramaan patr" and "janam praman patra" all map to
``birth_certificate``.

No duplicates with DIET: where DIET found a ``service`` on overlapping text, DIET's entity
is kept if its value (after synonym mapping) is a known service id, unless a longer
gazetteer name covers it or names another service ("duplicate licence" over DIET's
"licence"); otherwise it is replaced by the gazetteer's entity. A DIET ``service`` whose
value is not a known id is mapped through the gazetteer when its text matches a known
name, and dropped when it does not: every ``service`` value that leaves the NLU is a
service id. Of several services named, only the wanted ones are kept
(:mod:`components.service_choice`).
"""

from __future__ import annotations

import difflib
import json
import logging
from typing import Any, Dict, List, Optional, Set, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.cross_script import loose_key
from components.indic_tokenizer import split_words
from components.service_choice import wanted

logger = logging.getLogger(__name__)

ENTITY = "service"
GAZETTEER_FILE = "service_gazetteer.json"
AMBIGUOUS = "__ambiguous__"


def phrase_key(text: str) -> str:
    """Returns the cross-script key of a phrase (keys of its words, space separated)."""
    keys = (loose_key(m.group()) for m in split_words(text))
    return " ".join(k for k in keys if k)


class Gazetteer:
    """Phrase keys -> service id, with exact and fuzzy matching."""

    def __init__(
        self, phrases: Dict[str, str], threshold: float, min_fuzzy_length: int
    ) -> None:
        """Creates the gazetteer.

        Args:
            phrases: Phrase key -> service id (or :data:`AMBIGUOUS`).
            threshold: Smallest difflib ratio for a fuzzy match.
            min_fuzzy_length: Shorter phrase keys only match exactly.
        """
        self.phrases = phrases
        self.ids: Set[str] = {v for v in phrases.values() if v != AMBIGUOUS}
        self.threshold = threshold
        self.min_fuzzy_length = min_fuzzy_length
        self.max_words = max((len(k.split()) for k in phrases), default=0)
        self._buckets: Dict[Tuple[int, str], List[str]] = {}
        for key in phrases:
            if len(key) >= min_fuzzy_length:
                bucket = (len(key.split()), key[:1])
                self._buckets.setdefault(bucket, []).append(key)

    @classmethod
    def from_names(
        cls,
        names: Dict[str, Set[str]],
        threshold: float = 0.85,
        min_fuzzy_length: int = 6,
    ) -> Gazetteer:
        """Builds the gazetteer from service id -> names (any script)."""
        phrases: Dict[str, str] = {}
        for service_id, service_names in sorted(names.items()):
            for name in sorted(service_names):
                key = phrase_key(name)
                if not key:
                    continue
                if phrases.get(key, service_id) != service_id:
                    phrases[key] = AMBIGUOUS  # e.g. "licence" for two services
                else:
                    phrases[key] = service_id
        return cls(phrases, threshold, min_fuzzy_length)

    def lookup(self, key: str) -> Tuple[Optional[str], float]:
        """Returns (service id, score) for one phrase key; (None, 0) when unknown."""
        exact = self.phrases.get(key)
        if exact:
            return (None, 0.0) if exact == AMBIGUOUS else (exact, 1.0)
        if len(key) < self.min_fuzzy_length:
            return None, 0.0
        best: Tuple[Optional[str], float] = (None, 0.0)
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for candidate in self._buckets.get((len(key.split()), key[:1]), []):
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < self.threshold:
                continue
            if matcher.quick_ratio() < self.threshold:
                continue
            score = matcher.ratio()
            if (
                score >= self.threshold
                and score > best[1]
                and _word_by_word(key, candidate)
            ):
                value = self.phrases[candidate]
                if value != AMBIGUOUS:
                    best = (value, score)
        return best

    def find(self, text: str) -> List[Dict[str, Any]]:
        """Returns non-overlapping ``service`` entities in ``text``, longest match first.

        Args:
            text: Message text.

        Returns:
            Entities with offsets, value (service id) and confidence (match score).
        """
        words = [(m, loose_key(m.group())) for m in split_words(text)]
        words = [(m, k) for m, k in words if k]
        found: List[Dict[str, Any]] = []
        taken: List[Tuple[int, int]] = []
        for size in range(min(self.max_words, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                start, end = words[i][0].start(), words[i + size - 1][0].end()
                if any(start < e and s < end for s, e in taken):
                    continue
                key = " ".join(k for _, k in words[i : i + size])
                value, score = self.lookup(key)
                if value:
                    taken.append((start, end))
                    found.append(
                        {
                            "entity": ENTITY,
                            "start": start,
                            "end": end,
                            "value": value,
                            "confidence_entity": round(score, 3),
                        }
                    )
        return sorted(found, key=lambda e: e["start"])


def names_from_training_data(training_data: TrainingData) -> Dict[str, Set[str]]:
    """Collects service id -> names from synonyms, the lookup table and annotations.

    Args:
        training_data: NLU training data (normalised by the pipeline's normaliser).

    Returns:
        For each service id, every name for it found in the data (and the id itself,
        with spaces for underscores).
    """
    names: Dict[str, Set[str]] = {}
    lookup: Set[str] = set()
    for table in training_data.lookup_tables:
        if table.get("name") == ENTITY and isinstance(table.get("elements"), list):
            lookup.update(str(e) for e in table["elements"])
    for example in training_data.entity_examples:
        text = example.get(TEXT) or ""
        for entity in example.get(ENTITIES) or []:
            if entity.get("entity") == ENTITY and isinstance(entity.get("value"), str):
                span = text[entity["start"] : entity["end"]]
                names.setdefault(entity["value"], set()).add(span)
    for name, value in training_data.entity_synonyms.items():
        if value in names or name in lookup:
            names.setdefault(value, set()).add(name)
    for service_id in names:
        names[service_id].add(service_id.replace("_", " "))
    return names


WORD_THRESHOLD = 0.7


def _word_by_word(key: str, candidate: str) -> bool:
    """True when each word of a fuzzy match is itself close to its counterpart.

    A long shared word must not carry a phrase: "aid certificate" is not "ews certificate".
    """
    return all(
        a == b or difflib.SequenceMatcher(a=a, b=b).ratio() >= WORD_THRESHOLD
        for a, b in zip(key.split(), candidate.split(), strict=True)
    )


def _outnames(found: Dict[str, Any], entity: Dict[str, Any], text: str) -> bool:
    """True when an overlapping gazetteer name says more than DIET's.

    It covers DIET's span and more ("duplicate licence" over "licence"), or names another
    service in more words ("लाइसेंस खो गया", a lost licence, over "ड्राइविंग लाइसेंस").
    """
    start, end = entity.get("start", 0), entity.get("end", 0)
    if found["start"] <= start and end <= found["end"]:
        return found["end"] - found["start"] > end - start
    more_words = len(split_words(text[found["start"] : found["end"]])) > len(
        split_words(text[start:end])
    )
    return more_words and found["value"] != entity.get("value")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class ServiceGazetteer(GraphComponent, EntityExtractorMixin):
    """Finds ``service`` entities by (fuzzy, cross-script) name lookup."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config.

        Returns:
            ``threshold``: smallest difflib ratio for a fuzzy match;
            ``min_fuzzy_length``: shorter names only match exactly.
        """
        return {"threshold": 0.85, "min_fuzzy_length": 6}

    @staticmethod
    def required_packages() -> List[str]:
        """Packages needed by this component."""
        return ["indic_transliteration"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: Optional[Gazetteer] = None,
    ) -> None:
        """Creates the extractor (``gazetteer`` is given when loading a trained one)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.gazetteer = gazetteer or Gazetteer(
            {}, config["threshold"], config["min_fuzzy_length"]
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceGazetteer:
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
    ) -> ServiceGazetteer:
        """Loads the trained phrase table (see parent class for the arguments)."""
        phrases: Dict[str, str] = {}
        try:
            with model_storage.read_from(resource) as directory:
                raw = (directory / GAZETTEER_FILE).read_text(encoding="utf-8")
                phrases = json.loads(raw)
        except (ValueError, FileNotFoundError):
            logger.warning("ServiceGazetteer: no phrase table found; it finds nothing.")
        gazetteer = Gazetteer(phrases, config["threshold"], config["min_fuzzy_length"])
        return cls(config, model_storage, resource, gazetteer)

    def train(self, training_data: TrainingData) -> Resource:
        """Builds the phrase table from the training data and persists it.

        Args:
            training_data: NLU training data.

        Returns:
            The resource the table was persisted to.
        """
        self.gazetteer = Gazetteer.from_names(
            names_from_training_data(training_data),
            self._config["threshold"],
            self._config["min_fuzzy_length"],
        )
        with self._model_storage.write_to(self._resource) as directory:
            (directory / GAZETTEER_FILE).write_text(
                json.dumps(self.gazetteer.phrases, ensure_ascii=False, sort_keys=True),
                encoding="utf-8",
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds gazetteer ``service`` entities, merged with DIET's without duplicates.

        Args:
            messages: Messages (after DIET and the synonym mapper).

        Returns:
            The same messages with ``service`` entities merged.
        """
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith("/"):
                continue
            found = self.add_extractor_name(self.gazetteer.find(text))
            merged = self.merge(message.get(ENTITIES, []), found, text)
            message.set(ENTITIES, wanted(text, merged), add_to_output=True)
        return messages

    def merge(
        self, existing: List[Dict[str, Any]], found: List[Dict[str, Any]], text: str
    ) -> List[Dict[str, Any]]:
        """Merges gazetteer entities into the model's entities (see module docstring).

        Args:
            existing: Entities already on the message.
            found: The gazetteer's ``service`` entities.
            text: The message text.

        Returns:
            The merged entity list, with at most one ``service`` per text span.
        """
        known = self.gazetteer.ids
        # Text already claimed by another entity (an application id "DL-DRV-...", a
        # district) is not a service name: "dl" there is not a driving licence.
        claimed = [
            (e.get("start", 0), e.get("end", 0))
            for e in existing
            if e.get("entity") != ENTITY
        ]
        found = [
            f
            for f in found
            if not any(f["start"] < end and start < f["end"] for start, end in claimed)
        ]
        result: List[Dict[str, Any]] = []
        for entity in existing:
            if entity.get("entity") != ENTITY:
                result.append(entity)
                continue
            start, end = entity.get("start", 0), entity.get("end", 0)
            overlapping = [f for f in found if f["start"] < end and start < f["end"]]
            if any(_outnames(f, entity, text) for f in overlapping):
                continue
            if entity.get("value") in known or not overlapping:
                if entity.get("value") not in known:
                    value, _ = self.gazetteer.lookup(phrase_key(text[start:end]))
                    if not value:
                        continue  # "budhape", "pakka": not a service id, dropped
                    entity = self.add_processor_name(dict(entity, value=value))
                found = [f for f in found if f not in overlapping]
                result.append(entity)
        return result + found
