"""The REST channel's mailbox (issue 10): messages Rasa sends outside a REST request
(trigger_intent notifications) wait for the citizen and are handed out exactly once."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import requests
from rasa.server import _get_output_channel
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.mailbox import MailboxOutputChannel, RestMailbox
from channels.rest import CitizenRestInput
from channels.settings import RestMailboxSettings

CERTIFICATE = {
    "document": {
        "url": "http://127.0.0.1:8001/certificates/abc?sig=x",
        "filename": "birth-certificate.pdf",
    }
}


def channel(tmp_path, token=None, **limits):
    return CitizenRestInput(token, RestMailbox(tmp_path / "rest_mailbox.db", **limits))


def post(server, sender, message="hi", token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        server.url("/webhooks/rest/webhook"),
        json={"sender": sender, "message": message},
        headers=headers,
        timeout=10,
    )


def inbox(server, sender, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(
        server.url("/webhooks/rest/inbox"),
        params={"sender": sender} if sender is not None else None,
        headers=headers,
        timeout=10,
    )


async def echo(message):
    await message.output_channel.send_text_message(message.sender_id, "ok")


async def notify(rest: CitizenRestInput, sender: str) -> None:
    """What Rasa does for trigger_intent: sends through the channel's output channel."""
    output = rest.get_output_channel()
    await output.send_text_message(sender, "Your application DL-1 is approved.")
    await output.send_custom_json(sender, CERTIFICATE)
    await output.send_text_with_buttons(
        sender, "Anything else?", [{"title": "Status", "payload": "/status"}]
    )


PUSHED = [
    {"recipient_id": "alice", "text": "Your application DL-1 is approved."},
    {"recipient_id": "alice", "custom": CERTIFICATE},
    {
        "recipient_id": "alice",
        "text": "Anything else?",
        "buttons": [{"title": "Status", "payload": "/status"}],
    },
]


def test_rasa_resolves_latest_for_a_rest_citizen_to_the_mailbox(tmp_path):
    rest = channel(tmp_path)
    tracker = DialogueStateTracker.from_events(
        "alice", [UserUttered("hi", input_channel="rest")]
    )
    request = SimpleNamespace(
        args={"output_channel": "latest"},
        app=SimpleNamespace(ctx=SimpleNamespace(input_channels=[rest])),
    )
    assert isinstance(_get_output_channel(request, tracker), MailboxOutputChannel)


def test_pushed_messages_come_first_in_the_next_answer_once_and_only_to_their_sender(
    serve, tmp_path
):
    rest = channel(tmp_path)
    server = serve([rest], echo)
    server.call(notify(rest, "alice"))

    assert post(server, "bob").json() == [{"recipient_id": "bob", "text": "ok"}]
    assert inbox(server, "bob").json() == []
    first = post(server, "alice")
    assert first.status_code == 200
    assert first.json() == [*PUSHED, {"recipient_id": "alice", "text": "ok"}]
    assert post(server, "alice").json() == [{"recipient_id": "alice", "text": "ok"}]
    assert inbox(server, "alice").json() == []


def test_the_inbox_returns_pending_messages_once_without_a_message(serve, tmp_path):
    rest = channel(tmp_path)
    server = serve([rest], echo)
    server.call(notify(rest, "alice"))

    assert inbox(server, "bob").json() == []
    got = inbox(server, "alice")
    assert got.status_code == 200 and got.json() == PUSHED
    assert inbox(server, "alice").json() == []
    assert post(server, "alice").json() == [{"recipient_id": "alice", "text": "ok"}]
    assert server.received and all(m.sender_id == "alice" for m in server.received)


def test_concurrent_reads_deliver_each_message_exactly_once(serve, tmp_path):
    rest = channel(tmp_path)
    server = serve([rest], echo)
    for _ in range(10):
        server.call(notify(rest, "alice"))
    # A second process on the same file: its own connection and thread.
    other = RestMailbox(tmp_path / "rest_mailbox.db")

    def read(index):
        if index % 2:
            return asyncio.run(other.take("alice"))
        return inbox(server, "alice").json()

    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(read, range(16)))
    other.close()
    delivered = [message for batch in batches for message in batch]
    assert len(delivered) == 30
    assert sorted(m["text"] for m in delivered if "text" in m) == sorted(
        [PUSHED[0]["text"], PUSHED[2]["text"]] * 10
    )


