"""Document uploads: type by content, size limit, corrupt files, nothing stored half-way."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from edistrict.models import Document
from tests.edistrict.conftest import jpeg_bytes, pdf_bytes, png_bytes, submit, upload
from tests.filecheck import samples


def stored_blobs(client: TestClient) -> list[Path]:
    root = client.app.state.settings.documents_dir  # type: ignore[attr-defined]
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def document_rows(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(Document)) or 0


def test_valid_documents_are_stored_content_addressed(client: TestClient):
    app_id = submit(client).json()["application_id"]
    for data, name, mime in (
        (jpeg_bytes(), "photo.jpg", "image/jpeg"),
        (png_bytes(), "scan.png", "image/png"),
        (pdf_bytes(2), "slip.pdf", "application/pdf"),
    ):
        response = upload(client, app_id, data, name)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["mime_type"] == mime and body["size_bytes"] == len(data)
        assert body["original_filename"] == name
        import hashlib

        assert body["sha256"] == hashlib.sha256(data).hexdigest()
    again = upload(client, app_id, pdf_bytes(2), "copy.pdf")
    assert again.status_code == 200
    assert len(stored_blobs(client)) == 3
    assert document_rows(client) == 3


def test_pdf_named_file_that_is_png_is_stored_as_png(sqlite_client: TestClient):
    app_id = submit(sqlite_client).json()["application_id"]
    response = upload(
        sqlite_client,
        app_id,
        png_bytes(),
        "certificate.pdf",
        content_type="application/pdf",
    )
    assert response.status_code == 201
    assert response.json()["mime_type"] == "image/png"


@pytest.mark.parametrize(
    ("data", "filename", "status", "error"),
    [
        (
            b"MZ\x90\x00\x03"
            + b"\x00" * 200
            + b"This program cannot be run in DOS mode",
            "selfie.jpg",
            415,
            "unsupported_type",
        ),
        (b"#!/bin/sh\nrm -rf /\n", "photo.jpg", 415, "unsupported_type"),
        (b"", "empty.pdf", 422, "empty_file"),
        (pdf_bytes(3)[:300], "truncated.pdf", 422, "pdf_corrupt"),
        (pdf_bytes(1, password="secret"), "locked.pdf", 422, "pdf_encrypted"),
        (pdf_bytes(0), "nothing.pdf", 422, "pdf_no_pages"),
        (jpeg_bytes()[:60], "cut.jpg", 422, "image_corrupt"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "fake.png", 422, "image_corrupt"),
    ],
    ids=[
        "exe-as-jpg",
        "script-as-jpg",
        "empty",
        "truncated-pdf",
        "encrypted-pdf",
        "zero-page-pdf",
        "cut-jpeg",
        "fake-png",
    ],
)
def test_bad_files_rejected_with_reason_and_nothing_stored(
    sqlite_client: TestClient, data: bytes, filename: str, status: int, error: str
):
    app_id = submit(sqlite_client).json()["application_id"]
    response = upload(sqlite_client, app_id, data, filename)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["message"]
    assert stored_blobs(sqlite_client) == []
    assert document_rows(sqlite_client) == 0


def test_size_limit_is_configurable(sqlite_url: str, build_client):
    small = build_client(sqlite_url, max_upload_bytes=1000)
    app_id = submit(small).json()["application_id"]
    big = pdf_bytes(1) + b"%" + b"x" * 2000
    response = upload(small, app_id, big, "big.pdf")
    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"
    assert "1000 bytes" in response.json()["message"]
    assert stored_blobs(small) == []
    assert (
        upload(small, app_id, b"\xff\xd8\xff" + b"x" * 100, "x.jpg").status_code == 422
    )


def test_unknown_document_type_and_unknown_application(sqlite_client: TestClient):
    app_id = submit(sqlite_client).json()["application_id"]
    response = upload(
        sqlite_client, app_id, png_bytes(), document_type="passport_of_pet"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "document_type"
    assert upload(sqlite_client, "DL-BIR-2026-424242", png_bytes()).status_code == 404
    assert stored_blobs(sqlite_client) == []


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"\xff\xd8\xff\xe0" + samples.windows_exe(), 422, "embedded_executable"),
        (samples.jpeg() + samples.zip_archive(), 422, "embedded_executable"),
        (samples.png() + b"x" * 500, 422, "trailing_data"),
        (samples.JAVASCRIPT_PDF, 422, "pdf_active_content"),
        (samples.png_bomb(), 413, "image_too_large"),
        (samples.jpeg_claiming(20_000, 20_000), 413, "image_too_large"),
        (samples.jpeg()[:-30], 422, "image_corrupt"),
    ],
    ids=[
        "exe-with-jpeg-header",
        "jpeg-zip-polyglot",
        "png-trailer",
        "pdf-javascript",
        "png-bomb",
        "jpeg-bomb-header",
        "cut-jpeg",
    ],
)
def test_unsafe_files_rejected_by_the_shared_checks_never_a_500(
    sqlite_client: TestClient, data: bytes, status: int, error: str
):
    app_id = submit(sqlite_client).json()["application_id"]
    response = upload(sqlite_client, app_id, data, "scan.jpg")
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["message"]
    assert stored_blobs(sqlite_client) == []
    assert document_rows(sqlite_client) == 0


def test_a_pdf_pypdf_cannot_parse_is_a_422_not_a_500(sqlite_client: TestClient):
    app_id = submit(sqlite_client).json()["application_id"]
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n"
    broken += b"trailer\n<< /Root 1 0 R /Size 2 >>\n%%EOF\n"
    response = upload(sqlite_client, app_id, broken, "broken.pdf")
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("pdf_corrupt", "pdf_no_pages")
