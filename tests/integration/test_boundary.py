"""The runtime boundary, against the real servers (issue 16).

* Through the public edge (nginx from infra/nginx.conf.template): only the WhatsApp/Twilio
  webhooks and the gateway's verification pages pass; Rasa's API and REST channel do not,
  not even with the right token.
* Directly: Rasa's API refuses callers without ``RASA_TOKEN`` (tracker read, events append,
  trigger_intent, PUT/DELETE /model ...) and serves those with it.
* The action server refuses callers without ``ACTION_SERVER_TOKEN`` and serves Rasa.

The edge tests skip when nginx is not installed, and fail under CI=true.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests

from infra.settings import ACTION_TOKEN_HEADER
from tests.infra.nginx_edge import running_edge
from tests.integration.servers import (
    ACTION_SERVER_TOKEN,
    MODEL,
    RASA_TOKEN,
    Server,
    free_port,
    gateway_server,
    rasa_server,
    say,
)


@pytest.fixture(scope="module")
def rasa(model, actions_port, tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("rasa-boundary")
    env = {
        "GOV_VAR_DIR": str(workdir / "var"),
        "TRACKER_STORE_URL": "",
        "LOCK_STORE_URL": "",
        "EVENT_BROKER_URL": "",
    }
    server = rasa_server(free_port(), actions_port, workdir, env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("gateway-boundary")
    server = gateway_server(
        free_port(),
        root,
        {"EDISTRICT_OUTBOX_WORKER": "false"},
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def public(rasa, gateway, tmp_path_factory) -> Iterator[str]:
    """nginx rendered from the project's template in front of this Rasa and gateway."""
    var = tmp_path_factory.mktemp("edge-boundary")
    with running_edge(var, rasa.port, gateway.port) as url:
        yield url


def _rasa(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


# --- through the public edge ------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/conversations/x/tracker"),
        ("POST", "/conversations/x/tracker/events"),
        ("POST", "/conversations/x/trigger_intent"),
        ("GET", "/model"),
        ("PUT", "/model"),
        ("GET", "/status"),
        ("GET", "/domain"),
        ("POST", "/webhooks/rest/webhook"),
        ("GET", "/api/v1/officer/applications"),
        ("GET", "/docs"),
    ],
)
def test_the_edge_refuses_the_admin_api_even_with_the_token(public, method, path):
    response = requests.request(
        method,
        public + path,
        params={"token": RASA_TOKEN},
        json={"sender": "x", "message": "hi", "event": "slot", "name": "intent"},
        timeout=10,
    )
    assert response.status_code == 404, (path, response.status_code)


def test_the_edge_passes_the_whatsapp_webhook_to_rasa(public):
    # The channel answers (here: its health route) instead of nginx's 404.
    response = requests.get(f"{public}/webhooks/whatsapp/", timeout=10)
    assert response.status_code != 404
    assert "nginx" not in response.text


def test_the_edge_passes_the_verification_pages_to_the_gateway(public):
    key = requests.get(f"{public}/verify-key", timeout=10)
    assert key.status_code == 200 and "PUBLIC KEY" in key.text
    page = requests.get(f"{public}/v/NOT-A-CERTIFICATE", timeout=10)
    assert page.status_code == 404 and "e-District" in page.text  # the gateway's page


# --- Rasa's API directly -----------------------------------------------------------------


MARKER = f"boundary-marker-{uuid.uuid4().hex}"


def _api_calls(sender: str):
    return [
        ("GET", f"/conversations/{sender}/tracker", None),
        (
            "POST",
            f"/conversations/{sender}/tracker/events",
            {"event": "bot", "text": MARKER},
        ),
        (
            "POST",
            f"/conversations/{sender}/trigger_intent",
            {"name": "greet", "entities": {}},
        ),
        ("PUT", "/model", {"model_file": str(MODEL)}),
        ("DELETE", "/model", None),
        ("GET", "/status", None),
        ("GET", "/domain", None),
        ("POST", "/model/parse", {"text": "hi"}),
    ]


