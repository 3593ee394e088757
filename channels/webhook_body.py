"""Reads a webhook body with a size cap, before anything else looks at it.

Sanic reads the whole body of an ordinary route (up to ``REQUEST_MAX_SIZE``, 100 MB by
default) before the handler or any middleware runs. The webhooks are therefore
*streaming* routes (``stream=True``): the handler sees the headers first, answers 413 at
once when ``Content-Length`` is over the cap, and otherwise reads at most the cap (a
chunked body is cut off as soon as it grows past it). Sanic then closes the connection
instead of draining the rest.
"""

from __future__ import annotations

from typing import List, Optional

from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse, json

TOO_LARGE_STATUS = 413


def limit_body(request: Request, max_bytes: int) -> None:
    """Caps what Sanic may read of this request's body from now on.

    Call it on every answer of a streaming route, including early ones (403, 503):
    Sanic otherwise drains an unread body up to ``REQUEST_MAX_SIZE`` after the response.
    """
    stream = request.stream
    if stream is not None and hasattr(stream, "request_max_size"):
        stream.request_max_size = max_bytes


def declared_length(request: Request) -> Optional[int]:
    """The ``Content-Length`` header as a number (None when absent or not a number)."""
    raw = request.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


async def read_body(request: Request, max_bytes: int) -> Optional[bytes]:
    """Reads the body, at most ``max_bytes``; None when it is larger.

    Works on streaming routes (reads chunk by chunk) and on ordinary ones (the body is
    already in memory; only its length is checked). The body read is also stored in
    ``request.body``, so ``request.form`` and ``request.json`` work afterwards.

    Args:
        request: The incoming request.
        max_bytes: Largest accepted body.

    Returns:
        The body, or None when it exceeds ``max_bytes`` (answer 413).
    """
    limit_body(request, max_bytes)
    length = declared_length(request)
    if length is not None and length > max_bytes:
        return None
    stream = request.stream
    if stream is None or request.body or not getattr(stream, "request_body", None):
        body = bytes(request.body or b"")
        return None if len(body) > max_bytes else body
    chunks: List[bytes] = []
    size = 0
    try:
        while True:
            chunk = await stream.read()
            if chunk is None:
                break
            size += len(chunk)
            if size > max_bytes:
                return None
            chunks.append(chunk)
    except PayloadTooLarge:
        return None
    request.body = b"".join(chunks)
    return request.body


def too_large(max_bytes: int) -> HTTPResponse:
    """The 413 answer."""
    return json(
        {"error": f"body larger than {max_bytes} bytes"}, status=TOO_LARGE_STATUS
    )
