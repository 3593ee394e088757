"""A submission the gateway cannot take stays in the conversation and Rasa's reminder
brings it back; uploads nobody waits for are removed from the gateway's document store.

The gateway is a loopback HTTP fake that answers like the real one
(``tests/integration/test_gateway_contract.py`` proves the shape) and checks referenced
documents with the shared ``filecheck``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import submission
from actions.documents import ActionReceiveDocument
from actions.form import ActionFinishApplication
from filecheck import FileRejected, check_file
from tests.actions import gateway_answers as answers
from tests.filecheck import samples

CITIZEN = "919800000001"


class FakeGateway:
    """A loopback gateway: applications by idempotency key, a document store by sha256.

    ``answers`` maps an Idempotency-Key to a forced (status, body) for its creation;
    ``down`` answers 503 to everything. Attached documents are checked with the shared
    ``filecheck`` (a bomb gets 413).
    """

    def __init__(self) -> None:
        self.answers: Dict[str, Tuple[int, Dict[str, Any]]] = {}
        self.down = False
        self.requests: List[Dict[str, Any]] = []
        self.uploads: Dict[str, bytes] = {}
        self.documents: List[Tuple[str, str]] = []
        self.deleted: List[str] = []
        self.applications: List[Dict[str, Any]] = []
        self._ids: Dict[str, str] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, answer: Any) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append(
                    {"method": self.command, "path": self.path, **dict(self.headers)}
                )
                if fake.down:
                    self._reply(503, {"error": "unavailable"})
                    return
                self._reply(*fake.answer(self.command, self.path, self.headers, body))

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def upload(self, data: bytes) -> Dict[str, Any]:
        """What the channel puts in ``metadata.document`` after storing ``data``."""
        digest = hashlib.sha256(data).hexdigest()
        self.uploads[digest] = data
        return {"id": digest, "sha256": digest, "mime_type": "image/png"}

    @property
    def created(self) -> List[str]:
        """Idempotency keys of every creation request, in order."""
        return [
            r["Idempotency-Key"]
            for r in self.requests
            if r["method"] == "POST" and r["path"] == "/api/v1/applications"
        ]

    def answer(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> Tuple[int, Any]:
        if method == "GET":
            found = [
                answers.application(**a)
                for a in self.applications
                if path.endswith(a["application_id"])
            ]
            listed = [answers.application(**a) for a in self.applications]
            return 200, found[0] if found else {"items": listed}
        if method == "DELETE":
            digest = path.rsplit("/", 1)[-1]
            if self.uploads.pop(digest, None) is None:
                return 404, {"error": "unknown_document"}
            self.deleted.append(digest)
            return 204, {}
        if path == "/api/v1/applications":
            key = headers["Idempotency-Key"]
            if key in self.answers:
                return self.answers[key]
            number = self._ids.setdefault(key, f"DL-BIR-2026-{len(self._ids) + 1:06d}")
            return 201, answers.application(number)
        if path.endswith("/documents"):
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            data = self.uploads.get(form["document_id"])
            if data is None:
                return 404, {"error": "unknown_document"}
            try:
                check_file(data, 5 * 1024 * 1024)
            except FileRejected as error:
                return error.status, {"error": error.code, "message": error.message}
            self.documents.append((path.split("/")[4], form["document_id"]))
            return 201, answers.stored_document(form["document_id"])
        return 404, {"error": "not_found"}


@pytest.fixture
def gateway(monkeypatch) -> Iterator[FakeGateway]:
    fake = FakeGateway()
    monkeypatch.setenv("EDISTRICT_URL", fake.url)
    monkeypatch.setenv("SUBMISSION_RETRY_SECONDS", "30")
    yield fake
    fake.server.shutdown()


def draft(key: str, documents: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    return {
        "key": key,
        "service": "birth_certificate",
        "answers": {"child_name": "Asha"},
        "display": {},
        "documents": documents or {},
        "consent": answers.CONSENT,
        "status": "done",
    }


def queued_item(
    key: str, documents: Optional[Dict[str, Any]] = None, attempts: int = 1
) -> Dict[str, Any]:
    """A queued submission as ``submit_application`` keeps it."""
    held = draft(key, documents)
    payload = submission.build_payload(held, tracker())
    return {"draft": held, "payload": payload, "attempts": attempts}


def tracker(**slots: Any) -> Tracker:
    latest = {"intent": {"name": submission.RETRY_INTENT}, "metadata": {}}
    return Tracker(CITIZEN, slots, latest, [], False, None, {}, "action_listen")


def submit(slots: Dict[str, Any], item: Dict[str, Any]) -> Tuple[List[str], Dict]:
    """Runs the form's submission; returns the responses and the events by name."""
    dispatcher = CollectingDispatcher()
    events = submission.submit_application(dispatcher, tracker(**slots), item)
    return [m["response"] for m in dispatcher.messages], _by_name(events)


