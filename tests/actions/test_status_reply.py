"""Status replies show dates the way citizens write them, never ISO."""

from datetime import date

from actions.gateway_models import Application
from actions.tracking import shown_date, status_reply
from tests.actions.gateway_answers import application


def test_due_dates_are_shown_day_first():
    reply = status_reply(
        Application.from_json(application(due_date="2026-12-09")), "hi"
    )
    assert reply.response == "utter_status_submitted"
    assert reply.params["due_date"] == "09/12/2026"
    assert reply.params["service"] == "जन्म प्रमाण पत्र"


def test_a_missing_date_is_a_dash():
    assert shown_date(None) == "-"
    assert shown_date(date(2026, 12, 9)) == "09/12/2026"


def test_the_notified_status_wins_over_the_current_one():
    """ "approved" is notified after the same transaction made it "issued"."""
    current = Application.from_json(application(status="issued"))
    assert status_reply(current, "en", "approved").response == "utter_status_approved"


def test_an_answer_without_a_due_date_is_refused_not_crashed():
    """A changed gateway is a ValueError (the client's EDistrictError), never an assert."""
    import pytest

    with pytest.raises(ValueError):
        Application.from_json(application(due_date=""))
