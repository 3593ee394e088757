"""Remembers processed WhatsApp message ids, so a redelivery is processed once.

Meta delivers webhooks at least once and retries for days. :meth:`claim` answers True
the first time it sees an id within the expiry window and False afterwards, across
restarts: a SQLite file by default, Redis (``SET NX EX``) when several Rasa servers share
the webhook traffic.

A claim has an *owner* (the inbox row that holds the message, see ``channels/inbox.py``):
claiming again with the same owner answers True. So a message claimed and then
interrupted by a crash is processed when its row is picked up again after the restart,
while the same id stored by another row or another server is still refused.

Redis calls have a connect and a read timeout (``WHATSAPP_DEDUP_REDIS_CONNECT_TIMEOUT``,
``WHATSAPP_DEDUP_REDIS_TIMEOUT``) and an overall deadline, so a Redis that accepts
connections and never answers cannot hold up a citizen's messages. What the channel does
when a claim fails is decided in ``WhatsAppInput._is_new``.
"""

from __future__ import annotations

import asyncio
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
CREATE TABLE IF NOT EXISTS message_claims (
    message_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS message_claims_seen_at ON message_claims (seen_at);
INSERT OR IGNORE INTO message_claims (message_id, owner, seen_at)
    SELECT message_id, '', seen_at FROM processed_messages;
DELETE FROM processed_messages;
"""


class DedupStore(Protocol):
    """Interface of the de-duplication stores."""

    async def claim(self, message_id: str, owner: str = "") -> bool:
        """Records ``message_id`` for ``owner``.

        Returns True when the id is new, or already claimed by the same non-empty
        ``owner``; False when another owner (or an owner-less claim) has it.
        """
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

    async def claim(self, message_id: str, owner: str = "") -> bool:
        """Records ``message_id`` for ``owner``.

        True when it was not seen within the expiry window or was claimed by the same
        non-empty ``owner``.
        """
        self._claims += 1
        purge = self._claims % self.purge_every == 0
        return await self._worker.run(
            lambda connection: self._claim(connection, message_id, owner, purge)
        )

    def _claim(
        self, connection: sqlite3.Connection, message_id: str, owner: str, purge: bool
    ) -> bool:
        now = time.time()
        expired_before = now - self.ttl_seconds
        with connection:
            if purge:
                connection.execute(
                    "DELETE FROM message_claims WHERE seen_at < ?", (expired_before,)
                )
            cursor = connection.execute(
                "INSERT INTO message_claims (message_id, owner, seen_at) "
                "VALUES (?, ?, ?) ON CONFLICT (message_id) DO UPDATE "
                "SET owner = excluded.owner, seen_at = excluded.seen_at "
                "WHERE message_claims.seen_at < ?",
                (message_id, owner, now, expired_before),
            )
            if cursor.rowcount == 1:
                return True
            if not owner:
                return False
            row = connection.execute(
                "SELECT owner FROM message_claims WHERE message_id = ?", (message_id,)
            ).fetchone()
            return row is not None and row[0] == owner

    async def close(self) -> None:
        """Closes the database."""
        self._worker.close()


class RedisDedupStore:
    """De-duplication shared by several servers through Redis.

    Args:
        url: Redis URL (``redis://host:6379/0``).
        ttl_seconds: How long an id is remembered.
        prefix: Key prefix.
        timeout: Seconds to wait for each answer (``socket_timeout``).
        connect_timeout: Seconds to connect (``socket_connect_timeout``).
    """

    def __init__(
        self,
        url: str,
        ttl_seconds: int,
        prefix: str = "whatsapp:seen:",
        timeout: float = 1.0,
        connect_timeout: float = 1.0,
    ) -> None:
        from redis import asyncio as redis_asyncio

        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        # A claim is at most two commands, each with a connect and a read: this bounds
        # it even if a timeout inside the client does not fire.
        self.deadline = 2 * (timeout + connect_timeout) + 0.5
        self._redis = redis_asyncio.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=connect_timeout
        )

    async def claim(self, message_id: str, owner: str = "") -> bool:
        """Sets the key to ``owner`` only if absent.

        True when this call set it or it already holds the same non-empty owner.

        Raises:
            Exception: ``redis`` connection or timeout errors,
                ``asyncio.TimeoutError`` past the overall deadline.
        """
        return await asyncio.wait_for(self._claim(message_id, owner), self.deadline)

    async def _claim(self, message_id: str, owner: str) -> bool:
        key = self.prefix + message_id
        value = (owner or "1").encode()
        if await self._redis.set(key, value, nx=True, ex=self.ttl_seconds):
            return True
        return bool(owner) and await self._redis.get(key) == value

    async def close(self) -> None:
        """Closes the connection pool."""
        await self._redis.close()


def create_dedup_store(settings: WhatsAppSettings) -> DedupStore:
    """Returns the Redis store when a Redis URL is configured, else the SQLite one."""
    url: Optional[str] = settings.dedup_redis_url
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        logger.info("WhatsApp de-duplication in Redis")
        return RedisDedupStore(
            url,
            settings.dedup_ttl_seconds,
            timeout=settings.dedup_redis_timeout,
            connect_timeout=settings.dedup_redis_connect_timeout,
        )
    return SQLiteDedupStore(settings.dedup_db, settings.dedup_ttl_seconds)
