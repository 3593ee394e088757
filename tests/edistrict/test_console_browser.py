"""The officers' console in a real browser: Playwright driving Debian's Chromium.

An officer logs in, finds the application in the queue, looks at the Aadhaar card beside
its pre-check, asks for a clearer document, sees the citizen's upload arrive, and approves:
the certificate is issued and the citizen's notification is queued. Screenshots go to
var/results/console/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from edistrict.app import create_app
from edistrict.models import OutboxMessage
from tests.edistrict import precheck_samples as samples
from tests.edistrict.conftest import SERVICE, make_settings
from tests.edistrict.test_console import OFFICERS, income_body

CITIZEN = {**SERVICE, "X-Citizen-Id": "917777777777"}
FIRST_PHOTO = samples.Faults()
SECOND_PHOTO = samples.Faults(rotate=1, seed=3)

try:
    from tests.edistrict.console_driver import (
        CHROMIUM,
        chromium,
        image_widths,
        log_in,
        shot,
        status,
    )
except ImportError:  # pragma: no cover - the gateway's lock installs Playwright
    CHROMIUM = ""

if not CHROMIUM or not os.path.exists(CHROMIUM) or not shutil.which("tesseract"):
    if os.environ.get("CI") == "true":
        pytest.fail(
            "Chromium, Playwright or Tesseract is missing under CI=true "
            "(edistrict/bin/install)"
        )
    pytest.skip(
        "Chromium, Playwright or Tesseract is not installed (edistrict/bin/install)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The gateway serving on loopback (console and APIs), with its app for the database."""
    port = _free_port()
    app = create_app(
        make_settings(
            f"sqlite:///{tmp_path}/gateway.db",
            tmp_path / "data",
            officer_tokens=OFFICERS,
            public_base_url=f"http://127.0.0.1:{port}",
        )
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(10)


def citizen_sends(
    api: httpx.Client,
    application_id: str,
    image: Any,
    name: str,
    document_type: str,
    faults: samples.Faults = FIRST_PHOTO,
) -> None:
    """What the chat does with a citizen's photo: store, pre-check, attach."""
    stored = api.post(
        "/api/v1/documents",
        headers=CITIZEN,
        files={
            "file": (
                f"{name}.jpg",
                samples.degrade(image, faults),
                "image/jpeg",
            )
        },
    )
    document_id = stored.json()["document_id"]
    checked = api.post(
        f"/api/v1/documents/{document_id}/precheck",
        headers=CITIZEN,
        json={
            "document_type": document_type,
            "expected": {"name": "Sunil Kumaar", "aadhaar_last4": "0124"},
        },
    )
    assert checked.status_code == 200, checked.text
    attached = api.post(
        f"/api/v1/applications/{application_id}/documents",
        headers=CITIZEN,
        data={"document_type": document_type, "document_id": document_id},
    )
    assert attached.status_code == 201, attached.text


def test_an_officer_verifies_requests_a_document_and_approves(gateway):
    base, app = gateway
    api = httpx.Client(base_url=base, timeout=60)
    application_id = api.post(
        "/api/v1/applications",
        json=income_body(district="north_east", name="Sunil Kumaar"),
        headers={**SERVICE, "Idempotency-Key": "browser-1"},
    ).json()["application_id"]
    card = samples.aadhaar_card(
        "SUNIL KUMAR", "सुनील कुमार", "14/08/1985", "2345 6789 0124"
    )
    citizen_sends(api, application_id, card, "aadhaar", "aadhaar_card")

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/console/queue")
        assert page.url.endswith("/console/login")
        page.fill("input[name=officer_id]", "officer-a")
        page.fill("input[name=token]", "wrong-token")
        page.click("button[type=submit]")
        assert page.locator("[role=alert]").is_visible()
        log_in(page, base, "officer-a", "test-officer-token")
        row = page.locator(f"tr[data-id='{application_id}']")
        assert row.is_visible() and "1 ⚠" in row.inner_text()
        shot(page, "1-queue")

        row.locator("a").click()
        assert status(page) == ("submitted", "Submitted")
        assert image_widths(page)[0] > 0
        precheck = page.locator(".document .precheck").first.inner_text()
        assert (
            "Check this" in precheck
            and "Name\tDiffers\tSUNIL KUMAR" in precheck
            and "SUNIL KUMAR" in precheck
        )
        assert "Expected: an Aadhaar card" in precheck
        assert "XXXX XXXX 0124" in page.locator("#answers").inner_text()
        shot(page, "2-application-with-precheck")

        page.check("#request input[value=aadhaar_card]")
        page.select_option("#request select[name=reason]", "mismatch")
        page.fill("#request input[name=note]", "Naam Aadhaar jaisa likhiye")
        page.click("#request button[type=submit]")
        assert status(page) == ("documents_requested", "Documents requested")
        assert "Document par likhi jaankari" in page.locator("#history").inner_text()

        citizen_sends(
            api, application_id, card, "aadhaar-again", "aadhaar_card", SECOND_PHOTO
        )
        page.reload()
        assert status(page) == ("under_verification", "Under verification")
        assert page.locator(".document").count() == 2
        widths = image_widths(page)
        assert len(widths) == 2 and min(widths) > 0
        shot(page, "3-citizen-upload-arrived")

        page.click("#approve button[type=submit]")
        assert status(page) == ("issued", "Certificate issued")
        assert page.locator("#approve").count() == 0
        page.click("#language")
        assert "स्थिति का इतिहास" in page.content()
        assert status(page) == ("issued", "प्रमाण पत्र जारी")
        shot(page, "4-issued-hindi")

    with app.state.session_factory() as session:
        statuses = [
            m.payload["entities"]["status"]
            for m in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.application_id == application_id)
                .order_by(OutboxMessage.id)
            )
        ]
    assert statuses[-1] == "issued" and "documents_requested" in statuses
