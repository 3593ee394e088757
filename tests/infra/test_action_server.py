"""infra.action_server as a real process: the secret on every route but /health."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from infra import action_server
from infra.settings import ACTION_TOKEN_HEADER, UNSET_ACTION_TOKEN

ROOT = Path(__file__).resolve().parents[2]
SECRET = "unit-test-action-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTION_SERVER_TOKEN": SECRET,
        "GOV_VAR_DIR": str(log.parent / "var"),
    }
    env.pop("ACTION_SERVER_HOST", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.action_server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(20)


def _call(url: str, token: str | None, method: str = "POST", path: str = "/webhook"):
    headers = {ACTION_TOKEN_HEADER: token} if token is not None else {}
    body = {
        "next_action": "action_that_does_not_exist",
        "tracker": {"sender_id": "x", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
    }
    return requests.request(
        method, f"{url}{path}", headers=headers, json=body, timeout=10
    )


def test_health_is_open(server):
    assert requests.get(f"{server}/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "token",
    [None, "", SECRET, "rasa:wrong", f"rasa:{SECRET}x", UNSET_ACTION_TOKEN],
    ids=["none", "empty", "no-prefix", "wrong", "longer", "rasa-without-variable"],
)
def test_webhook_without_the_secret_is_refused(server, token):
    response = _call(server, token)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}


@pytest.mark.parametrize("method,path", [("GET", "/actions"), ("OPTIONS", "/webhook")])
def test_other_routes_need_the_secret_too(server, method, path):
    assert _call(server, None, method, path).status_code == 401
    assert _call(server, f"rasa:{SECRET}", method, path).status_code in (200, 204)


def test_webhook_with_the_secret_reaches_the_actions(server):
    response = _call(server, f"rasa:{SECRET}")
    # The action executor answered: the request got past the check.
    assert response.status_code == 404
    assert response.json()["action_name"] == "action_that_does_not_exist"


def test_listens_on_loopback_only(server):
    port = int(server.rsplit(":", 1)[1])
    addresses = {
        info[4][0]
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    } - {"127.0.0.1", "127.0.1.1"}
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address")
    for address in addresses:
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


def test_refuses_to_start_without_a_secret(monkeypatch, capsys):
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    assert action_server.main(["--port", "1"]) == 2
    assert "ACTION_SERVER_TOKEN is not set" in capsys.readouterr().err
