"""Applications API on SQLite and PostgreSQL: creation, idempotency, validation, SLA."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from edistrict.applications import IST
from edistrict.models import Application, AuditEntry, OutboxMessage, StatusEvent
from tests.edistrict.conftest import (
    CONSENT,
    OFFICER,
    OWNER,
    SERVICE,
    birth_body,
    submit,
)


def count(client: TestClient, model: type) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_submit_creates_application_with_friendly_id_history_and_sla(
    client: TestClient,
):
    response = submit(client)
    assert response.status_code == 201, response.text
    app = response.json()
    year = date.today().year
    assert re.fullmatch(rf"DL-BIR-{year}-000001", app["application_id"])
    assert app["status"] == "submitted"
    assert app["channel"] == "whatsapp"
    assert app["citizen"]["whatsapp_id"] == "919876543210"
    assert app["department"] == "mcd"
    assert app["sla_days"] == 7
    assert app["due_date"] == (datetime.now(IST).date() + timedelta(days=7)).isoformat()
    assert app["overdue"] is False and app["compensation_inr"] == 0
    assert [h["status"] for h in app["history"]] == ["submitted"]
    assert app["history"][0]["actor"] == "service"
    assert app["fields"]["child_name"] == "आरव कुमार"
    second = submit(client).json()
    assert second["application_id"].endswith("-000002")
    assert count(client, OutboxMessage) == 2
    assert count(client, AuditEntry) >= 2


def test_get_and_list_my_applications(client: TestClient):
    created = submit(client).json()
    got = client.get(f"/api/v1/applications/{created['application_id']}", headers=OWNER)
    assert (
        got.status_code == 200
        and got.json()["application_id"] == created["application_id"]
    )
    assert got.json()["certificate_download_url"] is None
    other = client.get(
        "/api/v1/applications", params={"citizen_id": "911111111111"}, headers=SERVICE
    )
    assert other.json()["items"] == []
    by_sender = client.get(
        "/api/v1/applications", params={"citizen_id": "919876543210"}, headers=SERVICE
    )
    assert [a["application_id"] for a in by_sender.json()["items"]] == [
        created["application_id"]
    ]
    # Listing by a mobile number or WhatsApp id parameter is gone: only citizen_id.
    for params in ({"whatsapp_id": "919876543210"}, {"mobile": "9876543210"}, {}):
        listed = client.get("/api/v1/applications", params=params, headers=SERVICE)
        assert listed.status_code == 422 and listed.json()["error"] == "missing_citizen"
    missing = client.get("/api/v1/applications/DL-BIR-2026-999999", headers=OWNER)
    assert (
        missing.status_code == 404 and missing.json()["error"] == "unknown_application"
    )


def test_idempotent_retry_returns_same_application(client: TestClient):
    first = submit(client, key="retry-key-0001")
    again = submit(client, key="retry-key-0001")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["application_id"] == first.json()["application_id"]
    assert count(client, Application) == 1
    assert count(client, StatusEvent) == 1


def test_same_key_different_body_conflicts(client: TestClient):
    submit(client, key="retry-key-0002")
    clash = submit(client, birth_body(child_name="Meera"), key="retry-key-0002")
    assert clash.status_code == 409
    assert clash.json()["error"] == "idempotency_key_reused"
    assert count(client, Application) == 1


def test_unknown_service_is_404_and_nothing_stored(client: TestClient):
    body = birth_body()
    body["service_id"] = "moon_landing_permit"
    response = submit(client, body)
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_service"
    assert "moon_landing_permit" in response.json()["message"]
    assert count(client, Application) == 0
    assert count(client, OutboxMessage) == 0


def test_missing_required_field_names_it(client: TestClient):
    body = birth_body()
    del body["fields"]["mother_name"]
    response = submit(client, body)
    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid_field",
        "message": "Field 'mother_name' is required.",
        "field": "mother_name",
    }
    assert count(client, Application) == 0
    assert submit(client).json()["application_id"].endswith("-000001")


def test_wrong_types_are_422(client: TestClient):
    cases = [
        ({"date_of_birth": "15/01/2026"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"gender": "robot"}, "gender"),
        ({"pincode": "11OOO1"}, "pincode"),
        ({"pincode": 12}, "pincode"),
        ({"child_name": ["a", "b"]}, "child_name"),
        ({"child_name": "R2D2"}, "child_name"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ]
    for fields, name in cases:
        response = submit(client, birth_body(**fields))
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["field"] == name
    for broken in (
        {**birth_body(), "channel": "fax"},
        {**birth_body(), "fields": ["not", "a", "mapping"]},
        {**birth_body(), "citizen": {"name": "no contact"}},
        {**birth_body(), "unexpected": 1},
    ):
        assert submit(client, broken).status_code == 422
    assert count(client, Application) == 0


def test_conditional_field_required_only_when_it_applies(client: TestClient):
    base = {
        "service_id": "income_certificate",
        "channel": "csc",
        "citizen": {"mobile": "9876543210"},
        "consent": CONSENT,
        "fields": {
            "applicant_name": "Ravi Kumar",
            "annual_income": "120000",
            "aadhaar": "2345 6789 0124",
            "salaried": "no",
        },
    }
    ok = submit(client, base)
    assert ok.status_code == 201, ok.text
    assert ok.json()["application_id"].startswith("DL-INC-")
    assert ok.json()["fields"]["annual_income"] == 120000
    assert ok.json()["fee_inr"] == 10
    base["fields"]["salaried"] = "yes"
    missing = submit(client, base)
    assert missing.status_code == 422 and missing.json()["field"] == "employer_name"


def test_auth_required_and_roles_separated(client: TestClient):
    body = birth_body()
    assert (
        client.post(
            "/api/v1/applications", json=body, headers={"Idempotency-Key": "k" * 10}
        ).status_code
        == 401
    )
    wrong = {"Authorization": "Bearer nope", "Idempotency-Key": "k" * 10}
    assert (
        client.post("/api/v1/applications", json=body, headers=wrong).status_code == 401
    )
    officer_as_service = {**OFFICER, "Idempotency-Key": "k" * 10}
    assert (
        client.post(
            "/api/v1/applications", json=body, headers=officer_as_service
        ).status_code
        == 401
    )
    assert (
        client.get("/api/v1/officer/applications", headers=SERVICE).status_code == 401
    )
    assert client.get("/api/v1/officer/applications").status_code == 401
    no_key = client.post("/api/v1/applications", json=body, headers=SERVICE)
    assert no_key.status_code == 422
    assert count(client, Application) == 0


def test_overdue_flag_and_capped_compensation(client: TestClient):
    app_id = submit(client).json()["application_id"]
    today = datetime.now(IST).date()
    factory = client.app.state.session_factory  # type: ignore[attr-defined]

    def set_due(days_ago: int) -> dict:
        with factory() as session:
            session.execute(
                update(Application)
                .where(Application.application_id == app_id)
                .values(due_date=today - timedelta(days=days_ago))
            )
            session.commit()
        return client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()

    on_time = set_due(0)
    assert on_time["overdue"] is False and on_time["compensation_inr"] == 0
    three = set_due(3)
    assert three["overdue"] is True and three["days_late"] == 3
    assert three["compensation_inr"] == 30
    long_late = set_due(45)
    assert long_late["days_late"] == 45 and long_late["compensation_inr"] == 200