def test_with_a_token_the_inbox_requires_it(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "csc-secret")
    monkeypatch.setenv("REST_MAILBOX_DB", str(tmp_path / "from_env.db"))
    rest = CitizenRestInput.from_credentials(None)
    assert isinstance(rest, CitizenRestInput)
    assert rest.mailbox.path == tmp_path / "from_env.db"
    server = serve([rest], echo)
    server.call(notify(rest, "alice"))

    assert inbox(server, "alice").status_code == 401
    assert inbox(server, "alice", token="wrong").status_code == 401
    assert post(server, "alice", token="wrong").status_code == 401
    got = inbox(server, "alice", token="csc-secret")
    assert got.status_code == 200 and got.json() == PUSHED
    assert inbox(server, "alice", token="csc-secret").json() == []


def test_the_inbox_refuses_senders_the_webhook_refuses(serve, tmp_path):
    rest = channel(tmp_path)
    server = serve([rest], echo)
    for sender in (
        None,
        "",
        "a b",
        "x" * 129,
        "919812345678",
        "+919812345678",
        "whatsapp:+919812345678",
    ):
        assert inbox(server, sender).status_code == 400, sender
    assert server.received == []


def test_each_recipient_keeps_only_its_newest_messages(tmp_path):
    mailbox = RestMailbox(tmp_path / "m.db", max_messages=5)

    async def scenario():
        for number in range(12):
            await mailbox.put("alice", {"recipient_id": "alice", "text": str(number)})
        await mailbox.put("bob", {"recipient_id": "bob", "text": "b"})
        assert await mailbox.count("alice") == 5
        return await mailbox.take("alice"), await mailbox.take("bob")

    alice, bob = asyncio.run(scenario())
    mailbox.close()
    assert [m["text"] for m in alice] == ["7", "8", "9", "10", "11"]
    assert bob == [{"recipient_id": "bob", "text": "b"}]


def test_expired_messages_are_dropped(tmp_path, monkeypatch):
    mailbox = RestMailbox(tmp_path / "m.db", keep_seconds=60)

    async def put(text):
        await mailbox.put("alice", {"recipient_id": "alice", "text": text})

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 3600)
    asyncio.run(put("old"))
    asyncio.run(mailbox.put("bob", {"recipient_id": "bob", "text": "old"}))
    monkeypatch.setattr(time, "time", lambda: now)
    # Expired messages are not handed out, and a write purges every expired one.
    asyncio.run(put("new"))
    assert asyncio.run(mailbox.count()) == 1
    assert asyncio.run(mailbox.take("alice")) == [
        {"recipient_id": "alice", "text": "new"}
    ]
    mailbox.close()


def test_a_stored_message_survives_a_new_channel_instance(serve, tmp_path):
    first = channel(tmp_path)
    asyncio.run(notify(first, "alice"))
    first.mailbox.close()  # the Rasa process stops

    second = channel(tmp_path)
    server = serve([second], echo)
    assert inbox(server, "alice").json() == PUSHED


def test_reading_an_empty_mailbox_creates_no_file(serve, tmp_path):
    rest = channel(tmp_path)
    server = serve([rest], echo)
    assert inbox(server, "alice").json() == []
    assert post(server, "alice").status_code == 200
    assert not (tmp_path / "rest_mailbox.db").exists()


def test_settings_default_to_the_var_dir(tmp_path):
    settings = RestMailboxSettings.from_env({"GOV_VAR_DIR": str(tmp_path)})
    assert settings.path == tmp_path / "rest_mailbox.db"
    assert settings.max_messages == 100
    assert settings.keep_seconds == 30 * 24 * 3600
    custom = RestMailboxSettings.from_env(
        {
            "REST_MAILBOX_DB": str(tmp_path / "x.db"),
            "REST_MAILBOX_SIZE": "7",
            "REST_MAILBOX_KEEP_SECONDS": "60",
        }
    )
    assert (custom.path, custom.max_messages, custom.keep_seconds) == (
        tmp_path / "x.db",
        7,
        60,
    )
