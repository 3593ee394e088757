"""The hardened REST channel: token, body shape, length, channel name and metadata."""

from __future__ import annotations

import pytest
import requests

from channels.rest import MAX_MESSAGE_CHARACTERS, CitizenRestInput

DOCUMENT_ID = "a" * 64


def post(server, body=None, token=None, data=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        server.url("/webhooks/rest/webhook"),
        json=body,
        data=data,
        headers=headers,
        timeout=10,
    )


async def echo(message):
    await message.output_channel.send_text_message(message.sender_id, "ok")


def test_a_message_is_answered_and_recorded_as_rest(serve):
    server = serve([CitizenRestInput()], echo)
    answer = post(
        server,
        {
            "sender": "csc-operator-7",
            "message": "hello",
            "input_channel": "whatsapp",
            "metadata": {
                "whatsapp": {"wa_id": "919800000002", "profile_name": "Victim"},
                "citizen": {"id": "919800000002"},
                "channel": "csc",
                "document": {"id": DOCUMENT_ID, "mime_type": "image/png", "size": 3},
            },
        },
    )
    assert answer.status_code == 200
    assert answer.json() == [{"recipient_id": "csc-operator-7", "text": "ok"}]
    [message] = server.received
    assert message.input_channel == "rest"
    assert message.metadata == {
        "channel": "csc",
        "document": {"id": DOCUMENT_ID, "mime_type": "image/png", "size": 3},
    }


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"sender": "x"},
        {"message": "hi"},
        {"sender": 5, "message": "hi"},
        {"sender": "a b", "message": "hi"},
        {"sender": "x" * 129, "message": "hi"},
        {"sender": "x", "message": {"text": "hi"}},
        {"sender": "x", "message": None},
        {"sender": "919812345678", "message": "my applications"},
        {"sender": "+919812345678", "message": "hi"},
        {"sender": "whatsapp:+919812345678", "message": "hi"},
    ],
)
def test_a_malformed_body_is_a_400_never_a_500(serve, body):
    server = serve([CitizenRestInput()], echo)
    assert post(server, body).status_code == 400
    assert post(server, data=b"\xff{not json").status_code == 400
    assert server.received == []


def test_a_huge_message_is_refused_before_the_assistant_sees_it(serve):
    server = serve([CitizenRestInput()], echo)
    body = {"sender": "x", "message": "a" * (MAX_MESSAGE_CHARACTERS + 1)}
    assert post(server, body).status_code == 413
    assert server.received == []


def test_with_a_token_configured_only_its_holders_are_served(serve, monkeypatch):
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "csc-secret")
    server = serve([CitizenRestInput.from_credentials(None)], echo)
    body = {"sender": "x", "message": "hi"}
    assert post(server, body).status_code == 401
    assert post(server, body, token="wrong").status_code == 401
    assert post(server, body, token="csc-secret").status_code == 200
    assert len(server.received) == 1
