"""Finding a Common Service Centre, where an operator applies for a citizen (Rs 50)."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.replies import Reply

NEAR = {"en": " near {}", "hi": " ({} के पास)", "hinglish": " ({} ke paas)"}


class ActionFindCsc(Action):
    """Points to the official CSC locator, with the PIN code or district if given."""

    def name(self) -> str:
        return "action_find_csc"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        place = next(tracker.get_latest_entity_values("pincode"), None) or next(
            tracker.get_latest_entity_values("district"), None
        )
        near = NEAR.get(language, NEAR["en"]).format(place) if place else ""
        send(dispatcher, Reply("utter_csc_info", {"near": near}))
        return []
