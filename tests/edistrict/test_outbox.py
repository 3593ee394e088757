"""Outbox delivery to a real loopback HTTP server standing in for Rasa."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fastapi.testclient import TestClient
from sqlalchemy import select

from edistrict.db import utcnow
from edistrict.models import OutboxMessage
from edistrict.outbox import OutboxWorker, deliver_due
from tests.edistrict.conftest import OFFICER, submit


class FakeRasa:
    """A real HTTP server on 127.0.0.1 recording POSTs; GET answers ``tracker``."""

    def __init__(
        self, port: int, status: int = 200, tracker: dict | None = None
    ) -> None:
        self.requests: list[dict] = []
        self.tracker = tracker
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = json.dumps(outer.tracker).encode()
                self.send_response(200 if outer.tracker is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length))}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"tracker": {}}')

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows(client: TestClient) -> list[OutboxMessage]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_delivery_retries_while_rasa_is_down_then_delivers_once(
    client: TestClient, build_client, database_url
):
    port = free_port()
    settings_client = build_client(
        database_url, rasa_url=f"http://127.0.0.1:{port}", rasa_token="rasa-secret"
    )
    state = settings_client.app.state  # type: ignore[attr-defined]
    app_id = submit(settings_client).json()["application_id"]
    settings_client.post(
        f"/api/v1/officer/applications/{app_id}/reject",
        headers=OFFICER,
        json={"reason": "Wrong district"},
    )

    delivered, failed = deliver_due(state.session_factory, state.settings)
    assert (delivered, failed) == (0, 1)
    first = rows(settings_client)
    assert first[0].attempts == 1 and first[0].delivered_at is None
    assert "ConnectError" in (first[0].last_error or "")
    assert first[0].next_attempt_at > utcnow()
    assert first[1].attempts == 0, "later rows of the application wait for earlier ones"

    rasa = FakeRasa(port)
    try:
        assert deliver_due(state.session_factory, state.settings) == (0, 0), (
            "backoff not over yet"
        )
        later = utcnow() + timedelta(minutes=10)
        assert deliver_due(state.session_factory, state.settings, now=later) == (2, 0)
        assert deliver_due(state.session_factory, state.settings, now=later) == (0, 0)
    finally:
        rasa.close()
    assert [r["body"]["entities"]["status"] for r in rasa.requests] == [
        "submitted",
        "rejected",
    ]
    request = rasa.requests[1]
    assert (
        request["path"]
        == "/conversations/919876543210/trigger_intent?output_channel=latest&token=rasa-secret"
    )
    assert request["body"] == {
        "name": "application_status_changed",
        "entities": {
            "application_id": app_id,
            "status": "rejected",
            "reason": "Wrong district",
        },
    }
    assert all(r.delivered_at is not None for r in rows(settings_client))


def test_backoff_grows_exponentially(sqlite_url, build_client):
    port = free_port()
    c = build_client(
        sqlite_url,
        rasa_url=f"http://127.0.0.1:{port}",
        outbox_backoff_base_seconds=2.0,
        outbox_backoff_max_seconds=10.0,
    )
    state = c.app.state  # type: ignore[attr-defined]
    submit(c)
    now = utcnow()
    delays = []
    for _ in range(5):
        deliver_due(state.session_factory, state.settings, now=now)
        row = rows(c)[0]
        delays.append(round((row.next_attempt_at - now).total_seconds()))
        now = row.next_attempt_at
    assert delays == [2, 4, 8, 10, 10]
    assert rows(c)[0].attempts == 5


def test_background_worker_delivers(sqlite_url, build_client):
    port = free_port()
    rasa = FakeRasa(port)
    try:
        c = build_client(
            sqlite_url, rasa_url=f"http://127.0.0.1:{port}", outbox_poll_seconds=0.1
        )
        state = c.app.state  # type: ignore[attr-defined]
        worker = OutboxWorker(state.session_factory, state.settings)
        worker.start()
        try:
            submit(c)
            deadline = time.monotonic() + 10
            while not rasa.requests and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
    finally:
        rasa.close()
    assert len(rasa.requests) == 1
    assert rows(c)[0].delivered_at is not None


def test_rasas_token_is_never_logged_nor_stored(build_client, database_url, caplog):
    port = free_port()
    client = build_client(
        database_url, rasa_url=f"http://127.0.0.1:{port}", rasa_token="rasa-secret-7"
    )
    state = client.app.state  # type: ignore[attr-defined]
    submit(client)
    rasa = FakeRasa(port, status=500)
    caplog.set_level(logging.INFO)
    try:
        assert deliver_due(state.session_factory, state.settings) == (0, 1)
    finally:
        rasa.close()
    assert "token=rasa-secret-7" in rasa.requests[0]["path"]
    [row] = rows(client)
    assert row.last_error == "HTTP 500"
    assert "rasa-secret-7" not in caplog.text
