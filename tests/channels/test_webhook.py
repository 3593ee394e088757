"""The WhatsApp webhook end to end: real blueprint, real HTTP, fake Graph API."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import time
from types import SimpleNamespace

import requests
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from channels.settings import WhatsAppSettings
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    messages_body,
    png_bytes,
    text_body,
)
from tests.channels.test_dedup import SilentRedis
from tests.channels.test_sending import _all_ids
from tests.channels.whatsapp_limits import assert_valid


def test_verification_handshake(serve, settings):
    server = serve([WhatsAppInput(settings)])
    url = server.url("/webhooks/whatsapp/webhook")
    ok = requests.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
        timeout=5,
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = requests.get(
        url,
        params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"},
        timeout=5,
    )
    assert wrong.status_code == 403
    assert requests.get(server.url("/webhooks/whatsapp/"), timeout=5).json() == {
        "status": "ok",
        "enabled": True,
    }


def test_text_reaches_rasa_with_metadata_and_is_marked_read(serve, settings, graph):
    server = serve([WhatsAppInput(settings)])
    reply = server.post_whatsapp(text_body("919800000001", "wamid.1", "Hi", "Asha"))
    assert reply.status_code == 200
    server.drain()
    [message] = server.received
    assert (message.text, message.sender_id) == ("Hi", "919800000001")
    assert message.input_channel == "whatsapp"
    # The shared contract (channels/metadata.py): what the actions read.
    assert message.metadata["channel"] == "whatsapp"
    assert message.metadata["citizen"] == {
        "id": "919800000001",
        "name": "Asha",
        "phone": "9800000001",
    }
    assert "document" not in message.metadata
    assert message.metadata["whatsapp"]["wa_id"] == "919800000001"
    assert message.metadata["whatsapp"]["profile_name"] == "Asha"
    assert message.metadata["whatsapp"]["message_id"] == "wamid.1"
    [receipt] = graph.read_receipts()
    assert receipt == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.1",
        "typing_indicator": {"type": "text"},
    }


def test_bad_or_missing_signature_is_rejected_and_not_processed(serve, settings, graph):
    server = serve([WhatsAppInput(settings)])
    body = text_body("919800000001", "wamid.2", "Hi")
    assert server.post_whatsapp(body, secret="wrong-secret").status_code == 403
    assert server.post_whatsapp(body, signature="").status_code == 403
    assert server.post_whatsapp(body, signature="sha256=00").status_code == 403
    # Valid signature of a different body: the tampered body is rejected.
    raw = b'{"object": "whatsapp_business_account", "entry": []}'
    from channels.signature import sign

    tampered = raw.replace(b"[]", b"[{}]")
    assert (
        server.post_whatsapp(tampered, signature=sign(APP_SECRET, raw)).status_code
        == 403
    )
    server.drain()
    assert server.received == []
    assert graph.requests == []


def test_duplicate_is_processed_once_even_after_restart(serve, settings):
    body = text_body("919800000001", "wamid.dup", "Hi")
    first = serve([WhatsAppInput(settings)])
    assert first.post_whatsapp(body).status_code == 200
    assert first.post_whatsapp(body).status_code == 200
    first.drain()
    assert [m.text for m in first.received] == ["Hi"]
    first.stop()

    restarted = serve([WhatsAppInput(settings)])
    assert restarted.post_whatsapp(body).status_code == 200
    restarted.drain()
    assert restarted.received == []
    other = text_body("919800000001", "wamid.new", "Hello")
    restarted.post_whatsapp(other)
    restarted.drain()
    assert [m.text for m in restarted.received] == ["Hello"]


def test_several_messages_in_one_body_keep_order_per_citizen(serve, settings):
    seen = []

    async def slow_rasa(message):
        # The first message of each citizen takes longest: order must still hold.
        import asyncio

        await asyncio.sleep(0.05 if message.text.endswith("1") else 0.0)
        seen.append((message.sender_id, message.text))

    server = serve([WhatsAppInput(settings)], slow_rasa)
    body = messages_body("919800000001", [])
    value = body["entry"][0]["changes"][0]["value"]
    for index in range(1, 6):
        for citizen in ("919800000001", "919800000002"):
            value["messages"].append(
                {
                    "from": citizen,
                    "id": f"wamid.{citizen}.{index}",
                    "timestamp": "1",
                    "type": "text",
                    "text": {"body": f"{citizen[-1]}-{index}"},
                }
            )
    # a second entry in the same body is handled too
    body["entry"].append(text_body("919800000003", "wamid.3.1", "3-1")["entry"][0])
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    for citizen in ("919800000001", "919800000002"):
        texts = [text for sender, text in seen if sender == citizen]
        assert texts == [f"{citizen[-1]}-{index}" for index in range(1, 6)]
    assert ("919800000003", "3-1") in seen
    assert len(seen) == 11


def test_ack_does_not_wait_for_processing(serve, settings):
    import asyncio

    async def slow_rasa(message):
        await asyncio.sleep(1.0)

    server = serve([WhatsAppInput(settings)], slow_rasa)
    started = time.monotonic()
    assert (
        server.post_whatsapp(text_body("919800000001", "wamid.s", "Hi")).status_code
        == 200
    )
    assert time.monotonic() - started < 0.5
    server.drain()
    assert len(server.received) == 1


def test_disabled_channel_answers_503_and_rasa_still_starts(serve, tmp_path):
    settings = WhatsAppSettings.from_env({"GOV_VAR_DIR": str(tmp_path)})
    assert not settings.enabled
    channel = WhatsAppInput.from_credentials(None)
    assert isinstance(channel, WhatsAppInput)
    server = serve([WhatsAppInput(settings)])
    reply = server.post_whatsapp(text_body("919800000001", "wamid.x", "Hi"))
    assert reply.status_code == 503
    assert "WHATSAPP_ACCESS_TOKEN" in reply.json()["missing"]
    verify = requests.get(server.url("/webhooks/whatsapp/webhook"), timeout=5)
    assert verify.status_code == 503
    assert requests.get(server.url("/webhooks/whatsapp/"), timeout=5).status_code == 200
    assert not (tmp_path / "whatsapp_dedup.db").exists()


def test_not_json_body_with_valid_signature_is_400(serve, settings):
    server = serve([WhatsAppInput(settings)])
    assert server.post_whatsapp(b"not json").status_code == 400


def test_reply_goes_out_through_graph_within_limits(serve, settings, graph):
    async def rasa(message):
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "Choose a service",
                "buttons": [
                    {"title": "Birth certificate", "payload": '/apply{"s":"birth"}'},
                    {"title": "Caste certificate", "payload": '/apply{"s":"caste"}'},
                ],
            },
        )

    server = serve([WhatsAppInput(settings)], rasa)
    server.post_whatsapp(text_body("919800000001", "wamid.r", "Hi"))
    server.drain()
    [sent] = graph.messages()
    assert sent["to"] == "919800000001"
    assert sent["interactive"]["type"] == "button"
    assert_valid(graph.messages() + graph.read_receipts())


def _sticker(wa_id, message_id):
    return messages_body(
        wa_id,
        [
            {
                "from": wa_id,
                "id": message_id,
                "timestamp": "1",
                "type": "sticker",
                "sticker": {"id": "sticker-1", "mime_type": "image/webp"},
            }
        ],
    )


def rasa_agent_remembering(wa_id, language):
    """Rasa's app.ctx.agent as far as the channel uses it: a real tracker store holding
    a conversation whose ``language`` slot is set."""
    domain = Domain.from_dict(
        {"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}}
    )
    store = InMemoryTrackerStore(domain)
    tracker = DialogueStateTracker.from_events(
        wa_id, [SlotSet("language", language)], slots=domain.slots
    )
    asyncio.run(store.save(tracker))
    return SimpleNamespace(tracker_store=store)


def test_a_message_rasa_cannot_read_reaches_it_as_an_event(serve, settings, graph):
    """The channel writes no text of its own: the assistant answers the event."""
    wa_id = "919800000077"
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(_sticker(wa_id, "wamid.s1"))
    server.drain()
    [message] = server.received
    assert (message.text, message.sender_id) == ("/unsupported_message", wa_id)
    assert message.metadata["whatsapp"]["type"] == "sticker"
    assert "document" not in message.metadata
    assert graph.messages() == []
    assert [r["message_id"] for r in graph.read_receipts()] == ["wamid.s1"]


def _raw_post(server, path, headers, body_start=b""):
    """Sends request headers and the start of a body only; returns the status line."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        sock.sendall(head.encode() + b"\r\n" + body_start)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_oversized_body_gets_413_before_it_is_read(serve, settings):
    settings = settings.with_changes(webhook_max_bytes=4096)
    server = serve([WhatsAppInput(settings)])
    # 100 MB announced, 10 bytes sent: the answer comes without the body.
    status = _raw_post(
        server,
        "/webhooks/whatsapp/webhook",
        {"Content-Type": "application/json", "Content-Length": "100000000"},
        b'{"entry": ',
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    # Chunked, no length announced: cut off once past the cap.
    chunk = b"x" * 5000
    status = _raw_post(
        server,
        "/webhooks/whatsapp/webhook",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n",
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    # Under the cap, signed: accepted, and the server still works.
    body = text_body("919800000001", "wamid.size", "Hi")
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    assert [m.text for m in server.received] == ["Hi"]


def test_the_200_means_the_message_is_on_disk(serve, settings):
    release = asyncio.Event()

    async def stuck_rasa(message):
        await release.wait()

    server = serve([WhatsAppInput(settings)], stuck_rasa)
    assert server.post_whatsapp(text_body("919800000001", "wamid.d", "Hi")).ok
    with sqlite3.connect(settings.inbox_path) as reader:  # another connection
        rows = reader.execute("SELECT event_id, state FROM inbox").fetchall()
    assert rows == [("wamid.d", "pending")]
    server.loop.call_soon_threadsafe(release.set)
    server.drain()


def test_redis_that_never_answers_neither_blocks_nor_duplicates(
    serve, settings, caplog
):
    silent_redis = SilentRedis().start()
    settings = settings.with_changes(
        dedup_redis_url=silent_redis.url,
        dedup_redis_timeout=0.2,
        dedup_redis_connect_timeout=0.2,
    )
    server = serve([WhatsAppInput(settings)])
    body = text_body("919800000001", "wamid.redis-down", "Hi")
    with caplog.at_level(logging.WARNING, logger="channels.whatsapp"):
        assert server.post_whatsapp(body).status_code == 200
        assert server.post_whatsapp(body).status_code == 200  # redelivered
        server.post_whatsapp(text_body("919800000001", "wamid.next", "Next"))
        server.drain()
    # Processed (not blocked), once (the inbox refuses the redelivery), loudly.
    assert [m.text for m in server.received] == ["Hi", "Next"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("wamid.redis-down" in text for text in warnings)
    assert silent_redis.connections >= 1
    silent_redis.stop()


# A citizen with a WhatsApp username (2026): WhatsApp withholds the number and sends the
# business-scoped user id (BSUID) instead. Same shape as the shared fixtures
# (../shared/fixtures/whatsapp-cloud-api/message.json, "text"), without "from"/"wa_id".
BSUID = "IN.1502576394655843"


def bsuid_only_body(message):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1234567890987654321",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "911100000000",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {
                                    "profile": {
                                        "name": "Sunita Devi",
                                        "username": "@sunita.delhi",
                                    },
                                    "user_id": BSUID,
                                }
                            ],
                            "messages": [
                                {
                                    "from_user_id": BSUID,
                                    "timestamp": "1767225600",
                                    **message,
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def test_a_citizen_known_only_by_bsuid_is_a_conversation_and_is_answered(
    serve, settings, graph
):
    async def rasa(message):
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "आप कौन सी सेवा चाहते हैं?",
                "buttons": [
                    {"title": f"सेवा {n}", "payload": f"/choose{n}"} for n in range(5)
                ],
                "condition": [{"type": "slot", "name": "language", "value": "hi"}],
            },
        )

    server = serve([WhatsAppInput(settings)], rasa)
    body = bsuid_only_body(
        {"id": "wamid.bsuid.1", "type": "text", "text": {"body": "नमस्ते"}}
    )
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    [message] = server.received
    assert (message.text, message.sender_id) == ("नमस्ते", BSUID)
    assert message.input_channel == "whatsapp"
    assert message.metadata["channel"] == "whatsapp"
    assert message.metadata["citizen"] == {
        "id": BSUID,
        "name": "Sunita Devi",
        "phone": None,  # never taken from the BSUID
    }
    whatsapp = message.metadata["whatsapp"]
    assert (whatsapp["wa_id"], whatsapp["user_id"], whatsapp["username"]) == (
        None,
        BSUID,
        "@sunita.delhi",
    )
    assert whatsapp["message_id"] == "wamid.bsuid.1"
    # The reply goes to the BSUID in "recipient" ("to" is only for a phone number).
    [menu] = graph.messages()
    assert menu["recipient"] == BSUID and "to" not in menu
    assert menu["interactive"]["action"]["button"] == "चुनें"
    assert_valid(graph.messages() + graph.read_receipts())

    # Its delivery status comes back with the BSUID only.
    channel = server.channels[0]
    [sent_id] = server.call(_all_ids(channel))
    status_body = bsuid_only_body({})
    value = status_body["entry"][0]["changes"][0]["value"]
    del value["messages"]
    value["statuses"] = [
        {
            "id": sent_id,
            "status": "delivered",
            "timestamp": "1767225601",
            "recipient_user_id": BSUID,
        }
    ]
    assert server.post_whatsapp(status_body).status_code == 200
    server.drain()
    record = server.call(channel._delivery.get(sent_id))
    assert (record.recipient_id, record.status) == (BSUID, "delivered")


def test_a_bsuid_citizens_file_is_stored_as_theirs(
    serve, settings, graph, document_gateway
):
    graph.add_media("m-bsuid", png_bytes(), "image/png")
    server = serve([WhatsAppInput(settings)])
    body = bsuid_only_body(
        {
            "id": "wamid.bsuid.2",
            "type": "image",
            "image": {"id": "m-bsuid", "mime_type": "image/png"},
        }
    )
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    [message] = server.received
    assert (message.text, message.sender_id) == ("/document_uploaded", BSUID)
    assert message.metadata["citizen"]["id"] == BSUID
    assert message.metadata["document"]["mime_type"] == "image/png"
    assert document_gateway.blob(message.metadata["document"]["id"]).is_file()


def test_a_number_and_a_bsuid_the_number_is_the_conversation(serve, settings):
    body = text_body("919800000005", "wamid.both", "Hi", "Ravi")
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["user_id"] = BSUID
    value["messages"][0]["from_user_id"] = BSUID
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(body)
    server.drain()
    [message] = server.received
    assert message.sender_id == "919800000005"
    assert message.metadata["citizen"] == {
        "id": "919800000005",
        "name": "Ravi",
        "phone": "9800000005",
    }
    assert message.metadata["whatsapp"]["user_id"] == BSUID
