"""The consent record: its time, and the version of the exact wording the citizen saw."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import yaml

from actions.consent import CONSENT_VERSION, CONSENT_VERSIONS, record_consent
from actions.form_steps import GIVEN, new_draft

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


def consent_wording_digest() -> str:
    """SHA-256 of the consent question's texts in every language, as in domain.yml."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    texts = sorted(variation["text"] for variation in responses["utter_ask_consent"])
    assert len(texts) == 3, "the consent question must exist in en, hi and hinglish"
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def test_the_wording_shown_is_the_wording_of_the_current_version() -> None:
    assert CONSENT_VERSIONS[CONSENT_VERSION] == consent_wording_digest(), (
        "utter_ask_consent changed: add a new version to CONSENT_VERSIONS in "
        f"actions/consent.py with the digest {consent_wording_digest()}"
    )


def test_versions_are_never_reused_for_another_wording() -> None:
    assert len(set(CONSENT_VERSIONS.values())) == len(CONSENT_VERSIONS)


def test_a_fresh_yes_becomes_a_record_with_time_version_and_language() -> None:
    draft = {**new_draft("birth_certificate"), "consent": GIVEN}
    now = datetime(2026, 12, 3, 10, 15, tzinfo=timezone.utc)
    record_consent(draft, "hi", now)
    assert draft["consent"] == {
        "given_at": "2026-12-03T10:15:00+00:00",
        "version": f"{CONSENT_VERSION}-hi",
        "method": "chat",
    }
    record_consent(draft, "en")  # an existing record is kept as it was
    assert draft["consent"]["given_at"] == "2026-12-03T10:15:00+00:00"


def test_no_answer_yet_records_nothing() -> None:
    draft = new_draft("birth_certificate")
    record_consent(draft, "en")
    assert draft["consent"] is None
