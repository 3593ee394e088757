"""End to end (issue 5): apply over REST, approve while Rasa is down, notify once, verify the QR.

The citizen applies in Hindi; Rasa is stopped; an officer approves through the gateway's
officer API (the certificate is issued in the same transaction); the outbox cannot deliver
while Rasa is down; Rasa is started again on the same SQLite tracker store and the
notifications arrive, once each. Then the certificate PDF's QR code is decoded (in the
gateway's venv) and its token verified at the public endpoint, and a tampered one is not.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from typing import Any, Dict, List

import requests

from tests.integration.e2e import (
    DEVANAGARI,
    OFFICER_TOKEN,
    Stack,
    apply_over_rest,
    wait_for,
)
from tests.integration.servers import (
    GATEWAY_PYTHON,
    ROOT,
    get_tracker,
    post_message,
    rest_inbox,
)

DECODE_QR = """
import json, sys
import pypdfium2, zxingcpp
document = pypdfium2.PdfDocument(sys.stdin.buffer.read())
image = document[0].render(scale=3).to_pil().convert("RGB")
codes = [r.text for r in zxingcpp.read_barcodes(image)
         if r.format == zxingcpp.BarcodeFormat.QRCode]
print(json.dumps({"pages": len(document), "qr": codes}))
"""


def outbox(stack: Stack, application_id: str) -> List[Dict[str, Any]]:
    """The gateway's outbox rows of an application, oldest first."""
    with sqlite3.connect(stack.gateway_db) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT payload, attempts, last_error, delivered_at FROM outbox "
            "WHERE application_id = ? ORDER BY id",
            (application_id,),
        ).fetchall()
    return [
        {**dict(row), "status": json.loads(row["payload"])["entities"]["status"]}
        for row in rows
    ]


