"""A submission the gateway could not take survives an action-server restart and is
delivered exactly once.

It waits in the conversation (the ``queued_submissions`` slot in Rasa's tracker store,
not on the action server), Rasa's reminder retries it with the draft's idempotency key,
and the gateway's outbox tells the citizen, once.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, List

from tests.integration.e2e import (
    APPLICATION_ID,
    RETRY_SECONDS,
    Stack,
    apply_over_rest,
    fields_as_kept,
    wait_for,
)
from tests.integration.servers import get_tracker, rest_inbox


def mentioning(messages: List[Dict[str, Any]], application_id: str) -> List[str]:
    return [m["text"] for m in messages if application_id in (m.get("text") or "")]


def test_a_queued_application_is_delivered_once_after_an_action_server_restart(
    e2e: Stack,
):
    sender = f"e2e-queued-{uuid.uuid4().hex[:6]}"
    port = e2e.rasa.port
    try:
        done = apply_over_rest(
            e2e, sender, "death_certificate", "en", before_submit=e2e.gateway.stop
        )
        assert any("not reachable right now" in t for t in done.final_texts), (
            done.final_texts
        )
        assert done.application_id is None
        assert len(get_tracker(port, sender)["slots"]["queued_submissions"]) == 1
        started = time.monotonic()
        e2e.actions.stop()
        e2e.actions.launch().wait_ready()
        restart = time.monotonic() - started
        # The reminder must find the action server up for this test to mean anything.
        assert restart < RETRY_SECONDS, f"the action server took {restart:.0f} s"
    finally:
        if e2e.gateway.process is None or e2e.gateway.process.poll() is not None:
            e2e.gateway.launch().wait_ready()

    pushed: List[Dict[str, Any]] = []

    def submitted() -> List[Dict[str, Any]]:
        pushed.extend(rest_inbox(port, sender))
        return [m for m in pushed if APPLICATION_ID.search(m.get("text") or "")]

    [notice] = wait_for(
        "the gateway's 'submitted' notification", submitted, 4 * RETRY_SECONDS, e2e
    )
    application_id = APPLICATION_ID.search(notice["text"]).group(0)

    listed = e2e.gateway_get(f"/api/v1/applications?citizen_id={sender}", sender)
    assert [a["application_id"] for a in listed.json()["items"]] == [application_id]
    application = e2e.gateway_get(f"/api/v1/applications/{application_id}", sender)
    assert application.json()["fields"] == fields_as_kept(e2e, done)
    uploaded = {
        d["document_type"]: d["sha256"] for d in application.json()["documents"]
    }
    assert uploaded == done.uploaded

    # Two more retry periods: no second application, no second message.
    time.sleep(2 * RETRY_SECONDS)
    pushed.extend(rest_inbox(port, sender))
    assert len(mentioning(pushed, application_id)) == 1, pushed
    listed = e2e.gateway_get(f"/api/v1/applications?citizen_id={sender}", sender)
    assert len(listed.json()["items"]) == 1
    assert get_tracker(port, sender)["slots"]["queued_submissions"] is None
