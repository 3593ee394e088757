"""Conversations are encrypted in the tracker store and masked for the event broker."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from infra.sealing import EventSeal, MissingKey, masked
from infra.stores import EnvTrackerStore

AADHAAR = "234567890124"
EVENT = {"event": "user", "text": f"mera aadhaar {AADHAAR} hai", "timestamp": 1.5}


def test_a_sealed_event_opens_to_the_same_event_and_hides_its_text():
    seal = EventSeal(["key one"])
    sealed = seal.seal(EVENT)
    assert sealed.startswith("sealed:v1:") and "aadhaar" not in sealed
    assert seal.open(sealed) == EVENT


def test_rows_written_before_sealing_are_still_read():
    assert EventSeal(["key"]).open('{"event": "bot", "text": "hi"}') == {
        "event": "bot",
        "text": "hi",
    }


def test_a_wrong_key_is_an_error_not_an_empty_conversation():
    sealed = EventSeal(["right"]).seal(EVENT)
    with pytest.raises(ValueError, match="TRACKER_STORE_KEY"):
        EventSeal(["wrong"]).open(sealed)


def test_keys_rotate_new_first_old_still_opens():
    old = EventSeal(["old"]).seal(EVENT)
    rotated = EventSeal(["new", "old"])
    assert rotated.open(old) == EVENT
    assert EventSeal(["new"]).open(rotated.seal(EVENT)) == EVENT


def test_a_configured_database_needs_a_key(tmp_path):
    env = {"TRACKER_STORE_URL": "postgresql://db/rasa", "GOV_VAR_DIR": str(tmp_path)}
    with pytest.raises(MissingKey, match="TRACKER_STORE_KEY"):
        EventSeal.from_env(env)


def test_the_embedded_default_keeps_one_key_in_var(tmp_path):
    env = {"GOV_VAR_DIR": str(tmp_path)}
    sealed = EventSeal.from_env(env).seal(EVENT)
    assert "TRACKER_STORE_KEY=" in (tmp_path / "secrets.env").read_text()
    assert EventSeal.from_env(env).open(sealed) == EVENT  # the same key next start


def test_pseudonyms_are_stable_per_key_and_hide_the_id():
    seal = EventSeal(["key"])
    assert seal.pseudonym("919876543210") == seal.pseudonym("919876543210")
    assert seal.pseudonym("919876543210") != seal.pseudonym("919876543211")
    assert seal.pseudonym("919876543210") != EventSeal(["other"]).pseudonym(
        "919876543210"
    )
    assert "3210" not in seal.pseudonym("919876543210")


def test_broker_events_have_personal_numbers_masked_everywhere():
    event = {
        "text": f"aadhaar {AADHAAR}",
        "parse_data": {"entities": [{"value": "+91 98765 43210"}]},
        "value": AADHAAR,
        "confidence": 0.9,
    }
    assert masked(event) == {
        "text": "aadhaar XXXXXXXX0124",
        "parse_data": {"entities": [{"value": "+XX XXXXX X3210"}]},
        "value": "XXXXXXXX0124",
        "confidence": 0.9,
    }


def test_the_tracker_store_keeps_events_sealed_and_gives_them_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("TRACKER_STORE_KEY", "test key")
    domain = Domain.from_dict({"slots": {"aadhaar": {"type": "any", "mappings": []}}})
    store = EnvTrackerStore(domain=domain)
    tracker = DialogueStateTracker.from_events(
        "citizen-1",
        [UserUttered(f"mera aadhaar {AADHAAR}"), SlotSet("aadhaar", AADHAAR)],
        slots=domain.slots,
    )
    asyncio.run(store.save(tracker))

    with sqlite3.connect(tmp_path / "tracker.db") as db:
        rows = [data for (data,) in db.execute("SELECT data FROM events")]
    assert len(rows) == 2 and not any(AADHAAR in data for data in rows)

    again = asyncio.run(store.retrieve("citizen-1"))
    assert again is not None
    assert again.get_slot("aadhaar") == AADHAAR
    assert again.latest_message.text == f"mera aadhaar {AADHAAR}"
