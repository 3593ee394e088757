"""Consent records and erasure on the citizen's request (DPDP Act s. 6 and 12)."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from edistrict.models import AuditEntry, OutboxMessage, Upload
from tests.edistrict.conftest import (
    CITIZEN_ID,
    CONSENT,
    OFFICER,
    OWNER,
    SERVICE,
    birth_body,
    jpeg_bytes,
    pdf_bytes,
    submit,
    upload,
)
from tests.edistrict.test_uploads import blob, store

OTHER_ID = "919800000002"


def erase(client: TestClient, citizen_id: str = CITIZEN_ID, **headers: str):
    return client.post(
        "/api/v1/erasure", headers={**SERVICE, "X-Citizen-Id": citizen_id, **headers}
    )


def officer_view(client: TestClient, app_id: str) -> dict:
    response = client.get(f"/api/v1/officer/applications/{app_id}", headers=OFFICER)
    assert response.status_code == 200, response.text
    return response.json()


def rows(client: TestClient, statement) -> list:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(statement))


def test_an_application_keeps_the_consent_it_was_given_with(client: TestClient):
    created = submit(client)
    assert created.status_code == 201, created.text
    consent = officer_view(client, created.json()["application_id"])["consent"]
    assert consent["version"] == CONSENT["version"] and consent["method"] == "chat"
    assert consent["given_at"].startswith("2026-12-03T04:30:00")  # stored in UTC


def test_no_application_without_consent(sqlite_client: TestClient):
    body = birth_body()
    del body["consent"]
    refused = submit(sqlite_client, body)
    assert refused.status_code == 422
    assert "consent" in refused.text


def test_erasure_withdraws_the_undecided_and_unlinks_the_decided(client: TestClient):
    pending = submit(client).json()["application_id"]
    assert upload(client, pending, pdf_bytes()).status_code == 201
    pending_blob = officer_view(client, pending)["documents"][0]["sha256"]
    decided = submit(client, birth_body(mobile="9876543210")).json()["application_id"]
    approve = f"/api/v1/officer/applications/{decided}/approve"
    assert client.post(approve, headers=OFFICER).status_code == 200
    certificate = officer_view(client, decided)["certificate"]["number"]
    loose = store(client, jpeg_bytes()).json()["document_id"]
    others = submit(
        client, {**birth_body(), "citizen": {"whatsapp_id": OTHER_ID}}
    ).json()["application_id"]

    erased = erase(client, **{"X-Requested-By": "dpo-desk"})
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["withdrawn"] == 1 and report["unlinked"] == 2
    assert report["documents_deleted"] == 1 and report["uploads_deleted"] == 1
    assert report["notifications_deleted"] >= 2  # "submitted", "issued", ...

    withdrawn = officer_view(client, pending)
    assert withdrawn["status"] == "withdrawn" and withdrawn["fields"] == {}
    assert withdrawn["documents"] == [] and withdrawn["erased_at"]
    assert withdrawn["citizen"] == {"whatsapp_id": None, "mobile": None, "name": None}
    assert not blob(client, pending_blob).exists()
    assert not blob(client, loose).exists()
    kept = officer_view(client, decided)  # the department's record stays
    assert kept["status"] == "issued" and kept["fields"]["child_name"] == "आरव कुमार"
    assert "mobile" not in kept["fields"]  # only a way to reach the citizen
    assert kept["citizen"]["whatsapp_id"] is None and kept["erased_at"]
    assert client.get(f"/verify/{certificate}").status_code == 200
    for app_id in (pending, decided):  # the conversation no longer finds them
        mine = client.get(f"/api/v1/applications/{app_id}", headers=OWNER)
        assert mine.status_code == 404
    assert officer_view(client, others)["status"] == "submitted"
    assert rows(client, select(Upload).where(Upload.citizen_id == CITIZEN_ID)) == []
    assert (
        rows(client, select(OutboxMessage).where(OutboxMessage.sender_id == CITIZEN_ID))
        == []
    )
    [entry] = rows(
        client, select(AuditEntry).where(AuditEntry.action == "citizen.erased")
    )
    assert entry.actor == "service:dpo-desk"
    assert CITIZEN_ID not in entry.entity_id and CITIZEN_ID not in str(entry.details)
    assert entry.entity_id.endswith(
        hashlib.sha256(CITIZEN_ID.encode()).hexdigest()[:16]
    )


def test_erasing_again_finds_nothing_more(sqlite_client: TestClient):
    submit(sqlite_client)
    assert erase(sqlite_client).json()["withdrawn"] == 1
    again = erase(sqlite_client).json()
    assert again == {
        "withdrawn": 0,
        "unlinked": 0,
        "documents_deleted": 0,
        "uploads_deleted": 0,
        "notifications_deleted": 0,
    }


def test_a_withdrawn_application_cannot_be_decided(sqlite_client: TestClient):
    app_id = submit(sqlite_client).json()["application_id"]
    erase(sqlite_client)
    approve = f"/api/v1/officer/applications/{app_id}/approve"
    assert sqlite_client.post(approve, headers=OFFICER).status_code == 409


def test_erasure_needs_the_service_token_and_a_citizen(sqlite_client: TestClient):
    anonymous = sqlite_client.post("/api/v1/erasure", headers={"X-Citizen-Id": "1"})
    assert anonymous.status_code == 401
    assert sqlite_client.post("/api/v1/erasure", headers=OFFICER).status_code == 401
    assert sqlite_client.post("/api/v1/erasure", headers=SERVICE).status_code == 422
