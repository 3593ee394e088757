"""Security of the gateway (issue #16): no citizen reads files, secrets or others' data.

Covers ownership of applications (IDOR), signed certificate links, verification that
cannot be enumerated, officers scoped to departments and deactivated, production refusing
development secrets, and authentication and size checks before any body byte is read
(also against a real uvicorn server and socket).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from select import select as readable
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from edistrict.app import create_app
from edistrict.certificate_numbers import ALPHABET
from edistrict.links import DownloadLinks
from edistrict.masking import mask_name
from edistrict.models import Application, AuditEntry, Certificate, Document, Officer
from edistrict.ratelimit import SlidingWindowLimiter
from edistrict.settings import (
    REPO_ROOT,
    ConfigError,
    OfficerGrant,
    Settings,
    parse_officers,
)
from tests.edistrict.conftest import (
    CATALOG,
    CITIZEN_ID,
    CONSENT,
    OFFICER,
    OWNER,
    SERVICE,
    birth_body,
    make_settings,
    pdf_bytes,
    submit,
    upload,
)
from tests.edistrict.test_outbox import free_port

OTHER_CITIZEN = {**SERVICE, "X-Citizen-Id": "918888888888"}
MCD = {"Authorization": "Bearer mcd-officer-token"}
REVENUE = {"Authorization": "Bearer revenue-officer-token"}
SCOPED_OFFICERS = {
    "officer-a": OfficerGrant("test-officer-token"),
    "mcd-officer": OfficerGrant("mcd-officer-token", frozenset({"mcd"})),
    "revenue-officer": OfficerGrant("revenue-officer-token", frozenset({"revenue"})),
}
NO_LIMIT = {"verify_rate_limit": 0}


def income_body() -> dict[str, Any]:
    return {
        "service_id": "income_certificate",
        "channel": "whatsapp",
        "citizen": {"whatsapp_id": "917777777777", "name": "Sunil Kumar"},
        "consent": CONSENT,
        "fields": {
            "applicant_name": "Sunil Kumar",
            "annual_income": "120000",
            "aadhaar": "2345 6789 0124",
            "salaried": "no",
        },
    }


def issue(client: TestClient, body: dict | None = None, officer=OFFICER) -> str:
    """Submits and approves an application; returns its id."""
    app_id = submit(client, body).json()["application_id"]
    approved = client.post(
        f"/api/v1/officer/applications/{app_id}/approve", headers=officer
    )
    assert approved.status_code == 200, approved.text
    return app_id


def fake_id(app_id: str) -> str:
    """An application id of the same shape that does not exist."""
    return app_id.rsplit("-", 1)[0] + "-999999"


def same_answer(response, unknown, app_id: str, unknown_id: str) -> None:
    """The answer about ``app_id`` is the one an unknown id gets, id aside."""
    assert response.status_code == unknown.status_code == 404
    assert response.json() == {
        "error": "unknown_application",
        "message": f"No application {app_id}.",
    }
    assert (
        unknown.json()["message"].replace(unknown_id, app_id)
        == (response.json()["message"])
    )
    assert response.headers["content-type"] == unknown.headers["content-type"]


def count(client: TestClient, model: type) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- ownership (IDOR) ------------------------------------------------------------------


def test_another_citizens_application_is_answered_like_an_unknown_one(
    client: TestClient,
):
    app_id = issue(client)
    unknown_id = fake_id(app_id)
    for path in ("", "/certificate"):
        url = f"/api/v1/applications/{app_id}{path}"
        unknown = client.get(f"/api/v1/applications/{unknown_id}{path}", headers=OWNER)
        assert client.get(url, headers=OWNER).status_code == 200
        for headers in (OTHER_CITIZEN, SERVICE, {**SERVICE, "X-Citizen-Id": ""}):
            same_answer(client.get(url, headers=headers), unknown, app_id, unknown_id)

    pending_id = submit(client).json()["application_id"]
    unknown_upload = upload(client, fake_id(pending_id), pdf_bytes())
    for headers in (OTHER_CITIZEN, SERVICE):
        foreign = upload(client, pending_id, pdf_bytes(), headers=headers)
        same_answer(foreign, unknown_upload, pending_id, fake_id(pending_id))
    assert count(client, Document) == 0
    assert upload(client, pending_id, pdf_bytes()).status_code == 201

    listed = client.get(
        "/api/v1/applications",
        params={"citizen_id": "918888888888"},
        headers=SERVICE,
    )
    assert listed.json()["items"] == []


def test_odd_application_ids_and_citizen_ids_are_simply_unknown(client: TestClient):
    submit(client)
    for odd in ("%00", "DL-BIR%00", "x" * 5000, "प्रमाण", "DL-BIR-2026-000001.pdf"):
        for path in ("", "/certificate"):
            response = client.get(f"/api/v1/applications/{odd}{path}", headers=OWNER)
            assert response.status_code == 404, odd
            assert response.json()["error"] == "unknown_application"
        officer = client.get(f"/api/v1/officer/applications/{odd}", headers=OFFICER)
        assert officer.status_code == 404, odd
    for citizen in ("\x00", "919876543210\x00", "x" * 200):
        listed = client.get(
            "/api/v1/applications", params={"citizen_id": citizen}, headers=SERVICE
        )
        assert listed.status_code == 200 and listed.json()["items"] == []


def test_owner_is_the_conversation_id_or_the_whatsapp_id(sqlite_client: TestClient):
    body = birth_body()
    body["sender_id"] = "csc-operator-7:conversation-42"
    app_id = submit(sqlite_client, body).json()["application_id"]
    url = f"/api/v1/applications/{app_id}"
    for owner in ("csc-operator-7:conversation-42", CITIZEN_ID):
        got = sqlite_client.get(url, headers={**SERVICE, "X-Citizen-Id": owner})
        assert got.status_code == 200, owner
    for stranger in ("csc-operator-7:conversation-4", "9876543210", "*", "%"):
        got = sqlite_client.get(url, headers={**SERVICE, "X-Citizen-Id": stranger})
        assert got.status_code == 404, stranger


# --- certificate download links --------------------------------------------------------


def test_certificate_link_downloads_without_token_and_fails_when_altered(
    sqlite_client: TestClient,
):
    client = sqlite_client
    app_id = issue(client)
    app = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    url = app["certificate_download_url"]
    number = app["certificate"]["number"]
    assert url.startswith("http://gateway.test/certificates/")
    path = url.removeprefix("http://gateway.test")

    anonymous = TestClient(client.app)
    pdf = anonymous.get(path)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="{number}.pdf"'
    )
    head = anonymous.head(path)
    assert head.status_code == 200 and head.headers["content-type"] == "application/pdf"
    by_service = client.get(f"/api/v1/applications/{app_id}/certificate", headers=OWNER)
    assert pdf.content == by_service.content and pdf.content.startswith(b"%PDF")

    token = path.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    links: DownloadLinks = client.app.state.links  # type: ignore[attr-defined]
    other_key = DownloadLinks(b"k" * 32, links.base_url, links.ttl_seconds)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    bad_tokens = {
        "payload altered": f"{flipped}.{mac}",
        "mac altered": f"{payload}.{mac[:-2]}AA",
        "no mac": payload,
        "expired": links.token(app_id, number, now=time.time() - 3601),
        "other application": links.token(fake_id(app_id), number),
        "unknown number": links.token(app_id, "DLC-BIR-2026-AAAAAAAA"),
        "other key": other_key.token(app_id, number),
        "unicode": "प्रमाण.पत्र",
        "long": "A" * 5000 + "." + "B" * 50,
    }
    answers = {}
    for name, bad in bad_tokens.items():
        response = anonymous.get(f"/certificates/{bad}")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/json", name
        answers[name] = response.json()
    assert len({str(a) for a in answers.values()}) == 1, answers
    assert answers["expired"]["error"] == "unknown_certificate_link"

    # The link is not a credential for anything else.
    assert (
        anonymous.get(
            f"/api/v1/applications/{app_id}",
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        == 401
    )
    # A revoked certificate (application no longer issued) cannot be downloaded.
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Application)
            .where(Application.application_id == app_id)
            .values(status="rejected")
        )
        session.commit()
    assert anonymous.get(path).status_code == 404


def test_link_lifetime_follows_configuration(sqlite_url, build_client):
    client = build_client(sqlite_url, download_link_ttl_seconds=120)
    app_id = issue(client)
    url = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()[
        "certificate_download_url"
    ]
    target = client.app.state.links.open(url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    assert 100 < target.expires_at - time.time() <= 120
    assert target.application_id == app_id


# --- verification cannot be enumerated -------------------------------------------------


def test_certificate_numbers_are_random_and_old_ones_still_verify(
    sqlite_url, build_client
):
    client = build_client(sqlite_url, **NO_LIMIT)
    numbers = []
    for _ in range(2):
        app_id = issue(client)
        numbers.append(
            client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()[
                "certificate"
            ]["number"]
        )
    year = app_id.split("-")[2]
    pattern = rf"DLC-BIR-{year}-[{ALPHABET}]{{8}}"
    assert all(re.fullmatch(pattern, n) for n in numbers), numbers
    assert len(set(numbers)) == 2
    # Guessing the sequential numbers of the old scheme finds nothing ...
    for guess in (f"DLC-BIR-{year}-{i:06d}" for i in range(1, 4)):
        assert client.get(f"/verify/{guess}").status_code == 404
    # ... while a number issued under the old scheme stays verifiable.
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Certificate)
            .where(Certificate.number == numbers[0])
            .values(number=f"DLC-BIR-{year}-000001")
        )
        session.commit()
    old = client.get(f"/verify/DLC-BIR-{year}-000001")
    assert old.status_code == 200 and old.json()["valid"] is True
    assert client.get(f"/verify/{numbers[1].lower()}").json()["valid"] is True


def test_holder_name_is_masked_by_number_and_by_token(sqlite_url, build_client):
    client = build_client(sqlite_url, **NO_LIMIT)
    app_id = issue(client, income_body())
    cert = client.get(
        f"/api/v1/applications/{app_id}",
        headers={**SERVICE, "X-Citizen-Id": "917777777777"},
    ).json()["certificate"]
    for reference in (cert["number"], cert["token"]):
        facts = client.get(f"/verify/{reference}").json()
        assert facts["valid"] is True and facts["citizen_name"] == "S**** K****"
        page = client.get(f"/v/{reference}").text
        assert "S**** K****" in page and "Sunil" not in page and "Kumar" not in page
    hindi = issue(client)
    hindi_number = client.get(f"/api/v1/applications/{hindi}", headers=OWNER).json()[
        "certificate"
    ]["number"]
    assert client.get(f"/verify/{hindi_number}").json()["citizen_name"] == (
        "आ**** क****"  # the child's name from the form, not the citizen's profile
    )


def test_mask_name_keeps_only_first_characters():
    assert mask_name("Sunil Kumar") == "S**** K****"
    assert mask_name("  Al  ") == "A****"
    assert mask_name("सीता देवी") == "स**** द****"
    assert mask_name("") == "-" and mask_name(None) == "-"


def test_unknown_tampered_revoked_and_odd_references_get_one_answer(
    database_url, build_client
):
    client = build_client(database_url, **NO_LIMIT)
    app_id = issue(client)
    cert = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()[
        "certificate"
    ]
    body, signature = cert["token"].split(".")
    signer = client.app.state.signer  # type: ignore[attr-defined]
    references = [
        "DLC-BIR-2026-ZZZZZZZZ",
        f"{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{signature}",
        signer.sign({"n": "DLC-BIR-2026-ZZZZZZZZ"}),
        signer.sign({"n": {"nested": True}}),
        "x" * 5000,
        "a.b.c",
        "a..b",
        "प्रमाण-पत्र",
        "DLC-BIR-😀",
        "%00",
        "DLC%00BIR",
        "' OR '1'='1",
        "%E2%80%AE",
    ]
    answers = set()
    for reference in references:
        response = client.get(f"/verify/{reference}")
        assert response.status_code == 404, reference
        answers.add(response.text)
        page = client.get(f"/v/{reference}")
        assert page.status_code == 404 and "Not valid" in page.text, reference
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Application)
            .where(Application.application_id == app_id)
            .values(status="rejected")
        )
        session.commit()
    for revoked in (cert["number"], cert["token"]):
        answers.add(client.get(f"/verify/{revoked}").text)
    assert len(answers) == 1, answers


def test_verification_is_rate_limited_per_client(sqlite_url, build_client):
    client = build_client(sqlite_url, verify_rate_limit=3)
    assert [client.get(f"/verify/DLC-X-{i}").status_code for i in range(2)] == [
        404,
        404,
    ]
    assert client.get("/v/DLC-X-3").status_code == 404
    limited = client.get("/verify/DLC-X-4")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert client.get("/v/DLC-X-5").status_code == 429
    other = TestClient(client.app, client=("203.0.113.9", 40000))
    assert other.get("/verify/DLC-X-6").status_code == 404
    assert client.get("/health").status_code == 200
    # The action server verifies for every citizen from one address: counted per
    # citizen it names, not limited when it names none; a wrong token changes nothing.
    for _ in range(5):
        assert client.get("/verify/DLC-X-7", headers=SERVICE).status_code == 404
    asker = {**SERVICE, "X-Citizen-Id": "918888888888"}
    assert [
        client.get("/verify/DLC-X-8", headers=asker).status_code for _ in range(4)
    ] == [
        404,
        404,
        404,
        429,
    ]
    fake = {"Authorization": "Bearer guess", "X-Citizen-Id": "91"}
    assert client.get("/verify/DLC-X-9", headers=fake).status_code == 429


def test_sliding_window_limiter_forgets_old_requests():
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 60, clock=lambda: now[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") == pytest.approx(60)
    assert limiter.hit("b") == 0
    now[0] = 30.0
    assert limiter.hit("a") == pytest.approx(30)
    now[0] = 60.5
    assert limiter.hit("a") == 0
    assert SlidingWindowLimiter(0, 60).hit("a") == 0


# --- officers: departments, deactivation, production -----------------------------------


def test_officer_sees_and_decides_only_their_departments(database_url, build_client):
    client = build_client(database_url, officer_tokens=SCOPED_OFFICERS)
    birth = submit(client).json()["application_id"]
    income = submit(client, income_body()).json()["application_id"]

    def listed(headers):
        response = client.get("/api/v1/officer/applications", headers=headers)
        return [a["application_id"] for a in response.json()["items"]]

    assert listed(MCD) == [birth]
    assert listed(REVENUE) == [income]
    assert sorted(listed(OFFICER)) == sorted([birth, income])
    assert listed({**REVENUE}) == [income]
    assert (
        client.get(
            "/api/v1/officer/applications",
            params={"service_id": "birth_certificate"},
            headers=REVENUE,
        ).json()["items"]
        == []
    )

    doc = upload(client, birth, pdf_bytes()).json()
    unknown_id = fake_id(birth)
    base = "/api/v1/officer/applications"
    unknown = client.get(f"{base}/{unknown_id}", headers=REVENUE)
    same_answer(
        client.get(f"{base}/{birth}", headers=REVENUE), unknown, birth, unknown_id
    )
    same_answer(
        client.get(f"{base}/{birth}/documents/{doc['id']}", headers=REVENUE),
        unknown,
        birth,
        unknown_id,
    )
    decisions = {
        "start-verification": None,
        "request-documents": {"reason": "Upload the slip", "document_types": []},
        "reject": {"reason": "Not from Delhi"},
        "approve": None,
    }
    for action, body in decisions.items():
        response = client.post(f"{base}/{birth}/{action}", headers=REVENUE, json=body)
        same_answer(response, unknown, birth, unknown_id)
    assert (
        client.get(f"/api/v1/applications/{birth}", headers=OWNER).json()["status"]
        == "submitted"
    )
    approved = client.post(f"{base}/{birth}/approve", headers=MCD)
    assert approved.status_code == 200 and approved.json()["status"] == "issued"
    assert client.get(f"{base}/{birth}", headers=MCD).status_code == 200


def test_officer_departments_are_checked_against_the_catalog(sqlite_url, tmp_path):
    settings = make_settings(
        sqlite_url,
        tmp_path / "data",
        officer_tokens={"x": OfficerGrant("x-token", frozenset({"transport"}))},
    )
    with pytest.raises(ConfigError, match="unknown departments"):
        create_app(settings, run_worker=False)
    assert parse_officers("a:tok-a:mcd|revenue, b:tok-b , c:tok-c:*") == {
        "a": OfficerGrant("tok-a", frozenset({"mcd", "revenue"})),
        "b": OfficerGrant("tok-b"),
        "c": OfficerGrant("tok-c"),
    }
    for bad in ("a:tok:MCD", "a:tok:mcd:x", "a:tok,a:tok2", "a::mcd", ":tok"):
        with pytest.raises(ConfigError):
            parse_officers(bad)
    with pytest.raises(ConfigError, match="token of their own"):
        make_settings(
            sqlite_url,
            tmp_path,
            officer_tokens={"a": OfficerGrant("same"), "b": OfficerGrant("same")},
        ).check()


def _officer(client: TestClient, officer_id: str) -> Officer:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        officer = session.scalar(
            select(Officer).where(Officer.officer_id == officer_id)
        )
        assert officer is not None
        return officer


def _audited(client: TestClient, action: str, officer_id: str) -> list[AuditEntry]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.entity_id == officer_id
                )
            )
        )


def test_officer_removed_from_configuration_is_deactivated_at_start(
    database_url, build_client
):
    first = build_client(database_url, officer_tokens=SCOPED_OFFICERS)
    assert first.get("/api/v1/officer/applications", headers=MCD).status_code == 200
    remaining = {k: v for k, v in SCOPED_OFFICERS.items() if k != "mcd-officer"}
    second = build_client(database_url, officer_tokens=remaining)
    for client in (second, first):  # the running first app sees it at once too
        response = client.get("/api/v1/officer/applications", headers=MCD)
        assert response.status_code == 401
    assert (
        second.get("/api/v1/officer/applications", headers=REVENUE).status_code == 200
    )
    officer = _officer(second, "mcd-officer")
    assert officer.active is False and officer.deactivated_reason == "not_configured"
    assert _audited(second, "officer.deactivated", "mcd-officer")
    # Configured again (e.g. a mistaken removal): active again, with its departments.
    third = build_client(database_url, officer_tokens=SCOPED_OFFICERS)
    assert third.get("/api/v1/officer/applications", headers=MCD).status_code == 200
    assert _officer(third, "mcd-officer").departments == ["mcd"]


def test_cli_deactivates_an_officer_at_once(sqlite_url, build_client, tmp_path):
    client = build_client(sqlite_url, officer_tokens=SCOPED_OFFICERS)
    assert client.get("/api/v1/officer/applications", headers=MCD).status_code == 200
    env = {
        **os.environ,
        "EDISTRICT_DATABASE_URL": sqlite_url,
        "EDISTRICT_DATA_DIR": str(tmp_path / "cli"),
        "EDISTRICT_CATALOG_PATH": str(CATALOG),
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "edistrict", "deactivate-officer", "mcd-officer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"deactivated": true' in result.stdout
    assert client.get("/api/v1/officer/applications", headers=MCD).status_code == 401
    assert _audited(client, "officer.deactivated", "mcd-officer")[0].actor == "cli"
    # A restart with the same configuration does not bring the revoked token back ...
    again = build_client(sqlite_url, officer_tokens=SCOPED_OFFICERS)
    assert again.get("/api/v1/officer/applications", headers=MCD).status_code == 401
    # ... a new token does.
    renewed = {
        **SCOPED_OFFICERS,
        "mcd-officer": OfficerGrant("mcd-new-token", frozenset({"mcd"})),
    }
    fresh = build_client(sqlite_url, officer_tokens=renewed)
    new = {"Authorization": "Bearer mcd-new-token"}
    assert fresh.get("/api/v1/officer/applications", headers=new).status_code == 200
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "edistrict",
            "add-officer",
            "asha",
            "--departments",
            "mcd",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    grant = json.loads(added.stdout.strip().splitlines()[-1])
    assert grant["configuration_entry"] == f"asha:{grant['token']}:mcd"
    asha = {"Authorization": f"Bearer {grant['token']}"}
    submit(fresh, income_body())
    pending = fresh.get("/api/v1/officer/applications", headers=asha)
    assert pending.status_code == 200 and pending.json()["items"] == []
    unknown = subprocess.run(
        [sys.executable, "-m", "edistrict", "deactivate-officer", "nobody"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 1


def test_production_refuses_development_tokens(sqlite_url, build_client, tmp_path):
    prod = {
        "EDISTRICT_ENV": "production",
        "EDISTRICT_SERVICE_TOKEN": "a-long-random-service-secret",
        "EDISTRICT_SIGNING_KEY_FILE": "/k.pem",
    }
    assert Settings.from_env(prod).production
    refused = [
        {"EDISTRICT_SERVICE_TOKEN": "dev-service-token"},
        {"EDISTRICT_OFFICER_TOKENS": "dev-officer:dev-officer-token:mcd"},
        {"EDISTRICT_OFFICER_TOKENS": "ravi:dev-officer-token:mcd"},
        {"EDISTRICT_OFFICER_TOKENS": "dev-officer:a-real-secret:mcd"},
        {"EDISTRICT_OFFICER_TOKENS": "ravi:a-real-secret"},
        {"EDISTRICT_OFFICER_TOKENS": "ravi:a-real-secret:*"},
        {"EDISTRICT_LINK_KEY": "too-short"},
    ]
    for extra in refused:
        with pytest.raises(ConfigError):
            Settings.from_env({**prod, **extra})
    scoped = Settings.from_env(
        {**prod, "EDISTRICT_OFFICER_TOKENS": "ravi:a-real-secret:mcd|revenue"}
    )
    assert scoped.officer_tokens["ravi"].departments == {"mcd", "revenue"}
    with pytest.raises(ConfigError, match="development service token"):
        create_app(
            make_settings(
                sqlite_url,
                tmp_path / "d",
                env="production",
                service_token="dev-service-token",
            ),
            run_worker=False,
        )

    dev = build_client(
        sqlite_url, officer_tokens={"dev-officer": OfficerGrant("dev-officer-token")}
    )
    dev_officer = {"Authorization": "Bearer dev-officer-token"}
    assert (
        dev.get("/api/v1/officer/applications", headers=dev_officer).status_code == 200
    )
    production = build_client(
        sqlite_url,
        env="production",
        officer_tokens={"ravi": OfficerGrant("a-real-secret", frozenset({"mcd"}))},
    )
    assert (
        production.get("/api/v1/officer/applications", headers=dev_officer).status_code
        == 401
    )
    officer = _officer(production, "dev-officer")
    assert officer.active is False
    assert officer.deactivated_reason == "development_officer"


# --- authentication before the body, size before reading -------------------------------


def _asgi_call(app, method: str, path: str, headers: dict[str, str]):
    """Calls the ASGI app directly; returns (status, receive calls)."""
    calls: list[dict] = []
    sent: list[dict] = []

    async def receive() -> dict:
        calls.append({})
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], len(calls)


def test_unauthenticated_and_oversized_requests_never_read_the_body(
    sqlite_client: TestClient,
):
    app = sqlite_client.app
    upload_path = "/api/v1/applications/DL-BIR-2026-000001/documents"
    form = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": "2048"}
    cases = [
        ("POST", upload_path, form, 401),
        ("POST", upload_path, {**form, "Authorization": "Bearer wrong"}, 401),
        ("POST", upload_path, {**form, **OFFICER}, 401),
        ("POST", upload_path, {**form, "Authorization": "Basic abc"}, 401),
        ("POST", "/api/v1/officer/applications/X/reject", {**SERVICE, **form}, 401),
        ("POST", "/api/v1/unknown", {**form, "Authorization": "Bearer wrong"}, 401),
        ("POST", upload_path, {**form, **OWNER, "Content-Length": "314572800"}, 413),
        ("POST", "/verify/x", {"Content-Length": "314572800"}, 413),
    ]
    for method, path, headers, status in cases:
        assert _asgi_call(app, method, path, headers) == (status, 0), (path, headers)


@pytest.fixture
def live_server(
    sqlite_url: str, tmp_path: Path
) -> Iterator[Callable[..., tuple[str, int]]]:
    """Starts the app under a real uvicorn server on a free port."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**overrides: Any) -> tuple[str, int]:
        settings = make_settings(sqlite_url, tmp_path / "live", **overrides)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, run_worker=False),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        servers.append((server, thread))
        return "127.0.0.1", port

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def _raw_request(
    address: tuple[str, int], head: str, body_chunks: list[bytes] | None = None
) -> tuple[int, float, int]:
    """Sends a request head, then chunks until the server answers.

    Returns:
        (status, seconds until the answer, body bytes sent before it).
    """
    started = time.monotonic()
    sent = 0
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks or []:
                if readable([sock], [], [], 0)[0]:
                    break  # the server answered already
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: exactly the point
        data = b""
        while b"\r\n" not in data:
            part = sock.recv(4096)
            if not part:
                break
            data += part
    status = int(data.split(b" ", 2)[1]) if data else 0
    return status, time.monotonic() - started, sent


