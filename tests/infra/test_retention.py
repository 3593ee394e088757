"""Retention and erasure on the Rasa side, on the stores' own files (written by their code)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.delivery import DeliveryStore
from channels.inbox import NewEvent, SQLiteInbox
from channels.mailbox import RestMailbox
from infra.retention import DAY, Retention, erase_conversation, expire, main
from infra.stores import EnvTrackerStore

NOW = time.time()
OLD, RECENT = "919800000001", "919800000002"


@pytest.fixture
def retention(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Retention:
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_STORE_KEY", "test key")
    for name in ("TRACKER_STORE_URL", "WHATSAPP_INBOX_DB", "WHATSAPP_DELIVERY_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("REST_MAILBOX_DB", raising=False)
    retention = Retention.from_env()
    store = EnvTrackerStore(domain=Domain.empty())
    for sender, age in ((OLD, 200 * DAY), (RECENT, DAY)):
        message = UserUttered("namaste", timestamp=NOW - age)
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, [message])))

    async def channels() -> None:
        inbox = SQLiteInbox(retention.inbox)
        [row] = await inbox.add([NewEvent(OLD, "message", "w1", '{"id": "w1"}', "w1")])
        await inbox.fail(row, "boom")
        await inbox.close()
        delivery = DeliveryStore(retention.delivery)
        await delivery.record_sent("m1", OLD, "text", "Aapka aavedan mil gaya")
        await delivery.record_sent("m2", RECENT, "text", "Namaste")
        await delivery.close()
        mailbox = RestMailbox(retention.mailbox)
        await mailbox.put(OLD, {"text": "hello"})
        mailbox.close()

    asyncio.run(channels())
    return retention


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(sql).fetchone()[0])


def test_erasing_a_conversation_removes_it_from_every_store(retention, tmp_path):
    deleted = erase_conversation(retention, OLD)
    assert deleted == {"tracker_events": 1, "inbox": 1, "delivery": 1, "mailbox": 1}
    tracker = tmp_path / "tracker.db"
    assert (
        _count(tracker, f"SELECT count(*) FROM events WHERE sender_id = '{OLD}'") == 0
    )
    assert _count(tracker, "SELECT count(*) FROM events") == 1  # the other citizen
    assert _count(retention.delivery, "SELECT count(*) FROM sent_messages") == 1
    assert erase_conversation(retention, OLD) == dict.fromkeys(deleted, 0)


def test_expiry_removes_idle_conversations_and_old_records_only(retention, tmp_path):
    later = NOW + 31 * DAY  # the delivery rows are 31 days old, RECENT idle 32 days
    deleted = expire(retention, now=later)
    assert deleted == {"tracker_events": 1, "inbox": 1, "delivery": 2}
    senders = {
        row[0]
        for row in sqlite3.connect(tmp_path / "tracker.db").execute(
            "SELECT sender_id FROM events"
        )
    }
    assert senders == {RECENT}
    assert expire(retention, now=later) == dict.fromkeys(deleted, 0)


def test_nothing_to_do_on_a_fresh_machine(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    assert main(["expire"]) == 0
    assert '"tracker_events": 0' in capsys.readouterr().out


def test_a_retention_period_below_one_day_is_refused(monkeypatch):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="CONVERSATION_RETENTION_DAYS"):
        Retention.from_env()


def test_an_operator_erasure_goes_to_the_gateway_first(
    retention, tmp_path, monkeypatch, capsys
):
    from tests.actions.test_edistrict_client import FakeGateway

    gateway = FakeGateway()
    monkeypatch.setenv("EDISTRICT_URL", gateway.url)
    gateway.script = [(503, {})]
    assert main(["erase", OLD, "--requested-by", "dpo-desk"]) == 1
    tracker = tmp_path / "tracker.db"
    held = f"SELECT count(*) FROM events WHERE sender_id = '{OLD}'"
    assert _count(tracker, held) == 1  # the gateway did not erase: nothing here either
    gateway.script = [(200, {"withdrawn": 1, "unlinked": 1})]
    assert main(["erase", OLD, "--requested-by", "dpo-desk"]) == 0
    request = gateway.requests[-1]
    assert request["path"] == "/api/v1/erasure"
    assert request["headers"]["X-Citizen-Id"] == OLD
    assert request["headers"]["X-Requested-By"] == "dpo-desk"
    assert '"gateway_withdrawn": 1' in capsys.readouterr().out
    assert _count(tracker, held) == 0
    gateway.server.shutdown()
