"""The application state machine, driven message by message on a test-only service."""

from datetime import date
from pathlib import Path

import pytest

from actions.form_steps import GIVEN, handle_answer, new_draft, next_step
from actions.reading import Incoming
from catalog.loader import load_catalog

TODAY = date(2026, 11, 28)
DOCUMENT = {
    "id": "ab" * 32,
    "mime_type": "image/jpeg",
    "size": 1234,
    "sha256": "ab" * 32,
    "filename": "bill.jpg",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Path(__file__).parent / "catalog")


def started(catalog):
    """A test_certificate draft past the eligibility and consent questions."""
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", intent="affirm")
    say(draft, catalog, "haan", intent="affirm", language="hinglish")
    assert steps(draft, catalog) == ("field", "applicant_name")
    return draft


def say(draft, catalog, text, intent="inform", language="en", confidence=0.95, **extra):
    message = Incoming(text=text, intent=intent, confidence=confidence, **extra)
    return [r.response for r in handle_answer(draft, message, catalog, language, TODAY)]


def steps(draft, catalog):
    step = next_step(draft, catalog)
    return (step.kind, step.name)


def test_complete_application_with_conditions_and_documents(catalog):
    draft = new_draft(None)
    assert steps(draft, catalog) == ("service", None)
    say(
        draft,
        catalog,
        "test cert chahiye",
        intent="apply_service",
        entities={"service": "test_certificate"},
    )
    assert steps(draft, catalog) == ("eligibility", None)
    say(draft, catalog, "haan", intent="affirm")
    assert steps(draft, catalog) == ("consent", None)  # before any personal detail
    say(draft, catalog, "हाँ", intent="affirm", language="hi")
    assert draft["consent"] is GIVEN
    assert steps(draft, catalog) == ("field", "applicant_name")
    say(draft, catalog, "mera naam sita devi hai")
    say(draft, catalog, "15 अगस्त 1990")
    say(draft, catalog, "OBC")
    assert steps(draft, catalog) == ("field", "annual_income")  # asked only for OBC
    say(draft, catalog, "2.5 lakh")
    say(draft, catalog, "skip")  # optional Aadhaar
    assert steps(draft, catalog) == ("document", "address_proof")
    assert say(
        draft,
        catalog,
        "/document_uploaded",
        intent="document_uploaded",
        document=DOCUMENT,
    ) == ["utter_document_received"]
    assert say(draft, catalog, "baad mein", intent="send_later") == [
        "utter_document_later"
    ]
    assert steps(draft, catalog) == ("summary", None)
    say(draft, catalog, "yes", intent="affirm")  # confirms; consent was given first
    assert draft["status"] == "done"
    assert draft["answers"] == {
        "applicant_name": "Sita Devi",
        "date_of_birth": "1990-08-15",
        "category": "obc",
        "annual_income": 250000,
        "aadhaar": None,
    }
    assert draft["documents"] == {"address_proof": DOCUMENT, "income_proof": "later"}


def test_general_category_skips_income_field_and_document(catalog):
    draft = started(catalog)
    say(draft, catalog, "Ram Lal")
    say(draft, catalog, "01/01/1980")
    say(draft, catalog, "1")  # numbered choice: General
    assert draft["answers"]["category"] == "general"
    assert steps(draft, catalog) == ("field", "aadhaar")
    say(draft, catalog, "2345 6789 0124")
    assert draft["display"]["aadhaar"] == "XXXX XXXX 0124"
    say(
        draft,
        catalog,
        "/document_uploaded",
        intent="document_uploaded",
        document=DOCUMENT,
    )
    assert steps(draft, catalog) == ("summary", None)


def test_two_invalid_answers_explain_again_and_ask_a_person_to_help(catalog):
    draft = started(catalog)
    assert say(draft, catalog, "12345") == ["utter_invalid_name"]
    assert say(draft, catalog, "!!") == [
        "utter_invalid_name",
        "utter_explain_again",
        "utter_handoff_not_understood",  # the helpdesk is asked (actions/handoff.py)
    ]
    assert say(draft, catalog, "??") == ["utter_invalid_name"]  # asked once only
    say(draft, catalog, "Asha Rani")
    assert draft["invalid"] == {}


def test_future_birth_date_is_refused(catalog):
    draft = started(catalog)
    say(draft, catalog, "Asha")
    assert say(draft, catalog, "01/01/2030") == ["utter_invalid_date_in_future"]
    assert steps(draft, catalog) == ("field", "date_of_birth")


def test_stop_asks_for_confirmation_and_can_be_undone(catalog):
    draft = started(catalog)
    say(draft, catalog, "ruko cancel karo", intent="stop")
    assert steps(draft, catalog) == ("confirm_stop", None)
    assert say(draft, catalog, "nahi", intent="deny") == ["utter_continue_application"]
    assert steps(draft, catalog) == ("field", "applicant_name")
    say(draft, catalog, "stop", intent="stop")
    assert say(draft, catalog, "yes", intent="affirm") == [
        "utter_application_cancelled"
    ]
    assert draft["status"] == "cancelled"


def test_fee_question_inside_the_form_is_answered_and_the_form_continues(catalog):
    draft = started(catalog)
    assert say(draft, catalog, "fees kitni hai", intent="ask_fee") == [
        "utter_service_fee"
    ]
    assert steps(draft, catalog) == ("field", "applicant_name")


