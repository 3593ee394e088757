"""Low NLU confidence: ask which of the closest meanings the citizen had, as buttons."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answer_words, handoff
from actions.dispatch import send
from actions.replies import Reply
from actions.texts import intent_titles, localize
from actions.tracking import (
    issued_certificate_asked,
    send_certificate,
    status_replies,
)

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


def asks_about_an_application(message: Dict[str, Any]) -> bool:
    """An unsure message that names an application id and may ask its status.

    "DL-DEA-2026-000002 me kya problem h?": the id is found for sure (a pattern, not the
    model); when checking the status is among the closest meanings, the status is the
    answer (for the citizen's own applications only, as always).
    """
    named = any(
        e.get("entity") == "application_id" for e in message.get("entities") or []
    )
    ranked = [
        r.get("name") for r in (message.get("intent_ranking") or [])[: MAX_OPTIONS + 1]
    ]
    return named and "check_status" in ranked


class ActionClarify(Action):
    """Offers the closest options as buttons instead of guessing."""

    def name(self) -> str:
        return "action_clarify"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        if answer_words.asks_to_delete_data(message.get("text") or ""):
            return [FollowupAction("erase_form")]  # asks "delete your data?" first
        if asks_about_an_application(message):
            for reply in status_replies(tracker):
                send(dispatcher, reply)
            return []
        issued = issued_certificate_asked(tracker, message)
        if issued:
            send_certificate(dispatcher, issued)
            return []
        language = tracker.get_slot("language") or "en"
        if handoff.failed_before(tracker, self.name()):  # the second in a row
            for reply in handoff.resolve(
                [Reply(handoff.NOT_UNDERSTOOD)], tracker, language
            ):
                send(dispatcher, reply)
        buttons = clarification_buttons(message, language)
        send(dispatcher, Reply("utter_ask_rephrase", buttons=buttons))
        return []
