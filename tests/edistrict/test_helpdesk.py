"""The helpdesk: tickets from the assistant, an agent taking over, answering, handing back.

Rasa is a real loopback HTTP server (``FakeRasa``): the ticket page reads the conversation
from its ``GET .../tracker``, and the outbox delivers the agent's steps to it.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from edistrict.applications import IST
from edistrict.helpdesk import Hours
from edistrict.models import AuditEntry, Handoff, OutboxMessage
from edistrict.outbox import deliver_due
from edistrict.settings import ConfigError, OfficerGrant, Settings
from tests.edistrict.conftest import SERVICE, birth_body, submit
from tests.edistrict.test_console import csrf, login
from tests.edistrict.test_outbox import FakeRasa, free_port

SENDER = "919812345678"
ASKING = {**SERVICE, "X-Citizen-Id": SENDER}
OFFICERS = {
    "officer-a": OfficerGrant(
        "test-officer-token"
    ),  # every department and the helpdesk
    "asha": OfficerGrant("asha-token", frozenset({"helpdesk"})),
    "revenue-officer": OfficerGrant("revenue-officer-token", frozenset({"revenue"})),
}


def tracker(last_message_hours_ago: float = 1.0, channel: str = "whatsapp") -> dict:
    at = time.time() - last_message_hours_ago * 3600
    return {
        "sender_id": SENDER,
        "latest_input_channel": channel,
        "paused": False,
        "slots": {
            "application": {
                "service": "income_certificate",
                "display": {
                    "applicant_name": "Sunil Kumar",
                    "aadhaar": "2345 6789 0124",
                },
            }
        },
        "events": [
            {
                "event": "user",
                "timestamp": at - 60,
                "text": "income certificate chahiye",
            },
            {"event": "bot", "timestamp": at - 59, "text": "Aapka Aadhaar number?"},
            {"event": "user", "timestamp": at - 30, "text": "234567890124"},
            {
                "event": "user",
                "timestamp": at - 20,
                "text": "/document_uploaded",
                "parse_data": {"intent": {"name": "document_uploaded"}},
            },
            {"event": "user", "timestamp": at, "text": "kisi insaan se baat karni hai"},
            {
                "event": "user",
                "timestamp": at + 5,
                "text": "EXTERNAL: application_status_changed",
                "parse_data": {"intent": {"name": "application_status_changed"}},
            },
        ],
    }


@pytest.fixture
def rasa() -> FakeRasa:
    fake = FakeRasa(free_port(), tracker=tracker())
    yield fake
    fake.close()


@pytest.fixture
def desk(sqlite_url, build_client, rasa) -> TestClient:
    return build_client(
        sqlite_url,
        officer_tokens=OFFICERS,
        rasa_url=f"http://127.0.0.1:{rasa.server.server_address[1]}",
        rasa_token="rasa-secret",
        helpdesk_hours="mon-sun 00:00-23:59",
    )


def hand_off(client: TestClient, headers: dict = ASKING, reason: str = "asked"):
    return client.post(
        "/api/v1/handoffs",
        headers=headers,
        json={"reason": reason, "language": "hinglish"},
    )


def outbox(client: TestClient) -> list[OutboxMessage]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def step(client: TestClient, ticket_page: str, action: str, **data: str):
    return client.post(
        f"{ticket_page}/{action}",
        data={"csrf": csrf(client.get(ticket_page).text), **data},
        follow_redirects=False,
    )


def test_hours_say_when_the_helpdesk_opens_next_in_indias_time():
    hours = Hours.parse("mon-sat 09:00-18:00")
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=IST)
    assert hours.next_opening(monday_noon) is None
    assert hours.next_opening(monday_noon.replace(hour=7)) == monday_noon.replace(
        hour=9
    )
    saturday_evening = datetime(2026, 12, 12, 18, 0, tzinfo=IST)
    assert hours.next_opening(saturday_evening) == datetime(
        2026, 12, 14, 9, 0, tzinfo=IST
    )
    assert Hours.parse("fri-mon 10:00-14:00").days == frozenset({4, 5, 6, 0})
    for bad in ("always", "mon-xyz 09:00-18:00", "mon-sat 18:00-09:00"):
        with pytest.raises(ValueError):
            Hours.parse(bad)
    with pytest.raises(ConfigError, match="helpdesk hours"):
        Settings(helpdesk_hours="9 to 5").check()


def test_the_assistant_opens_one_ticket_per_conversation(desk):
    first = hand_off(desk)
    assert first.status_code == 200
    assert first.json() == {
        "ticket": "HD-000001",
        "status": "waiting",
        "new": True,
        "waiting_before": 0,
        "opens_at": None,
    }
    again = hand_off(desk, reason="not_understood").json()
    assert (again["ticket"], again["new"]) == ("HD-000001", False)
    other = hand_off(desk, {**SERVICE, "X-Citizen-Id": "919800000000"}).json()
    assert (other["ticket"], other["waiting_before"]) == ("HD-000002", 1)
    assert hand_off(
        desk, {"Authorization": "Bearer asha-token", "X-Citizen-Id": SENDER}
    ).status_code in (401, 403)
    assert hand_off(desk, SERVICE).status_code == 422  # whose conversation?
    assert (
        hand_off(desk, reason="officer").status_code == 422
    )  # officers use the console


def test_outside_hours_the_ticket_says_when_the_helpdesk_opens(
    sqlite_url, build_client
):
    closed = build_client(sqlite_url, helpdesk_hours="sun 00:00-00:01")
    opens = datetime.fromisoformat(hand_off(closed).json()["opens_at"])
    assert opens.astimezone(IST).weekday() == 6 and opens > datetime.now(IST)


def test_an_agent_takes_over_answers_and_hands_back_through_rasa(desk, rasa):
    hand_off(desk)
    login(desk, "asha", "asha-token")
    queue = desk.get("/console/helpdesk").text
    assert 'data-ticket="HD-000001" data-status="waiting"' in queue
    page_url = "/console/helpdesk/1"
    page = desk.get(page_url).text
    # History and draft as the agent reads them: numbers masked, system messages left out.
    assert (
        "income certificate chahiye" in page and "kisi insaan se baat karni hai" in page
    )
    assert "234567890124" not in page and "XXXXXXXX0124" in page
    assert "XXXX XXXX 0124" in page and "2345 6789 0124" not in page
    assert "📎" in page and "EXTERNAL" not in page and "Sunil Kumar" in page
    assert re.search(r'id="window" class="flash">[^<]*2[23] h', page)

    assert step(desk, page_url, "take").status_code == 303
    assert (
        step(
            desk, page_url, "reply", text="Namaste, main Asha. Aapka sawaal?"
        ).status_code
        == 303
    )
    token = csrf(desk.get(page_url).text)
    assert step(desk, page_url, "hand-back").status_code == 303
    assert [m.payload for m in outbox(desk)] == [
        {"events": [{"event": "pause"}]},
        {"action": "utter_helpdesk_joined"},
        {
            "events": [
                {
                    "event": "bot",
                    "text": "Namaste, main Asha. Aapka sawaal?",
                    "metadata": {"helpdesk_agent": "officer:asha"},
                }
            ]
        },
        {"events": [{"event": "resume"}]},
        {"name": "helpdesk_handback", "entities": {}},
    ]

    state = desk.app.state  # type: ignore[attr-defined]
    assert deliver_due(state.session_factory, state.settings) == (5, 0)
    calls = [(urlsplit(r["path"]), r["body"]) for r in rasa.requests]
    base = f"/conversations/{SENDER}/"
    assert [u.path.removeprefix(base) for u, _ in calls] == [
        "tracker/events",
        "execute",
        "tracker/events",
        "tracker/events",
        "trigger_intent",
    ]
    query = parse_qs(calls[2][0].query)
    assert query["execute_side_effects"] == ["true"] and query["output_channel"] == [
        "latest"
    ]
    assert query["token"] == ["rasa-secret"]
    assert calls[1][1] == {"name": "utter_helpdesk_joined"}
    assert calls[2][1][0]["text"] == "Namaste, main Asha. Aapka sawaal?"
    # Once delivered, the agent's words are kept by Rasa only.
    assert "Namaste" not in str([m.payload for m in outbox(desk)])
    with state.session_factory() as session:
        handoff = session.scalar(select(Handoff))
        assert (handoff.status, handoff.agent) == ("closed", "officer:asha")
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.entity == "handoff")
            )
        )
    assert actions == [
        "handoff.opened",
        "handoff.taken",
        "handoff.replied",
        "handoff.closed",
    ]
    late = desk.post(
        f"{page_url}/take", data={"csrf": token}, follow_redirects=False
    )  # a second agent on a page opened before the hand-back
    assert late.headers["location"].endswith("problem=closed")


def test_after_whatsapps_24_hours_the_agent_cannot_write(desk, rasa):
    rasa.tracker = tracker(last_message_hours_ago=25)
    hand_off(desk)
    login(desk, "asha", "asha-token")
    step(desk, "/console/helpdesk/1", "take")
    page = desk.get("/console/helpdesk/1").text
    assert 'id="window" class="problem"' in page and "disabled" in page
    refused = step(desk, "/console/helpdesk/1", "reply", text="Hello?")
    assert refused.headers["location"].endswith("problem=window")
    assert all("text" not in str(m.payload) for m in outbox(desk))
    # A web or REST conversation has no such window.
    rasa.tracker = tracker(last_message_hours_ago=25, channel="rest")
    assert (
        step(desk, "/console/helpdesk/1", "reply", text="Hello?")
        .headers["location"]
        .endswith("done=sent")
    )


def test_replies_need_a_taken_ticket_a_form_token_and_a_short_text(desk):
    hand_off(desk)
    login(desk, "asha", "asha-token")
    assert (
        step(desk, "/console/helpdesk/1", "reply", text="hi")
        .headers["location"]
        .endswith("problem=not_active")
    )
    step(desk, "/console/helpdesk/1", "take")
    assert (
        step(desk, "/console/helpdesk/1", "reply", text="x" * 1001)
        .headers["location"]
        .endswith("problem=text")
    )
    forged = desk.post("/console/helpdesk/1/reply", data={"text": "hi", "csrf": "x"})
    assert forged.status_code == 403


def test_only_helpdesk_agents_see_it_and_the_page_says_when_rasa_is_down(desk, rasa):
    hand_off(desk)
    login(desk, "revenue-officer", "revenue-officer-token")
    assert desk.get("/console/helpdesk").status_code == 404
    assert 'id="helpdesk-link"' not in desk.get("/console/queue").text
    login(desk, "officer-a", "test-officer-token")
    assert 'id="helpdesk-link"' in desk.get("/console/queue").text
    rasa.tracker = None  # Rasa answers 404
    assert 'id="unavailable"' in desk.get("/console/helpdesk/1").text
    assert desk.get("/console/helpdesk/99").status_code == 404


def test_an_officer_asks_the_helpdesk_to_contact_the_citizen(desk):
    application_id = submit(desk).json()["application_id"]
    login(desk)
    page_url = f"/console/applications/{application_id}"
    asked = desk.post(
        f"{page_url}/helpdesk",
        data={"csrf": csrf(desk.get(page_url).text)},
        follow_redirects=False,
    )
    assert asked.headers["location"].endswith("done=helpdesk")
    with desk.app.state.session_factory() as session:  # type: ignore[attr-defined]
        handoff = session.scalar(select(Handoff))
    assert (handoff.reason, handoff.application_id) == ("officer", application_id)
    assert desk.post(f"{page_url}/helpdesk", data={"csrf": "x"}).status_code == 403


def test_erasing_the_citizen_deletes_their_tickets(desk):
    hand_off(desk)
    hand_off(desk, {**SERVICE, "X-Citizen-Id": "919800000000"})
    assert desk.post("/api/v1/erasure", headers=ASKING).status_code == 200
    with desk.app.state.session_factory() as session:  # type: ignore[attr-defined]
        left = list(session.scalars(select(Handoff.sender_id)))
    assert left == ["919800000000"]


def test_one_agent_has_a_conversation_and_a_reply_needs_the_conversation(desk, rasa):
    hand_off(desk)
    login(desk, "asha", "asha-token")
    page = "/console/helpdesk/1"
    token = csrf(desk.get(page).text)
    step(desk, page, "take")
    login(desk, "officer-a", "test-officer-token")  # a second agent, page opened before
    for action, data in (("take", {}), ("reply", {"text": "hello"})):
        refused = step(desk, page, action, **data)
        assert refused.headers["location"].endswith("problem=taken"), action
    assert token  # the first agent's page had its own form token
    login(desk, "asha", "asha-token")
    rasa.tracker = None  # Rasa cannot say when the citizen last wrote
    refused = step(desk, page, "reply", text="hello")
    assert refused.headers["location"].endswith("problem=unavailable")
    assert sum("text" in str(m.payload) for m in outbox(desk)) == 0


def test_a_closed_ticket_shows_the_conversation_only_until_it_was_handed_back(
    desk, rasa
):
    hand_off(desk)
    login(desk, "asha", "asha-token")
    step(desk, "/console/helpdesk/1", "hand-back")  # closed without taking over
    rasa.tracker["events"].append(
        {"event": "user", "timestamp": time.time() + 60, "text": "a later message"}
    )
    page = desk.get("/console/helpdesk/1").text
    assert "kisi insaan se baat karni hai" in page
    assert "a later message" not in page and "Sunil Kumar" not in page


def test_status_notifications_wait_while_an_agent_has_the_conversation(desk, rasa):
    """Rasa acts on no intent in a paused conversation: the notification would be lost."""
    state = desk.app.state  # type: ignore[attr-defined]
    body = birth_body()
    body["citizen"] = {"whatsapp_id": SENDER, "sender_id": SENDER}
    application_id = submit(desk, body).json()["application_id"]
    hand_off(desk)
    login(desk, "asha", "asha-token")
    step(desk, "/console/helpdesk/1", "take")
    with state.session_factory() as session:
        session.query(OutboxMessage).filter(
            OutboxMessage.application_id == application_id
        ).delete()  # the "submitted" notification: out of the way
        session.commit()
    desk.post(
        f"/api/v1/officer/applications/{application_id}/reject",
        headers={"Authorization": "Bearer test-officer-token"},
        json={"reason": "Wrong district"},
    )
    assert deliver_due(state.session_factory, state.settings) == (2, 0)  # pause, joined
    assert not any("trigger_intent" in r["path"] for r in rasa.requests)
    step(desk, "/console/helpdesk/1", "hand-back")
    assert deliver_due(state.session_factory, state.settings) == (2, 0)  # resume, back
    assert deliver_due(state.session_factory, state.settings) == (1, 0)  # the next pass
    paths = [urlsplit(r["path"]).path.rsplit("/", 1)[-1] for r in rasa.requests]
    assert paths == ["events", "execute", "events", "trigger_intent", "trigger_intent"]
    names = [r["body"].get("name") for r in rasa.requests[3:]]
    assert names == ["helpdesk_handback", "application_status_changed"]
