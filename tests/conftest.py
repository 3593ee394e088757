"""Shared test helpers. Kept free of Rasa imports: the gateway's tests load it too."""

from __future__ import annotations

import os
import socket
import sys

import pytest

# tests/edistrict runs in the gateway's own environment (edistrict/bin/test).
collect_ignore = ["edistrict"] if sys.version_info[:2] == (3, 10) else []


def require_service(name: str, host: str, port: int) -> None:
    """Skips the test when a local service is down; under CI=true that is a failure.

    Args:
        name: Human name of the service, for the message.
        host: Host to connect to.
        port: TCP port to connect to.
    """
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        message = f"{name} is not reachable at {host}:{port} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(f"{message}; start it to run this test")
