"""Status replies show dates the way citizens write them, never ISO."""

from actions.applications import shown_date, status_reply


def test_due_dates_are_shown_day_first():
    reply = status_reply(
        {
            "application_id": "DL-BIR-2026-000001",
            "service_id": "birth_certificate",
            "status": "submitted",
            "due_date": "2026-12-09",
        },
        "hi",
    )
    assert reply.response == "utter_status_submitted"
    assert reply.params["due_date"] == "09/12/2026"
    assert reply.params["service"] == "जन्म प्रमाण पत्र"


def test_a_missing_or_broken_date_is_a_dash():
    assert shown_date(None) == "-"
    assert shown_date("soon") == "-"
    assert shown_date("2026-12-09T10:00:00+05:30") == "09/12/2026"
