"""A local fake of the WhatsApp Cloud API (Graph API) for tests and the bench.

A real HTTP server (aiohttp) on 127.0.0.1 and a random port, in its own thread. It
records every request, answers messages and media uploads like Meta does, serves media
(``GET /<version>/<media_id>`` -> URL, ``GET /download/<media_id>`` -> bytes, bearer
token required) and can answer scripted errors.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

TOKEN = "test-access-token"


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: Dict[str, str]
    json: Any = None
    form: Dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    media_id: Optional[str] = None  # the id a media upload was given


@dataclass
class ScriptedError:
    """An error answer for requests matching ``match`` (``times`` times)."""

    match: Callable[[Recorded], bool]
    status: int
    code: Optional[int]
    times: int = 1
    message: str = "scripted error"


class FakeGraph:
    """The fake Graph API server.

    Args:
        token: Bearer token it accepts.
        delay: Seconds to wait before answering (simulates network latency).
    """

    def __init__(self, token: str = TOKEN, delay: float = 0.0) -> None:
        self.token = token
        self.delay = delay
        self.requests: List[Recorded] = []
        self.media: Dict[str, Dict[str, Any]] = {}
        self.errors: List[ScriptedError] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> FakeGraph:
        """Starts the server thread; returns when it listens."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-graph", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Graph API did not start")
        return self

    async def _start(self) -> None:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stops the server thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    @property
    def url(self) -> str:
        """Base URL to put in ``WHATSAPP_GRAPH_URL``."""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ scripting
    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        """Makes ``media_id`` downloadable with the given bytes."""
        with self._lock:
            self.media[media_id] = {"data": data, "mime_type": mime_type}

    def fail(
        self,
        match: Callable[[Recorded], bool],
        status: int,
        code: Optional[int],
        times: int = 1,
        message: str = "scripted error",
    ) -> None:
        """Answers the next ``times`` matching requests with a Graph error."""
        with self._lock:
            self.errors.append(ScriptedError(match, status, code, times, message))

    def reset(self) -> None:
        """Forgets recorded requests and scripted errors."""
        with self._lock:
            self.requests.clear()
            self.errors.clear()

    # ------------------------------------------------------------------ queries
    def messages(self, kind: Optional[str] = None) -> List[Dict[str, Any]]:
        """Bodies of sent messages (not read receipts), optionally of one ``type``."""
        with self._lock:
            bodies = [
                r.json
                for r in self.requests
                if r.path.endswith("/messages") and isinstance(r.json, dict)
            ]
        return [
            body
            for body in bodies
            if "status" not in body and (kind is None or body.get("type") == kind)
        ]

    def read_receipts(self) -> List[Dict[str, Any]]:
        """Bodies of mark-as-read calls."""
        with self._lock:
            return [
                r.json
                for r in self.requests
                if r.path.endswith("/messages")
                and isinstance(r.json, dict)
                and r.json.get("status") == "read"
            ]

    def uploads(self) -> List[Recorded]:
        """Recorded media uploads."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/media")]

    # ------------------------------------------------------------------ handler
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        record = Recorded(request.method, request.path, dict(request.headers))
        if request.content_type == "application/json":
            record.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            form = await request.post()
            record.form = {
                key: (value.file.read() if hasattr(value, "file") else value)
                for key, value in form.items()
            }
            file_field = form.get("file")
            if file_field is not None and hasattr(file_field, "filename"):
                record.form["filename"] = file_field.filename
                record.form["file_content_type"] = file_field.content_type
        with self._lock:
            self.requests.append(record)
            scripted = next((e for e in self.errors if e.match(record)), None)
            if scripted is not None:
                scripted.times -= 1
                if scripted.times <= 0:
                    self.errors.remove(scripted)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, 190, "Error validating access token")
        if scripted is not None:
            return self._error(scripted.status, scripted.code, scripted.message)
        return self._route(request, record)

    def _route(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        parts = [part for part in request.path.split("/") if part]
        if parts and parts[0] == "download" and len(parts) == 2:
            media = self.media.get(parts[1])
            if media is None:
                return self._error(404, 100, "unknown media")
            return web.Response(body=media["data"], content_type=media["mime_type"])
        if len(parts) == 3 and parts[2] == "messages" and request.method == "POST":
            body = record.json or {}
            if body.get("status") == "read":
                return web.json_response({"success": True})
            message_id = f"wamid.fake.{next(self._ids)}"
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [
                        {
                            "input": body.get("to") or body.get("recipient"),
                            **({"wa_id": body["to"]} if body.get("to") else {}),
                            **(
                                {"user_id": body["recipient"]}
                                if body.get("recipient")
                                else {}
                            ),
                        }
                    ],
                    "messages": [{"id": message_id}],
                }
            )
        if len(parts) == 3 and parts[2] == "media" and request.method == "POST":
            record.media_id = f"media.fake.{next(self._ids)}"
            return web.json_response({"id": record.media_id})
        if len(parts) == 2 and request.method == "GET":
            media = self.media.get(parts[1])
            if media is None:
                return self._error(404, 100, "Unsupported get request")
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.url}/download/{parts[1]}",
                    "mime_type": media["mime_type"],
                    "sha256": "",
                    "file_size": len(media["data"]),
                    "id": parts[1],
                }
            )
        return self._error(404, 100, f"no such fake route {request.path}")

    @staticmethod
    def _error(status: int, code: Optional[int], message: str) -> web.Response:
        error: Dict[str, Any] = {
            "message": f"({code}) {message}",
            "type": "OAuthException",
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "fake-trace",
        }
        if code is not None:
            error["code"] = code
        return web.Response(
            status=status,
            text=json.dumps({"error": error}),
            content_type="application/json",
        )
