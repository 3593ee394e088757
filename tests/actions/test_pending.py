"""The outage queue never jams on a bad application, and uploads nobody waits for are
removed from the channel's store (a real HTTP gateway fake on loopback)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import pending, submission
from actions.documents import ActionReceiveDocument
from actions.edistrict_client import ClientSettings, EDistrictClient
from channels.documents import document_path, store_document
from filecheck import FileRejected, check_file
from tests.actions import gateway_answers as answers
from tests.filecheck import samples


class FakeGateway:
    """A loopback gateway: creates applications, checks documents like the real one.

    ``answers`` maps an Idempotency-Key to a forced (status, body) for its creation;
    documents are checked with the shared ``filecheck`` (a bomb gets 413).
    It also plays Rasa's trigger_intent endpoint, recording the notifications.
    """

    def __init__(self) -> None:
        self.answers: Dict[str, Tuple[int, Dict[str, Any]]] = {}
        self.requests: List[Dict[str, Any]] = []
        self.notifications: List[Dict[str, Any]] = []
        self.documents: List[Tuple[str, str]] = []
        self.applications: List[Dict[str, Any]] = []
        self._ids: Dict[str, str] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = fake.answer(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake.requests.append({"path": self.path, "headers": dict(self.headers)})
                found = [
                    answers.application(**a)
                    for a in fake.applications
                    if self.path.endswith(a["application_id"])
                ]
                listed = [answers.application(**a) for a in fake.applications]
                data = json.dumps(found[0] if found else {"items": listed}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(
        self, path: str, headers: Dict[str, str], body: bytes
    ) -> Tuple[int, Dict[str, Any]]:
        self.requests.append({"path": path, "headers": headers})
        if "/trigger_intent" in path:
            self.notifications.append({"path": path, **json.loads(body)})
            return 200, {}
        if path == "/api/v1/applications":
            key = headers["Idempotency-Key"]
            if key in self.answers:
                return self.answers[key]
            number = self._ids.setdefault(key, f"DL-BIR-2026-{len(self._ids) + 1:06d}")
            return 201, answers.application(number)
        if path.endswith("/documents"):
            form = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
            )
            parts = {
                p.get_param("name", header="content-disposition"): p
                for p in form.iter_parts()
            }
            data = parts["file"].get_payload(decode=True)
            try:
                check_file(data, 5 * 1024 * 1024)
            except FileRejected as error:
                return error.status, {"error": error.code, "message": error.message}
            self.documents.append(
                (path.split("/")[4], hashlib.sha256(data).hexdigest())
            )
            return 201, answers.stored_document(hashlib.sha256(data).hexdigest())
        return 404, {"error": "not_found"}


@pytest.fixture
def gateway(monkeypatch) -> Iterator[FakeGateway]:
    fake = FakeGateway()
    monkeypatch.setenv("RASA_URL", fake.url)  # the same fake records notifications
    monkeypatch.setenv("EDISTRICT_URL", fake.url)
    yield fake
    fake.server.shutdown()


@pytest.fixture(autouse=True)
def stores(tmp_path, monkeypatch) -> Iterator[Path]:
    monkeypatch.setenv("ACTIONS_DATABASE_URL", f"sqlite:///{tmp_path / 'actions.db'}")
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "uploads"))
    pending.engine.cache_clear()
    yield tmp_path / "uploads"
    pending.engine.cache_clear()


def client(url: str) -> EDistrictClient:
    return EDistrictClient(
        ClientSettings(base_url=url, token="t", timeout=2, attempts=2, backoff=0.01)
    )


def stored(uploads: Path, data: bytes, extension: str) -> Dict[str, Any]:
    """Puts a file in the channel's store as it would be (the bomb: from before the
    channel checked content) and returns its reference."""
    digest = hashlib.sha256(data).hexdigest()
    path = uploads / digest[:2] / f"{digest}{extension}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"id": digest, "filename": f"scan{extension}", "mime_type": "image/png"}


def queue(key: str, documents: Optional[Dict[str, Any]] = None) -> None:
    payload = {
        "key": key,
        "service_id": "birth_certificate",
        "fields": {"child_name": "Asha"},
        "citizen": {"sender_id": f"citizen-{key}"},
        "channel": "whatsapp",
        "documents": documents or {},
    }
    pending.keep(key, f"citizen-{key}", payload, "gateway down")


def test_a_refused_document_fails_only_its_application(gateway, stores):
    queue("bomb", {"photo": stored(stores, samples.png_bomb(), ".png")})
    good = stored(stores, samples.png(), ".png")
    queue("good1", {"photo": good})
    queue("good2")

    assert submission.retry_pending(client(gateway.url)) == 3

    assert pending.all_pending() == []
    [failed] = pending.all_failed()
    assert failed["key"] == "bomb" and failed["status"] == "failed"
    assert "413" in failed["last_error"] and "image_too_large" in failed["last_error"]
    assert failed["application_id"] == "DL-BIR-2026-000001"
    assert [d[1] for d in gateway.documents] == [good["id"]]
    assert gateway.notifications == []  # the gateway's outbox tells the citizens

    gateway.requests.clear()
    assert submission.retry_pending(client(gateway.url)) == 0
    assert gateway.requests == []  # a failed one is never retried


def test_a_refused_application_is_failed_and_the_next_one_goes_in(gateway):
    queue("invalid")
    queue("valid")
    gateway.answers["invalid"] = (422, {"error": "invalid_field"})
    assert submission.retry_pending(client(gateway.url)) == 1
    assert [f["key"] for f in pending.all_failed()] == ["invalid"]
    assert pending.all_failed()[0]["application_id"] is None
    assert gateway.notifications == []


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_temporary_error_keeps_the_item_without_blocking_the_others(gateway, status):
    queue("flaky")
    queue("fine")
    gateway.answers["flaky"] = (status, {"error": "busy"})
    assert submission.retry_pending(client(gateway.url)) == 1
    [kept] = pending.all_pending()
    assert kept["key"] == "flaky" and kept["attempts"] == 2
    assert pending.all_failed() == []


def test_a_wrong_token_ends_the_round_but_fails_nothing(gateway):
    queue("a")
    queue("b")
    gateway.answers["a"] = (401, {"error": "unauthorized"})
    assert submission.retry_pending(client(gateway.url)) == 0
    assert [p["key"] for p in pending.all_pending()] == ["b", "a"]
    assert pending.all_failed() == []


def test_an_unreachable_gateway_rotates_the_queue():
    queue("first")
    queue("second")
    assert submission.retry_pending(client("http://127.0.0.1:9")) == 0
    # the one just tried goes to the back: next round starts with the other
    assert [p["key"] for p in pending.all_pending()] == ["second", "first"]


def test_an_unexpected_error_in_one_item_does_not_stop_the_queue(gateway):
    pending.keep("broken", "citizen-broken", {"key": "broken"}, "gateway down")
    queue("fine")
    assert submission.retry_pending(client(gateway.url)) == 1
    [kept] = pending.all_pending()
    assert kept["key"] == "broken" and "KeyError" in kept["last_error"]


def test_a_queue_from_before_the_status_column_is_upgraded(tmp_path, monkeypatch):
    database = tmp_path / "old.db"
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE pending_submissions (key VARCHAR(64) PRIMARY KEY, "
            "sender_id VARCHAR(255) NOT NULL, payload TEXT NOT NULL, "
            "created_at DATETIME NOT NULL, attempts INTEGER NOT NULL, last_error TEXT)"
        )
        db.execute(
            "INSERT INTO pending_submissions VALUES "
            "('old', 's', '{\"key\": \"old\"}', '2026-01-01 00:00:00', 1, 'down')"
        )
    monkeypatch.setenv("ACTIONS_DATABASE_URL", f"sqlite:///{database}")
    pending.engine.cache_clear()
    [item] = pending.all_pending()
    assert (item["key"], item["status"]) == ("old", "pending")
    pending.mark_failed("old", "refused")
    assert [f["key"] for f in pending.all_failed()] == ["old"]


def test_references_sees_documents_of_pending_submissions_only(stores):
    reference = {"id": "a" * 64, "filename": "x.png", "mime_type": "image/png"}
    queue("one", {"photo": reference})
    assert pending.references("a" * 64) is True
    assert pending.references("b" * 64) is False
    pending.mark_failed("one", "refused")
    assert pending.references("a" * 64) is False


CITIZEN = "919800000001"


def receive(document: Dict[str, Any], **slots: Any) -> List[str]:
    """Runs action_receive_document for a WhatsApp upload; returns the responses."""
    tracker = Tracker(
        CITIZEN,
        slots,
        {"text": "/document_uploaded", "metadata": {"document": document}},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    ActionReceiveDocument().run(dispatcher, tracker, {})
    return [m.get("response") for m in dispatcher.messages]


def upload(data: bytes, sender: str = CITIZEN) -> Dict[str, Any]:
    return store_document(data, "scan.png", None, sender_id=sender).to_metadata()


def test_an_upload_nobody_waits_for_is_deleted(gateway):
    document = upload(samples.png())
    assert document_path(document["id"]) is not None
    assert receive(document) == ["utter_document_not_expected"]
    assert document_path(document["id"]) is None


@pytest.mark.parametrize("slot", ["application", "drafts"])
def test_an_upload_a_draft_holds_is_kept(gateway, slot):
    document = upload(samples.png())
    draft = {
        "key": "k",
        "service": "birth_certificate",
        "answers": {},
        "documents": {"hospital_discharge_slip": document},
    }
    slots = (
        {"application": draft}
        if slot == "application"
        else {"drafts": {"birth_certificate": draft}}
    )
    assert receive(document, **slots) == ["utter_document_not_expected"]
    assert document_path(document["id"]) is not None


def test_an_upload_a_kept_submission_needs_is_kept(gateway):
    document = upload(samples.png())
    queue("queued", {"photo": document})
    assert receive(document) == ["utter_document_not_expected"]
    assert document_path(document["id"]) is not None


def test_the_same_file_sent_by_another_citizen_is_kept(gateway):
    upload(samples.png(), sender="919800000002")
    document = upload(samples.png())
    assert receive(document) == ["utter_document_not_expected"]
    assert document_path(document["id"]) is not None


def test_an_upload_an_officer_asked_for_is_attached_and_kept(gateway):
    gateway.applications = [
        {"application_id": "DL-BIR-2026-000042", "status": "documents_requested"}
    ]
    document = upload(samples.png())
    assert receive(document) == ["utter_document_attached"]
    assert gateway.documents == [("DL-BIR-2026-000042", document["id"])]
    assert document_path(document["id"]) is not None
