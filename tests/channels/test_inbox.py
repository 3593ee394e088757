"""The durable inbox: stored before the 200, processed once, retried, dead letters,
and a real crash (kill -9) after the acknowledgement."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from channels.inbound import parse_webhook, to_payload
from channels.inbox import DONE, FAILED, PENDING, NewEvent, SQLiteInbox
from channels.settings import WhatsAppSettings
from channels.signature import sign
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import APP_SECRET, text_body
from tests.channels.test_webhook import rasa_agent_remembering

ROOT = Path(__file__).resolve().parents[2]


def _event(key: str, event_id: str, unique: bool = True) -> NewEvent:
    return NewEvent(
        queue_key=key,
        kind="message",
        event_id=event_id,
        payload=json.dumps({"id": event_id}),
        unique_key=event_id if unique else None,
    )


def test_rows_survive_a_reopen_in_order_and_a_message_id_is_stored_once(tmp_path):
    async def scenario() -> None:
        inbox = SQLiteInbox(tmp_path / "inbox.db")
        instance = await inbox.open()
        ids = await inbox.add([_event("a", "w1"), _event("b", "w2"), _event("a", "w3")])
        assert None not in ids and ids == sorted(ids)
        again = await inbox.add([_event("a", "w1"), _event("s", "st", unique=False)])
        assert again[0] is None and again[1] is not None
        assert await inbox.add([_event("s", "st", unique=False)]) != [None]
        await inbox.done(ids[1])
        await inbox.close()

        reopened = SQLiteInbox(tmp_path / "inbox.db")
        assert await reopened.open() == instance  # stable owner of its claims
        pending = await reopened.pending()
        assert [row.event_id for row in pending] == ["w1", "w3", "st", "st"]
        assert pending[0].payload == {"id": "w1"}
        with sqlite3.connect(tmp_path / "inbox.db") as db:  # encrypted at rest
            stored = [row[0] for row in db.execute("SELECT payload FROM inbox")]
        assert stored and all(p.startswith("sealed:v1:") for p in stored)
        assert not any("w1" in p for p in stored)
        assert await reopened.start(pending[0].id) == 1
        assert await reopened.start(pending[0].id) == 2
        await reopened.fail(pending[0].id, "boom")
        counts = await reopened.counts()
        assert counts == {PENDING: 3, DONE: 1, FAILED: 1}
        [dead] = await reopened.failed()
        assert (dead["event_id"], dead["attempts"], dead["last_error"]) == (
            "w1",
            2,
            "boom",
        )
        await reopened.close()

    asyncio.run(scenario())


def test_done_rows_are_purged_after_keep_seconds_failed_rows_stay(tmp_path):
    async def scenario() -> None:
        inbox = SQLiteInbox(tmp_path / "inbox.db", keep_seconds=0, purge_every=1)
        first, second = await inbox.add([_event("a", "w1"), _event("a", "w2")])
        assert first is not None and second is not None
        await inbox.done(first)
        await inbox.fail(second, "kept")
        await asyncio.sleep(0.01)
        await inbox.add([_event("a", "w3")])  # purges
        assert await inbox.counts() == {PENDING: 1, DONE: 0, FAILED: 1}
        await inbox.close()

    asyncio.run(scenario())


def _inbox_counts(settings: WhatsAppSettings) -> Dict[str, int]:
    async def count() -> Dict[str, int]:
        inbox = SQLiteInbox(settings.inbox_path)
        try:
            return await inbox.counts()
        finally:
            await inbox.close()

    return asyncio.run(count())


def test_webhook_answers_503_when_the_inbox_cannot_store_then_200(
    serve, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the inbox folder should be")
    settings = settings.with_changes(inbox_db=blocker / "inbox.db")
    server = serve([WhatsAppInput(settings)])
    body = text_body("919800000001", "wamid.503", "Hi")
    assert server.post_whatsapp(body).status_code == 503  # Meta will retry
    server.drain()
    assert server.received == []

    blocker.unlink()  # the disk is back; Meta's retry arrives
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    assert [m.text for m in server.received] == ["Hi"]
    assert _inbox_counts(settings)[DONE] == 1


def test_a_failing_job_is_retried_then_kept_as_failed_and_logged(
    serve, settings, caplog
):
    settings = settings.with_changes(inbox_max_attempts=3, inbox_retry_base_delay=0.01)
    tries: List[str] = []

    async def rasa(message):
        tries.append(message.text)
        if message.text == "always fails":
            raise RuntimeError("tracker store down")
        if message.text == "fails once" and tries.count("fails once") == 1:
            raise RuntimeError("tracker store blinked")

    server = serve([WhatsAppInput(settings)], rasa)
    with caplog.at_level(logging.WARNING, logger="channels.whatsapp"):
        server.post_whatsapp(text_body("919800000001", "wamid.bad", "always fails"))
        server.post_whatsapp(text_body("919800000001", "wamid.once", "fails once"))
        server.post_whatsapp(text_body("919800000001", "wamid.ok", "after"))
        server.drain()
    # Order per citizen holds through the retries.
    assert tries == ["always fails"] * 3 + ["fails once"] * 2 + ["after"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "wamid.bad" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    retried = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("wamid.once" in text for text in retried)
    assert _inbox_counts(settings) == {PENDING: 0, DONE: 2, FAILED: 1}


def test_rows_left_pending_are_processed_at_the_next_start(serve, settings):
    # A previous run stored two messages and stopped before processing them: the
    # second one had already been tried (attempts 1) when the process died.
    async def previous_run() -> None:
        events = [
            *parse_webhook(text_body("919800000001", "wamid.p1", "first")),
            *parse_webhook(text_body("919800000001", "wamid.p2", "second")),
            *parse_webhook(text_body("919800000002", "wamid.p3", "third")),
        ]
        inbox = SQLiteInbox(settings.inbox_path)
        new = []
        for event in events:
            kind, payload = to_payload(event)
            new.append(NewEvent(event.sender_id, kind, event.message_id, payload))
        stored = await inbox.add(new)
        await inbox.start(stored[1])
        for _ in range(3):  # tried 3 times: it brought the process down each time
            await inbox.start(stored[2])
        await inbox.close()

    settings = settings.with_changes(inbox_max_attempts=3)
    asyncio.run(previous_run())
    server = serve([WhatsAppInput(settings)])
    server.drain()
    assert [m.text for m in server.received] == ["first", "second"]
    assert _inbox_counts(settings) == {PENDING: 0, DONE: 2, FAILED: 1}


def test_a_retried_message_already_in_rasas_tracker_is_not_handed_again(
    serve, settings
):
    """A crash after Rasa saved the turn but before the row was marked done."""
    wa_id = "919800000031"
    agent = rasa_agent_remembering(wa_id, "en")
    store = agent.tracker_store

    async def rasa_saving_then_failing(message):
        from rasa.shared.core.events import UserUttered

        tracker = await store.retrieve(message.sender_id)
        tracker.update(UserUttered(message.text, metadata=message.metadata))
        await store.save(tracker)
        if len(server.received) == 1:
            raise RuntimeError("connection to the action server lost after saving")

    settings = settings.with_changes(inbox_retry_base_delay=0.01)
    server = serve([WhatsAppInput(settings)], rasa_saving_then_failing, agent=agent)
    server.post_whatsapp(text_body(wa_id, "wamid.saved", "Hi"))
    server.drain()
    assert [m.text for m in server.received] == ["Hi"]
    assert _inbox_counts(settings) == {PENDING: 0, DONE: 1, FAILED: 0}


# A channel server in its own process, killed with SIGKILL: the real crash.
CHILD = r"""
import asyncio, json, os, sys, time
from pathlib import Path
from channels.settings import DocumentSettings, WhatsAppSettings
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import APP_SECRET, ChannelServer
from tests.channels.fake_graph import TOKEN, FakeGraph

