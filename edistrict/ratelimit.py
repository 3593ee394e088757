"""In-process per-client rate limit of the public verification endpoints.

A sliding window per client IP address: at most ``limit`` requests in ``window`` seconds,
then 429 with ``Retry-After``. The count lives in this process only (several gateway
processes each allow the limit). Behind the public edge (nginx, which sets
``X-Forwarded-For``) uvicorn takes the client address from that header when the proxy is
in ``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,::1``); set it to the proxy's address
when the proxy runs elsewhere. The action server is counted per citizen (:func:`limit_key`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import HTTPException, Request

from edistrict.auth import service_token_matches

MAX_TRACKED_CLIENTS = 100_000


class SlidingWindowLimiter:
    """Counts requests per key in a sliding time window (thread-safe).

    Args:
        limit: Requests allowed per window; 0 turns the limit off.
        window: Window length in seconds.
        clock: Monotonic clock (tests pass their own).
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Records one request of ``key``.

        Args:
            key: The client (its IP address).

        Returns:
            0 when allowed, else the seconds until the next request is allowed.
        """
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= MAX_TRACKED_CLIENTS:
                    self._forget_idle(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]
        for key in idle:
            del self._hits[key]
        if len(self._hits) >= MAX_TRACKED_CLIENTS:
            self._hits.clear()


def client_address(request: Request) -> str:
    """The client's IP address as the server sees it (``unknown`` when absent)."""
    return request.client.host if request.client else "unknown"


def limit_key(request: Request) -> str | None:
    """Whom a verification request counts against.

    Anonymous visitors count per IP address. The action server, which verifies for
    every citizen from one address, presents the service token: it then counts per
    ``X-Citizen-Id`` when it names the citizen, and is not limited otherwise.

    Args:
        request: The request.

    Returns:
        The key, or None for no limit.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and service_token_matches(
        request.app.state.settings.service_token, token.strip()
    ):
        citizen = request.headers.get("x-citizen-id")
        return f"citizen:{citizen}" if citizen else None
    return f"ip:{client_address(request)}"


def limit_verification(request: Request) -> None:
    """FastAPI dependency: applies the app's verification limiter to this caller.

    Args:
        request: The request (the limiter lives on the app state).

    Raises:
        HTTPException: 429 ``rate_limited`` with ``Retry-After`` over the limit.
    """
    key = limit_key(request)
    if key is None:
        return
    limiter: SlidingWindowLimiter = request.app.state.verify_limiter
    wait = limiter.hit(key)
    if wait:
        raise HTTPException(
            429,
            detail={
                "error": "rate_limited",
                "message": "Too many verification requests; try again later.",
            },
            headers={"Retry-After": str(math.ceil(wait))},
        )