def retry(slots: Dict[str, Any]) -> Tuple[List[str], Dict]:
    """Runs what Rasa's reminder runs; returns the responses and the events by name."""
    dispatcher = CollectingDispatcher()
    events = submission.ActionRetrySubmissions().run(dispatcher, tracker(**slots), {})
    return [m["response"] for m in dispatcher.messages], _by_name(events)


def _by_name(events: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    named = {}
    for event in events:
        named[event.get("name") or event["event"]] = event
    return named


def wait_of(reminder: Dict[str, Any]) -> float:
    due = datetime.fromisoformat(reminder["date_time"])
    return (due - datetime.now(timezone.utc)).total_seconds()


def test_an_outage_keeps_the_application_in_the_conversation_with_a_reminder(gateway):
    gateway.down = True
    said, events = submit({}, draft("k1"))
    assert said == ["utter_submission_queued"]
    queued = events[submission.QUEUE_SLOT]["value"]
    assert list(queued) == ["k1"] and queued["k1"]["attempts"] == 1
    assert queued["k1"]["payload"]["fields"] == {"child_name": "Asha"}
    reminder = events[submission.RETRY_REMINDER]
    assert reminder["event"] == "reminder"
    assert reminder["intent"] == submission.RETRY_INTENT
    assert reminder["kill_on_user_msg"] is False
    assert 25 < wait_of(reminder) <= 30


def test_the_reminder_delivers_it_once_with_the_same_key_and_says_nothing(gateway):
    gateway.down = True
    _, events = submit({}, draft("k1"))
    queued = events[submission.QUEUE_SLOT]["value"]
    gateway.down = False

    said, events = retry({submission.QUEUE_SLOT: queued})

    assert said == []  # the gateway's outbox tells the citizen "submitted"
    assert events[submission.QUEUE_SLOT]["value"] is None
    assert submission.RETRY_REMINDER not in events
    assert gateway.created[-1] == "k1" and set(gateway.created) == {"k1"}
    # Sent again (Rasa restarted before the slot was saved): the key makes it one.
    retry({submission.QUEUE_SLOT: queued})
    assert len(gateway._ids) == 1


def test_a_longer_outage_waits_twice_as_long_each_time(gateway):
    gateway.down = True
    _, events = submit({}, draft("k1"))
    queued = events[submission.QUEUE_SLOT]["value"]
    said, events = retry({submission.QUEUE_SLOT: queued})
    assert said == []
    assert events[submission.QUEUE_SLOT]["value"]["k1"]["attempts"] == 2
    assert 55 < wait_of(events[submission.RETRY_REMINDER]) <= 60


def test_a_refused_document_does_not_hold_back_the_application(gateway):
    bomb = gateway.upload(samples.png_bomb())
    good = gateway.upload(samples.png())
    queued = {
        "bomb": queued_item("bomb", {"hospital_discharge_slip": bomb}),
        "good": queued_item("good", {"hospital_discharge_slip": good}),
    }
    said, events = retry({submission.QUEUE_SLOT: queued, "language": "hi"})
    assert said == ["utter_documents_not_accepted"]
    assert events[submission.QUEUE_SLOT]["value"] is None
    assert [d[1] for d in gateway.documents] == [good["id"]]
    assert set(gateway.created) == {"bomb", "good"}


def test_a_refused_application_goes_back_to_the_drafts_and_the_next_one_goes_in(
    gateway,
):
    gateway.down = True
    _, first = submit({}, draft("invalid"))
    queued = first[submission.QUEUE_SLOT]["value"]
    _, second = submit({submission.QUEUE_SLOT: queued}, draft("valid"))
    queued = second[submission.QUEUE_SLOT]["value"]
    assert list(queued) == ["invalid", "valid"]
    gateway.down = False
    gateway.answers["invalid"] = (422, {"error": "invalid_field"})

    said, events = retry({submission.QUEUE_SLOT: queued})

    assert said == ["utter_submission_refused"]
    reopened = events["drafts"]["value"]["birth_certificate"]
    assert reopened["key"] == "invalid" and reopened["status"] == "open"
    assert reopened["answers"] == {"child_name": "Asha"}
    assert events[submission.QUEUE_SLOT]["value"] is None
    assert gateway.created[-1] == "valid" and "valid" in gateway._ids


@pytest.mark.parametrize("status", [401, 408, 429, 500])
def test_a_temporary_or_configuration_error_keeps_the_item(gateway, status):
    queued = {"flaky": queued_item("flaky", attempts=3)}
    gateway.answers["flaky"] = (status, {"error": "busy"})
    said, events = retry({submission.QUEUE_SLOT: queued})
    assert said == []
    assert events[submission.QUEUE_SLOT]["value"]["flaky"]["attempts"] == 4
    assert submission.RETRY_REMINDER in events


def test_a_broken_item_keeps_the_queue_and_its_reminder(gateway):
    queued = {
        "broken": {"draft": draft("broken"), "payload": {}},
        "good": queued_item("good"),
    }
    said, events = retry({submission.QUEUE_SLOT: queued})
    assert list(events[submission.QUEUE_SLOT]["value"]) == ["broken"]
    assert submission.RETRY_REMINDER in events
    assert gateway.created == ["good"]


def receive(document: Dict[str, Any], **slots: Any) -> List[str]:
    """Runs action_receive_document for an upload; returns the responses."""
    latest = {"text": "/document_uploaded", "metadata": {"document": document}}
    state = Tracker(CITIZEN, slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionReceiveDocument().run(dispatcher, state, {})
    return [m.get("response") for m in dispatcher.messages]


def test_an_upload_nobody_waits_for_is_deleted_from_the_gateway(gateway):
    document = gateway.upload(samples.png())
    assert receive(document) == ["utter_document_not_expected"]
    assert gateway.deleted == [document["id"]]
    [delete] = [r for r in gateway.requests if r["method"] == "DELETE"]
    assert delete["X-Citizen-Id"] == CITIZEN


@pytest.mark.parametrize("slot", ["application", "drafts", "queued_submissions"])
def test_an_upload_a_draft_holds_is_kept(gateway, slot):
    document = gateway.upload(samples.png())
    held = draft("k", {"hospital_discharge_slip": document})
    slots = {
        "application": {"application": held},
        "drafts": {"drafts": {"birth_certificate": held}},
        "queued_submissions": {"queued_submissions": {"k": {"draft": held}}},
    }[slot]
    assert receive(document, **slots) == ["utter_document_not_expected"]
    assert gateway.deleted == []


def test_an_upload_an_officer_asked_for_is_attached_by_reference(gateway):
    gateway.applications = [
        {"application_id": "DL-BIR-2026-000042", "status": "documents_requested"}
    ]
    document = gateway.upload(samples.png())
    assert receive(document) == ["utter_document_attached"]
    assert gateway.documents == [("DL-BIR-2026-000042", document["id"])]
    assert gateway.deleted == []


def test_a_reference_that_is_no_document_id_is_not_expected(gateway):
    assert receive({"id": "../../etc/passwd"}) == ["utter_document_not_expected"]
    assert gateway.requests == []


def test_a_citizen_asking_for_the_status_hears_what_still_waits(gateway):
    gateway.down = True
    queued = {"k1": queued_item("k1")}
    latest = {"intent": {"name": "check_status"}, "metadata": {}}
    state = Tracker(
        CITIZEN,
        {submission.QUEUE_SLOT: queued, "language": "hinglish"},
        latest,
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    events = submission.ActionRetrySubmissions().run(dispatcher, state, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_submission_still_queued"
    assert message["services"] == "Janam praman patra"
    assert submission.RETRY_REMINDER in _by_name(events)


def test_a_new_session_re_arms_the_retry_rasa_forgot_on_restart(gateway):
    from actions.session import ActionSessionStart

    state = tracker(**{submission.QUEUE_SLOT: {"k1": queued_item("k1")}})
    events = ActionSessionStart().run(CollectingDispatcher(), state, {})
    reminder = _by_name(events)[submission.RETRY_REMINDER]
    assert reminder["intent"] == submission.RETRY_INTENT
    assert list(_by_name(events)[submission.QUEUE_SLOT]["value"]) == ["k1"]


def test_a_cancelled_draft_takes_its_uploads_with_it_unless_another_draft_has_them(
    gateway,
):
    own = gateway.upload(samples.png())
    shared = gateway.upload(samples.jpeg())
    cancelled = draft("c", {"photo": own, "hospital_discharge_slip": shared})
    cancelled["status"] = "cancelled"
    other = draft("o", {"hospital_discharge_slip": shared})
    slots = {
        "application": cancelled,
        "application_step": "cancelled",
        "drafts": {"income_certificate": other},
        "language": "hi",
    }
    state = Tracker(CITIZEN, slots, {}, [], False, None, {}, "action_listen")
    events = ActionFinishApplication().run(CollectingDispatcher(), state, {})

    assert gateway.deleted == [own["id"]]  # the other draft still needs the shared one
    kept = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert kept["drafts"] == {"income_certificate": other}  # set again after the marker
    assert kept["application"] is None and "history_erased" in kept
