"""Applications' answers are encrypted in the database and read back through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from edistrict.settings import ConfigError
from tests.edistrict.conftest import OWNER, make_settings, submit

KEY_A = "a" * 32
KEY_B = "b" * 32


def _stored_fields(client: Any) -> list[str]:
    with client.app.state.engine.connect() as conn:
        return [
            str(row[0]) for row in conn.execute(text("SELECT fields FROM applications"))
        ]


def _fields(client: Any, application_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/applications/{application_id}", headers=OWNER)
    assert response.status_code == 200, response.text
    return response.json()["fields"]


def test_answers_are_sealed_in_the_database_and_open_in_the_api(client):
    created = submit(client)
    assert created.status_code == 201, created.text
    [stored] = _stored_fields(client)
    assert "sealed:v1:" in stored
    assert "आरव" not in stored and "\\u0906" not in stored and "110001" not in stored
    assert _fields(client, created.json()["application_id"])["child_name"] == "आरव कुमार"


def test_keys_rotate_and_a_wrong_key_fails_loudly(sqlite_url, build_client):
    first = build_client(sqlite_url, data_key=KEY_A)
    application_id = submit(first).json()["application_id"]
    rotated = build_client(sqlite_url, data_key=f"{KEY_B},{KEY_A}")
    assert _fields(rotated, application_id)["mother_name"] == "सीता देवी"
    wrong = build_client(sqlite_url, data_key=KEY_B)
    with pytest.raises(ValueError, match="EDISTRICT_DATA_KEY"):
        wrong.get(f"/api/v1/applications/{application_id}", headers=OWNER)


def test_rows_written_before_sealing_are_still_read(sqlite_client):
    application_id = submit(sqlite_client).json()["application_id"]
    plain = {"child_name": "Old Row", "pincode": "110001"}
    with sqlite_client.app.state.engine.begin() as conn:
        conn.execute(
            text("UPDATE applications SET fields = :f"), {"f": json.dumps(plain)}
        )
    assert _fields(sqlite_client, application_id) == plain


def test_a_short_data_key_is_refused(tmp_path):
    settings = make_settings("sqlite://", tmp_path, data_key=f"{KEY_A},short")
    with pytest.raises(ConfigError, match="EDISTRICT_DATA_KEY"):
        settings.check()
