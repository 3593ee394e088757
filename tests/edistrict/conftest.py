"""Fixtures of the gateway tests (run with edistrict/bin/test in the gateway venv)."""

from __future__ import annotations

import io
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from edistrict.app import create_app
from edistrict.settings import OfficerGrant, Settings

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "catalog"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
SERVICE = {"Authorization": "Bearer test-service-token"}
OFFICER = {"Authorization": "Bearer test-officer-token"}
CITIZEN_ID = "919876543210"
# The service token acting for the citizen of birth_body() (the application's owner).
OWNER = {**SERVICE, "X-Citizen-Id": CITIZEN_ID}


def _postgres_or_skip() -> None:
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=2).close()
    except OSError as error:
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(f"{message}; start it to run the PostgreSQL variant")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a unique schema in the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'edistrict.db'}"
        return
    _postgres_or_skip()
    schema = f"edistrict_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'edistrict.db'}"


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "data_dir": data_dir,
        "catalog_path": CATALOG,
        "service_token": "test-service-token",
        "officer_tokens": {"officer-a": OfficerGrant("test-officer-token")},
        "public_base_url": "http://gateway.test",
        "run_worker": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def build_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Factory: a TestClient on a new app for a database URL (settings overridable)."""
    clients: list[TestClient] = []

    def build(database_url: str, **overrides: Any) -> TestClient:
        settings = make_settings(database_url, tmp_path / "data", **overrides)
        client = TestClient(create_app(settings, run_worker=False))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(database_url: str, build_client: Callable[..., TestClient]) -> TestClient:
    """The gateway on SQLite and on PostgreSQL."""
    return build_client(database_url)


@pytest.fixture
def sqlite_client(
    sqlite_url: str, build_client: Callable[..., TestClient]
) -> TestClient:
    """The gateway on SQLite only (for checks that do not depend on the database)."""
    return build_client(sqlite_url)


# The citizen's consent, as the assistant records it (actions/consent.py).
CONSENT = {
    "given_at": "2026-12-03T10:00:00+05:30",
    "version": "2026-12-03-hi",
    "method": "chat",
}


def birth_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_id": "birth_certificate",
        "channel": "whatsapp",
        "citizen": {"whatsapp_id": CITIZEN_ID, "name": "सीता देवी"},
        "consent": CONSENT,
        "language": "hi",
        "fields": {
            "child_name": "आरव कुमार",
            "date_of_birth": "2026-01-15",
            "gender": "male",
            "mother_name": "सीता देवी",
            "pincode": "110001",
        },
    }
    body["fields"].update(fields)
    return body


def submit(
    client: TestClient, body: dict[str, Any] | None = None, key: str | None = None
):
    return client.post(
        "/api/v1/applications",
        json=body or birth_body(),
        headers={**SERVICE, "Idempotency-Key": key or f"key-{uuid.uuid4().hex}"},
    )


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 100, 250)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(
    client: TestClient,
    application_id: str,
    data: bytes,
    filename: str = "doc.pdf",
    document_type: str = "hospital_discharge_slip",
    content_type: str = "application/octet-stream",
    headers: dict[str, str] | None = None,
):
    return client.post(
        f"/api/v1/applications/{application_id}/documents",
        headers=OWNER if headers is None else headers,
        data={"document_type": document_type},
        files={"file": (filename, data, content_type)},
    )
