"""The document store: citizens' uploads, attaching them by reference, quotas, deletion."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from edistrict.models import AuditEntry, Document, Upload
from edistrict.outbox import OutboxWorker
from edistrict.uploads import charge_quota, expire_uploads, usage
from tests.edistrict.conftest import (
    CITIZEN_ID,
    OFFICER,
    OWNER,
    SERVICE,
    birth_body,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    submit,
    upload,
)
from tests.filecheck import samples

OTHER = {**SERVICE, "X-Citizen-Id": "919800000002"}
SLIP = "hospital_discharge_slip"


def store(client: TestClient, data: bytes, name: str = "scan.jpg", headers=None):
    return client.post(
        "/api/v1/documents",
        headers=OWNER if headers is None else headers,
        files={"file": (name, data, "application/octet-stream")},
    )


def attach(client: TestClient, app_id: str, document_id: str, headers=None):
    """Attaches by reference, as the action server does (a urlencoded form)."""
    return client.post(
        f"/api/v1/applications/{app_id}/documents",
        headers=OWNER if headers is None else headers,
        data={"document_type": SLIP, "document_id": document_id},
    )


def discard(client: TestClient, document_id: str, headers=None):
    return client.delete(
        f"/api/v1/documents/{document_id}",
        headers=OWNER if headers is None else headers,
    )


def blob(client: TestClient, sha256: str) -> Path:
    root = client.app.state.settings.documents_dir  # type: ignore[attr-defined]
    return root / sha256[:2] / sha256[2:4] / sha256


def count(client: TestClient, model) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(model)) or 0


def audit_actions(client: TestClient) -> list[str]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_upload_then_attach_by_reference(client: TestClient):
    data = jpeg_bytes()
    stored = store(client, data, "C:\\Users\\sita\\aadhaar scan.jpg")
    assert stored.status_code == 201, stored.text
    body = stored.json()
    digest = hashlib.sha256(data).hexdigest()
    assert body["document_id"] == body["sha256"] == digest
    assert body["mime_type"] == "image/jpeg" and body["size_bytes"] == len(data)
    assert body["original_filename"] == "aadhaar scan.jpg"
    assert body["uploaded_at"]
    assert blob(client, digest).read_bytes() == data

    app_id = submit(client).json()["application_id"]
    attached = attach(client, app_id, digest)
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == digest
    assert attached.json()["original_filename"] == "aadhaar scan.jpg"
    assert attached.json()["mime_type"] == "image/jpeg"
    assert attach(client, app_id, digest).status_code == 200  # already attached
    application = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert [d["sha256"] for d in application["documents"]] == [digest]
    actions = audit_actions(client)
    assert actions.index("document.stored") < actions.index("document.uploaded")


def test_attaching_by_reference_resumes_a_documents_request(sqlite_client):
    client = sqlite_client
    app_id = submit(client).json()["application_id"]
    base = f"/api/v1/officer/applications/{app_id}"
    client.post(f"{base}/start-verification", headers=OFFICER)
    asked = client.post(
        f"{base}/request-documents",
        headers=OFFICER,
        json={"reason": "Discharge slip please", "document_types": [SLIP]},
    )
    assert asked.json()["status"] == "documents_requested"
    document_id = store(client, pdf_bytes(2), "slip.pdf").json()["document_id"]
    assert attach(client, app_id, document_id).status_code == 201
    application = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert application["status"] == "under_verification"


def test_the_application_checks_apply_to_a_reference(sqlite_client):
    client = sqlite_client
    app_id = submit(client).json()["application_id"]
    document_id = store(client, png_bytes()).json()["document_id"]
    wrong_type = client.post(
        f"/api/v1/applications/{app_id}/documents",
        headers=OWNER,
        data={"document_type": "passport_of_pet", "document_id": document_id},
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["error"] == "unknown_document_type"
    assert attach(client, "DL-BIR-2026-424242", document_id).status_code == 404
    assert count(client, Document) == 0


def test_exactly_one_of_file_and_document_id(sqlite_client):
    client = sqlite_client
    app_id = submit(client).json()["application_id"]
    document_id = store(client, png_bytes()).json()["document_id"]
    path = f"/api/v1/applications/{app_id}/documents"
    both = client.post(
        path,
        headers=OWNER,
        data={"document_type": SLIP, "document_id": document_id},
        files={"file": ("a.png", png_bytes(), "image/png")},
    )
    neither = client.post(path, headers=OWNER, data={"document_type": SLIP})
    for response in (both, neither):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "file_or_document_id"
    for unknown in ("0" * 64, "../../etc/passwd", document_id.upper()):
        response = attach(client, app_id, unknown)
        assert response.status_code == 404, unknown
        assert response.json()["error"] == "unknown_document"
    assert count(client, Document) == 0
    assert upload(client, app_id, png_bytes(), "a.png").status_code == 201


def test_re_upload_of_the_same_content_answers_200_with_the_same_body(sqlite_client):
    client = sqlite_client
    first = store(client, pdf_bytes(1), "slip.pdf")
    again = store(client, pdf_bytes(1), "renamed.pdf")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert count(client, Upload) == 1
    long_name = store(client, png_bytes(), "../" + "x" * 300 + ".png").json()
    assert long_name["original_filename"] == "x" * 200


def test_another_citizen_cannot_attach_or_delete_my_document(client: TestClient):
    data = jpeg_bytes()
    mine = store(client, data).json()["document_id"]
    theirs_app = submit(client, _birth_of("919800000002")).json()["application_id"]
    refused = attach(client, theirs_app, mine, headers=OTHER)
    assert refused.status_code == 404
    assert refused.json()["error"] == "unknown_document"
    gone = discard(client, mine, headers=OTHER)
    assert gone.status_code == 404 and gone.json()["error"] == "unknown_document"
    assert count(client, Upload) == 1 and blob(client, mine).exists()
    # the same bytes sent by them are their own upload, under the same reference
    theirs = store(client, data, headers=OTHER)
    assert theirs.status_code == 201 and theirs.json()["document_id"] == mine
    assert attach(client, theirs_app, mine, headers=OTHER).status_code == 201


def _birth_of(whatsapp_id: str) -> dict:
    body = birth_body()
    body["citizen"] = {**body["citizen"], "whatsapp_id": whatsapp_id}
    return body


def test_uploads_need_the_citizen_and_the_service_token(sqlite_client):
    client = sqlite_client
    files = {"file": ("a.png", png_bytes(), "image/png")}
    no_citizen = client.post("/api/v1/documents", headers=SERVICE, files=files)
    assert no_citizen.status_code == 422
    for headers in ({"X-Citizen-Id": CITIZEN_ID}, {**OFFICER, "X-Citizen-Id": "x"}):
        assert (
            client.post("/api/v1/documents", headers=headers, files=files).status_code
            == 401
        )
        assert discard(client, "0" * 64, headers=headers).status_code == 401
    assert discard(client, "0" * 64, headers=SERVICE).status_code == 422
    assert count(client, Upload) == 0


def test_delete_removes_the_blob_only_when_nothing_else_uses_it(client: TestClient):
    alone, shared, attached = samples.png(), samples.jpeg(), pdf_bytes(1)
    ids = [
        store(client, data).json()["document_id"] for data in (alone, shared, attached)
    ]
    store(client, shared, headers=OTHER)
    app_id = submit(client).json()["application_id"]
    assert attach(client, app_id, ids[2]).status_code == 201
    for document_id in ids:
        assert discard(client, document_id).status_code == 204
        assert discard(client, document_id).status_code == 404  # it is gone for me
    assert not blob(client, ids[0]).exists()
    assert blob(client, ids[1]).exists()  # the other citizen's upload
    assert blob(client, ids[2]).exists()  # the application's document
    assert (
        client.get(
            f"/api/v1/officer/applications/{app_id}/documents/1", headers=OFFICER
        ).content
        == attached
    )
    assert discard(client, ids[1], headers=OTHER).status_code == 204
    assert not blob(client, ids[1]).exists()
    assert "document.discarded" in audit_actions(client)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"GIF89a" + b"\x00" * 100, 415, "unsupported_type"),
        (pdf_bytes(1, password="secret"), 422, "pdf_encrypted"),
        (pdf_bytes(0), 422, "pdf_no_pages"),
        (samples.jpeg() + samples.zip_archive(), 422, "embedded_executable"),
        (samples.png() + b"x" * 500, 422, "trailing_data"),
        (samples.JAVASCRIPT_PDF, 422, "pdf_active_content"),
        (samples.png_bomb(), 413, "image_too_large"),
        (jpeg_bytes()[:60], 422, "image_corrupt"),
        (pdf_bytes(1) + b"%" + b"x" * 6000, 413, "file_too_large"),
    ],
    ids=[
        "empty",
        "gif",
        "encrypted-pdf",
        "zero-page-pdf",
        "jpeg-zip",
        "png-trailer",
        "pdf-js",
        "png-bomb",
        "cut-jpeg",
        "too-large",
    ],
)
def test_bad_files_get_the_application_upload_codes(
    sqlite_url: str, build_client, data: bytes, status: int, code: str
):
    client = build_client(sqlite_url, max_upload_bytes=5000)
    response = store(client, data)
    assert response.status_code == status, response.text
    assert response.json()["error"] == code and response.json()["message"]
    assert count(client, Upload) == 0
    root = client.app.state.settings.documents_dir  # type: ignore[attr-defined]
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_daily_file_quota_counts_every_attempt_and_survives_a_restart(
    database_url: str, build_client
):
    client = build_client(database_url, upload_files_per_day=3)
    assert store(client, b"GIF89a").status_code == 415  # refused, but counted
    assert store(client, samples.png(colour=(1, 0, 0))).status_code == 201
    assert store(client, samples.png(colour=(1, 0, 0))).status_code == 200  # counted
    over = store(client, samples.png(colour=(2, 0, 0)))
    assert over.status_code == 429
    assert over.json()["error"] == "quota_exceeded"
    assert store(client, samples.png(), headers=OTHER).status_code == 201
    restarted = build_client(database_url, upload_files_per_day=3)
    assert store(restarted, samples.png(colour=(3, 0, 0))).status_code == 429
    unlimited = build_client(database_url, upload_files_per_day=0)
    assert store(unlimited, samples.png(colour=(3, 0, 0))).status_code == 201


def test_daily_byte_quota(sqlite_url: str, build_client):
    first, second = samples.jpeg(colour=(1, 2, 3)), samples.jpeg(colour=(9, 2, 3))
    client = build_client(
        sqlite_url,
        upload_files_per_day=100,
        upload_bytes_per_day=len(first) + len(second) + 10,
    )
    assert store(client, first).status_code == 201
    assert store(client, second).status_code == 201
    over = store(client, samples.jpeg())
    assert over.status_code == 429 and over.json()["error"] == "quota_exceeded"
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert usage(session, CITIZEN_ID) == (2, len(first) + len(second))


def test_quota_resets_the_next_day_in_india(sqlite_url: str, build_client):
    from edistrict.documents import DocumentRejected

    client = build_client(sqlite_url, upload_files_per_day=1)
    state = client.app.state  # type: ignore[attr-defined]
    # 18:20 UTC is 23:50 in India; 18:40 UTC is already the next day there
    before = datetime(2027, 1, 10, 18, 20, tzinfo=UTC)
    after = before + timedelta(minutes=20)
    with state.session_factory() as session:
        charge_quota(session, "c1", 10, state.settings, now=before)
        with pytest.raises(DocumentRejected) as refused:
            charge_quota(session, "c1", 10, state.settings, now=before)
        assert refused.value.status_code == 429
        charge_quota(session, "c1", 10, state.settings, now=after)
        assert usage(session, "c1", now=after) == (1, 10)
        assert usage(session, "c1", now=before) == (0, 0)  # earlier days are dropped


def test_uploads_expire_but_attached_content_stays(sqlite_client):
    app_id = submit(sqlite_client).json()["application_id"]
    kept = store(sqlite_client, jpeg_bytes()).json()["document_id"]
    assert attach(sqlite_client, app_id, kept).status_code == 201
    dropped = store(sqlite_client, png_bytes()).json()["document_id"]
    state = sqlite_client.app.state  # type: ignore[attr-defined]
    worker = OutboxWorker(state.session_factory, state.settings, state.store)

    assert worker.expire_due() == 0  # nothing is older than the retention period
    with state.session_factory() as session:
        later = datetime.now(UTC) + timedelta(days=1)
        assert expire_uploads(session, state.store, later) == 2
    assert count(sqlite_client, Upload) == 0
    assert blob(sqlite_client, kept).exists()  # the application's document
    assert not blob(sqlite_client, dropped).exists()
    assert attach(sqlite_client, app_id, dropped).status_code == 404