def notifications(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The status-change user events (trigger_intent) of a tracker, with what followed."""
    found = []
    for index, event in enumerate(events):
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if (
            event["event"] == "user"
            and intent.get("name") == "application_status_changed"
        ):
            entities = {
                e["entity"]: e.get("value") for e in event["parse_data"]["entities"]
            }
            following = []
            for later in events[index + 1 :]:
                if later["event"] == "user":
                    break
                if later["event"] == "bot":
                    following.append(later)
            found.append({"entities": entities, "bots": following})
    return found


def test_certificate_notified_once_after_rasa_restart_and_qr_verifies(e2e: Stack):
    sender = f"e2e-cert-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, "birth_certificate", "hi")
    application_id = done.application_id
    assert application_id and any(application_id in t for t in done.final_texts)

    # The "submitted" notification goes through while Rasa is up.
    wait_for(
        "the submitted notification",
        lambda: [r for r in outbox(e2e, application_id) if r["delivered_at"]],
        30,
        e2e,
    )

    e2e.rasa.stop()
    try:
        approve = requests.post(
            f"{e2e.gateway_url}/api/v1/officer/applications/{application_id}/approve",
            headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
            timeout=60,
        )
        assert approve.status_code == 200, approve.text
        application = approve.json()
        assert application["status"] == "issued"
        certificate = application["certificate"]
        assert certificate and certificate["token"]

        # Rasa is down: the new notifications are attempted and fail, none delivered.
        def failed_attempts() -> bool:
            rows = [
                r for r in outbox(e2e, application_id) if r["status"] != "submitted"
            ]
            return bool(rows) and all(
                r["attempts"] >= 1 and r["last_error"] and not r["delivered_at"]
                for r in rows[:1]
            )

        wait_for("a failed delivery while Rasa is down", failed_attempts, 30, e2e)
        pending = [r for r in outbox(e2e, application_id) if not r["delivered_at"]]
        assert [r["status"] for r in pending] == ["approved", "issued"]
    finally:
        e2e.rasa.start()

    wait_for(
        "delivery after the restart",
        lambda: all(r["delivered_at"] for r in outbox(e2e, application_id)),
        60,
        e2e,
    )
    time.sleep(2)  # several outbox polls: a second delivery would show up now
    rows = outbox(e2e, application_id)
    assert Counter(r["status"] for r in rows) == {
        "submitted": 1,
        "approved": 1,
        "issued": 1,
    }

    tracker = get_tracker(e2e.rasa.port, sender)
    assert tracker["slots"].get("language") == "hi"
    found = notifications(tracker["events"])
    assert Counter(n["entities"].get("status") for n in found) == {
        "submitted": 1,
        "approved": 1,
        "issued": 1,
    }, found
    by_status = {n["entities"]["status"]: n for n in found}
    for status in ("approved", "issued"):
        notice = by_status[status]
        assert notice["entities"]["application_id"] == application_id
        texts = [b["text"] for b in notice["bots"] if b.get("text")]
        assert texts, f"no reply to the {status} notification"
        assert all(DEVANAGARI.search(t) for t in texts), texts
        actions = [b["metadata"].get("utter_action") for b in notice["bots"]]
        assert f"utter_status_{status}" in actions, (status, actions)
        assert application_id in texts[0]
    issued_bots = by_status["issued"]["bots"]
    # The notification names the application, never a file; the assistant asked the
    # gateway (as this citizen) and sent its short-lived signed link.
    assert "certificate_url" not in by_status["issued"]["entities"]
    documents = [
        ((b.get("data") or {}).get("custom") or {}).get("document") for b in issued_bots
    ]
    documents = [d for d in documents if d]
    assert len(documents) == 1, issued_bots
    link = documents[0]["url"]
    assert link.startswith(f"{e2e.gateway_url}/certificates/"), link
    signed = requests.get(link, timeout=30)  # no token: the link is the credential
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF-")
    assert "utter_certificate_ready" in [
        b["metadata"].get("utter_action") for b in issued_bots
    ]
    # The certificate was sent once in the whole conversation.
    sent = [
        e
        for e in tracker["events"]
        if e["event"] == "bot"
        and ((e.get("data") or {}).get("custom") or {}).get("document")
    ]
    assert len(sent) == 1

    # The PDF: page 1 rendered, its QR code decoded (gateway venv) and verified.
    pdf = e2e.gateway_get(f"/api/v1/applications/{application_id}/certificate", sender)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    decoded = subprocess.run(
        [str(GATEWAY_PYTHON), "-c", DECODE_QR],
        input=pdf.content,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr.decode(errors="replace")
    result = json.loads(decoded.stdout)
    assert result["pages"] >= 1 and len(result["qr"]) == 1, result
    qr = result["qr"][0]
    assert qr == f"{e2e.gateway_url}/v/{certificate['token']}"
    token = qr.rsplit("/v/", 1)[1]

    verified = requests.get(f"{e2e.gateway_url}/verify/{token}", timeout=30)
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["valid"] is True
    assert body["application_id"] == application_id
    assert body["certificate_number"] == certificate["number"]
    assert body["service_id"] == "birth_certificate"

    payload, signature = token.split(".")
    flipped = "A" if payload[5] != "A" else "B"
    tampered = f"{payload[:5]}{flipped}{payload[6:]}.{signature}"
    refused = requests.get(f"{e2e.gateway_url}/verify/{tampered}", timeout=30)
    assert refused.status_code == 404
    assert refused.json()["valid"] is False


def test_rest_citizen_gets_the_approval_and_certificate_through_the_inbox(e2e: Stack):
    """Issue 10: a REST citizen is notified without sending a message, once."""
    sender = f"e2e-inbox-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, "birth_certificate", "en")
    application_id = done.application_id
    assert application_id, e2e.logs()
    wait_for(
        "the submitted notification",
        lambda: [r for r in outbox(e2e, application_id) if r["delivered_at"]],
        30,
        e2e,
    )
    events_before = len(get_tracker(e2e.rasa.port, sender)["events"])

    approve = requests.post(
        f"{e2e.gateway_url}/api/v1/officer/applications/{application_id}/approve",
        headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
        timeout=60,
    )
    assert approve.status_code == 200, approve.text
    wait_for(
        "delivery of the approval notifications",
        lambda: (
            len(outbox(e2e, application_id)) == 3
            and all(r["delivered_at"] for r in outbox(e2e, application_id))
        ),
        60,
        e2e,
    )

    received: List[Dict[str, Any]] = []

    def certificate_arrived() -> bool:
        received.extend(rest_inbox(e2e.rasa.port, sender))
        return any((m.get("custom") or {}).get("document") for m in received)

    wait_for("the certificate link in the REST inbox", certificate_arrived, 30, e2e)
    assert all(m["recipient_id"] == sender for m in received)
    texts = [m["text"] for m in received if m.get("text")]
    assert any(application_id in t for t in texts), texts
    [document] = [
        m["custom"]["document"]
        for m in received
        if (m.get("custom") or {}).get("document")
    ]
    assert document["url"].startswith(f"{e2e.gateway_url}/certificates/"), document
    pdf = requests.get(document["url"], timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # Nothing was sent by the citizen meanwhile; the messages are handed out once.
    events = get_tracker(e2e.rasa.port, sender)["events"][events_before:]
    typed = [
        e
        for e in events
        if e["event"] == "user"
        and (e.get("parse_data") or {}).get("intent", {}).get("name")
        != "application_status_changed"
    ]
    assert typed == [], typed
    time.sleep(1)
    assert rest_inbox(e2e.rasa.port, sender) == []
    later = post_message(e2e.rasa.port, sender, "thank you")
    assert not [m for m in later if (m.get("custom") or {}).get("document")], later
