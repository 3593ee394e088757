"""The gateway client, against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from actions import submission
from actions.edistrict_client import ClientSettings, EDistrictClient, EDistrictError
from tests.actions import gateway_answers as answers


class FakeGateway:
    """Answers each request with the next scripted (status, body); records requests."""

    def __init__(self) -> None:
        self.script: List[Tuple[int, Dict[str, Any]]] = []
        self.requests: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(body)
                        if body and "json" in (self.headers.get("Content-Type") or "")
                        else (body or None),
                        "method": self.command,
                    }
                )
                status, payload = fake.script.pop(0) if fake.script else (200, {})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    yield fake
    fake.server.shutdown()


def client_for(url: str) -> EDistrictClient:
    return EDistrictClient(
        ClientSettings(base_url=url, token="t", timeout=2, attempts=3, backoff=0.01)
    )


def test_retries_server_errors_then_succeeds_with_the_same_idempotency_key(gateway):
    gateway.script = [
        (503, {}),
        (502, {}),
        (201, answers.application("DL-BIR-2026-000007")),
    ]
    created = client_for(gateway.url).submit_application(
        "key-1",
        "birth_certificate",
        {"child_name": "Asha"},
        {"sender_id": "s"},
        answers.CONSENT,
    )
    assert created.application_id == "DL-BIR-2026-000007"
    assert len(gateway.requests) == 3
    assert {r["headers"]["Idempotency-Key"] for r in gateway.requests} == {"key-1"}
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer t"


def test_client_errors_are_not_retried(gateway):
    gateway.script = [(422, {"detail": "missing field child_name"})]
    with pytest.raises(EDistrictError) as error:
        client_for(gateway.url).get_application("DL-BIR-2026-000001")
    assert error.value.retryable is False and error.value.status == 422
    assert len(gateway.requests) == 1


def test_an_unreachable_gateway_is_one_retryable_error():
    with pytest.raises(EDistrictError) as error:
        client_for("http://127.0.0.1:9").get_application("DL-BIR-2026-000001")
    assert error.value.retryable is True and error.value.status is None


@pytest.mark.parametrize(
    "application_id",
    ["../../verify-key", "DL-BIR-2026-000001/../../x", "DL-BIR-2026-000001?x=1", ""],
)
def test_a_malformed_id_is_unknown_and_never_sent(gateway, application_id):
    with pytest.raises(EDistrictError) as error:
        client_for(gateway.url).get_application(application_id)
    assert (error.value.status, error.value.retryable) == (404, False)
    assert gateway.requests == []


def test_the_client_names_the_citizen_it_acts_for(gateway):
    gateway.script = [(200, answers.application())]
    client = EDistrictClient(
        ClientSettings(base_url=gateway.url, token="t", timeout=2, attempts=1),
        citizen_id="919800000001",
    )
    client.get_application("dl bir 2026 000001")
    [request] = gateway.requests
    assert request["path"] == "/api/v1/applications/DL-BIR-2026-000001"
    assert request["headers"]["X-Citizen-Id"] == "919800000001"


def test_a_refused_document_does_not_hide_the_submitted_application(
    gateway, tmp_path, monkeypatch
):
    """The gateway took the application but not one file: the citizen gets the id and is
    told which file did not go, never "not accepted"."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.catalog_access import get_catalog

    monkeypatch.setenv("EDISTRICT_URL", gateway.url)
    reference = {"id": "a" * 64, "sha256": "a" * 64, "mime_type": "application/pdf"}
    gateway.script = [
        (201, answers.application("DL-BIR-2026-000009", due_date="2026-12-09")),
        (422, {"error": "pdf_corrupt", "message": "The PDF is damaged"}),
    ]
    draft = {
        "key": "k9",
        "service": "birth_certificate",
        "answers": {"child_name": "Asha"},
        "documents": {"parents_id_proof": reference},
        "consent": answers.CONSENT,
    }
    tracker = Tracker("c-1", {"language": "hi"}, {}, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = submission.submit_application(dispatcher, tracker, draft)
    responses = [m["response"] for m in dispatcher.messages]
    assert responses == ["utter_application_submitted", "utter_documents_not_accepted"]
    assert dispatcher.messages[0]["application_id"] == "DL-BIR-2026-000009"
    assert dispatcher.messages[0]["due_date"] == "09/12/2026"
    id_proof = get_catalog()["birth_certificate"].document_named("parents_id_proof")
    assert dispatcher.messages[1]["documents"] == id_proof.name["hi"]
    assert events[0]["value"] == "DL-BIR-2026-000009"
