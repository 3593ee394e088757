"""Start and stop the real Rasa and action servers for integration tests.

Every server runs behind the runtime boundary: Rasa with ``--auth-token`` (``RASA_TOKEN``,
added by ``infra.rasa_server``), the action server requiring ``ACTION_SERVER_TOKEN``. The
tokens are random per test session (``RASA_TOKEN``/``ACTION_SERVER_TOKEN`` below); helpers
that call Rasa's API pass ``RASA_TOKEN``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"
PYTHON = str(BIN / "python")
RASA_TOKEN = secrets.token_urlsafe(24)
ACTION_SERVER_TOKEN = secrets.token_urlsafe(24)
TOKENS = {
    "RASA_TOKEN": RASA_TOKEN,
    "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
    "TRACKER_STORE_KEY": secrets.token_urlsafe(32),
}


def free_port() -> int:
    """Returns a TCP port that is free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server subprocess with its log file, started and awaited until healthy.

    Args:
        name: Short name (used for the log file).
        command: Command line.
        health_url: URL that answers 200 once the server is ready.
        env: Extra environment variables.
        log_dir: Folder for the log file.
    """

    def __init__(
        self,
        name: str,
        command: List[str],
        health_url: str,
        env: Dict[str, str],
        log_dir: Path,
    ) -> None:
        self.name = name
        self.command = command
        self.health_url = health_url
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.log_path = log_dir / f"{name}.log"
        self.process: Optional[subprocess.Popen[bytes]] = None

    def start(self, timeout: float = 420) -> Server:
        """Starts the process and waits until its health URL answers."""
        return self.launch().wait_ready(timeout)

    def launch(self) -> Server:
        """Starts the process without waiting (several servers can then boot at once)."""
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    @property
    def port(self) -> int:
        """The port of the health URL."""
        return int(self.health_url.split(":")[2].split("/")[0])

    def wait_ready(self, timeout: float = 420) -> Server:
        """Waits until the launched process answers on its health URL."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(self.health_url, timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} not ready in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL after 20 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """Returns the last lines of the server's log, without DEBUG lines."""
        text = (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )
        kept = [line for line in text.splitlines() if " DEBUG " not in line]
        return "\n".join(kept[-lines:])


def action_server(port: int, log_dir: Path, env: Dict[str, str]) -> Server:
    """The rasa-sdk action server serving the actions package (secret required)."""
    return Server(
        "actions",
        [
            PYTHON,
            "-m",
            "infra.action_server",
            "--actions",
            "actions",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/health",
        {**TOKENS, **env},
        log_dir,
    )


def rasa_server(
    port: int,
    actions_port: int,
    workdir: Path,
    env: Dict[str, str],
    name: str = "rasa",
) -> Server:
    """The Rasa server with the project's endpoints, pointed at the given action server.

    It listens on 127.0.0.1 with its API behind ``RASA_TOKEN`` (``env`` may override the
    tokens); ``name`` names the log file (several servers can share ``workdir``).
    """
    endpoints = (ROOT / "endpoints.yml").read_text()
    endpoints = endpoints.replace("localhost:5055", f"127.0.0.1:{actions_port}")
    (workdir / f"{name}-endpoints.yml").write_text(endpoints)
    env = {**TOKENS, **env}
    return Server(
        name,
        [
            PYTHON,
            "-m",
            "infra.rasa_server",
            "--model",
            str(MODEL),
            "--enable-api",
            "--endpoints",
            str(workdir / f"{name}-endpoints.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "-i",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/status?token={env['RASA_TOKEN']}",
        {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        workdir,
    )


def say(port: int, sender: str, text: str) -> List[str]:
    """Sends a message over the REST channel and returns the texts of the replies."""
    response = requests.post(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    response.raise_for_status()
    return [reply.get("text", "") for reply in response.json()]


GATEWAY_SERVE = ROOT / "edistrict" / "bin" / "serve"
GATEWAY_PYTHON = ROOT / "edistrict" / ".venv" / "bin" / "python"


def gateway_server(port: int, log_dir: Path, env: Dict[str, str]) -> Server:
    """The e-District gateway (its own venv, migrations, outbox worker in-process).

    By default in development mode with its SQLite database (``edistrict.db``) and data
    folder (``edistrict/``) under ``log_dir``; ``env`` adds or overrides variables.
    """
    defaults = {
        "EDISTRICT_ENV": "development",
        "EDISTRICT_DATABASE_URL": f"sqlite:///{log_dir / 'edistrict.db'}",
        "EDISTRICT_DATA_DIR": str(log_dir / "edistrict"),
        "EDISTRICT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    return Server(
        "edistrict",
        [str(GATEWAY_SERVE)],
        f"http://127.0.0.1:{port}/health",
        {"EDISTRICT_HOST": "127.0.0.1", "EDISTRICT_PORT": str(port), **defaults, **env},
        log_dir,
    )


def post_message(
    port: int, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Sends a message (with optional metadata) over REST; returns the raw replies."""
    body: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    response = requests.post(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body, timeout=60
    )
    response.raise_for_status()
    return list(response.json())


def rest_inbox(port: int, sender: str) -> List[Dict[str, Any]]:
    """Takes a REST citizen's pushed messages (``GET /webhooks/rest/inbox``)."""
    response = requests.get(
        f"http://127.0.0.1:{port}/webhooks/rest/inbox",
        params={"sender": sender},
        timeout=30,
    )
    response.raise_for_status()
    return list(response.json())


def get_tracker(port: int, sender: str) -> Dict[str, Any]:
    """Returns Rasa's tracker of a conversation (``--enable-api``, with ``RASA_TOKEN``)."""
    response = requests.get(
        f"http://127.0.0.1:{port}/conversations/{sender}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextlib.contextmanager
def shared_stores(name: str) -> Iterator[Dict[str, str]]:
    """What several Rasa servers share: a fresh PostgreSQL database with Rasa's tables
    (made before any server starts, so two starting together do not race) and a Redis
    key prefix of its own; both removed afterwards. Yields the servers' environment."""
    import psycopg2
    import redis
    from rasa.core.tracker_store import SQLTrackerStore

    database = f"{name}_{uuid.uuid4().hex[:10]}"
    prefix = f"{name}{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    SQLTrackerStore(host=url).engine.dispose()
    try:
        yield {
            "TRACKER_STORE_URL": url,
            "LOCK_STORE_URL": REDIS_URL,
            "LOCK_STORE_KEY_PREFIX": prefix,
            "EVENT_BROKER_URL": "",
        }
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
