"""The project's nginx edge, rendered from its template and run for a test."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from infra import edge


def require_nginx() -> str:
    """Debian's nginx binary; skips without it, fails under ``CI=true``."""
    nginx = edge.find_nginx()
    if nginx is None:
        message = "nginx is not installed (scripts/install.sh installs nginx-light)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(message)
    return nginx


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_edge(
    var: Path, rasa_port: int, gateway_port: int, **settings: str
) -> Iterator[str]:
    """Runs the edge in front of the given ports until the block ends; yields its URL."""
    nginx = require_nginx()
    port = free_port()
    rendered = edge.render(
        {
            "GOV_VAR_DIR": str(var),
            "PUBLIC_HOST": "127.0.0.1",
            "PUBLIC_PORT": str(port),
            "RASA_PORT": str(rasa_port),
            "EDISTRICT_PORT": str(gateway_port),
            **settings,
        }
    )
    process = subprocess.Popen(
        rendered.command(nginx), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url, timeout=1)
                break
            except requests.RequestException:
                error_log = var / "log" / "nginx-error.log"
                assert process.poll() is None, (
                    error_log.read_text() if error_log.exists() else "nginx exited"
                )
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
