"""One citizen message read as the answer to one form field, free of Rasa.

``read_field`` applies the catalog field's validator to what the citizen typed, after the
form's own words (``actions.answer_words``): skip words and "no" for optional fields, and
greetings or thanks that are never a name. Nothing is stored here: the form decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, Optional

from actions import answer_words, validators
from actions.texts import localize
from catalog.model import Field

# Intents that, inside the form, may interrupt it (``actions.form_steps._interrupts``).
COMMAND_INTENTS = frozenset(
    {
        "stop",
        "ask_fee",
        "ask_documents",
        "ask_processing_time",
        "ask_eligibility",
        "help",
        "talk_to_human",
        "apply_service",
        "change_language",
        "list_services",
        "out_of_scope",
    }
)
COMMAND_CONFIDENCE = 0.7
FREE_TEXT_TYPES = ("name", "text")


@dataclass
class Incoming:
    """One citizen message as the form sees it."""

    text: str
    intent: Optional[str] = None
    confidence: float = 1.0
    entities: Dict[str, str] = field(default_factory=dict)
    # The service was guessed from the whole sentence, not named (ServiceClassifier).
    guessed_service: bool = False
    document: Optional[Dict[str, Any]] = None

    @property
    def is_command(self) -> bool:
        """True when the message is a confident command (or a button payload)."""
        return self.intent in COMMAND_INTENTS and (
            self.text.startswith("/") or self.confidence >= COMMAND_CONFIDENCE
        )


def read_field(
    item: Field, message: Incoming, language: str, today: date
) -> validators.Result:
    """Reads a message as the answer to one field.

    An optional field is skipped by a skip word or a "no"; a greeting, thanks or "ok" is
    never a name or a free-text answer.
    """
    text = message.text
    if not item.required and (
        answer_words.is_skip(text)
        or answer_words.is_one_of(text, answer_words.NONE_ANSWERS)
        or answer_words.starts_with_no(text)
    ):
        return validators.Valid(None, localize(SKIPPED, language))
    # By the words only: the NLU reads names as greetings ("Ram Prasad" as "ram ram").
    if item.type in FREE_TEXT_TYPES and (
        answer_words.is_one_of(text, answer_words.NOT_ANSWERS)
        or answer_words.is_skip(text)  # a required name is not skipped
    ):
        return validators.Invalid("not_an_answer")
    choices = [
        validators.Choice(c.value, c.label, c.aliases) for c in (item.choices or [])
    ]
    result = validators.validate(
        item.type,
        text,
        language=language,
        today=today,
        constraints=field_constraints(item),
        choices=choices,
        intent=message.intent,
    )
    if isinstance(result, validators.Invalid) and answer_words.is_one_of(
        text, answer_words.NOT_ANSWERS
    ):
        return validators.Invalid("not_an_answer")
    if _asks_instead(item, text):
        return validators.Invalid("not_an_answer")
    if (
        isinstance(result, validators.Invalid)
        and not item.required
        and answer_words.skips_optional(text)
    ):
        # "dada ji ka naam nahi pata, skip": no answer, and a reason to skip
        return validators.Valid(None, localize(SKIPPED, language))
    return result


def _asks_instead(item: Field, text: str) -> bool:
    """A question where a free-text answer is due: no address or purpose is a question.

    Identifier fields are left alone ("45/12?" is still a khasra number).
    """
    identifier = field_constraints(item).get("min_letters") == 0
    return item.type == "text" and not identifier and answer_words.asks_something(text)


# How a skipped optional field or document is shown in the summary.
SKIPPED = {"en": "not applicable", "hi": "लागू नहीं", "hinglish": "lagu nahi"}
SKIPPED_DOCUMENT = "skipped"  # an optional document the citizen does not have


def field_constraints(item: Field) -> Dict[str, Any]:
    """The field's catalog constraints, plus ``min_letters: 0`` for identifier fields.

    A text field whose catalog example is one token with a digit (bank account, IFSC,
    chassis or khasra number) is an identifier: it takes answers without letters, and the
    one such token in a sentence ("SBIN0001707 जी") is the answer; other text fields
    still need two letters.
    """
    constraints = dict(item.constraints)
    if item.type == "text" and item.example is not None:
        if re.fullmatch(r"\S*\d\S*", item.example["en"].strip()):
            constraints.setdefault("min_letters", 0)
    return constraints
