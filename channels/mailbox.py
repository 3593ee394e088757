"""Durable per-conversation mailbox of the REST channel's pushed messages.

A REST citizen (terminal chat, CSC operator) only ever sees the answer to its own POST.
Messages Rasa sends outside such a request (the gateway's ``trigger_intent``
notifications: status changes, the certificate link) go to the REST channel's
:class:`MailboxOutputChannel`, which stores each one, in the JSON shape the webhook
returns, under its recipient (the sender id). The channel hands them out, oldest first,
at the start of that sender's next webhook answer or on ``GET /webhooks/rest/inbox``.

Storage is one SQLite file (``REST_MAILBOX_DB``, default ``var/rest_mailbox.db``) in WAL
mode with ``synchronous=FULL``: a message is on disk before ``trigger_intent`` answers (so
before the gateway's outbox marks it delivered), and several Rasa processes can share
the file. :meth:`RestMailbox.take` reads and deletes in one statement, so two concurrent
readers (in one process or several) never get the same message. Writing enforces the
bounds: messages older than ``keep_seconds`` are dropped, and a recipient keeps only its
newest ``max_messages``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel

from channels.settings import (
    DEFAULT_REST_MAILBOX_KEEP_SECONDS,
    DEFAULT_REST_MAILBOX_SIZE,
    RestMailboxSettings,
)
from channels.sqlite_worker import SQLiteWorker

logger = logging.getLogger(__name__)

_SCHEMA = """
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS rest_mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    created_at REAL NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rest_mailbox_recipient ON rest_mailbox (recipient, id);
CREATE INDEX IF NOT EXISTS rest_mailbox_created ON rest_mailbox (created_at);
"""


class RestMailbox:
    """Pending messages per recipient in a SQLite file.

    Args:
        path: Database file (created, with its folder, on the first write).
        max_messages: Newest messages kept per recipient.
        keep_seconds: Age after which an undelivered message is dropped.
    """

    def __init__(
        self,
        path: Path,
        max_messages: int = DEFAULT_REST_MAILBOX_SIZE,
        keep_seconds: int = DEFAULT_REST_MAILBOX_KEEP_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.max_messages = max(1, max_messages)
        self.keep_seconds = keep_seconds
        self._worker = SQLiteWorker(self.path, _SCHEMA)
        self._opened = False

    @classmethod
    def from_settings(cls, settings: RestMailboxSettings) -> RestMailbox:
        """The mailbox described by ``settings``."""
        return cls(settings.path, settings.max_messages, settings.keep_seconds)

    async def put(self, recipient: str, message: Dict[str, Any]) -> None:
        """Stores ``message`` for ``recipient`` (on disk when this returns).

        Raises:
            TypeError: ``message`` is not JSON-serialisable.
            sqlite3.Error: the database could not be written.
        """
        payload = json.dumps(message, ensure_ascii=False)
        self._opened = True
        await self._worker.run(
            lambda connection: self._put(connection, recipient, payload)
        )

    def _put(
        self, connection: sqlite3.Connection, recipient: str, payload: str
    ) -> None:
        now = time.time()
        with connection:
            connection.execute(
                "DELETE FROM rest_mailbox WHERE created_at < ?",
                (now - self.keep_seconds,),
            )
            connection.execute(
                "INSERT INTO rest_mailbox (recipient, created_at, payload) "
                "VALUES (?, ?, ?)",
                (recipient, now, payload),
            )
            connection.execute(
                "DELETE FROM rest_mailbox WHERE recipient = ? AND id NOT IN "
                "(SELECT id FROM rest_mailbox WHERE recipient = ? "
                "ORDER BY id DESC LIMIT ?)",
                (recipient, recipient, self.max_messages),
            )

    async def take(self, recipient: str) -> List[Dict[str, Any]]:
        """Removes and returns the pending messages of ``recipient``, oldest first.

        Each message is returned to exactly one caller: the read and the delete are one
        statement. Expired messages are deleted, not returned.
        """
        if not self._opened and not self.path.exists():
            return []  # nothing was ever stored; do not create the file for a read
        self._opened = True
        return await self._worker.run(
            lambda connection: self._take(connection, recipient)
        )

    def _take(
        self, connection: sqlite3.Connection, recipient: str
    ) -> List[Dict[str, Any]]:
        expired_before = time.time() - self.keep_seconds
        with connection:
            rows = connection.execute(
                "DELETE FROM rest_mailbox WHERE recipient = ? "
                "RETURNING id, created_at, payload",
                (recipient,),
            ).fetchall()
        messages: List[Dict[str, Any]] = []
        for _, created_at, payload in sorted(rows):
            if created_at < expired_before:
                continue
            try:
                messages.append(json.loads(payload))
            except ValueError:  # never written by put(); skip rather than fail a reply
                logger.warning("Unreadable REST mailbox message for %s", recipient)
        return messages

    async def count(self, recipient: Optional[str] = None) -> int:
        """Stored messages (of ``recipient``, or all), expired ones included."""
        if not self._opened and not self.path.exists():
            return 0
        self._opened = True

        def _count(connection: sqlite3.Connection) -> int:
            if recipient is None:
                row = connection.execute("SELECT COUNT(*) FROM rest_mailbox").fetchone()
            else:
                row = connection.execute(
                    "SELECT COUNT(*) FROM rest_mailbox WHERE recipient = ?",
                    (recipient,),
                ).fetchone()
            return int(row[0])

        return await self._worker.run(_count)

    def close(self) -> None:
        """Closes the database and stops its thread."""
        self._worker.close()


class MailboxOutputChannel(CollectingOutputChannel):
    """Collects messages like Rasa's collector and stores each in the mailbox.

    Rasa uses it for messages sent outside a REST request (``trigger_intent``,
    ``execute`` with ``output_channel=latest``). Its name stays ``collector``, the name
    of the webhook's own output channel, so responses are chosen the same way for both.

    Args:
        mailbox: Where the messages are stored.
    """

    def __init__(self, mailbox: RestMailbox) -> None:
        super().__init__()
        self.mailbox = mailbox

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        self.messages.append(message)
        await self.mailbox.put(str(message["recipient_id"]), message)


class RequestOutputChannel(CollectingOutputChannel):
    """The output of one REST request: collected for its answer while it is open.

    Rasa keeps a request's output channel for the reminders an action schedules during
    it (a submission retried later, ``actions/submission.py``). Once the answer has been
    sent (:meth:`close`), what still arrives goes to the mailbox instead of being lost.

    Args:
        mailbox: Where messages sent after the answer are stored.
    """

    def __init__(self, mailbox: RestMailbox) -> None:
        super().__init__()
        self.mailbox = mailbox
        self.closed = False

    def close(self) -> None:
        """The request was answered: later messages go to the mailbox."""
        self.closed = True

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if self.closed:
            await self.mailbox.put(str(message["recipient_id"]), message)
        else:
            self.messages.append(message)