def test_a_low_confidence_command_is_taken_as_an_answer(catalog):
    draft = started(catalog)
    say(draft, catalog, "Kiran Bedi", intent="ask_fee", confidence=0.4)
    assert draft["answers"]["applicant_name"] == "Kiran Bedi"


def test_text_where_a_document_is_expected_explains_what_is_needed(catalog):
    draft = started(catalog)
    for text in ("Asha", "01/01/1980", "general", "skip"):
        say(draft, catalog, text)
    assert steps(draft, catalog) == ("document", "address_proof")
    assert say(draft, catalog, "my address is laxmi nagar") == [
        "utter_document_expected"
    ]
    assert draft["documents"] == {}


@pytest.mark.parametrize(
    "text, language",
    [
        ("shop photo I will send tomorrow, shutter is down now", "en"),
        ("दुकान की फोटो कल भेजूंगा", "hi"),
        ("photo kal bhej dunga", "hinglish"),
    ],
)
def test_a_day_named_at_a_document_puts_it_off(catalog, text, language):
    draft = started(catalog)
    for answer in ("Asha", "01/01/1980", "general", "skip"):
        say(draft, catalog, answer)
    assert say(draft, catalog, text, language=language) == ["utter_document_later"]
    assert draft["documents"] == {"address_proof": "later"}


def completed_to_summary(catalog):
    draft = started(catalog)
    for text in ("Asha", "01/01/1980", "general", "skip"):
        say(draft, catalog, text)
    say(
        draft,
        catalog,
        "/document_uploaded",
        intent="document_uploaded",
        document=DOCUMENT,
    )
    assert steps(draft, catalog) == ("summary", None)
    return draft


def test_summary_edit_by_number(catalog):
    draft = completed_to_summary(catalog)
    say(draft, catalog, "2")
    assert steps(draft, catalog) == ("field", "date_of_birth")
    say(draft, catalog, "02/02/1982")
    assert draft["answers"]["date_of_birth"] == "1982-02-02"
    assert steps(draft, catalog) == ("summary", None)


@pytest.mark.parametrize(
    ("text", "language", "field"),
    [
        ("naam badlo", "hinglish", "applicant_name"),
        ("change date of birth", "en", "date_of_birth"),
        ("नाम बदलना है", "hi", "applicant_name"),
    ],
)
def test_summary_edit_by_name_in_three_languages(catalog, text, language, field):
    draft = completed_to_summary(catalog)
    say(draft, catalog, text, intent="change_field", language=language)
    assert steps(draft, catalog) == ("field", field)


def test_naming_the_same_service_again_just_continues(catalog):
    draft = started(catalog)
    say(draft, catalog, "Asha")
    say(
        draft,
        catalog,
        "test cert",
        intent="apply_service",
        entities={"service": "test_certificate"},
    )
    assert steps(draft, catalog) == ("field", "date_of_birth")


@pytest.mark.parametrize(
    ("answer", "intent", "status"),
    [("haan", "affirm", "switched"), ("nahi", "deny", "open")],
)
def test_switching_service_asks_whether_to_keep_the_draft(
    catalog, answer, intent, status
):
    draft = started(catalog)
    say(draft, catalog, "Asha")
    say(
        draft,
        catalog,
        "test licence banwana hai",
        intent="apply_service",
        entities={"service": "test_licence"},
    )
    assert steps(draft, catalog) == ("confirm_switch", "test_licence")
    say(draft, catalog, answer, intent=intent)
    assert draft["status"] == status
    assert draft["answers"]["applicant_name"] == "Asha"  # kept either way


def test_refused_consent_asks_nothing_personal(catalog):
    draft = new_draft("test_certificate")
    say(draft, catalog, "yes", intent="affirm")  # eligible
    assert steps(draft, catalog) == ("consent", None)
    assert say(draft, catalog, "no", intent="deny") == ["utter_consent_refused"]
    assert draft["status"] == "declined"
    assert draft["consent"] is None and draft["answers"] == {}


def test_a_draft_without_eligibility_questions_asks_consent_first(catalog):
    service = next(s for s in catalog.services if not s.eligibility)
    draft = new_draft(service.id)
    assert steps(draft, catalog) == ("consent", None)


def test_not_eligible_stops_before_questions(catalog):
    draft = new_draft("test_certificate")
    assert say(draft, catalog, "nahi", intent="deny") == ["utter_not_eligible"]
    assert draft["status"] == "declined"


def test_summary_edit_prefers_the_distinctive_word(catalog):
    draft = completed_to_summary(catalog)
    # "Date of birth" and "Name" rows: "birth" is distinctive
    say(draft, catalog, "change the date of birth please", intent="inform")
    assert steps(draft, catalog) == ("field", "date_of_birth")


def test_choice_aliases_from_the_catalog(catalog):
    from actions.validators import Choice, Valid, validate_choice

    choices = [
        Choice("female", {"en": "Female"}, ("ladki", "लड़की")),
        Choice("male", {"en": "Male"}, ("ladka",)),
    ]
    assert validate_choice("ladki", choices, "en") == Valid("female", "Female")
    assert validate_choice("लड़की", choices, "en") == Valid("female", "Female")
