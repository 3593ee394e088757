"""One SQLite connection used from one worker thread, called from asyncio."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")


class SQLiteWorker:
    """Runs functions on a private SQLite connection in a single background thread.

    The connection opens lazily in that thread (nothing happens at import or
    construction), in WAL mode so a reader never blocks the writer.

    Args:
        path: Database file; its folder is created when missing.
        schema: SQL script run once when the connection opens.
    """

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.schema = schema
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._connection: Optional[sqlite3.Connection] = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(self.path), timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(self.schema)
            self._connection = connection
        return self._connection

    async def run(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``function(connection)`` in the worker thread and returns its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: function(self._connect())
        )

    def run_sync(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """Blocking variant of :meth:`run` (tests, scripts)."""
        return self._executor.submit(lambda: function(self._connect())).result()

    def close(self) -> None:
        """Closes the connection and stops the thread."""

        def _close() -> Any:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._executor.submit(_close).result()
        self._executor.shutdown(wait=True)
