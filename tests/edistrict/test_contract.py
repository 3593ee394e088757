"""The committed OpenAPI document and the migrations match the code."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from edistrict.db import Base
from edistrict.openapi import OPENAPI_PATH, openapi_json


def test_committed_openapi_is_in_sync(sqlite_client: TestClient):
    committed = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    current = json.loads(openapi_json(sqlite_client.app))  # type: ignore[arg-type]
    assert committed == current, (
        "run edistrict/bin/openapi and commit edistrict/openapi.json"
    )
    assert (
        "/api/v1/applications" in current["paths"]
        and "/verify/{reference}" in current["paths"]
    )


def _parameters(operation: dict) -> dict[tuple[str, str], dict]:
    return {(p["in"], p["name"]): p for p in operation.get("parameters", [])}


def test_contract_names_the_citizen_and_offers_signed_links(sqlite_client: TestClient):
    spec = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/applications/{application_id}", "get"),
        ("/api/v1/applications/{application_id}/certificate", "get"),
        ("/api/v1/applications/{application_id}/documents", "post"),
    ):
        assert ("header", "X-Citizen-Id") in _parameters(paths[path][method]), path
    for path, method in (
        ("/api/v1/documents", "post"),
        ("/api/v1/documents/{document_id}", "delete"),
    ):
        citizen = _parameters(paths[path][method])[("header", "X-Citizen-Id")]
        assert citizen["required"] is True, path
    attach = spec["components"]["schemas"][
        "Body_upload_document_api_v1_applications__application_id__documents_post"
    ]
    assert {"file", "document_id"} <= set(attach["properties"])
    assert attach["required"] == ["document_type"]
    listing = _parameters(paths["/api/v1/applications"]["get"])
    assert ("query", "citizen_id") in listing
    assert ("query", "whatsapp_id") not in listing
    assert ("query", "mobile") not in listing
    download = paths["/certificates/{token}"]["get"]
    assert "security" not in download and "application/pdf" in str(download)
    out = spec["components"]["schemas"]["ApplicationOut"]["properties"]
    assert "certificate_download_url" in out


def test_migrations_match_models(client: TestClient):
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], "models changed without a migration"


def test_health_and_public_key(sqlite_client: TestClient):
    assert sqlite_client.get("/health").json()["status"] == "ok"
    assert sqlite_client.get("/verify-key").text.startswith(
        "-----BEGIN PUBLIC KEY-----"
    )
