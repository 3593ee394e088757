"""Finding where to apply in person: a CSC (Rs 50) or the nearest SDM office.

Common Service Centres are listed by the official locator; SDM offices (where e-District
services are also given at the counter) come from ``delhi/offices.yml``, nearest first
to a shared location, or those of the PIN code, locality or district named. Without any
of these the citizen is asked for one (on WhatsApp with a "send location" button).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.replies import Reply, bullet_list
from actions.texts import localize
from delhi import districts, offices

NEAR = {"en": " near {}", "hi": " ({} के पास)", "hinglish": " ({} ke paas)"}


class ActionFindCsc(Action):
    """The CSC locator, then the nearest SDM offices (or a request for the place)."""

    def name(self) -> str:
        return "action_find_csc"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        pincode = next(tracker.get_latest_entity_values("pincode"), None)
        district = next(tracker.get_latest_entity_values("district"), None)
        place = pincode or district
        near = NEAR.get(language, NEAR["en"]).format(place) if place else ""
        send(dispatcher, Reply("utter_csc_info", {"near": near}))
        found = offices.find(
            (tracker.latest_message or {}).get("text") or "",
            shared_location(tracker),
            pincode,
            districts.lookup(district) if district else None,
        )
        if found:
            lines = [office_line(office, km, language) for office, km in found]
            send(
                dispatcher,
                Reply("utter_offices_nearest", {"places": bullet_list(lines)}),
            )
        else:
            send(dispatcher, Reply("utter_ask_location"))
        return []


def shared_location(tracker: Tracker) -> Optional[Tuple[float, float]]:
    """The latitude and longitude of a shared location (``/share_location`` entities)."""
    values = {
        name: next(tracker.get_latest_entity_values(name), None)
        for name in ("latitude", "longitude")
    }
    try:
        return float(values["latitude"]), float(values["longitude"])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def office_line(office: offices.Office, km: Optional[float], language: str) -> str:
    """One office as the citizen reads it: name, district, distance, hours."""
    words = offices.offices().words
    district = next(d for d in districts.districts() if d.id == office.district)
    hindi = language == "hi"
    names = district.names.get("hi" if hindi else "en") or district.names["en"]
    locality = office.locality_hi if hindi else office.locality
    parts = [f"{localize(words['office'], language)} {locality} ({names[0]})"]
    if km is not None:
        parts.append(localize(words["about_km"], language).format(f"{km:.1f}"))
    parts.append(localize(words["hours"], language))
    return " · ".join(parts)
