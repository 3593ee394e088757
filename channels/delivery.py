"""Delivery state of the messages the assistant sent (from ``statuses`` webhooks)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from channels.sqlite_worker import SQLiteWorker

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_messages (
    message_id TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT,
    status TEXT NOT NULL,
    error_code INTEGER,
    error TEXT,
    updated_at REAL NOT NULL,
    language TEXT
);
"""
# A database made before the language was kept gets the column (None: English).
_LANGUAGE_COLUMN = "ALTER TABLE sent_messages ADD COLUMN language TEXT"

NOTIFICATION = "notification"
REPLY = "reply"


@dataclass(frozen=True)
class SentMessage:
    """A message we sent and what became of it.

    Attributes:
        message_id: WhatsApp id of the message.
        recipient_id: Citizen's WhatsApp id.
        kind: ``reply`` (answer within a conversation) or ``notification``.
        text: Text sent (kept for notifications, to resend as a template).
        status: Last status: ``accepted``, ``sent``, ``delivered``, ``read``, ``failed``.
        error_code: Graph error code of a failure.
        error: Error details (JSON) of a failure.
        language: The response's language (kept with the text: the template's).
    """

    message_id: str
    recipient_id: str
    kind: str
    text: Optional[str]
    status: str
    error_code: Optional[int]
    error: Optional[str]
    language: Optional[str] = None


class DeliveryStore:
    """SQLite table of sent messages and their latest status.

    Args:
        path: Database file (created when missing).
    """

    def __init__(self, path: Path) -> None:
        self._worker = SQLiteWorker(path, _SCHEMA)
        self._migrated = False

    def _ready(self, connection: sqlite3.Connection) -> sqlite3.Connection:
        """The connection, once the table has every column (runs in the worker)."""
        if not self._migrated:
            columns = {
                row[1] for row in connection.execute("PRAGMA table_info(sent_messages)")
            }
            if "language" not in columns:
                try:
                    with connection:
                        connection.execute(_LANGUAGE_COLUMN)
                except sqlite3.OperationalError as error:  # added by another process
                    if "duplicate column" not in str(error):
                        raise
            self._migrated = True
        return connection

    async def record_sent(
        self,
        message_id: str,
        recipient_id: str,
        kind: str,
        text: Optional[str],
        language: Optional[str] = None,
    ) -> None:
        """Records a message the Graph API accepted."""
        await self._worker.run(
            lambda connection: self._insert(
                self._ready(connection), message_id, recipient_id, kind, text, language
            )
        )

    @staticmethod
    def _insert(
        connection: sqlite3.Connection,
        message_id: str,
        recipient_id: str,
        kind: str,
        text: Optional[str],
        language: Optional[str],
    ) -> None:
        with connection:
            connection.execute(
                "INSERT OR IGNORE INTO sent_messages (message_id, recipient_id, kind, "
                "text, status, updated_at, language) "
                "VALUES (?, ?, ?, ?, 'accepted', ?, ?)",
                (message_id, recipient_id, kind, text, time.time(), language),
            )

    async def update_status(
        self,
        message_id: str,
        recipient_id: str,
        status: str,
        error: Optional[Dict[str, Any]] = None,
    ) -> SentMessage:
        """Stores a status; unknown messages are added (sent by another server).

        Args:
            message_id: WhatsApp id of our message.
            recipient_id: Citizen's WhatsApp id.
            status: New status.
            error: First error object of a failed status.

        Returns:
            The updated record.
        """
        return await self._worker.run(
            lambda connection: self._update(
                self._ready(connection), message_id, recipient_id, status, error
            )
        )

    @staticmethod
    def _update(
        connection: sqlite3.Connection,
        message_id: str,
        recipient_id: str,
        status: str,
        error: Optional[Dict[str, Any]],
    ) -> SentMessage:
        code = error.get("code") if error else None
        details = json.dumps(error, ensure_ascii=False) if error else None
        with connection:
            connection.execute(
                "INSERT INTO sent_messages (message_id, recipient_id, kind, status, "
                "error_code, error, updated_at) VALUES (?, ?, 'unknown', ?, ?, ?, ?) "
                "ON CONFLICT (message_id) DO UPDATE SET status = excluded.status, "
                "error_code = COALESCE(excluded.error_code, error_code), "
                "error = COALESCE(excluded.error, error), updated_at = excluded.updated_at",
                (message_id, recipient_id, status, code, details, time.time()),
            )
        found = DeliveryStore._select(connection, message_id)
        assert found is not None
        return found

    @staticmethod
    def _select(
        connection: sqlite3.Connection, message_id: str
    ) -> Optional[SentMessage]:
        row = connection.execute(
            "SELECT message_id, recipient_id, kind, text, status, error_code, error, "
            "language FROM sent_messages WHERE message_id = ?",
            (message_id,),
        ).fetchone()
        return SentMessage(*row) if row else None

    async def get(self, message_id: str) -> Optional[SentMessage]:
        """Returns the record of a message, or None."""
        return await self._worker.run(
            lambda connection: self._select(self._ready(connection), message_id)
        )

    async def close(self) -> None:
        """Closes the database."""
        self._worker.close()
