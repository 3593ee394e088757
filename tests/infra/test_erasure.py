"""Erasing a conversation's history: the tracker store deletes what came before the marker."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import AllSlotsReset, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker

from actions.erasure import HISTORY_ERASED, erase_history
from infra.stores import EnvTrackerStore

AADHAAR = "234567890124"
SLOTS = {
    name: {"type": "any", "mappings": [], "influence_conversation": False}
    for name in ("application", "drafts", "language", HISTORY_ERASED)
}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EnvTrackerStore:
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("TRACKER_STORE_KEY", "test key")
    return EnvTrackerStore(domain=Domain.from_dict({"slots": SLOTS}))


def _types(path: Path) -> list:
    with sqlite3.connect(path) as db:
        return [
            row[0] for row in db.execute("SELECT type_name FROM events ORDER BY id")
        ]


def test_erase_history_keeps_every_slot_but_the_dropped_ones():
    tracker = Tracker(
        "c",
        {
            "application": {"aadhaar": AADHAAR},
            "drafts": {"x": 1},
            "language": "hi",
            "requested_slot": "x",
            HISTORY_ERASED: 1.0,
        },
        {},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    events = erase_history(tracker, drop=("application",))
    assert events[0]["event"] == "slot" and events[0]["name"] == HISTORY_ERASED
    assert events[1]["event"] == "reset_slots"
    assert {e["name"]: e["value"] for e in events[2:]} == {
        "drafts": {"x": 1},
        "language": "hi",
    }


def test_the_store_forgets_everything_before_the_marker_once(store, tmp_path):
    domain = store.domain
    tracker = DialogueStateTracker.from_events(
        "citizen",
        [
            UserUttered(f"mera aadhaar {AADHAAR}"),
            SlotSet("application", {"aadhaar": AADHAAR}),
            SlotSet("drafts", {"income_certificate": {"answers": {}}}),
            SlotSet("language", "hi"),
        ],
        slots=domain.slots,
    )
    asyncio.run(store.save(tracker))
    assert len(_types(tmp_path / "tracker.db")) == 4

    for event in [
        BotUttered("आपका आवेदन रद्द कर दिया गया।"),
        SlotSet(HISTORY_ERASED, 1733212345.5),
        AllSlotsReset(),
        SlotSet("drafts", {"income_certificate": {"answers": {}}}),
        SlotSet("language", "hi"),
    ]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # a second save in the same turn adds nothing
    assert _types(tmp_path / "tracker.db") == ["slot", "reset_slots", "slot", "slot"]

    again = asyncio.run(store.retrieve("citizen"))
    assert again is not None
    assert again.get_slot("application") is None
    assert again.get_slot("drafts") == {"income_certificate": {"answers": {}}}
    assert again.get_slot("language") == "hi"
    assert not any(isinstance(e, UserUttered) for e in again.events)

    again.update(UserUttered("status"))
    asyncio.run(store.save(again))
    assert _types(tmp_path / "tracker.db") == [
        "slot",
        "reset_slots",
        "slot",
        "slot",
        "user",
    ]
