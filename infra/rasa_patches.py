"""Documented patch points in Rasa 3.6, applied by ``infra.rasa_server`` at start.

Each patch keeps Rasa's behaviour and fixes a measured cost (issue "Speed at WhatsApp
scale"; ``make bench``). Each is checked by ``tests/infra/test_rasa_patches.py``
against the installed Rasa, so an upgrade that moves the patched code fails a test
instead of silently running unpatched.

* ``RemoteAction._validate_action_result``: Rasa validates every custom action's answer
  with ``jsonschema.validate``, which checks the schema itself and builds a validator on
  every call (about half of the Rasa server's CPU under load, profiled with py-spy).
  The patch builds the validator once; same schema, same error (jsonschema's best match,
  with Rasa's hint appended).
* ``RemoteAction._action_call_format``: Rasa sends the action server the whole tracker,
  every event of the session, on every call (two or three calls per message), so each
  message costs more the longer the conversation. The patch sends the events since the
  latest user message (all of them when there is none), with everything else as Rasa
  builds it: current slots, latest message, active loop, latest input channel, and the
  domain when Rasa would send it. The actions read only those (``actions/`` reads no
  older event; rasa_sdk's ``slots_to_validate`` reads the trailing slot events).
* ``Event.resolve_by_type``: turning a stored event into an object looks its class up
  by walking every subclass of ``Event`` (about 20% of the server's time late in a long
  conversation, where every message re-reads the session). The patch remembers the
  class found for each type name; names it does not know still go to Rasa's walk.

One patch changes behaviour, for the helpdesk (``actions/handoff.py``):

* ``MessageProcessor.run_action_extract_slots``: Rasa pauses a conversation a person has
  taken over and stops predicting, but still fills slots from each message, so a message
  written to the person ("income proof mein kya dena hoga?") became the form's answer once
  the conversation was handed back. The patch leaves the slots of a paused conversation
  alone: its messages are recorded, for the person, and nothing else.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import islice
from typing import Any, Dict, List, Optional, Tuple, Type

import rasa
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# Rasa's own methods, unpatched (for tests).
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_ACTION_CALL_FORMAT = RemoteAction._action_call_format
RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
RASA_EXTRACT_SLOTS = MessageProcessor.run_action_extract_slots

_EVENT_CLASSES: Dict[str, Type[Event]] = {}


def resolve_by_type(
    type_name: str, default: Optional[Type[Event]] = None
) -> Optional[Type[Event]]:
    """Rasa's lookup of an event class by type name, each name looked up once."""
    known = _EVENT_CLASSES.get(type_name)
    if known is not None:
        return known
    found = RASA_RESOLVE_BY_TYPE(type_name, default)
    if found is not None and found is not default:
        _EVENT_CLASSES[type_name] = found
    return found


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's check of an action server's answer, with the validator built once."""
    error: ValidationError | None = best_match(
        _response_validator().iter_errors(result)
    )
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid. For more information about the "
        f"format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def recent_events(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    """The tracker's events from its latest user message on (all if it has none)."""
    events = tracker.events
    for back, event in enumerate(reversed(events)):
        if isinstance(event, UserUttered):
            return [e.as_dict() for e in islice(events, len(events) - back - 1, None)]
    return [e.as_dict() for e in events]


def action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> Dict[str, Any]:
    """Rasa's request to the action server, with the recent events only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = recent_events(tracker)
    result: Dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or (
        domain.does_custom_action_explicitly_need_domain(self.name())
    ):
        result["domain"] = domain.as_dict()
    return result


async def run_action_extract_slots(
    self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
) -> DialogueStateTracker:
    """Rasa's slot extraction, except in a paused conversation (with a person)."""
    if tracker.is_paused():
        return tracker
    return await RASA_EXTRACT_SLOTS(self, output_channel, tracker)


PATCHES: List[Tuple[type, str, Any]] = [
    (RemoteAction, "_validate_action_result", validate_action_result),
    (RemoteAction, "_action_call_format", action_call_format),
    (Event, "resolve_by_type", staticmethod(resolve_by_type)),
    (MessageProcessor, "run_action_extract_slots", run_action_extract_slots),
]


def install() -> None:
    """Applies the patches (idempotent)."""
    for owner, name, patch in PATCHES:
        setattr(owner, name, patch)


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return all(owner.__dict__[name] is patch for owner, name, patch in PATCHES)
