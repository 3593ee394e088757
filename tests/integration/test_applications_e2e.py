"""End to end: complete applications over REST with Rasa, the action server and the gateway.

One application per department (English, Hindi and Hinglish), driven by the tracker state
and the catalog only, then checked at the gateway: service, fields, uploaded documents.
Plus: a service added to a copy of the catalog (data only) can be applied for.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.e2e import (
    DEVANAGARI,
    EXTRA_SERVICE_ID,
    Completed,
    Stack,
    apply_over_rest,
    check_at_gateway,
)

# At least one service per department; the language of each conversation.
CASES = [
    ("revenue", "lal_dora_certificate", "hinglish"),
    ("mcd", "death_certificate", "en"),
    ("transport", "driving_licence", "hi"),
    ("food_supplies", "ration_card", "en"),
    ("social_welfare", "udid_disability_certificate", "en"),
    ("women_child", "ladli_scheme", "en"),
    ("labour", "construction_worker_registration", "en"),
]


def test_cases_cover_every_department(e2e: Stack):
    departments = {s.department for s in e2e.catalog}
    assert departments == {department for department, _, _ in CASES}
    for department, service_id, _ in CASES:
        assert e2e.catalog[service_id].department == department


def check_script(done: Completed) -> None:
    """Hindi conversations answer in Devanagari; English and Hinglish in Roman script."""
    assert done.texts, "the assistant said nothing"
    for text in done.texts:
        if done.language == "hi":
            assert DEVANAGARI.search(text), f"not in Hindi: {text!r}"
        else:
            assert not DEVANAGARI.search(text), f"not in {done.language}: {text!r}"


def check_variants(done: Completed) -> None:
    """Every response was the variant of the citizen's language (Rasa's bot metadata).

    Hindi and Hinglish variants carry a ``language`` slot condition; English is the
    unconditioned default. This tells Hinglish from English, which the script cannot.
    """
    bots = [e for e in done.events if e["event"] == "bot" and e.get("metadata")]
    uttered = [e for e in bots if e["metadata"].get("utter_action")]
    assert len(uttered) >= len(done.steps), "fewer responses than questions"
    for event in uttered:
        conditions = event["metadata"].get("condition") or []
        languages = [c.get("value") for c in conditions if c.get("name") == "language"]
        expected = [] if done.language == "en" else [done.language]
        assert languages == expected, (event["metadata"]["utter_action"], event["text"])


@pytest.mark.parametrize(
    ("department", "service_id", "language"),
    CASES,
    ids=[f"{d}-{s}-{lang}" for d, s, lang in CASES],
)
def test_application_is_completed_over_rest_and_reaches_the_gateway(
    e2e: Stack, department: str, service_id: str, language: str
):
    sender = f"e2e-{service_id}-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, service_id, language)
    # Every applicable field was asked, and every offered document (one deferred).
    service = e2e.catalog[service_id]
    asked = [name for kind, name in done.steps if kind == "field"]
    assert asked == [f.name for f in service.applicable_fields(done.expected_fields)]
    documents = [name for kind, name in done.steps if kind == "document"]
    assert documents == [
        d.type for d in service.offered_documents(done.expected_fields)
    ]
    assert len(done.later) == 1 and done.uploaded
    check_at_gateway(e2e, done)
    check_script(done)
    check_variants(done)


def test_a_service_added_as_data_only_can_be_applied_for(e2e: Stack):
    """test_noc_certificate exists only in the test catalog copy (no Python change)."""
    from catalog.loader import load_catalog

    assert EXTRA_SERVICE_ID not in load_catalog()  # not in the shipped catalog
    service = e2e.catalog[EXTRA_SERVICE_ID]
    assert len(service.fields) == 2 and len(service.documents) == 1
    sender = f"e2e-noc-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, EXTRA_SERVICE_ID, "en")
    assert [kind for kind, _ in done.steps] == [
        "eligibility",
        "consent",
        "field",
        "field",
        "document",
        "summary",
    ]
    application = check_at_gateway(e2e, done)
    assert application["fields"] == {
        "applicant_name": "Asha Verma",
        "mobile": "9876543210",
    }
    assert list(done.uploaded) == ["noc_request_letter"]
    check_script(done)
    check_variants(done)
