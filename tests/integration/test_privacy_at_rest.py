"""After a completed application, no file of the stack holds the citizen's Aadhaar or
mobile number in clear (docs/privacy.md, "Where personal data is kept").

The stack runs on its embedded defaults (SQLite tracker store, channel databases, the
gateway's SQLite database and document store) with Rasa at ``LOG_LEVEL=DEBUG``, so its
log sees every message and slot (``conftest.e2e``). Every file under the stack's folder
is read as bytes: logs, databases with their WAL files, documents, certificates. The one
place a mobile number may stay readable is the gateway's database
(``applications.citizen_mobile``, to reach the citizen); the Aadhaar, nowhere.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path
from typing import Dict, List

import requests

from tests.integration.e2e import (
    OFFICER_TOKEN,
    Stack,
    apply_over_rest,
    bot_texts,
    check_at_gateway,
)
from tests.integration.servers import get_tracker, post_message

SERVICE = "domicile_certificate"


def _personal_numbers(e2e: Stack, expected: Dict[str, object]) -> Dict[str, str]:
    service = e2e.catalog[SERVICE]
    numbers = {}
    for name, value in expected.items():
        kind = service.field_named(name).type
        if kind in ("aadhaar", "mobile"):
            numbers[kind] = re.sub(r"\D", "", str(value))[
                -12 if kind == "aadhaar" else -10 :
            ]
    return numbers


def _spellings(number: str) -> List[bytes]:
    """The number as typed or stored: plain, in groups of 4-4-4 or 5-5, +91."""
    groups = (
        [number[:4], number[4:8], number[8:]]
        if len(number) == 12
        else [number[:5], number[5:]]
    )
    return [
        number.encode(),
        " ".join(groups).encode(),
        "-".join(groups).encode(),
    ]


def test_a_completed_application_leaves_no_personal_number_in_clear(e2e: Stack):
    sender = f"e2e-privacy-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, SERVICE, "hi")
    check_at_gateway(e2e, done)
    numbers = _personal_numbers(e2e, done.expected_fields)
    assert set(numbers) == {"aadhaar", "mobile"}, done.expected_fields
    rasa_log = e2e.rasa.log_path.read_text(errors="replace")
    assert sender in rasa_log  # the conversation was logged, DEBUG and all
    masked = re.compile(rf"X{{4}}[ -]?X{{4}}[ -]?{numbers['aadhaar'][-4:]}")
    assert masked.search(rasa_log), "Rasa never logged the Aadhaar (masked)"

    gateway_db = e2e.gateway_db.name
    # What the tests themselves wrote is not the product's: the catalog copy (its
    # examples are the numbers typed) and the journey transcripts.
    harness = (e2e.catalog_dir, Path(e2e.log_dir) / "journeys")
    files = [
        path
        for path in Path(e2e.log_dir).rglob("*")
        if path.is_file() and not any(folder in path.parents for folder in harness)
    ]
    assert any(p.name == "tracker.db" for p in files), [p.name for p in files]
    found = []
    for path in files:
        data = path.read_bytes()
        for kind, number in numbers.items():
            if kind == "mobile" and path.name.startswith(gateway_db):
                continue  # applications.citizen_mobile (docs/privacy.md)
            if any(spelling in data for spelling in _spellings(number)):
                found.append(
                    f"{kind} ...{number[-4:]} in {path.relative_to(e2e.log_dir)}"
                )
    assert not found, found


def test_delete_my_data_in_the_chat_erases_the_rows(e2e: Stack):
    """ "Delete my data" after submitting: the application is withdrawn and emptied at the
    gateway, the conversation's events are gone from the tracker store."""
    sender = f"e2e-erase-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, SERVICE, "hinglish")
    check_at_gateway(e2e, done)
    asked = bot_texts(post_message(e2e.rasa.port, sender, "mera sara data delete karo"))
    assert any("mita dein" in text for text in asked), asked
    erased = bot_texts(post_message(e2e.rasa.port, sender, "/affirm"))
    assert any("Wapas liye gaye aavedan: 1" in text for text in erased), erased

    mine = e2e.gateway_get(f"/api/v1/applications/{done.application_id}", sender)
    assert mine.status_code == 404  # no longer linked to this conversation
    officer = requests.get(
        f"{e2e.gateway_url}/api/v1/officer/applications/{done.application_id}",
        headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
        timeout=30,
    ).json()
    assert officer["status"] == "withdrawn" and officer["fields"] == {}
    assert officer["documents"] == [] and officer["citizen"]["mobile"] is None
    tracker = Path(e2e.log_dir) / "var" / "tracker.db"
    with sqlite3.connect(tracker) as db:
        kinds = [
            row[0]
            for row in db.execute(
                "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id",
                (sender,),
            )
        ]
    assert "user" not in kinds and kinds[0] == "slot", kinds  # from the marker on
    slots = get_tracker(e2e.rasa.port, sender)["slots"]
    assert slots["application"] is None and slots["last_application_id"] is None
    assert slots["language"] == "hinglish"
