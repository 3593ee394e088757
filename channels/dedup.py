"""Remembers processed WhatsApp message ids, so a redelivery is processed once.

Meta delivers webhooks at least once and retries for days. :meth:`claim` answers True
the first time it sees an id within the expiry window and False afterwards, across
restarts: a SQLite file by default, Redis (``SET NX EX``) when several Rasa servers share
the webhook traffic.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any, Optional, Protocol

from channels.settings import WhatsAppSettings
from channels.sqlite_worker import SQLiteWorker

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_messages (
    message_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS processed_messages_seen_at
    ON processed_messages (seen_at);
"""


class DedupStore(Protocol):
    """Interface of the de-duplication stores."""

    async def claim(self, message_id: str) -> bool:
        """Returns True if ``message_id`` is new (and records it), False if seen."""
        ...

    async def close(self) -> None:
        """Releases connections."""
        ...


class SQLiteDedupStore:
    """De-duplication in a SQLite file.

    Args:
        path: Database file (created when missing).
        ttl_seconds: How long an id is remembered.
        purge_every: Expired rows are deleted once per this many claims.
    """

    def __init__(self, path: Any, ttl_seconds: int, purge_every: int = 1000) -> None:
        self.ttl_seconds = ttl_seconds
        self.purge_every = purge_every
        self._claims = 0
        self._worker = SQLiteWorker(path, _SCHEMA)

    async def claim(self, message_id: str) -> bool:
        """Records ``message_id``; True when it was not seen within the expiry window."""
        self._claims += 1
        purge = self._claims % self.purge_every == 0
        return await self._worker.run(
            lambda connection: self._claim(connection, message_id, purge)
        )

    def _claim(
        self, connection: sqlite3.Connection, message_id: str, purge: bool
    ) -> bool:
        now = time.time()
        expired_before = now - self.ttl_seconds
        with connection:
            if purge:
                connection.execute(
                    "DELETE FROM processed_messages WHERE seen_at < ?",
                    (expired_before,),
                )
            cursor = connection.execute(
                "INSERT INTO processed_messages (message_id, seen_at) VALUES (?, ?) "
                "ON CONFLICT (message_id) DO UPDATE SET seen_at = excluded.seen_at "
                "WHERE processed_messages.seen_at < ?",
                (message_id, now, expired_before),
            )
            return cursor.rowcount == 1

    async def close(self) -> None:
        """Closes the database."""
        self._worker.close()


class RedisDedupStore:
    """De-duplication shared by several servers through Redis.

    Args:
        url: Redis URL (``redis://host:6379/0``).
        ttl_seconds: How long an id is remembered.
        prefix: Key prefix.
    """

    def __init__(
        self, url: str, ttl_seconds: int, prefix: str = "whatsapp:seen:"
    ) -> None:
        from redis import asyncio as redis_asyncio

        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self._redis = redis_asyncio.from_url(url)

    async def claim(self, message_id: str) -> bool:
        """Sets the key only if absent; True when this call set it."""
        created = await self._redis.set(
            self.prefix + message_id, b"1", nx=True, ex=self.ttl_seconds
        )
        return bool(created)

    async def close(self) -> None:
        """Closes the connection pool."""
        await self._redis.close()


def create_dedup_store(settings: WhatsAppSettings) -> DedupStore:
    """Returns the Redis store when a Redis URL is configured, else the SQLite one."""
    url: Optional[str] = settings.dedup_redis_url
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        logger.info("WhatsApp de-duplication in Redis")
        return RedisDedupStore(url, settings.dedup_ttl_seconds)
    return SQLiteDedupStore(settings.dedup_db, settings.dedup_ttl_seconds)
