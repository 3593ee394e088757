"""Session start: carries the slots over, offers to resume a draft, re-arms retries.

A conversation a helpdesk agent has taken over (Rasa's pause) stays paused.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_access import get_catalog
from actions.dispatch import send
from actions.replies import Reply, apply_button
from actions.submission import QUEUE_SLOT, retry_reminder
from actions.texts import localize


def unfinished_draft(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The draft a returning citizen left open, if any (open form first, then kept ones)."""
    draft = slots.get("application")
    if draft and draft.get("status") == "open" and draft.get("service"):
        return draft
    kept = slots.get("drafts") or {}
    return next(iter(kept.values()), None)


class ActionSessionStart(Action):
    """Starts a new session keeping slots; offers to continue an unfinished application."""

    def name(self) -> str:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        carried = {
            key: value
            for key, value in tracker.current_slot_values().items()
            if value is not None and key not in ("requested_slot", "application_step")
        }
        events: List[EventType] = [SessionStarted()]
        events += [SlotSet(key, value) for key, value in carried.items()]
        if tracker.is_paused():  # a person at the helpdesk has it: they stay in charge
            return [*events, ActionExecuted("action_listen"), ConversationPaused()]
        draft = unfinished_draft(carried)
        catalog = get_catalog()
        if draft and draft["service"] in catalog:
            kept = dict(carried.get("drafts") or {})
            kept[draft["service"]] = {**draft, "status": "open"}
            events += [SlotSet("drafts", kept), SlotSet("application", None)]
            language = carried.get("language") or "en"
            service = catalog[draft["service"]]
            send(
                dispatcher,
                Reply(
                    "utter_draft_found",
                    {"service": localize(service.names, language)},
                    [apply_button(service, language)],
                ),
            )
        if carried.get(QUEUE_SLOT):
            # Rasa keeps reminders in memory: after a restart, a new session re-arms it.
            events.append(retry_reminder(1))
        events.append(ActionExecuted("action_listen"))
        return events
