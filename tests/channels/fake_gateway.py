"""A local fake of the e-District gateway's certificate routes, for channel tests.

Public signed links (``/certificates/<token>``) answer without credentials; the service
API (``/api/...``) wants the gateway's bearer token. Every other path is 404, and
``redirects`` answers 302 to wherever a test points it.
"""

from __future__ import annotations

from typing import Dict

from aiohttp import web

from tests.channels.fake_graph import FakeGraph, Recorded

GATEWAY_TOKEN = "gateway-token"


class FakeGateway(FakeGraph):
    """The fake gateway server (same lifecycle as :class:`FakeGraph`)."""

    def __init__(self, token: str = GATEWAY_TOKEN) -> None:
        super().__init__(token=token)
        self.files: Dict[str, bytes] = {}
        self.redirects: Dict[str, str] = {}

    def add_file(self, path: str, data: bytes) -> str:
        """Serves ``data`` as a PDF at ``path``; returns its full URL."""
        self.files[path] = data
        return f"{self.url}{path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self.requests.append(
                Recorded(request.method, request.path, dict(request.headers))
            )
        if request.path in self.redirects:
            raise web.HTTPFound(self.redirects[request.path])
        if request.path.startswith("/api/") and (
            request.headers.get("Authorization") != f"Bearer {self.token}"
        ):
            return web.json_response({"error": "unauthorized"}, status=401)
        data = self.files.get(request.path)
        if data is None:
            return web.json_response({"error": "not_found"}, status=404)
        name = request.path.rstrip("/").rsplit("/", 1)[-1]
        return web.Response(
            body=data,
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
