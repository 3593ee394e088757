"""Background work in order per key (per citizen), in parallel across keys."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Awaitable, Callable, Deque, Dict

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class KeyedQueues:
    """Runs jobs one after the other for the same key, concurrently for different keys.

    A worker task exists only while its key has pending jobs, so idle citizens cost
    nothing. A failing job is logged and never stops the jobs after it.
    """

    def __init__(self) -> None:
        self._pending: Dict[str, Deque[Job]] = {}
        self._workers: Dict[str, asyncio.Task[None]] = {}

    def submit(self, key: str, job: Job) -> None:
        """Queues ``job`` after the jobs already queued for ``key``.

        Must be called from the event loop thread.
        """
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = deque()
            self._workers[key] = asyncio.get_running_loop().create_task(
                self._work(key, pending)
            )
        pending.append(job)

    async def _work(self, key: str, pending: Deque[Job]) -> None:
        try:
            while pending:
                job = pending.popleft()
                try:
                    await job()
                except Exception:
                    logger.exception("Background WhatsApp job failed (key %s)", key)
        finally:
            self._pending.pop(key, None)
            self._workers.pop(key, None)

    @property
    def busy(self) -> int:
        """Number of keys with pending or running jobs."""
        return len(self._workers)

    async def drain(self) -> None:
        """Waits until every queued job has finished."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