folder, record, delay = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
graph = FakeGraph().start()
settings = WhatsAppSettings(
    access_token=TOKEN, app_secret=APP_SECRET, verify_token="v",
    phone_number_id="1122334455667", graph_url=graph.url,
    dedup_db=folder / "dedup.db", delivery_db=folder / "delivery.db",
    documents=DocumentSettings(), retry_base_delay=0.01,
)

async def slow_rasa(message):
    await asyncio.sleep(delay)  # a slow turn (NLU, actions, the gateway)
    line = message.metadata["whatsapp"]["message_id"] + "\n"
    fd = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, line.encode())
    os.fsync(fd)
    os.close(fd)

server = ChannelServer([WhatsAppInput(settings)], slow_rasa).start()
print(server.port, flush=True)
while True:
    time.sleep(1)
"""


class Child:
    """The channel in a subprocess, on the inbox in ``folder``."""

    def __init__(self, folder: Path, record: Path, delay: float) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder), str(record), str(delay)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip():
            self.process.kill()
            raise RuntimeError("channel subprocess did not start")
        self.url = f"http://127.0.0.1:{int(line)}/webhooks/whatsapp/webhook"

    def post(self, body: Dict[str, Any]) -> int:
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(APP_SECRET, raw),
        }
        return requests.post(
            self.url, data=raw, headers=headers, timeout=10
        ).status_code

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def _lines(record: Path) -> List[str]:
    return record.read_text().split() if record.exists() else []


def _wait_for_lines(record: Path, count: int, timeout: float = 60) -> List[str]:
    deadline = time.monotonic() + timeout
    while len(_lines(record)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return _lines(record)


def _wait_until_done(inbox: Path, message_id: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(inbox) as reader:
            row = reader.execute(
                "SELECT state FROM inbox WHERE event_id = ?", (message_id,)
            ).fetchone()
        if row and row[0] == DONE:
            return
        time.sleep(0.01)
    raise AssertionError(f"{message_id} not marked done")


def test_every_acknowledged_message_is_processed_once_after_kill_9(tmp_path):
    """Five messages acknowledged, the server killed while handling the second:
    after the restart on the same inbox each is processed exactly once, in order."""
    record = tmp_path / "processed.txt"
    wa_id = "919800000055"
    ids = [f"wamid.crash.{n}" for n in range(1, 6)]
    children: List[Child] = []
    try:
        first = Child(tmp_path, record, delay=1.0)
        children.append(first)
        for n, message_id in enumerate(ids, start=1):
            assert first.post(text_body(wa_id, message_id, f"message {n}")) == 200
        assert _wait_for_lines(record, 1) == ids[:1]
        _wait_until_done(tmp_path / "whatsapp_inbox.db", ids[0])
        first.kill()  # inside the second message's 1 s turn
        assert _lines(record) == ids[:1]  # 4 of the 5 acknowledged not yet handled

        second = Child(tmp_path, record, delay=0.05)
        children.append(second)
        assert _wait_for_lines(record, 5) == ids
        # Meta redelivers everything (it may have missed our 200s), then a new one.
        for n, message_id in enumerate(ids, start=1):
            assert second.post(text_body(wa_id, message_id, f"message {n}")) == 200
        assert second.post(text_body(wa_id, "wamid.crash.6", "message 6")) == 200
        assert _wait_for_lines(record, 6) == ids + ["wamid.crash.6"]
    finally:
        for child in children:
            if child.process.poll() is None:
                child.kill()


@pytest.mark.parametrize("attempts", [1, 2])
def test_settings_read_inbox_variables(tmp_path, attempts):
    settings = WhatsAppSettings.from_env(
        {
            "GOV_VAR_DIR": str(tmp_path),
            "WHATSAPP_INBOX_MAX_ATTEMPTS": str(attempts),
            "WHATSAPP_INBOX_RETRY_BASE_DELAY": "0.25",
            "WHATSAPP_WEBHOOK_MAX_BYTES": "2048",
        }
    )
    assert settings.inbox_path == tmp_path / "whatsapp_inbox.db"
    assert settings.inbox_max_attempts == attempts
    assert settings.inbox_retry_base_delay == 0.25
    assert settings.webhook_max_bytes == 2048
    custom = WhatsAppSettings.from_env({"WHATSAPP_INBOX_DB": str(tmp_path / "x.db")})
    assert custom.inbox_path == tmp_path / "x.db"
