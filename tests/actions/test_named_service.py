"""Only catalog ids count as the service a message names (the NLU also returns spans)."""

from rasa_sdk import Tracker

from actions.catalog_access import named_service
from actions.form import current_draft
from actions.latest_message import incoming


def tracker_with(*values: str) -> Tracker:
    message = {
        "text": "meri mummy ki death ho gayi h, death certificate chahiye",
        "intent": {"name": "apply_service", "confidence": 1.0},
        "entities": [{"entity": "service", "value": value} for value in values],
    }
    return Tracker("c-1", {}, message, [], False, None, {}, None)


def test_a_span_that_is_no_service_is_passed_over():
    tracker = tracker_with("death", "death_certificate")
    assert named_service(tracker) == "death_certificate"
    assert current_draft(tracker)["service"] == "death_certificate"
    assert incoming(tracker).entities["service"] == "death_certificate"


def test_no_catalog_service_means_none():
    tracker = tracker_with("sc", "duplicate")
    assert named_service(tracker) is None
    assert current_draft(tracker)["service"] is None
    assert "service" not in incoming(tracker).entities
