"""The opened events of recent conversations, so a message reads only the rows added since.

Profiled on one 200-turn conversation (py-spy on the Rasa server, turns 100-200): 62% of
the server's time went to reading the session again for every message: fetching every row
(14%), decrypting each (23%) and turning it into events (24%). The tracker store
(``infra.stores.EnvTrackerStore``) keeps here, per conversation, the decrypted JSON of the
session's rows, and asks the database only for rows with a higher id.

The cache never answers alone: every read first counts the conversation's rows up to the
last one cached. Rows deleted by an erasure, the retention job or another server, or a row
committed late by another server, change the count and the session is read again in full.
Bounded: at most ``TRACKER_CACHE_CONVERSATIONS`` conversations (default 1000; 0 turns the
cache off), each dropped after ``TRACKER_CACHE_IDLE_SECONDS`` (default 600) without a
message. It lives in the server's memory only, like the tracker Rasa builds from it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, List, Optional


@dataclass(frozen=True)
class Row:
    """One stored event: its row id, type, timestamp and decrypted JSON."""

    id: int
    type_name: str
    timestamp: float
    data: str


@dataclass
class Session:
    """The cached rows of a conversation's latest session.

    Attributes:
        rows: The session's rows, oldest first.
        last_id: The highest row id read (of the session or before it).
        stored: How many rows of the conversation had an id up to ``last_id``.
        started: Timestamp of the latest ``session_started`` row, if any.
        used: When the conversation was last read (clock seconds).
    """

    rows: List[Row]
    last_id: int
    stored: int
    started: Optional[float]
    used: float = 0.0


class SessionCache:
    """Least-recently-used sessions, dropped when idle too long."""

    def __init__(
        self,
        size: int,
        idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Creates an empty cache of at most ``size`` conversations (0: off)."""
        self.size = size
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    @property
    def enabled(self) -> bool:
        """Whether the cache keeps anything."""
        return self.size > 0

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, sender_id: str) -> Optional[Session]:
        """The conversation's cached session, after dropping every idle one."""
        self._drop_idle()
        return self._sessions.get(sender_id)

    def put(self, sender_id: str, session: Session) -> None:
        """Keeps ``session`` as the most recently used; drops the least used beyond size."""
        if not self.enabled:
            return
        session.used = self._clock()
        self._sessions[sender_id] = session
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self.size:
            self._sessions.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        """Forgets the conversation (its events were erased)."""
        self._sessions.pop(sender_id, None)

    def _drop_idle(self) -> None:
        oldest = self._clock() - self.idle_seconds
        while self._sessions:
            sender_id, session = next(iter(self._sessions.items()))
            if session.used >= oldest:
                return
            del self._sessions[sender_id]


def latest_start(rows: List[Row], known: Optional[float]) -> Optional[float]:
    """The latest ``session_started`` timestamp among ``rows`` and ``known``."""
    starts = [r.timestamp for r in rows if r.type_name == "session_started"]
    if known is not None:
        starts.append(known)
    return max(starts) if starts else None
