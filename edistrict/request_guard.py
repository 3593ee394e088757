"""Authentication before the body, size before reading: a pure ASGI middleware.

For ``/api/`` paths the bearer token is checked from the headers alone, before the
application reads a single body byte: the service token (compared in constant time) for
``/api/v1/applications``, ``/api/v1/documents`` and ``/api/v1/erasure``, an active
officer's token (one indexed lookup of its SHA-256) for ``/api/v1/officer``. A missing
or wrong token is answered 401 at once.

For every path, a declared ``Content-Length`` above the upload limit plus form overhead is
answered 413 at once, and a body streamed without a length (chunked) is cut off with 413
as soon as it passes the same limit. The routes keep their own checks (defence in depth).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from edistrict.auth import find_active_officer, service_token_matches
from edistrict.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FORM_OVERHEAD_BYTES = 64 * 1024
SERVICE_PREFIXES = ("/api/v1/applications", "/api/v1/documents", "/api/v1/erasure")
OFFICER_PREFIX = "/api/v1/officer"


class BodyTooLarge(Exception):
    """Raised into the application when a streamed body passes the limit."""


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def _content_length(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            return value.decode("latin-1")
    return None


async def _answer(
    send: Send,
    status: int,
    code: str,
    message: str,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(extra_headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The ASGI middleware; add it with ``app.add_middleware(RequestGuard, ...)``.

    Args:
        app: The wrapped ASGI application.
        settings: Gateway settings (tokens, upload limit).
        session_factory: Sessions for the officer token lookup.
        overhead: Bytes allowed on top of the upload limit for the multipart form.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        overhead: int = FORM_OVERHEAD_BYTES,
    ) -> None:
        self.app = app
        self.settings = settings
        self.session_factory = session_factory
        self.max_body = settings.max_upload_bytes + overhead

    def _is_officer(self, token: str) -> bool:
        with self.session_factory() as session:
            return find_active_officer(session, token) is not None

    async def _authorized(self, path: str, token: str) -> bool:
        if any(_under(path, prefix) for prefix in SERVICE_PREFIXES):
            return service_token_matches(self.settings.service_token, token)
        if _under(path, OFFICER_PREFIX):
            return await anyio.to_thread.run_sync(self._is_officer, token)
        return service_token_matches(
            self.settings.service_token, token
        ) or await anyio.to_thread.run_sync(self._is_officer, token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Checks one request, then passes it on with a size-limited ``receive``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        path = scope.get("path", "")
        if path.startswith("/api/"):
            token = _bearer(headers)
            if token is None or not await self._authorized(path, token):
                await _answer(
                    send,
                    401,
                    "unauthorized",
                    "A valid bearer token is required."
                    if token
                    else "A bearer token is required.",
                    [(b"www-authenticate", b"Bearer")],
                )
                return
        declared = _content_length(headers)
        if declared is not None:
            if not declared.strip().isdigit():
                await _answer(send, 400, "bad_request", "Malformed Content-Length.")
                return
            if int(declared) > self.max_body:
                await self._too_large(send)
                return
        await self._limited(scope, receive, send)

    async def _too_large(self, send: Send) -> None:
        await _answer(
            send,
            413,
            "file_too_large",
            f"The request body is larger than {self.max_body} bytes "
            f"(uploads: at most {self.settings.max_upload_bytes} bytes).",
        )

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the application's answer to a cut-off body; ours follows
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(send)
