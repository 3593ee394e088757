"""Officer decisions, certificates with a QR code that verifies, tampering, audit."""

from __future__ import annotations

import io
import re

import pypdfium2
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from edistrict.models import AuditEntry, OutboxMessage
from edistrict.settings import REPO_ROOT
from tests.edistrict.conftest import (
    OFFICER,
    OWNER,
    jpeg_bytes,
    pdf_bytes,
    submit,
    upload,
)


def render_page(pdf: bytes, scale: float = 3.0):
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


def qr_text(pdf: bytes) -> str:
    results = zxingcpp.read_barcodes(render_page(pdf))
    qr = [r for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(qr) == 1, results
    return qr[0].text


def test_full_officer_flow_issues_verifiable_certificate(client: TestClient):
    app_id = submit(client).json()["application_id"]
    pending = client.get("/api/v1/officer/applications", headers=OFFICER).json()[
        "items"
    ]
    assert [a["application_id"] for a in pending] == [app_id]

    started = client.post(
        f"/api/v1/officer/applications/{app_id}/start-verification", headers=OFFICER
    )
    assert started.json()["status"] == "under_verification"
    asked = client.post(
        f"/api/v1/officer/applications/{app_id}/request-documents",
        headers=OFFICER,
        json={
            "reason": "Upload the hospital discharge slip, all pages readable",
            "document_types": ["hospital_discharge_slip"],
        },
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "documents_requested"
    assert asked.json()["requested_documents"] == ["hospital_discharge_slip"]
    doc = upload(client, app_id, pdf_bytes(1), "slip.pdf").json()
    after_upload = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert after_upload["status"] == "under_verification"

    content = client.get(
        f"/api/v1/officer/applications/{app_id}/documents/{doc['id']}", headers=OFFICER
    )
    assert (
        content.status_code == 200
        and content.headers["content-type"] == "application/pdf"
    )
    assert content.content == pdf_bytes(1)

    approved = client.post(
        f"/api/v1/officer/applications/{app_id}/approve", headers=OFFICER
    )
    assert approved.status_code == 200, approved.text
    app = approved.json()
    assert app["status"] == "issued"
    statuses = [h["status"] for h in app["history"]]
    assert statuses == [
        "submitted",
        "under_verification",
        "documents_requested",
        "under_verification",
        "approved",
        "issued",
    ]
    assert app["history"][4]["actor"] == "officer:officer-a"
    assert app["history"][2]["reason"].startswith("Upload the hospital")
    cert = app["certificate"]
    assert re.fullmatch(
        rf"DLC-BIR-{app_id.split('-')[2]}-[23456789A-HJ-NP-Z]{{8}}", cert["number"]
    )
    assert app["certificate_download_url"].startswith(
        "http://gateway.test/certificates/"
    )

    pdf = client.get(f"/api/v1/applications/{app_id}/certificate", headers=OWNER)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Birth Certificate" in text and app_id in text

    decoded = qr_text(pdf.content)
    assert decoded.startswith("http://gateway.test/v/")
    token = decoded.rsplit("/", 1)[1]
    assert token == cert["token"]
    verified = client.get(f"/verify/{token}")
    assert verified.status_code == 200
    facts = verified.json()
    assert facts["valid"] is True
    assert facts["certificate_number"] == cert["number"]
    assert facts["application_id"] == app_id
    assert facts["service_name"] == {"en": "Birth Certificate", "hi": "जन्म प्रमाण पत्र"}
    # The certificate's holder (the child, from the form), not the applicant's profile.
    assert facts["citizen_name"] == "आ**** क****"
    by_number = client.get(f"/verify/{cert['number']}")
    assert by_number.status_code == 200 and by_number.json()["valid"] is True
    page = client.get(f"/v/{token}")
    assert (
        page.status_code == 200
        and "Valid certificate" in page.text
        and app_id in page.text
        and "आ**** क****" in page.text
        and "आरव" not in page.text
    )

    body, signature = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (
        f"{flipped}.{signature}",
        f"{body}.{signature[:-3]}AAA",
        "DLC-BIR-2026-999999",
        "not-a-token",
    ):
        response = client.get(f"/verify/{bad}")
        assert response.status_code == 404, bad
        assert response.json()["valid"] is False
        assert "not valid" in response.json()["reason"]
    bad_page = client.get(f"/v/{flipped}.{signature}")
    assert bad_page.status_code == 404 and "Not valid" in bad_page.text

    again = client.post(
        f"/api/v1/officer/applications/{app_id}/approve", headers=OFFICER
    )
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"

    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert [m.payload["entities"]["status"] for m in outbox] == statuses
    issued = outbox[-1].payload
    assert issued["name"] == "application_status_changed"
    assert issued["entities"] == {
        "application_id": app_id,
        "status": "issued",
        "reason": None,
    }
    assert outbox[2].payload["entities"]["reason"].startswith("Upload the hospital")
    assert all(m.sender_id == "919876543210" for m in outbox)
    for action in (
        "application.created",
        "application.status_changed",
        "document.uploaded",
        "document.viewed",
        "certificate.issued",
    ):
        assert action in actions

    if client.app.state.engine.dialect.name == "sqlite":  # type: ignore[attr-defined]
        out = REPO_ROOT / "var" / "edistrict" / "checks"
        out.mkdir(parents=True, exist_ok=True)
        render_page(pdf.content, scale=2.0).save(out / "certificate-page1.png")
        (out / "certificate.pdf").write_bytes(pdf.content)


def test_reject_with_reason_and_closed_application(client: TestClient):
    app_id = submit(client).json()["application_id"]
    no_reason = client.post(
        f"/api/v1/officer/applications/{app_id}/reject", headers=OFFICER, json={}
    )
    assert no_reason.status_code == 422
    rejected = client.post(
        f"/api/v1/officer/applications/{app_id}/reject",
        headers=OFFICER,
        json={"reason": "Birth was registered in Haryana, not Delhi"},
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert (
        rejected.json()["status_reason"] == "Birth was registered in Haryana, not Delhi"
    )
    assert (
        client.get("/api/v1/officer/applications", headers=OFFICER).json()["items"]
        == []
    )
    assert (
        client.post(
            f"/api/v1/officer/applications/{app_id}/approve", headers=OFFICER
        ).status_code
        == 409
    )
    assert upload(client, app_id, jpeg_bytes(), "late.jpg").status_code == 409
    assert (
        client.get(
            f"/api/v1/applications/{app_id}/certificate", headers=OWNER
        ).status_code
        == 404
    )
