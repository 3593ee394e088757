"""Low NLU confidence: ask which of the closest meanings the citizen had, as buttons."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.replies import Reply
from actions.texts import intent_titles, localize

MAX_OPTIONS = 3


def clarification_buttons(
    message: Dict[str, Any], language: str
) -> List[Dict[str, str]]:
    """The closest intents (by NLU ranking) that have a title, as buttons keeping entities.

    Args:
        message: The latest message's parse data.
        language: The citizen's language.

    Returns:
        Up to three buttons, then the menu.
    """
    titles = intent_titles()
    entities = {
        e["entity"]: e["value"]
        for e in message.get("entities") or []
        if e.get("entity") in ("service", "application_id")
    }
    suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
    buttons: List[Dict[str, str]] = []
    for ranked in message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name in titles and name != "help" and len(buttons) < MAX_OPTIONS:
            buttons.append(
                {
                    "title": localize(titles[name], language),
                    "payload": f"/{name}{suffix}",
                }
            )
    buttons.append({"title": localize(titles["help"], language), "payload": "/help"})
    return buttons


class ActionClarify(Action):
    """Offers the closest options as buttons instead of guessing."""

    def name(self) -> str:
        return "action_clarify"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        buttons = clarification_buttons(tracker.latest_message or {}, language)
        send(dispatcher, Reply("utter_ask_rephrase", buttons=buttons))
        return []
