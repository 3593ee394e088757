"""Signed garbage never gets a 5xx: a seeded, bounded fuzz of the WhatsApp webhook
(mutated real Cloud API samples, random JSON, non-JSON) and the Twilio webhook's
malformed bodies. Counts per status: ``.venv/bin/python -m bench.fuzz_webhooks``."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter
from typing import Dict

import pytest
import requests
from twilio.request_validator import RequestValidator

from bench.fuzz_webhooks import fire, whatsapp_payloads
from channels.inbound import from_payload, parse_webhook, to_payload
from channels.inbox import SQLiteInbox
from channels.settings import TwilioSettings
from channels.signature import sign
from channels.twilio_whatsapp import TwilioWhatsAppInput
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import APP_SECRET, load_fixture_samples, text_body
from tests.channels.test_twilio_whatsapp import FORM, SETTINGS

PAYLOADS = 2000
SEED = 16


def test_fuzzed_signed_payloads_never_get_a_5xx_nor_fail_after_the_ack(
    serve, settings, graph
):
    settings = settings.with_changes(inbox_retry_base_delay=0.01, request_timeout=2)

    async def rasa(message):
        await message.output_channel.send_text_message(message.sender_id, "Namaste")

    server = serve([WhatsAppInput(settings)], rasa)
    url = server.url("/webhooks/whatsapp/webhook")

    def signed(raw: bytes) -> Dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(APP_SECRET, raw),
        }

    payloads = whatsapp_payloads(PAYLOADS, SEED, load_fixture_samples())
    statuses = fire(url, payloads, signed)
    server.drain()
    assert sum(statuses.values()) == PAYLOADS
    assert set(statuses) <= {200, 400}, statuses  # no 5xx, every request answered
    assert statuses[200] > PAYLOADS // 2  # most reach parsing, not just the JSON check
    handed = len(server.received)
    assert handed > 50  # and some reach Rasa

    async def counts():
        inbox = SQLiteInbox(settings.inbox_path)
        try:
            return await inbox.counts()
        finally:
            await inbox.close()

    # Every event stored was processed: none failed or left behind after the 200.
    stored = asyncio.run(counts())
    assert stored["failed"] == 0 and stored["pending"] == 0, stored
    assert stored["done"] > 500

    # The channel still answers a normal message correctly.
    body = text_body("919800000099", "wamid.after-fuzz", "Hi", "Asha")
    assert server.post_whatsapp(body).status_code == 200
    server.drain()
    message = server.received[-1]
    assert (message.text, message.sender_id) == ("Hi", "919800000099")
    assert message.metadata["whatsapp"]["profile_name"] == "Asha"
    reply = graph.messages("text")[-1]
    assert (reply["to"], reply["text"]["body"]) == ("919800000099", "Namaste")


SHAPES = [
    ([], 0),
    ("entry", 0),
    (None, 0),
    ({"entry": "x"}, 0),
    ({"entry": 5}, 0),
    ({"entry": [None, 1, "x", [], {"changes": {"value": {}}}]}, 0),
    ({"entry": [{"changes": [{"value": {"messages": {"from": "1"}}}]}]}, 0),
    ({"entry": [{"changes": [{"value": {"contacts": [{"wa_id": [1]}]}}]}]}, 0),
    (
        {"entry": [{"changes": [{"value": {"statuses": [{"id": "s", "errors": 5}]}}]}]},
        1,
    ),
]


@pytest.mark.parametrize(
    ("body", "count"), SHAPES, ids=[json.dumps(s)[:40] for s, _ in SHAPES]
)
def test_wrong_shapes_are_skipped_without_an_exception(body, count):
    assert len(parse_webhook(body)) == count


def _message(**fields):
    message = {"from": "919800000001", "id": "wamid.f", "type": "text"}
    message.update(fields)
    body = text_body("919800000001", "x", "x")
    body["entry"][0]["changes"][0]["value"]["messages"] = [message]
    return body


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"text": {"body": "ok"}}, "ok"),
        ({"text": {"body": "x" * 10_000}}, "x" * 4096),  # WhatsApp's limit
        ({"text": {"body": "a\ud800b"}}, "a?b"),  # lone surrogate
        ({"type": "location", "location": {"latitude": 1e999, "longitude": 2}}, None),
        ({"type": "location", "location": {"latitude": "NaN", "longitude": 2}}, None),
        ({"from": {"a": 1}}, None),
        ({"from": 919800000001, "text": {"body": "n"}}, "n"),
        ({"id": None}, None),
        ({"id": "w" * 300}, None),
    ],
)
def test_message_fields_of_the_wrong_type_or_size(fields, text):
    events = parse_webhook(_message(**fields))
    if text is None:
        assert events == []
    else:
        [event] = events
        assert event.text == text


@pytest.mark.parametrize(
    ("fields", "sender", "user_id"),
    [
        (
            {"from_user_id": "IN.1502576394655843"},
            "919800000001",
            "IN.1502576394655843",
        ),
        ({"from": None, "from_user_id": "IN.15025763"}, "IN.15025763", "IN.15025763"),
        ({"from": "", "from_user_id": "US.ENT.118157992"}, "US.ENT.118157992", None),
        ({"from_user_id": "../../x"}, "919800000001", None),  # ignored, number kept
        ({"from": None, "from_user_id": "../../x"}, None, None),
        ({"from": None, "from_user_id": "IN.1/2"}, None, None),
        ({"from": None, "from_user_id": "in.123"}, None, None),
        ({"from": None, "from_user_id": "IN." + "1" * 129}, None, None),
        ({"from": None}, None, None),
    ],
)
def test_the_sender_is_the_number_else_a_well_formed_bsuid(fields, sender, user_id):
    events = parse_webhook(_message(text={"body": "ok"}, **fields))
    if sender is None:
        assert events == []
        return
    [event] = events
    assert event.sender_id == sender
    if user_id is not None:
        assert event.user_id == user_id


def test_a_row_stored_before_bsuids_is_read_back():
    row = {
        "wa_id": "919800000001",
        "message_id": "wamid.old",
        "type": "text",
        "action": "text",
        "text": "Hi",
        "profile_name": "Asha",
        "timestamp": "1",
        "phone_number_id": "1",
        "media": {},
        "extra": {},
    }
    event = from_payload("message", row)
    assert (event.sender_id, event.phone, event.user_id) == (
        "919800000001",
        "919800000001",
        None,
    )
    assert from_payload(*_round_trip(event)) == event


def _round_trip(event):
    kind, payload = to_payload(event)
    return kind, json.loads(payload)


def test_status_error_codes_are_typed():
    body = text_body("1", "x", "x")
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"] = []
    value["statuses"] = [
        {
            "id": "wamid.s",
            "status": "failed",
            "recipient_id": "919800000001",
            "errors": [{"code": 10**30, "title": ["x"], "error_data": "y"}, "junk"],
        }
    ]
    [status] = parse_webhook(body)
    assert status.errors == [
        {"code": None, "title": None, "message": None, "error_data": {"details": None}}
    ]


def test_json_too_deep_or_too_long_a_number_is_400(serve, settings):
    server = serve([WhatsAppInput(settings)])
    assert server.post_whatsapp(b"[" * 100_000 + b"]" * 100_000).status_code == 400
    assert server.post_whatsapp(b'{"n": ' + b"9" * 5000 + b"}").status_code == 400
    assert server.post_whatsapp(b"\xff\xfe{}").status_code == 400


# Twilio: the same care.

TWILIO = SETTINGS


def _twilio_post(server, raw, content_type, params):
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    signature = RequestValidator(TWILIO.auth_token).compute_signature(url, params)
    headers = {"Content-Type": content_type, "X-Twilio-Signature": signature}
    return requests.post(url, data=raw, headers=headers, timeout=10)


def test_twilio_oversized_body_gets_413_before_it_is_read(serve):
    settings = TwilioSettings(**{**TWILIO.__dict__, "webhook_max_bytes": 2048})
    server = serve([TwilioWhatsAppInput(settings)])
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /webhooks/twilio_whatsapp/webhook HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000000\r\n\r\nFrom=whatsapp"
        )
        status = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    form = "application/x-www-form-urlencoded"
    raw = requests.models.RequestEncodingMixin._encode_params(FORM).encode()
    assert _twilio_post(server, raw, form, FORM).status_code == 204
    assert [m.text for m in server.received] == ["Namaste"]


def test_twilio_malformed_signed_bodies_never_get_a_5xx(serve):
    async def failing_rasa(message):
        if message.text == "crash":
            raise RuntimeError("Rasa failed")

    server = serve([TwilioWhatsAppInput(TWILIO)], failing_rasa)
    form = "application/x-www-form-urlencoded"
    emoji = "\U0001f600" * 1000
    cases = [
        (b"\xff\xfe\x00garbage=\x80\x81", form, {}),  # not UTF-8: read as empty
        (b'{"From": "x"}', "application/json", {}),  # not a form at all
        (b"", form, {}),  # empty
        (b"Body=hello", form, {"Body": "hello"}),  # no sender
        (b"From=whatsapp%3A%2B91", form, {"From": "whatsapp:+91"}),  # no text
        (  # not a location: dropped, logged
            b"From=a&Latitude=1e999&Longitude=%00",
            form,
            {"From": "a", "Latitude": "1e999", "Longitude": "\x00"},
        ),
        (b"From=a&Body=crash", form, {"From": "a", "Body": "crash"}),  # Rasa raises
        (
            b"From=a&From=b&Body=" + b"%F0%9F%98%80" * 1000,
            form,
            {"From": "a", "Body": emoji},
        ),
        (b"multipart junk", "multipart/form-data; boundary=", {}),
    ]
    statuses = Counter()
    for raw, content_type, params in cases:
        statuses[_twilio_post(server, raw, content_type, params).status_code] += 1
    assert statuses == {204: len(cases)}
    assert [m.sender_id for m in server.received] == ["a", "a"]
    raw = requests.models.RequestEncodingMixin._encode_params(FORM).encode()
    assert _twilio_post(server, raw, form, FORM).status_code == 204
    assert server.received[-1].text == "Namaste"
