"""Where to apply in person: the CSC locator, then the nearest SDM offices or a request."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.csc import ActionFindCsc


def find(
    text: str, entities: List[Dict[str, Any]], language: str = "en"
) -> List[Dict[str, Any]]:
    latest = {"text": text, "intent": {"name": "find_csc"}, "entities": entities}
    tracker = Tracker(
        "919800000001",
        {"language": language},
        latest,
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    ActionFindCsc().run(dispatcher, tracker, {})
    return dispatcher.messages


def test_a_shared_location_gets_the_nearest_offices_with_distance_and_hours():
    said = find(
        '/share_location{"latitude": 28.5355, "longitude": 77.2100}',
        [
            {"entity": "latitude", "value": 28.5355},
            {"entity": "longitude", "value": 77.2100},
        ],
    )
    assert [m["response"] for m in said] == ["utter_csc_info", "utter_offices_nearest"]
    lines = said[1]["places"].splitlines()
    assert len(lines) == 3 and lines[0].startswith("• SDM office Malviya Nagar (South)")
    assert "about 0." in lines[0] and "Mon-Fri 9:30-18:00" in lines[0]


def test_in_hindi_the_places_are_in_hindi():
    said = find("रोहिणी में CSC", [], language="hi")
    assert (
        said[1]["places"] == "• एसडीएम कार्यालय रोहिणी (उत्तर पश्चिम) · सोम-शुक्र 9:30-18:00"
    )


def test_a_pin_code_names_the_locality_offices():
    said = find(
        "csc near 110092",
        [{"entity": "pincode", "value": "110092"}],
        language="hinglish",
    )
    assert said[0]["near"] == " (110092 ke paas)"
    assert "SDM office Patparganj (East)" in said[1]["places"]


def test_without_a_place_the_citizen_is_asked_for_one():
    said = find("nearest csc", [])
    assert [m["response"] for m in said] == ["utter_csc_info", "utter_ask_location"]
