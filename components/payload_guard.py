"""Typed text is never a system payload; over-long text is not fed to the NLU.

Rasa reads any text that starts with ``/`` as ``/intent{"entity": "value"}`` (its
``RegexMessageHandler``, the last step of the NLU graph). Buttons use that on purpose, but a
citizen can type it too: ``/application_status_changed{"certificate_url": "/proc/..."}``
would then reach the actions as if the gateway had sent it. This component runs first and
lets a ``/`` message through only when it is something a button could send: an intent a
citizen may choose, with only the entities buttons carry, each value of the right shape.
Anything else loses its leading slashes and is understood as ordinary text. System intents
(status notifications) reach Rasa only through its token-protected ``trigger_intent`` API,
which does not parse text at all.

A message longer than ``max_characters`` becomes ``/message_too_long`` before any other
component sees it, so one huge message cannot hold the server (the dialogue answers it
politely, in the citizen's language).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Mapping, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from delhi import application_id

TOO_LONG_INTENT = "message_too_long"

# Intents a button, a list reply or the channel itself may send as a payload. System
# intents (application_status_changed, submission_retry_due, helpdesk_handback) and
# Rasa's own (restart, session_start, back) are deliberately absent;
# tests/components/test_payload_guard.py keeps this list in step with the domain.
CITIZEN_INTENTS = frozenset(
    """
    greet goodbye thank affirm deny stop help list_services apply_service ask_documents
    ask_fee ask_processing_time ask_eligibility check_status download_certificate
    verify_certificate find_csc change_language talk_to_human bot_challenge out_of_scope
    inform send_later change_field document_uploaded share_location message_too_long
    unsupported_message document_rejected erase_my_data
    """.split()
)

# Why a channel could not store a file (``/document_rejected``; channels/inbound.py).
DOCUMENT_PROBLEMS = frozenset(
    {"unreadable", "download_failed", "store_unavailable", "quota_exceeded"}
)
MAX_DOCUMENT_MB = 100  # WhatsApp's own limit for a document

_CATALOG_ID = re.compile(r"[a-z][a-z0-9_]{1,63}")

# Entities a payload may carry, each with the shape its value must have.
PAYLOAD_ENTITIES: Mapping[str, Callable[[Any], bool]] = {
    "service": lambda v: isinstance(v, str) and bool(_CATALOG_ID.fullmatch(v)),
    "department": lambda v: isinstance(v, str) and bool(_CATALOG_ID.fullmatch(v)),
    "application_id": lambda v: isinstance(v, str) and application_id.is_valid(v),
    "language": lambda v: v in ("en", "hi", "hinglish"),
    "latitude": lambda v: isinstance(v, (int, float)) and -90 <= v <= 90,
    "longitude": lambda v: isinstance(v, (int, float)) and -180 <= v <= 180,
    "reason": lambda v: isinstance(v, str) and v in DOCUMENT_PROBLEMS,
    "max_mb": lambda v: (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and 0 < v <= MAX_DOCUMENT_MB
    ),
}

# Entities only one intent's payload may carry.
ENTITY_INTENTS: Mapping[str, str] = {
    "reason": "document_rejected",
    "max_mb": "document_rejected",
}

_BEFORE_FIRST_WORD = re.compile(r"[^\w]*")
_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_]*)(?P<entities>\{.*\})?", re.S)


def is_citizen_payload(text: str) -> bool:
    """Whether ``text`` is a payload a citizen's button may send.

    Args:
        text: The message text, starting with ``/``.

    Returns:
        True for an allowed intent whose entities (if any) are allowed (for this
        intent) and well-formed.
    """
    match = _PAYLOAD.fullmatch(text.strip())
    if not match or match.group("intent") not in CITIZEN_INTENTS:
        return False
    intent = match.group("intent")
    raw = match.group("entities")
    if not raw:
        return True
    try:
        entities = json.loads(raw)
    except ValueError:
        return False
    return isinstance(entities, dict) and all(
        name in PAYLOAD_ENTITIES
        and ENTITY_INTENTS.get(name, intent) == intent
        and PAYLOAD_ENTITIES[name](value)
        for name, value in entities.items()
    )


def guarded_text(text: str, max_characters: int) -> Optional[str]:
    """The text the NLU should read instead of ``text``, or None to keep it.

    Args:
        text: The message as received.
        max_characters: Longest message the NLU reads.

    Returns:
        ``/message_too_long`` for an over-long message; the text without the slashes
        before its first letter or digit for a ``/`` message that is not a citizen
        payload; None otherwise.
    """
    if len(text) > max_characters:
        return f"/{TOO_LONG_INTENT}"
    # Everything before the first letter or digit: spaces, emoji, zero-width characters
    # the normaliser drops and Rasa strips. A slash there could end up leading the text
    # Rasa unpacks, so unless the message is a citizen payload, the slashes go.
    prefix = _BEFORE_FIRST_WORD.match(text).group()  # type: ignore[union-attr]
    if "/" not in prefix or is_citizen_payload(text.strip()):
        return None
    return (prefix.replace("/", "") + text[len(prefix) :]).strip() or "?"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class PayloadGuard(GraphComponent):
    """Neutralises typed ``/intent{...}`` text and over-long messages (module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config.

        Returns:
            ``max_characters``: longest message read by the NLU (WhatsApp allows 4096).
        """
        return {"max_characters": 2000}

    def __init__(self, config: Dict[str, Any]) -> None:
        """Creates the guard from its config (see :meth:`get_default_config`)."""
        self._max_characters = int(config["max_characters"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PayloadGuard:
        """Creates the component (see parent class for the arguments)."""
        return cls(config)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Checks that ``max_characters`` is a positive number."""
        if int(config.get("max_characters", 1)) < 1:
            raise ValueError("PayloadGuard: 'max_characters' must be positive")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are written by trainers, not citizens: unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Rewrites the text of each message that must not be read as it came.

        Args:
            messages: Incoming messages.

        Returns:
            The same messages.
        """
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                replacement = guarded_text(text, self._max_characters)
                if replacement is not None:
                    message.set(TEXT, replacement)
        return messages
