"""Deterministic extractors for Delhi identifiers and places.

Entities (values are canonical, ready for actions and the gateway):

- ``application_id``: ``DL-XXX-YYYY-NNNNNN`` typed loosely ("dl bir 2026 000123");
- ``aadhaar``: 12 digits, first digit 2-9, valid Verhoeff checksum (value: the 12 digits);
- ``mobile``: Indian mobile number, value ``+91XXXXXXXXXX``;
- ``pincode``: Delhi PIN code 110001-110097;
- ``district``: one of the 13 revenue districts (id such as ``south_east``), named in
  English, Hindi or Hinglish, by an old district name (Shahdara -> ``north_east``) or by a
  sub-division. Bare direction words ("north", "उत्तर" also means "answer") count only in a
  short reply or next to a cue word ("district", "जिला", "delhi").

Digits may be Devanagari. This component never logs entity values (Aadhaar numbers are
personal data); use :func:`delhi.aadhaar.mask` when a number must be shown.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.indic_tokenizer import split_words
from delhi import aadhaar, application_id, districts, mobile, pincode
from delhi.digits import DEVANAGARI_DIGITS

ALL_ENTITIES = ("application_id", "aadhaar", "mobile", "pincode", "district")

# A run of digit groups separated by single spaces or dashes, with an optional +.
_NUMBER_RUN = re.compile(r"\+?\d+(?:[ \-]\d+)*")
_DIGIT_GROUP = re.compile(r"\d+")
_MOBILE_HINT = re.compile(r"mobile|phone|fone|number|no\b|मोबाइल|फोन|फ़ोन|नंबर|whatsapp")
_AADHAAR_HINT = re.compile(r"aadh?aa?r|adhar|uid|आधार")

# District names that are also everyday words: accepted only with a cue or as a short reply.
AMBIGUOUS_DISTRICT_NAMES = frozenset(
    """
    north south east west central uttar dakshin purv poorv purvi paschim pashchim madhya
    kendriya उत्तर दक्षिण पूर्व पूर्वी पश्चिम मध्य केंद्रीय
    """.split()
)
DISTRICT_CUES = frozenset(
    "district distt dist jila zila delhi dilli जिला जिले दिल्ली zile jile".split()
)
SHORT_REPLY_TOKENS = 3
MAX_DISTRICT_WORDS = 4


Span = Tuple[int, int]


def _overlaps(span: Span, taken: List[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _entity(name: str, start: int, end: int, value: str) -> Dict[str, Any]:
    return {"entity": name, "start": start, "end": end, "value": value}


def find_application_ids(text: str) -> List[Dict[str, Any]]:
    """Returns ``application_id`` entities (canonical ``DL-XXX-YYYY-NNNNNN`` values).

    Args:
        text: Message text (ASCII or Devanagari digits).

    Returns:
        Entities with character offsets into ``text``.
    """
    ascii_text = text.translate(DEVANAGARI_DIGITS)
    found = []
    for match in application_id.PATTERN.finditer(ascii_text):
        value = application_id.canonical(match)
        if value:
            found.append(_entity("application_id", match.start(), match.end(), value))
    return found


def _classify_number(
    digits: str, groups: int, has_plus: bool, prefer_mobile: bool
) -> Optional[Tuple[str, str]]:
    """Returns (entity, value) for one candidate digit string, or None."""
    if len(digits) == 12 and digits.isdigit() and not has_plus:
        value = aadhaar.normalise(digits)
        looks_like_mobile = digits.startswith("91") and digits[2] in "6789"
        if value and not (prefer_mobile and looks_like_mobile):
            return "aadhaar", value
    phone = mobile.normalise(("+" if has_plus else "") + digits)
    if phone:
        return "mobile", phone
    if groups <= 2:
        pin = pincode.normalise(digits)
        if pin:
            return "pincode", pin
    return None


def find_numbers(text: str) -> List[Dict[str, Any]]:
    """Returns ``aadhaar``, ``mobile`` and ``pincode`` entities.

    Digit groups separated by spaces or dashes are tried as one number, longest first,
    so "98765 43210" is one mobile number and "110001 9876543210" a PIN code and a
    mobile number.

    Args:
        text: Message text (ASCII or Devanagari digits).

    Returns:
        Entities with character offsets into ``text``.
    """
    ascii_text = text.translate(DEVANAGARI_DIGITS)
    lowered = ascii_text.lower()
    prefer_mobile = bool(_MOBILE_HINT.search(lowered)) and not _AADHAAR_HINT.search(
        lowered
    )
    found = []
    for run in _NUMBER_RUN.finditer(ascii_text):
        before = ascii_text[run.start() - 1] if run.start() else ""
        after = ascii_text[run.end()] if run.end() < len(ascii_text) else ""
        if before.isalnum() or after.isalnum():
            continue  # part of a larger token (an id, a word)
        groups = list(_DIGIT_GROUP.finditer(run.group()))
        has_plus = run.group().startswith("+")
        index = 0
        while index < len(groups):
            for last in range(len(groups) - 1, index - 1, -1):
                digits = "".join(g.group() for g in groups[index : last + 1])
                plus = has_plus and index == 0
                result = _classify_number(digits, last - index + 1, plus, prefer_mobile)
                if result:
                    start = run.start() + groups[index].start() - (1 if plus else 0)
                    end = run.start() + groups[last].end()
                    found.append(_entity(result[0], start, end, result[1]))
                    index = last + 1
                    break
            else:
                index += 1
    return found


def find_districts(text: str) -> List[Dict[str, Any]]:
    """Returns ``district`` entities (district ids), longest names first.

    Args:
        text: Message text.

    Returns:
        Entities with character offsets into ``text``.
    """
    words = split_words(text)
    keys = [districts.name_key(w.group()) for w in words]
    index = districts.name_index()
    found: List[Dict[str, Any]] = []
    taken: List[Span] = []
    for size in range(min(MAX_DISTRICT_WORDS, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            name = " ".join(keys[i : i + size])
            district_id = index.get(name)
            span = (words[i].start(), words[i + size - 1].end())
            if not district_id or _overlaps(span, taken):
                continue
            if size == 1 and name in AMBIGUOUS_DISTRICT_NAMES:
                neighbours = set(keys[max(0, i - 1) : i] + keys[i + 1 : i + 2])
                if len(words) > SHORT_REPLY_TOKENS and not neighbours & DISTRICT_CUES:
                    continue
            taken.append(span)
            found.append(_entity("district", span[0], span[1], district_id))
    return sorted(found, key=lambda e: e["start"])


def extract(text: str, wanted: Tuple[str, ...] = ALL_ENTITIES) -> List[Dict[str, Any]]:
    """Returns every deterministic entity in ``text``, without overlaps.

    Application ids are found first (their digits are not numbers of their own), then
    Aadhaar/mobile/PIN numbers, then districts.

    Args:
        text: Message text.
        wanted: Entity names to return.

    Returns:
        Entities sorted by position.
    """
    result: List[Dict[str, Any]] = []
    taken: List[Span] = []
    for finder in (find_application_ids, find_numbers, find_districts):
        for entity in finder(text):
            span = (entity["start"], entity["end"])
            if not _overlaps(span, taken):
                taken.append(span)
                result.append(entity)
    return sorted(
        (e for e in result if e["entity"] in wanted), key=lambda e: e["start"]
    )


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class DelhiEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds application id, Aadhaar, mobile, PIN code and district entities."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config: ``entities``, the entity names to extract."""
        return {"entities": list(ALL_ENTITIES)}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Rejects unknown entity names."""
        unknown = set(config.get("entities") or []) - set(ALL_ENTITIES)
        if unknown:
            raise ValueError(
                f"DelhiEntityExtractor: unknown entities {sorted(unknown)}"
            )

    def __init__(self, config: Dict[str, Any]) -> None:
        """Creates the extractor from its config."""
        self.validate_config(config)
        self._wanted = tuple(config.get("entities") or ALL_ENTITIES)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DelhiEntityExtractor:
        """Creates the component (see parent class for the arguments)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the deterministic entities to each message.

        Entities of the same names that another extractor found on overlapping text
        are replaced (these values are validated, a model's guesses are not).

        Args:
            messages: Messages to annotate.

        Returns:
            The same messages with entities added.
        """
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith("/"):
                continue
            found = self.add_extractor_name(extract(text, self._wanted))
            if not found:
                continue
            spans = [(e["start"], e["end"]) for e in found]
            kept = [
                e
                for e in message.get(ENTITIES, [])
                if e.get("entity") not in self._wanted
                or not _overlaps((e.get("start", 0), e.get("end", 0)), spans)
            ]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages
