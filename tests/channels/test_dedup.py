"""Persistent de-duplication of message ids, with expiry."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from typing import Any, Iterator

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from channels.dedup import RedisDedupStore, SQLiteDedupStore, create_dedup_store
from channels.settings import WhatsAppSettings
from tests.conftest import require_service


def test_sqlite_claims_once_across_restarts_and_forgets_after_expiry(tmp_path):
    async def scenario():
        path = tmp_path / "dedup.db"
        store = SQLiteDedupStore(path, ttl_seconds=1, purge_every=2)
        assert await store.claim("wamid.a") is True
        assert await store.claim("wamid.a") is False
        await store.close()
        reopened = SQLiteDedupStore(path, ttl_seconds=1, purge_every=2)
        assert await reopened.claim("wamid.a") is False
        assert await reopened.claim("wamid.b") is True
        await asyncio.sleep(1.1)
        assert await reopened.claim("wamid.a") is True  # expired: new again
        await reopened.close()

    asyncio.run(scenario())


def test_redis_is_chosen_from_lock_store_url(tmp_path):
    settings = WhatsAppSettings.from_env(
        {"GOV_VAR_DIR": str(tmp_path), "LOCK_STORE_URL": "redis://127.0.0.1:1/0"}
    )
    assert settings.dedup_redis_url == "redis://127.0.0.1:1/0"
    assert isinstance(create_dedup_store(settings), RedisDedupStore)
    local = WhatsAppSettings.from_env({"GOV_VAR_DIR": str(tmp_path)})
    assert isinstance(create_dedup_store(local), SQLiteDedupStore)
    assert local.dedup_db == tmp_path / "whatsapp_dedup.db"


def test_redis_claims_once():
    require_service("Redis", "127.0.0.1", 6379)
    message_id = f"wamid.test-{uuid.uuid4().hex}"

    async def scenario():
        store = RedisDedupStore("redis://127.0.0.1:6379/0", ttl_seconds=60)
        assert await store.claim(message_id) is True
        assert await store.claim(message_id) is False
        await store.close()

    asyncio.run(scenario())


def test_sqlite_claim_by_the_same_owner_is_granted_again(tmp_path):
    async def scenario():
        path = tmp_path / "dedup.db"
        store = SQLiteDedupStore(path, ttl_seconds=60)
        assert await store.claim("wamid.c", owner="inbox:1") is True
        await store.close()
        # After a crash the same inbox row claims again: granted.
        reopened = SQLiteDedupStore(path, ttl_seconds=60)
        assert await reopened.claim("wamid.c", owner="inbox:1") is True
        # Another row, another server, or an owner-less claim: refused.
        assert await reopened.claim("wamid.c", owner="inbox:2") is False
        assert await reopened.claim("wamid.c", owner="other:1") is False
        assert await reopened.claim("wamid.c") is False
        assert await reopened.claim("wamid.d") is True
        assert await reopened.claim("wamid.d") is False
        await reopened.close()

    asyncio.run(scenario())


def test_sqlite_ids_seen_before_the_owner_column_stay_seen(tmp_path):
    path = tmp_path / "dedup.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE processed_messages (message_id TEXT PRIMARY KEY,"
        " seen_at REAL NOT NULL);"
    )
    old.execute(
        "INSERT INTO processed_messages VALUES ('wamid.old', ?)", (time.time(),)
    )
    old.commit()
    old.close()

    async def scenario():
        store = SQLiteDedupStore(path, ttl_seconds=60)
        assert await store.claim("wamid.old", owner="inbox:1") is False
        await store.close()

    asyncio.run(scenario())


def test_redis_claim_by_the_same_owner_is_granted_again():
    require_service("Redis", "127.0.0.1", 6379)
    message_id = f"wamid.test-{uuid.uuid4().hex}"

    async def scenario():
        store = RedisDedupStore("redis://127.0.0.1:6379/0", ttl_seconds=60)
        assert await store.claim(message_id, owner="inbox:1") is True
        assert await store.claim(message_id, owner="inbox:1") is True
        assert await store.claim(message_id, owner="inbox:2") is False
        assert await store.claim(message_id) is False
        await store.close()

    asyncio.run(scenario())


class SilentRedis:
    """A TCP server that accepts connections, reads what it gets, never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = b""
        self.loop = asyncio.new_event_loop()
        self._server: Any = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    async def _client(self, reader: asyncio.StreamReader, _: Any) -> None:
        self.connections += 1
        while data := await reader.read(1024):
            self.received += data

    def start(self) -> SilentRedis:
        self._thread.start()

        async def serve() -> Any:
            return await asyncio.start_server(self._client, "127.0.0.1", 0)

        future = asyncio.run_coroutine_threadsafe(serve(), self.loop)
        self._server = future.result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self._server.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture
def silent_redis() -> Iterator[SilentRedis]:
    server = SilentRedis().start()
    yield server
    server.stop()


def test_redis_that_never_answers_fails_the_claim_instead_of_hanging(silent_redis):
    async def scenario():
        store = RedisDedupStore(
            silent_redis.url, ttl_seconds=60, timeout=0.2, connect_timeout=0.2
        )
        claim = asyncio.ensure_future(store.claim("wamid.t", owner="inbox:1"))
        # Only turns a hang into a failure; the store's own timeouts fire long before.
        done, _ = await asyncio.wait({claim}, timeout=20)
        await store.close()
        if not done:
            claim.cancel()
            pytest.fail("a claim against a Redis that never answers hung")
        return claim.exception()

    error = asyncio.run(scenario())
    assert isinstance(error, RedisTimeoutError), repr(error)
    assert silent_redis.connections >= 1
    assert b"wamid.t" in silent_redis.received  # the SET was sent, never answered


def test_redis_timeouts_come_from_the_environment(tmp_path):
    settings = WhatsAppSettings.from_env(
        {
            "GOV_VAR_DIR": str(tmp_path),
            "WHATSAPP_DEDUP_REDIS_URL": "redis://127.0.0.1:1/0",
            "WHATSAPP_DEDUP_REDIS_TIMEOUT": "0.3",
            "WHATSAPP_DEDUP_REDIS_CONNECT_TIMEOUT": "0.4",
        }
    )
    store = create_dedup_store(settings)
    assert isinstance(store, RedisDedupStore)
    kwargs = store._redis.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (0.3, 0.4)
    assert store.deadline == pytest.approx(2 * (0.3 + 0.4) + 0.5)
