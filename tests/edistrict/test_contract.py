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
