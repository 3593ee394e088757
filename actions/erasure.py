"""Forgetting what a citizen said: the conversation so far is erased from the tracker store.

An action returns :func:`erase_history`'s events: a ``history_erased`` marker, then the
slots that must survive. The tracker store (``infra/stores.py``) deletes every stored
event of the conversation before the marker; what the citizen still needs (language,
saved drafts, applications waiting for the gateway) lives on in the slots set after it.
"""

from __future__ import annotations

import time
from typing import Iterable, List

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet

HISTORY_ERASED = "history_erased"
_NEVER_KEPT = frozenset({HISTORY_ERASED, "requested_slot"})


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
