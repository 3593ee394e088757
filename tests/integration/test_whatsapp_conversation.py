"""A whole application over WhatsApp payloads, against the trained assistant (issue 6).

"Hi" -> menu (an interactive list of services) -> list_reply -> consent -> the form,
answered by typing, tapping reply buttons and list rows -> a photo upload -> summary ->
submitted; then an officer approves and the certificate PDF comes back over WhatsApp.
Every payload sent to the fake Graph API is checked against WhatsApp's limits.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from typing import List

import pytest
import requests

from actions.form_steps import Step
from tests.channels.fake_graph import FakeGraph
from tests.channels.whatsapp_limits import assert_valid
from tests.integration.e2e import (
    DEVANAGARI,
    GREETINGS,
    OFFICER_TOKEN,
    Completed,
    Stack,
    answer_field,
    check_at_gateway,
    drive_form,
    jpeg,
    wait_for,
)
from tests.integration.servers import get_tracker
from tests.integration.whatsapp_citizen import WhatsAppCitizen, texts

AFFIRM = "/affirm"
SEND_LATER = "/send_later"  # the ⏳ button under a document request


def apply_payload(service_id: str) -> str:
    """The payload of a service's menu row."""
    return "/apply_service" + json.dumps({"service": service_id}, separators=(",", ":"))


def fill_form(
    stack: Stack, citizen: WhatsAppCitizen, service_id: str, language: str
) -> Completed:
    """Answers each open step as a citizen on a phone would: taps the offered button
    or list row for yes/no and choices, types other answers, sends a photo for the
    first document and taps ⏳ for the others."""
    service = stack.catalog[service_id]

    def answer(step: Step, done: Completed) -> List[str]:
        if step.kind in ("eligibility", "summary", "consent"):
            return texts(citizen.tap(AFFIRM))
        if step.kind == "document" and done.uploaded:
            done.later.append(step.name or "")
            return texts(citizen.tap(SEND_LATER))
        if step.kind == "document":
            photo = jpeg(int(citizen.wa_id) % 997)
            media_id = f"media-{citizen.wa_id}"
            citizen.graph.add_media(media_id, photo, "image/jpeg")
            done.uploaded[step.name or ""] = hashlib.sha256(photo).hexdigest()
            return texts(citizen.image(media_id))
        item = service.field_named(step.name or "")
        text, done.expected_fields[item.name] = answer_field(
            item, language, date.today()
        )
        if item.type == "choice":
            return texts(citizen.tap(item.choices[0].value))
        if item.type == "yes_no":
            return texts(citizen.tap(AFFIRM))
        return texts(citizen.text(text))

    return drive_form(stack, citizen.wa_id, service_id, language, answer)


@pytest.mark.parametrize(
    ("language", "service_id"),
    [("hi", "birth_certificate"), ("hinglish", "caste_certificate")],
)
def test_an_application_over_whatsapp_from_hi_to_certificate(
    e2e: Stack, whatsapp_graph: FakeGraph, language: str, service_id: str
):
    wa_id = f"9198{uuid.uuid4().int % 10**8:08d}"
    citizen = WhatsAppCitizen(e2e.rasa.port, whatsapp_graph, wa_id, "Asha Verma")

    welcome = citizen.text(GREETINGS[language])
    menu = citizen.offered(welcome)
    assert apply_payload(service_id) in menu, menu
    assert {"/list_services", "/check_status"} <= set(menu)
    kinds = [m["interactive"]["type"] for m in welcome if m["type"] == "interactive"]
    assert kinds == ["list"]
    hindi = language == "hi"
    shown = texts(welcome) + [title for _, title in menu.values()]
    assert all(bool(DEVANAGARI.search(t)) == hindi for t in shown), shown

    assert citizen.tap(apply_payload(service_id)), "the form did not start"
    done = fill_form(e2e, citizen, service_id, language)
    kinds = [kind for kind, _ in done.steps]
    assert kinds[-1] == "summary" and kinds.index("consent") < kinds.index("field")
    assert done.uploaded and ("document" in {kind for kind, _ in done.steps})
    check_at_gateway(e2e, done)  # answers, the photo byte for byte, language

    # Each WhatsApp message reached Rasa once, with the citizen's id and profile name.
    whatsapp = [
        (e.get("metadata") or {}).get("whatsapp")
        for e in get_tracker(e2e.rasa.port, wa_id)["events"]
        if e["event"] == "user"
    ]
    assert [w["message_id"] for w in whatsapp if w] == citizen.sent_ids
    assert {(w["wa_id"], w["profile_name"]) for w in whatsapp if w} == {
        (wa_id, "Asha Verma")
    }

    # An officer approves: the status and the certificate PDF arrive over WhatsApp.
    approve = requests.post(
        f"{e2e.gateway_url}/api/v1/officer/applications/{done.application_id}/approve",
        headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
        timeout=60,
    )
    assert approve.status_code == 200, approve.text
    wait_for(
        "the certificate over WhatsApp",
        lambda: [m for m in citizen.received() if m["type"] == "document"],
        60,
        e2e,
    )
    [document] = [m for m in citizen.received() if m["type"] == "document"]
    assert document["document"]["filename"] == f"{done.application_id}.pdf"
    assert "link" not in document["document"]  # uploaded, sent by media id
    pdf = e2e.gateway_get(
        f"/api/v1/applications/{done.application_id}/certificate", done.sender
    )
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.content in [upload.form["file"] for upload in whatsapp_graph.uploads()]

    # Every citizen message was marked as read; every payload keeps WhatsApp's limits.
    wait_for(
        "read receipts",
        lambda: len(citizen.read_receipts()) == len(citizen.sent_ids),
        10,
        e2e,
    )
    assert_valid(citizen.received() + citizen.read_receipts())