@pytest.mark.parametrize("token", [None, "wrong", ""], ids=["none", "wrong", "empty"])
def test_rasa_api_without_the_token_is_401(rasa, token):
    sender = f"boundary-{uuid.uuid4().hex[:8]}"
    for method, path, body in _api_calls(sender):
        params = {} if token is None else {"token": token}
        response = requests.request(
            method, _rasa(rasa) + path, params=params, json=body, timeout=30
        )
        assert response.status_code == 401, (method, path, response.status_code)
    # Nothing happened: the conversation has no event and the model is still loaded.
    tracker = requests.get(
        f"{_rasa(rasa)}/conversations/{sender}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    ).json()
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    assert MARKER not in str(tracker["events"])
    assert say(rasa.port, sender, "Hi"), "the model was unloaded"


def test_rasa_api_with_the_token_works(rasa):
    sender = f"boundary-{uuid.uuid4().hex[:8]}"
    token = {"token": RASA_TOKEN}
    base = _rasa(rasa)

    def call(method: str, path: str, body: Any = None) -> requests.Response:
        # Generous: loading the model again takes a while on a busy machine.
        return requests.request(
            method, base + path, params=token, json=body, timeout=600
        )

    assert call("GET", f"/conversations/{sender}/tracker").status_code == 200
    appended = call(
        "POST",
        f"/conversations/{sender}/tracker/events",
        {"event": "bot", "text": MARKER},
    )
    assert appended.status_code == 200
    assert appended.json()["events"][-1]["text"] == MARKER
    triggered = call(
        "POST", f"/conversations/{sender}/trigger_intent", {"name": "greet"}
    )
    assert triggered.status_code == 200, triggered.text
    assert triggered.json()["messages"], "trigger_intent produced no answer"
    assert call("DELETE", "/model").status_code == 204
    assert call("PUT", "/model", {"model_file": str(MODEL)}).status_code == 204
    assert call("GET", "/status").json()["model_file"]
    assert say(rasa.port, sender, "Hi"), "no answer after reloading the model"


def test_rasa_api_loads_no_model_from_outside_its_model_folder(rasa, tmp_path):
    """Even with the token: a model from elsewhere could run code when loaded."""
    outside = tmp_path / "copy.tar.gz"
    outside.write_bytes(MODEL.read_bytes())
    token = {"token": RASA_TOKEN}
    refused = [
        ("PUT", "/model", {"model_file": str(outside)}),
        ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}}),
        ("POST", "/model/train", {"pipeline": []}),
    ]
    for method, path, body in refused:
        response = requests.request(
            method, _rasa(rasa) + path, params=token, json=body, timeout=60
        )
        assert response.status_code == 403, (method, path, response.text)
    status = requests.get(_rasa(rasa) + "/status", params=token, timeout=30).json()
    assert Path(status["model_file"]).name == MODEL.name
    assert say(rasa.port, f"boundary-{uuid.uuid4().hex[:8]}", "Hi")


# --- the action server directly ----------------------------------------------------------


def _action_call(rasa: Server, sender: str) -> Dict[str, Any]:
    """The body Rasa sends for a custom action, built from a real tracker and domain."""
    base, token = _rasa(rasa), {"token": RASA_TOKEN}
    say(rasa.port, sender, "Hi")
    tracker = requests.get(
        f"{base}/conversations/{sender}/tracker", params=token, timeout=30
    ).json()
    domain = requests.get(
        f"{base}/domain",
        params=token,
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    return {
        "next_action": "action_validate_slot_mappings",
        "sender_id": sender,
        "tracker": tracker,
        "domain": domain,
        "version": "3.6.21",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {ACTION_TOKEN_HEADER: "rasa:wrong"},
        {ACTION_TOKEN_HEADER: ACTION_SERVER_TOKEN},
        {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"},
    ],
    ids=["none", "wrong", "without-prefix", "bearer"],
)
def test_action_server_without_the_secret_is_401(rasa, actions_port, headers):
    body = _action_call(rasa, f"boundary-{uuid.uuid4().hex[:8]}")
    response = requests.post(
        f"http://127.0.0.1:{actions_port}/webhook",
        json=body,
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 401
    assert (
        requests.get(f"http://127.0.0.1:{actions_port}/actions", timeout=10).status_code
        == 401
    )


def test_action_server_with_the_secret_runs_the_action(rasa, actions_port):
    body = _action_call(rasa, f"boundary-{uuid.uuid4().hex[:8]}")
    response = requests.post(
        f"http://127.0.0.1:{actions_port}/webhook",
        json=body,
        headers={ACTION_TOKEN_HEADER: f"rasa:{ACTION_SERVER_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert "events" in response.json()
