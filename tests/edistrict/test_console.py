"""The officers' console over HTTP: sessions, scope, queue, the application page, decisions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from edistrict.applications import IST
from edistrict.console import sessions
from edistrict.models import Application, AuditEntry, OutboxMessage, StatusEvent
from edistrict.settings import OfficerGrant
from tests.edistrict.conftest import (
    CONSENT,
    OWNER,
    SERVICE,
    birth_body,
    jpeg_bytes,
    submit,
    upload,
)

SUNIL = {**SERVICE, "X-Citizen-Id": "917777777777"}
OFFICERS = {
    "officer-a": OfficerGrant("test-officer-token"),
    "revenue-officer": OfficerGrant("revenue-officer-token", frozenset({"revenue"})),
}


def income_body(
    aadhaar: str = "2345 6789 0124",
    district: str | None = None,
    name: str = "Sunil Kumar",
) -> dict[str, Any]:
    fields = {
        "applicant_name": name,
        "annual_income": "120000",
        "aadhaar": aadhaar,
        "salaried": "no",
    }
    if district:
        fields["district"] = district
    return {
        "service_id": "income_certificate",
        "channel": "whatsapp",
        "citizen": {"whatsapp_id": "917777777777", "name": "Sunil Kumar"},
        "consent": CONSENT,
        "language": "hinglish",
        "fields": fields,
    }


@pytest.fixture
def console(sqlite_url, build_client) -> TestClient:
    return build_client(sqlite_url, officer_tokens=OFFICERS)


def login(
    client: TestClient, officer_id: str = "officer-a", token: str = "test-officer-token"
):
    return client.post(
        "/console/login",
        data={"officer_id": officer_id, "token": token},
        follow_redirects=False,
    )


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def status_of(page: str) -> str:
    return re.search(r'id="status" data-status="([^"]+)"', page).group(1)


def rows(client: TestClient, query: str = "") -> list[str]:
    return re.findall(
        r'<tr class="[^"]*" data-id="([^"]+)"',
        client.get(f"/console/queue{query}").text,
    )


def test_pages_need_a_login_and_a_wrong_token_is_refused(console):
    assert (
        console.get("/console/queue", follow_redirects=False).headers["location"]
        == "/console/login"
    )
    refused = login(console, token="wrong")
    assert refused.status_code == 401 and "console_session" not in refused.cookies
    assert (
        login(console, "revenue-officer", "test-officer-token").status_code == 401
    )  # not theirs
    assert login(console).headers["location"] == "/console/queue"
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("console.login_failed") == 2 and "console.login" in actions


def test_a_tampered_or_expired_cookie_or_a_revoked_officer_ends_the_session(console):
    login(console)
    assert console.get("/console/queue", follow_redirects=False).status_code == 200
    good = console.cookies.get(sessions.COOKIE)
    flipped = "0" if good[-1] != "0" else "1"
    console.cookies.set(sessions.COOKIE, good[:-1] + flipped, path="/console")
    assert console.get("/console/queue", follow_redirects=False).status_code == 303
    key = console.app.state.console_key  # type: ignore[attr-defined]
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        from edistrict.models import Officer

        officer = session.scalar(
            select(Officer).where(Officer.officer_id == "officer-a")
        )
        expired = sessions.issue(key, officer, now=0)
        assert sessions.officer_of(key, expired, session) is None
        assert sessions.officer_of(key, good, session) is not None
        officer.active = False
        session.commit()
        assert sessions.officer_of(key, good, session) is None


def test_the_queue_is_sorted_by_due_date_scoped_and_filtered(console):
    birth = submit(console).json()["application_id"]
    income = submit(console, income_body(district="north_east")).json()[
        "application_id"
    ]
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        late = session.scalar(
            select(Application).where(Application.application_id == income)
        )
        late.due_date = datetime.now(IST).date() - timedelta(days=3)  # India's day
        session.commit()
    login(console)
    page = console.get("/console/queue").text
    assert rows(console) == [income, birth]  # the overdue one first
    assert re.search(rf'<tr class="overdue" data-id="{income}"', page)
    assert "3 days overdue" in page
    assert rows(console, "?service=birth_certificate") == [birth]
    assert rows(console, "?district=north_east") == [income]
    assert rows(console, "?status=documents_requested") == []
    login(console, "revenue-officer", "revenue-officer-token")
    assert rows(console) == [income]  # an MCD application is not theirs
    assert console.get(f"/console/applications/{birth}").status_code == 404


def test_the_application_page_masks_aadhaar_and_shows_documents_with_their_precheck(
    console,
):
    app_id = submit(console, income_body()).json()["application_id"]
    assert (
        upload(
            console,
            app_id,
            jpeg_bytes(),
            "aadhaar.jpg",
            document_type="aadhaar_card",
            headers=SUNIL,
        ).status_code
        == 201
    )
    login(console)
    page = console.get(f"/console/applications/{app_id}").text
    assert "XXXX XXXX 0124" in page and "2345" not in page
    [url] = re.findall(r'<img src="([^"]+)"', page)
    shown = console.get(url)
    assert shown.status_code == 200 and shown.content == jpeg_bytes()
    assert shown.headers["content-type"] == "image/jpeg"
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        viewed = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.viewed")
        ).all()
    assert [entry.actor for entry in viewed] == ["officer:officer-a"]
    hindi = console.get(f"/console/applications/{app_id}?lang=hi").text
    assert "दस्तावेज़" in hindi and "स्थिति का इतिहास" in hindi


def test_a_document_request_reaches_the_citizen_in_their_language(console):
    app_id = submit(console, income_body()).json()["application_id"]
    login(console)
    page = console.get(f"/console/applications/{app_id}").text
    path = f"/console/applications/{app_id}/request-documents"
    form = {
        "csrf": csrf(page),
        "reason": "unclear",
        "document_types": ["aadhaar_card"],
        "note": "Dono taraf ki photo",
    }
    assert console.post(path, data={**form, "csrf": "forged"}).status_code == 403
    done = console.post(path, data=form, follow_redirects=False)
    assert done.headers["location"].endswith("done=1")
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        event = session.scalars(
            select(StatusEvent).order_by(StatusEvent.id.desc())
        ).first()
        outbox = session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id.desc())
        ).first()
    assert event.status == "documents_requested" and event.actor == "officer:officer-a"
    assert (
        event.reason == "Photo ya scan padhne laayak saaf nahi hai. Dono taraf ki photo"
    )
    assert outbox.payload["entities"]["status"] == "documents_requested"
    assert outbox.payload["entities"]["reason"] == event.reason


def test_nothing_is_decided_without_a_chosen_document(console):
    app_id = submit(console, income_body()).json()["application_id"]
    login(console)
    page = console.get(f"/console/applications/{app_id}").text
    answer = console.post(
        f"/console/applications/{app_id}/request-documents",
        data={"csrf": csrf(page), "reason": "unclear"},
        follow_redirects=False,
    )
    assert "problem=" in answer.headers["location"]
    assert status_of(console.get(f"/console/applications/{app_id}").text) == "submitted"


def test_approve_issues_the_certificate_and_a_decided_application_offers_no_decision(
    console,
):
    app_id = submit(console, birth_body()).json()["application_id"]
    login(console)
    token = csrf(console.get(f"/console/applications/{app_id}").text)
    console.post(
        f"/console/applications/{app_id}/start-verification", data={"csrf": token}
    )
    console.post(f"/console/applications/{app_id}/approve", data={"csrf": token})
    page = console.get(f"/console/applications/{app_id}").text
    assert status_of(page) == "issued" and 'id="approve"' not in page
    again = console.post(
        f"/console/applications/{app_id}/reject",
        data={"csrf": token, "reason": "other"},
        follow_redirects=False,
    )
    assert "problem=" in again.headers["location"]
    application = console.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert application["status"] == "issued" and application["certificate"]["number"]


def test_reject_with_a_listed_reason_and_a_note(console):
    app_id = submit(console, birth_body()).json()[
        "application_id"
    ]  # the citizen wrote Hindi
    login(console)
    page = console.get(f"/console/applications/{app_id}").text
    console.post(
        f"/console/applications/{app_id}/reject",
        data={"csrf": csrf(page), "reason": "duplicate", "note": "DL-BIR-2025-000123"},
    )
    application = console.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert application["status"] == "rejected"
    assert application["status_reason"] == (
        "पिछले आवेदन पर प्रमाण पत्र पहले ही जारी हो चुका है। DL-BIR-2025-000123"
    )


@pytest.mark.parametrize("decision", ["start-verification", "approve", "reject"])
def test_every_decision_needs_the_session_s_csrf_token(console, decision):
    app_id = submit(console, income_body()).json()["application_id"]
    login(console)
    path = f"/console/applications/{app_id}/{decision}"
    assert console.post(path, data={"reason": "other"}).status_code == 403
    assert (
        console.post(path, data={"reason": "other", "csrf": "x" * 32}).status_code
        == 403
    )
    assert (
        console.post(path, data={"reason": "other", "csrf": "ü" * 32}).status_code
        == 403
    )
    assert status_of(console.get(f"/console/applications/{app_id}").text) == "submitted"


def test_another_department_s_officer_can_neither_see_nor_decide(console):
    app_id = submit(console, birth_body()).json()["application_id"]  # MCD
    login(console, "revenue-officer", "revenue-officer-token")
    key = console.app.state.console_key  # type: ignore[attr-defined]
    token = sessions.csrf_token(key, console.cookies.get(sessions.COOKIE))
    for decision in ("approve", "start-verification"):
        answer = console.post(
            f"/console/applications/{app_id}/{decision}", data={"csrf": token}
        )
        assert answer.status_code == 404
    document = console.get(f"/console/applications/{app_id}/documents/1")
    assert document.status_code == 404
    login(console)
    assert status_of(console.get(f"/console/applications/{app_id}").text) == "submitted"


def test_the_page_shows_no_text_taken_from_the_address(console):
    app_id = submit(console, income_body()).json()["application_id"]
    login(console)
    page = console.get(
        f"/console/applications/{app_id}?problem=<b>Call+9999999999</b>"
    ).text
    assert "9999999999" not in page and 'role="alert"' not in page


def test_login_attempts_are_limited(console):
    for _ in range(10):
        assert login(console, token="wrong").status_code == 401
    assert login(console).status_code == 429  # even the right token, for a while


def test_a_stored_precheck_of_an_older_shape_never_breaks_a_read(console):
    app_id = submit(console, birth_body()).json()["application_id"]
    upload(console, app_id, jpeg_bytes(), "slip.jpg")
    with console.app.state.session_factory() as session:  # type: ignore[attr-defined]
        from edistrict.models import Document

        document = session.scalars(select(Document)).one()
        document.precheck = {"verdict": "maybe", "from": "an older release"}
        session.commit()
    shown = console.get(f"/api/v1/applications/{app_id}", headers=OWNER)
    assert shown.status_code == 200 and shown.json()["documents"][0]["precheck"] is None
    login(console)
    assert console.get(f"/console/applications/{app_id}").status_code == 200


def test_logging_out_ends_a_copied_session_too(console):
    login(console)
    copied = console.cookies.get(sessions.COOKIE)
    assert console.post("/console/logout", follow_redirects=False).status_code == 303
    console.cookies.set(sessions.COOKIE, copied, path="/console")
    assert console.get("/console/queue", follow_redirects=False).status_code == 303
    console.cookies.clear()
    login(console)  # a new session after it works
    assert console.get("/console/queue", follow_redirects=False).status_code == 200
