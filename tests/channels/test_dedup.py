"""Persistent de-duplication of message ids, with expiry."""

from __future__ import annotations

import asyncio
import uuid

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
