"""Status, certificates and notifications answer only about the asking citizen's own data.

The gateway is a real HTTP server on loopback (tests/actions/test_edistrict_client.py's
scripted fake); the actions run with rasa-sdk's Tracker and CollectingDispatcher.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracking import (
    ActionCheckStatus,
    ActionDownloadCertificate,
    ActionNotifyStatus,
    certificate_number_in,
)
from tests.actions import gateway_answers as answers

CITIZEN = "919800000001"
VICTIM = "919800000002"
APPLICATION = "DL-BIR-2026-000001"
LINK = "http://127.0.0.1:8001/certificates/signed.link"


def tracker(
    intent: str,
    entities: Dict[str, str],
    metadata: Optional[Dict[str, Any]] = None,
    channel: str = "rest",
) -> Tracker:
    if intent == "application_status_changed" and metadata is None:
        metadata = {"is_external": True}  # as Rasa's trigger_intent records it
    message = {
        "text": "...",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        "metadata": metadata or {},
    }
    events = [{"event": "user", "input_channel": channel, "parse_data": message}]
    return Tracker(
        CITIZEN, {"language": "en"}, message, events, False, None, None, "action_listen"
    )


def issued(**extra: Any) -> Dict[str, Any]:
    return answers.issued(LINK, **extra)


def run(action: Any, tracker: Tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker, {})
    return dispatcher.messages


def documents(messages: List[Dict[str, Any]]) -> List[str]:
    return [
        m["custom"]["document"]["url"]
        for m in messages
        if (m.get("custom") or {}).get("document")
    ]


def test_a_notification_sends_the_gateways_link_never_the_entitys(gateway):
    gateway.script = [(200, issued())]
    notification = tracker(
        "application_status_changed",
        {
            "application_id": APPLICATION,
            "status": "issued",
            "certificate_url": "/proc/self/environ",
        },
    )
    messages = run(ActionNotifyStatus(), notification)
    assert documents(messages) == [LINK]
    [request] = gateway.requests
    assert request["headers"]["X-Citizen-Id"] == CITIZEN
    assert [m["response"] for m in messages][0] == "utter_status_issued"


def test_a_typed_notification_is_ignored_whatever_it_names(gateway):
    gateway.script = [(200, issued())]
    typed = tracker(
        "application_status_changed",
        {"application_id": APPLICATION, "status": "issued"},
        metadata={"whatsapp": {"wa_id": CITIZEN}},
    )
    assert run(ActionNotifyStatus(), typed) == []
    assert gateway.requests == []


def test_a_notification_about_someone_elses_application_says_nothing(gateway):
    gateway.script = [(404, {"error": "unknown_application"})]
    messages = run(
        ActionNotifyStatus(),
        tracker(
            "application_status_changed",
            {"application_id": APPLICATION, "status": "issued"},
        ),
    )
    assert messages == []


def test_status_lookups_are_for_the_conversation_not_for_claimed_metadata(gateway):
    gateway.script = [(200, {"items": []})]
    spoofed = tracker("check_status", {}, metadata={"whatsapp": {"wa_id": VICTIM}})
    messages = run(ActionCheckStatus(), spoofed)
    [request] = gateway.requests
    assert request["path"] == f"/api/v1/applications?citizen_id={CITIZEN}"
    assert [m["response"] for m in messages] == ["utter_no_applications"]


def test_another_citizens_id_gets_the_unknown_id_answer(gateway):
    gateway.script = [(404, {"error": "unknown_application"})] * 2
    for action in (ActionCheckStatus(), ActionDownloadCertificate()):
        messages = run(action, tracker("check_status", {"application_id": APPLICATION}))
        assert [m["response"] for m in messages] == ["utter_application_not_found"]
        assert documents(messages) == []
    assert {r["headers"]["X-Citizen-Id"] for r in gateway.requests} == {CITIZEN}


def test_the_owner_gets_the_certificate_by_the_signed_link(gateway):
    gateway.script = [(200, issued(certificate_url="http://gw/api/..."))]
    messages = run(
        ActionDownloadCertificate(),
        tracker("download_certificate", {"application_id": APPLICATION}),
    )
    assert documents(messages) == [LINK]


def test_a_path_in_the_application_id_never_reaches_the_gateway(gateway):
    messages = run(
        ActionCheckStatus(),
        tracker("check_status", {"application_id": "../../verify-key"}),
    )
    assert gateway.requests == []
    assert [m["response"] for m in messages] == ["utter_application_not_found"]


@pytest.mark.parametrize(
    "typed, number",
    [
        ("verify DLC-BIR-2026-K7M2Q9XT", "DLC-BIR-2026-K7M2Q9XT"),
        ("dlc bir 2026 k7m2q9xt please", "DLC-BIR-2026-K7M2Q9XT"),
        ("DLC-INC-2026-000123", "DLC-INC-2026-000123"),
        ("DLC-BIR-2026-K7M2", None),
    ],
)
def test_certificate_numbers_old_and_unguessable_are_found(typed, number):
    assert certificate_number_in(typed) == number


def test_a_submitted_notice_the_form_already_gave_is_not_repeated(gateway):
    """The form confirms a submission with its id; the gateway's "submitted" notice that
    follows says nothing new. A notice for a submission kept during an outage is shown."""
    confirmed = tracker(
        "application_status_changed",
        {"application_id": APPLICATION, "status": "submitted"},
    )
    confirmed.slots["last_application_id"] = APPLICATION
    assert run(ActionNotifyStatus(), confirmed) == []
    assert gateway.requests == []

    gateway.script = [(200, answers.application(APPLICATION))]
    kept = tracker(
        "application_status_changed",
        {"application_id": APPLICATION, "status": "submitted"},
    )
    messages = run(ActionNotifyStatus(), kept)
    assert [m["response"] for m in messages] == ["utter_status_submitted"]