def test_real_server_answers_300_mb_declared_upload_without_reading_it(live_server):
    address = live_server()
    path = "/api/v1/applications/DL-BIR-2026-000001/documents"
    declared = 300 * 1024 * 1024
    base = (
        f"POST {path} HTTP/1.1\r\nHost: gateway\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {declared}\r\n"
    )
    # Not one body byte is sent: an answer proves nothing was waited for or read.
    status, seconds, _ = _raw_request(address, base + "\r\n")
    assert status == 401 and seconds < 5
    authed = (
        base
        + f"Authorization: Bearer test-service-token\r\nX-Citizen-Id: {CITIZEN_ID}\r\n\r\n"
    )
    status, seconds, _ = _raw_request(address, authed)
    assert status == 413 and seconds < 5


def test_real_server_limits_each_client_behind_the_edge(live_server):
    address = live_server(verify_rate_limit=1)

    def verify(forwarded_for: str) -> int:
        head = (
            "GET /verify/DLC-BIR-2026-ZZZZZZZZ HTTP/1.1\r\nHost: gateway\r\n"
            f"X-Forwarded-For: {forwarded_for}\r\nConnection: close\r\n\r\n"
        )
        return _raw_request(address, head)[0]

    # nginx (on 127.0.0.1, trusted by uvicorn) names the citizen's address.
    assert verify("198.51.100.1") == 404
    assert verify("198.51.100.1") == 429
    assert verify("198.51.100.2") == 404


def test_real_server_cuts_off_a_streamed_body_over_the_limit(live_server):
    address = live_server(max_upload_bytes=10_000)
    path = "/api/v1/applications/DL-BIR-2026-000001/documents"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: gateway\r\n"
        "Authorization: Bearer test-service-token\r\n"
        f"X-Citizen-Id: {CITIZEN_ID}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    part_head = (
        b'--x\r\nContent-Disposition: form-data; name="file"; '
        b'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
    )
    chunk = b"0" * 8192
    chunks = [
        f"{len(data):x}\r\n".encode() + data + b"\r\n"
        for data in [part_head] + [chunk] * 4096  # 32 MiB of one well-formed file part
    ]
    status, seconds, sent = _raw_request(address, head, chunks)
    assert status == 413 and seconds < 10
    # Answered long before the end (what was sent includes the kernel's buffers).
    assert sent < 16 * 1024 * 1024, f"{sent} bytes were sent before the answer"
