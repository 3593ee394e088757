"""The tracker store's session cache: same trackers as Rasa's full read, fewer rows read."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from infra.stores import EnvTrackerStore
from infra.tracker_cache import Row, Session, SessionCache

SLOTS = {"language": {"type": "any", "mappings": [], "influence_conversation": False}}
SENDER = "citizen"


class CountingStore(EnvTrackerStore):
    """The product's store, counting the rows it decrypts."""

    opened = 0

    def _row(self, row):  # type: ignore[no-untyped-def]
        self.opened += 1
        return super()._row(row)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("TRACKER_STORE_KEY", "test key")
    return tmp_path


def new_store() -> CountingStore:
    return CountingStore(domain=Domain.from_dict({"slots": SLOTS}))


def turn(number: int) -> List[Event]:
    stamp = 1000.0 + 10 * number
    return [
        UserUttered(f"message {number}", timestamp=stamp),
        SlotSet("language", "hi" if number % 2 else "en", timestamp=stamp + 1),
        BotUttered(f"answer {number}", timestamp=stamp + 2),
        ActionExecuted("action_listen", timestamp=stamp + 3),
    ]


def talk(store: EnvTrackerStore, *numbers: int) -> DialogueStateTracker:
    """Retrieves the conversation, adds the turns, saves it; returns what was saved."""
    tracker = asyncio.run(store.retrieve(SENDER)) or DialogueStateTracker(
        SENDER, store.domain.slots
    )
    for number in numbers:
        for event in turn(number):
            tracker.update(event)
    asyncio.run(store.save(tracker))
    return tracker


def as_rasa_reads(store: EnvTrackerStore) -> List[dict]:
    """The latest session as Rasa's own (uncached) query reads it."""
    with store.session_scope() as session:
        rows = store._event_query(session, SENDER, False).all()
        return [store.seal.open(r.data) for r in rows]


def events_of(tracker: DialogueStateTracker) -> List[dict]:
    return [e.as_dict() for e in tracker.events]


def test_each_read_decrypts_only_the_rows_stored_since(env):
    store = new_store()
    talk(store, 1, 2, 3)
    talk(store, 4)
    assert store.opened == 12  # 3 turns on the first read, then nothing new
    store.opened = 0
    tracker = asyncio.run(store.retrieve(SENDER))
    assert store.opened == 4  # the turn saved since
    assert events_of(tracker) == as_rasa_reads(store)
    assert tracker.get_slot("language") == "en"


def test_another_servers_rows_are_read(env):
    first, second = new_store(), new_store()
    talk(first, 1)
    talk(second, 2)  # another Rasa server answers the next message
    tracker = asyncio.run(first.retrieve(SENDER))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "message 1",
        "message 2",
    ]


def test_rows_deleted_elsewhere_are_not_served_from_memory(env):
    store = new_store()
    talk(store, 1, 2)
    asyncio.run(store.retrieve(SENDER))
    with sqlite3.connect(env / "tracker.db") as db:  # e.g. the retention job
        db.execute("DELETE FROM events WHERE sender_id = ?", (SENDER,))
    assert asyncio.run(store.retrieve(SENDER)) is None


def test_a_new_session_drops_the_old_one_as_rasas_query_does(env):
    store = new_store()
    talk(store, 1, 2)
    tracker = asyncio.run(store.retrieve(SENDER))
    for event in (
        ActionExecuted("action_session_start", timestamp=2000.0),
        SessionStarted(timestamp=2000.5),
        SlotSet("language", "hi", timestamp=2000.6),
        ActionExecuted("action_listen", timestamp=2000.7),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    talk(store, 150)
    cached = asyncio.run(store.retrieve(SENDER))
    assert events_of(cached) == as_rasa_reads(store)
    assert events_of(cached)[0]["event"] == "session_started"
    full = asyncio.run(store.retrieve_full_tracker(SENDER))
    assert len(full.events) > len(cached.events)


def test_without_the_cache_the_store_reads_everything(env, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_CONVERSATIONS", "0")
    store = new_store()
    talk(store, 1)
    talk(store, 2)
    assert store.opened == 0 and len(store.cache) == 0
    assert len(asyncio.run(store.retrieve(SENDER)).events) == 8


def test_the_cache_keeps_the_recent_conversations_only():
    now = [0.0]
    cache = SessionCache(size=2, idle_seconds=60, clock=lambda: now[0])
    row = Row(1, "user", 1.0, "{}")
    for sender in ("a", "b", "c"):
        cache.put(sender, Session([row], 1, 1, None))
    assert cache.get("a") is None and len(cache) == 2  # least recently used went
    now[0] = 61.0
    assert cache.get("c") is None and len(cache) == 0  # idle too long
    off = SessionCache(size=0, idle_seconds=60)
    off.put("a", Session([row], 1, 1, None))
    assert not off.enabled and off.get("a") is None
