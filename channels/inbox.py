"""Durable inbox of webhook events: stored before the webhook answers 200.

Meta retries a webhook only while it gets no 2xx, so whatever was acknowledged must
survive a crash. :meth:`SQLiteInbox.add` writes the events of one body in one
transaction (``synchronous=FULL``: on disk when it returns; bodies arriving while a
commit is under way share the next one, so a burst costs one fsync, not one per body).
The webhook answers 503 when that fails, and Meta delivers again. A worker then
processes each row in order per citizen and marks it ``done``; after a crash,
:meth:`SQLiteInbox.pending` gives back the rows not done, in arrival order, to be queued
again. The later updates of a row (tries, done) do not wait for the disk: a power cut
may lose one, and the row is then tried again (see ``WhatsAppInput._run``).

Row states::

    pending --start()--> (attempts + 1) --done()--> done       (purged after keep_seconds)
                                        --fail()--> failed     (dead letter, kept)

Payloads (what citizens wrote) are stored encrypted with the tracker store's key
(:class:`infra.sealing.EventSeal`). A message id is stored once (``UNIQUE``): a
redelivery of a message still in the inbox is not stored again. ``attempts`` is
counted *before* each try, so a message that brings the process down is not retried for
ever across restarts either.

The interface (:class:`Inbox`) is what the channel needs, so a shared database (several
servers on one inbox) can implement it later; the default needs no service.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Dict, List, Optional, Protocol, Sequence, Tuple

from channels.sqlite_worker import SQLiteWorker
from infra.sealing import EventSeal

logger = logging.getLogger(__name__)

PENDING = "pending"
DONE = "done"
FAILED = "failed"

_SCHEMA = """
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS inbox_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_id TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    received_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_state ON inbox (state, id);
"""


@dataclass(frozen=True)
class NewEvent:
    """An event to store.

    Attributes:
        queue_key: Processed in order with the other events of this key (the citizen).
        kind: What the payload is (``message``, ``status``).
        event_id: Id for the logs (WhatsApp message id).
        payload: The event as JSON text (encoded by the caller, who can skip an event
            that does not encode without failing the whole body).
        unique_key: Stored at most once per key (None: always stored).
    """

    queue_key: str
    kind: str
    event_id: str
    payload: str
    unique_key: Optional[str] = None


@dataclass(frozen=True)
class InboxRow:
    """A stored event.

    Attributes:
        id: Row id, increasing in arrival order.
        queue_key: See :class:`NewEvent`.
        kind: See :class:`NewEvent`.
        event_id: See :class:`NewEvent`.
        payload: The event.
        attempts: Tries started so far.
    """

    id: int
    queue_key: str
    kind: str
    event_id: str
    payload: Dict[str, Any]
    attempts: int = 0


class Inbox(Protocol):
    """What the channel needs from an inbox."""

    instance: str

    async def open(self) -> str:
        """Opens the store; returns its stable instance id (owner of its claims)."""
        ...

    async def add(self, events: Sequence[NewEvent]) -> List[Optional[int]]:
        """Stores events durably in one transaction.

        Returns the row id of each event, None for one already in the inbox.
        """
        ...

    async def start(self, row_id: int) -> int:
        """Counts one more try of a row; returns the number of tries so far."""
        ...

    async def done(self, row_id: int) -> None:
        """Marks a row processed."""
        ...

    async def fail(self, row_id: int, error: str) -> None:
        """Keeps a row as failed (dead letter)."""
        ...

    async def note_error(self, row_id: int, error: str) -> None:
        """Records the last error of a row that will be retried."""
        ...

    async def pending(self) -> List[InboxRow]:
        """Rows not done nor failed, in arrival order."""
        ...

    async def counts(self) -> Dict[str, int]:
        """Number of rows per state."""
        ...

    async def close(self) -> None:
        """Releases the store."""
        ...


class SQLiteInbox:
    """The inbox in a SQLite file (WAL, one writer thread).

    Args:
        path: Database file (created when missing).
        keep_seconds: Processed rows older than this are deleted (failed rows stay).
        purge_every: Old rows are deleted once per this many :meth:`add` calls.
    """

    def __init__(
        self,
        path: Path,
        keep_seconds: int = 24 * 3600,
        purge_every: int = 1000,
        seal: Optional[EventSeal] = None,
    ) -> None:
        self.path = Path(path)
        self.seal = seal or EventSeal.from_env()  # citizens' messages, encrypted
        self.keep_seconds = keep_seconds
        self.purge_every = purge_every
        self.instance = ""
        self._adds = 0
        self._worker = SQLiteWorker(self.path, _SCHEMA)
        self._synchronous = "FULL"  # set by _SCHEMA; changed by _sync
        self._waiting: List[Tuple[Sequence[NewEvent], asyncio.Future[Any]]] = []
        self._flushing = False

    def _sync(self, connection: sqlite3.Connection, mode: str) -> None:
        """FULL: a commit waits for the disk; NORMAL: it does not (WAL stays valid)."""
        if self._synchronous != mode:
            connection.execute(f"PRAGMA synchronous={mode}")
            self._synchronous = mode

    async def open(self) -> str:
        """Creates the file if needed, purges old rows; returns the instance id."""
        if not self.instance:
            self.instance = await self._worker.run(self._open)
        return self.instance

    def _open(self, connection: sqlite3.Connection) -> str:
        with connection:
            connection.execute(
                "INSERT OR IGNORE INTO inbox_meta (name, value) VALUES ('instance', ?)",
                (uuid.uuid4().hex,),
            )
            self._purge(connection)
        row = connection.execute(
            "SELECT value FROM inbox_meta WHERE name = 'instance'"
        ).fetchone()
        return str(row[0])

    def _purge(self, connection: sqlite3.Connection) -> None:
        connection.execute(
            "DELETE FROM inbox WHERE state = ? AND updated_at < ?",
            (DONE, time.time() - self.keep_seconds),
        )

    async def add(self, events: Sequence[NewEvent]) -> List[Optional[int]]:
        """Stores the events in one transaction, on disk when this returns.

        Args:
            events: Events of one webhook body, in body order.

        Returns:
            The row id of each event, in order; None for an event whose
            ``unique_key`` is already in the inbox (not stored again).
        """
        if not events:
            return []
        await self.open()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((events, future))
        if not self._flushing:
            self._flushing = True
            asyncio.ensure_future(self._flush())
        return await future

    async def _flush(self) -> None:
        """Commits everything waiting in one transaction, until nothing waits."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                self._adds += 1
                purge = self._adds % self.purge_every == 0
                bodies = [events for events, _ in batch]
                try:
                    results = await self._worker.run(
                        partial(self._add, bodies=bodies, purge=purge)
                    )
                except Exception as error:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                else:
                    for (_, future), rows in zip(batch, results, strict=True):
                        if not future.done():
                            future.set_result(rows)
        finally:
            self._flushing = False

    def _add(
        self,
        connection: sqlite3.Connection,
        *,
        bodies: Sequence[Sequence[NewEvent]],
        purge: bool,
    ) -> List[List[Optional[int]]]:
        now = time.time()
        results: List[List[Optional[int]]] = []
        self._sync(connection, "FULL")
        with connection:
            if purge:
                self._purge(connection)
            for events in bodies:
                results.append(self._insert(connection, events, now, self.seal))
        return results

    @staticmethod
    def _insert(
        connection: sqlite3.Connection,
        events: Sequence[NewEvent],
        now: float,
        seal: EventSeal,
    ) -> List[Optional[int]]:
        rows: List[Optional[int]] = []
        for event in events:
            cursor = connection.execute(
                "INSERT INTO inbox (queue_key, kind, event_id, unique_key, payload,"
                " received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (unique_key) DO NOTHING",
                (
                    event.queue_key,
                    event.kind,
                    event.event_id,
                    event.unique_key,
                    seal.seal_text(event.payload),
                    now,
                    now,
                ),
            )
            stored = cursor.rowcount == 1 and cursor.lastrowid is not None
            rows.append(int(cursor.lastrowid or 0) if stored else None)
        return rows

    async def start(self, row_id: int) -> int:
        """Counts one more try; returns the tries so far (this one included)."""

        def _start(connection: sqlite3.Connection) -> int:
            self._sync(connection, "NORMAL")
            with connection:
                connection.execute(
                    "UPDATE inbox SET attempts = attempts + 1, updated_at = ? "
                    "WHERE id = ?",
                    (time.time(), row_id),
                )
            row = connection.execute(
                "SELECT attempts FROM inbox WHERE id = ?", (row_id,)
            ).fetchone()
            return int(row[0]) if row else 0

        return await self._worker.run(_start)

    async def done(self, row_id: int) -> None:
        """Marks the row processed."""
        await self._set_state(row_id, DONE, None)

    async def fail(self, row_id: int, error: str) -> None:
        """Keeps the row as failed, with its last error."""
        await self._set_state(row_id, FAILED, error)

    async def note_error(self, row_id: int, error: str) -> None:
        """Records the last error; the row stays pending."""
        await self._set_state(row_id, PENDING, error)

    async def _set_state(self, row_id: int, state: str, error: Optional[str]) -> None:
        def _update(connection: sqlite3.Connection) -> None:
            self._sync(connection, "NORMAL")
            with connection:
                connection.execute(
                    "UPDATE inbox SET state = ?, last_error = COALESCE(?, last_error),"
                    " updated_at = ? WHERE id = ?",
                    (state, error[:2000] if error else None, time.time(), row_id),
                )

        await self._worker.run(_update)

    async def pending(self) -> List[InboxRow]:
        """Rows not yet done nor failed, oldest first."""
        await self.open()

        def _select(connection: sqlite3.Connection) -> List[InboxRow]:
            cursor = connection.execute(
                "SELECT id, queue_key, kind, event_id, payload, attempts FROM inbox "
                "WHERE state = ? ORDER BY id",
                (PENDING,),
            )
            return [
                InboxRow(
                    int(row[0]),
                    row[1],
                    row[2],
                    row[3],
                    json.loads(self.seal.open_text(row[4])),
                    row[5],
                )
                for row in cursor
            ]

        return await self._worker.run(_select)

    async def counts(self) -> Dict[str, int]:
        """Number of rows per state (``pending``, ``done``, ``failed``)."""

        def _count(connection: sqlite3.Connection) -> Dict[str, int]:
            counts = {PENDING: 0, DONE: 0, FAILED: 0}
            for state, count in connection.execute(
                "SELECT state, COUNT(*) FROM inbox GROUP BY state"
            ):
                counts[str(state)] = int(count)
            return counts

        return await self._worker.run(_count)

    async def failed(self) -> List[Dict[str, Any]]:
        """The dead letters: id, key, event id, attempts and last error."""

        def _select(connection: sqlite3.Connection) -> List[Dict[str, Any]]:
            cursor = connection.execute(
                "SELECT id, queue_key, event_id, attempts, last_error FROM inbox "
                "WHERE state = ? ORDER BY id",
                (FAILED,),
            )
            names = ("id", "queue_key", "event_id", "attempts", "last_error")
            return [dict(zip(names, row, strict=True)) for row in cursor]

        return await self._worker.run(_select)

    async def close(self) -> None:
        """Closes the database."""
        self._worker.close()
