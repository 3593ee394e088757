"""Persistent de-duplication of message ids, with expiry."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from channels.dedup import RedisDedupStore, SQLiteDedupStore, create_dedup_store
from channels.settings import WhatsAppSettings
from tests.integration.servers import free_port


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


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server not installed"
)
def test_redis_claims_once(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:

        async def scenario():
            store = RedisDedupStore(f"redis://127.0.0.1:{port}/0", ttl_seconds=60)
            for _ in range(50):
                try:
                    assert await store.claim("wamid.r") is True
                    break
                except RedisConnectionError:
                    await asyncio.sleep(0.1)
            assert await store.claim("wamid.r") is False
            await store.close()

        time.sleep(0.2)
        asyncio.run(scenario())
    finally:
        process.terminate()
        process.wait(10)
