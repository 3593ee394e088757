"""Forgetting a citizen: "delete my data" in the chat, and cancelled drafts.

:func:`erase_history` returns the events that erase the conversation so far from the
tracker store: a ``history_erased`` marker, then the slots that must survive. The tracker
store (``infra/stores.py``) deletes every stored event of the conversation before the
marker; what the citizen still needs (language, saved drafts, applications waiting for
the gateway) lives on in the slots set after it.

"Delete my data" (intent ``erase_my_data``; also how consent is withdrawn) is confirmed
first (the ``erase_form`` outside an application, a step of the application form inside
one), then :func:`forget_citizen` has the gateway erase the citizen (undecided
applications withdrawn, decided ones unlinked, uploads deleted: ``edistrict/erasure.py``)
and erases the whole conversation, keeping only the citizen's language. If the gateway
cannot be reached nothing is erased, and the citizen is told to ask again.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Iterable, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.edistrict_client import EDistrictError
from actions.form_steps import erase_confirmation
from actions.latest_message import incoming
from actions.replies import Reply, yes_no_buttons
from actions.tracking import client_for
from actions.validators import Invalid

HISTORY_ERASED = "history_erased"
_NEVER_KEPT = frozenset({HISTORY_ERASED, "requested_slot"})
# What a citizen who asked to be forgotten keeps: the language they chose.
KEPT_AFTER_ERASURE = frozenset({"language", "language_locked"})
CONFIRMED_SLOT = "erase_confirmed"  # the erase_form's answer: "yes", "no"

logger = logging.getLogger(__name__)


def erase_history(tracker: Tracker, drop: Iterable[str] = ()) -> List[EventType]:
    """Events that erase the conversation so far, keeping every slot but ``drop``.

    Args:
        tracker: The conversation.
        drop: Slots whose values go with the history (a cancelled draft).

    Returns:
        The marker, a reset of all slots, and the kept slots set again.
    """
    dropped = _NEVER_KEPT | set(drop)
    kept: List[EventType] = [
        SlotSet(name, value)
        for name, value in tracker.slots.items()
        if name not in dropped and value is not None
    ]
    return [SlotSet(HISTORY_ERASED, time.time()), AllSlotsReset(), *kept]


def confirm_erase_reply(language: str) -> Reply:
    """The question before erasing: what goes, what the department keeps; yes/no."""
    return Reply("utter_ask_confirm_erase", buttons=yes_no_buttons(language))


def forget_citizen(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Erases the citizen at the gateway, then the conversation; says what was done.

    Returns:
        The events erasing the conversation (none when the gateway failed).
    """
    try:
        counts = client_for(tracker).erase_citizen()
    except EDistrictError as error:
        logger.warning("Erasure on request failed at the gateway: %s", error)
        send(dispatcher, Reply("utter_erase_failed"))
        return []
    send(dispatcher, Reply("utter_data_erased", {"withdrawn": counts["withdrawn"]}))
    return erase_history(tracker, drop=set(tracker.slots) - KEPT_AFTER_ERASURE)


class ActionAskEraseConfirmed(Action):
    """Asks "delete your data?" (the ``erase_form``, outside the application form)."""

    def name(self) -> str:
        return "action_ask_erase_confirmed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        send(dispatcher, confirm_erase_reply(tracker.get_slot("language") or "en"))
        return []


class ValidateEraseForm(FormValidationAction):
    """Reads the answer to "delete your data?"; anything but yes or no asks again."""

    def name(self) -> str:
        return "validate_erase_form"

    def validate_erase_confirmed(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        result = erase_confirmation(incoming(tracker))
        if isinstance(result, Invalid):
            send(dispatcher, Reply("utter_invalid_yes_no"))
            return {CONFIRMED_SLOT: None}
        return {CONFIRMED_SLOT: "yes" if result.value else "no"}


class ActionEraseMyData(Action):
    """After the ``erase_form``: erases on yes, keeps everything on no."""

    def name(self) -> str:
        return "action_erase_my_data"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot(CONFIRMED_SLOT) != "yes":
            send(dispatcher, Reply("utter_data_kept"))
            return [SlotSet(CONFIRMED_SLOT, None)]
        return forget_citizen(dispatcher, tracker)
