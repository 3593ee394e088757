"""Handing the conversation to a person at the helpdesk, and getting it back.

The citizen asks for a person, or two answers in a row fail: the conversation is queued at
the gateway's helpdesk (``POST /api/v1/handoffs``) and the citizen is told when a person
will reply, here in the same chat. The assistant goes on helping meanwhile. An agent who
takes the conversation over pauses the assistant (Rasa's own pause, set by the gateway);
handing it back triggers ``helpdesk_handback``: the assistant says so
(``utter_helpdesk_handback``) and the form asks its question again. Without the gateway,
the citizen is told where to find a person in an office (``utter_human_handoff``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.edistrict_client import EDistrictError
from actions.gateway_models import Handoff
from actions.replies import HANDOFF_ASKED, HANDOFF_NOT_UNDERSTOOD, Reply
from actions.tracking import client_for

logger = logging.getLogger(__name__)
ASKED, NOT_UNDERSTOOD = HANDOFF_ASKED, HANDOFF_NOT_UNDERSTOOD
REASONS = {ASKED: "asked", NOT_UNDERSTOOD: "not_understood"}
IST = timezone(timedelta(hours=5, minutes=30))
WEEKDAYS = {
    "en": (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ),
    "hi": ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"),
    "hinglish": (
        "Somvaar",
        "Mangalvaar",
        "Budhvaar",
        "Guruvaar",
        "Shukravaar",
        "Shanivaar",
        "Ravivaar",
    ),
}
RELATIVE = {
    "en": ("today at {t}", "tomorrow at {t}", "{day} at {t}"),
    "hi": ("आज {t} बजे", "कल {t} बजे", "{day} को {t} बजे"),
    "hinglish": ("aaj {t} baje", "kal {t} baje", "{day} ko {t} baje"),
}
# Actions that run around every message and are no answer of the assistant.
_SILENT_ACTIONS = frozenset(
    {"action_listen", "action_extract_slots", "action_validate_slot_mappings"}
)


def opening_text(
    opens_at: datetime, language: str, now: Optional[datetime] = None
) -> str:
    """When the helpdesk opens, as the citizen reads it: "tomorrow at 09:00"."""
    opens = opens_at.astimezone(IST)
    today = (now or datetime.now(timezone.utc)).astimezone(IST).date()
    same, next_day, other = RELATIVE.get(language, RELATIVE["en"])
    clock = opens.strftime("%H:%M")
    ahead = (opens.date() - today).days
    if ahead <= 0:
        return same.format(t=clock)
    if ahead == 1:
        return next_day.format(t=clock)
    day = WEEKDAYS.get(language, WEEKDAYS["en"])[opens.weekday()]
    return other.format(day=day, t=clock)


def ticket_reply(handoff: Handoff, reason: str, language: str) -> Optional[Reply]:
    """What the citizen is told about the ticket (None: already told)."""
    params: Dict[str, Any] = {"ticket": handoff.ticket}
    if not handoff.new:
        return (
            Reply("utter_handoff_already_queued", params) if reason == "asked" else None
        )
    if handoff.opens_at is not None:
        params["opens"] = opening_text(handoff.opens_at, language)
        return Reply("utter_handoff_after_hours", params)
    if reason == "not_understood":
        return Reply("utter_handoff_not_understood", params)
    return Reply("utter_handoff_queued", params)


def hand_off(tracker: Tracker, reason: str, language: str) -> Optional[Reply]:
    """Queues the conversation for the helpdesk; the reply to send (None: nothing new)."""
    try:
        handoff = client_for(tracker).hand_off(reason, language)
    except EDistrictError as error:
        logger.warning("helpdesk not reachable: %s", error)
        return Reply(ASKED) if reason == "asked" else None
    return ticket_reply(handoff, reason, language)


def resolve(replies: List[Reply], tracker: Tracker, language: str) -> List[Reply]:
    """The replies with each hand-off request replaced by the helpdesk's answer."""
    out: List[Reply] = []
    for reply in replies:
        if reply.response in REASONS:
            answered = hand_off(tracker, REASONS[reply.response], language)
            if answered is not None:
                out.append(answered)
        else:
            out.append(reply)
    return out


def failed_before(tracker: Tracker, action: str) -> bool:
    """Whether the assistant's answer to the previous message was ``action`` too."""
    seen_latest_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_message:
                return False
            seen_latest_message = True
        elif event.get("event") == "action" and seen_latest_message:
            name = event.get("name")
            if name not in _SILENT_ACTIONS:
                return name == action
    return False


class ActionHumanHandoff(Action):
    """The citizen asked for a person: queued at the helpdesk, told when they will reply."""

    def name(self) -> str:
        return "action_human_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        for reply in resolve([Reply(ASKED)], tracker, language):
            send(dispatcher, reply)
        return []
