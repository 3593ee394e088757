"""Sending through the fake Graph API: retries, error classes, templates, media."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from rasa.core.actions.action import ActionBotResponse, RemoteAction
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from channels.delivery import NOTIFICATION, DeliveryStore
from channels.texts import response_language, text_for
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import messages_body, pdf_bytes, text_body
from tests.channels.fake_gateway import GATEWAY_TOKEN
from tests.channels.whatsapp_limits import assert_valid

CITIZEN = "919800000001"
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


def hindi(value="hi"):
    """What Rasa merges into a bot message of a ``language`` variation."""
    return {"condition": [{"type": "slot", "name": "language", "value": value}]}


def _is_text(record):
    return (
        record.path.endswith("/messages") and (record.json or {}).get("type") == "text"
    )


def _send_text(
    server, channel, text="Your application was approved.", kind="reply", **kwargs
):
    output = channel._output(kind)
    server.call(output.send_text_message(CITIZEN, text, **kwargs))


@pytest.mark.parametrize(
    ("status", "code"), [(500, None), (503, 2), (400, 130429), (400, 131056)]
)
def test_temporary_errors_are_retried(serve, settings, graph, status, code):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    graph.fail(_is_text, status, code, times=2)
    _send_text(server, channel)
    attempts = [r for r in graph.requests if _is_text(r)]
    assert len(attempts) == 3  # two failures, then success


def test_retries_are_bounded(serve, settings, graph, caplog):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    graph.fail(_is_text, 500, None, times=100)
    with caplog.at_level(logging.ERROR, logger="channels.graph"):
        _send_text(server, channel)
    assert len([r for r in graph.requests if _is_text(r)]) == settings.max_attempts
    assert "failed" in caplog.text


@pytest.mark.parametrize(
    ("code", "hint"),
    [(190, "access token"), (100, "bad parameters"), (131009, "bad parameters")],
)
def test_token_and_parameter_errors_are_logged_not_retried(
    serve, settings, graph, caplog, code, hint
):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    graph.fail(_is_text, 400 if code != 190 else 401, code, times=5)
    with caplog.at_level(logging.ERROR, logger="channels.graph"):
        _send_text(server, channel)
    assert len([r for r in graph.requests if _is_text(r)]) == 1
    assert hint in caplog.text


def test_outside_24h_window_sends_template_in_the_responses_language(
    serve, settings, graph
):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    graph.fail(_is_text, 400, 131047)
    text = "आपका आवेदन स्वीकृत हो गया है।\nधन्यवाद"
    _send_text(server, channel, text, NOTIFICATION, **hindi())
    [template] = graph.messages("template")
    assert template["template"]["name"] == "application_update"
    assert template["template"]["language"] == {"code": "hi"}
    parameter = template["template"]["components"][0]["parameters"][0]["text"]
    assert parameter == "आपका आवेदन स्वीकृत हो गया है। धन्यवाद"
    assert_valid(graph.messages())


def test_failed_status_131047_of_notification_falls_back_to_template(
    serve, settings, graph
):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    _send_text(server, channel, "प्रमाण पत्र तैयार है", NOTIFICATION, **hindi())
    assert len(graph.messages("text")) == 1
    [sent_id] = server.call(_all_ids(channel))
    assert server.call(channel._delivery.get(sent_id)).kind == NOTIFICATION
    status_body = messages_body(CITIZEN, [])
    value = status_body["entry"][0]["changes"][0]["value"]
    del value["messages"]
    value["statuses"] = [
        {
            "id": sent_id,
            "status": "failed",
            "timestamp": "1",
            "recipient_id": CITIZEN,
            "errors": [{"code": 131047, "title": "Re-engagement message"}],
        }
    ]
    assert server.post_whatsapp(status_body).status_code == 200
    server.drain()
    [template] = graph.messages("template")
    assert template["to"] == CITIZEN
    assert template["template"]["language"] == {"code": "hi"}  # kept with the text
    stored = server.call(channel._delivery.get(sent_id))
    assert (stored.status, stored.error_code) == ("failed", 131047)


async def _all_ids(channel):
    def query(connection):
        return [
            row[0] for row in connection.execute("SELECT message_id FROM sent_messages")
        ]

    return await channel._delivery._worker.run(query)


def test_send_failure_never_fails_the_webhook(serve, settings, graph):
    async def rasa(message):
        await message.output_channel.send_text_message(message.sender_id, "reply")

    graph.fail(lambda r: r.path.endswith("/messages"), 500, None, times=100)
    server = serve([WhatsAppInput(settings)], rasa)
    assert server.post_whatsapp(text_body(CITIZEN, "wamid.f1", "Hi")).status_code == 200
    server.drain()
    assert server.post_whatsapp(text_body(CITIZEN, "wamid.f2", "Hi")).status_code == 200
    server.drain()
    assert len(server.received) == 2


def test_signed_certificate_link_is_fetched_without_credentials_then_sent_by_id(
    serve, graph, gateway_host, gateway_channel
):
    url = gateway_host.add_file("/certificates/signed.token.1", pdf_bytes())
    server = serve([gateway_channel])
    spec = {"url": url, "filename": "DL-BIR-2026-000001.pdf", "caption": "Yours"}
    server.call(
        gateway_channel._output(NOTIFICATION).send_custom_json(
            CITIZEN, {"document": spec}
        )
    )
    [fetch] = gateway_host.requests
    assert "Authorization" not in fetch.headers  # the link itself is the credential
    [upload] = graph.uploads()
    assert upload.form["messaging_product"] == "whatsapp"
    assert upload.form["type"] == "application/pdf"
    assert upload.form["file"] == pdf_bytes()
    [document] = graph.messages("document")
    assert document["document"]["id"].startswith("media.fake.")
    assert "link" not in document["document"]
    assert document["document"]["filename"] == "DL-BIR-2026-000001.pdf"
    assert document["document"]["caption"] == "Yours"
    assert_valid(graph.messages())


def test_service_api_certificate_is_fetched_with_the_gateway_token(
    serve, graph, gateway_host, gateway_channel
):
    path = "/api/v1/applications/DL-BIR-2026-000001/certificate"
    url = gateway_host.add_file(path, pdf_bytes())
    server = serve([gateway_channel])
    server.call(
        gateway_channel._output(NOTIFICATION).send_custom_json(
            CITIZEN, {"document": {"url": url}}
        )
    )
    [fetch] = gateway_host.requests
    assert fetch.headers["Authorization"] == f"Bearer {GATEWAY_TOKEN}"
    assert graph.uploads()[0].form["file"] == pdf_bytes()
    [document] = graph.messages("document")
    assert document["document"]["filename"] == "certificate.pdf"


@pytest.mark.parametrize(
    "source",
    [
        "/proc/self/environ",
        "file:///proc/self/environ",
        "var/edistrict/signing_key.pem",
        "http://127.0.0.1:9/download/x",  # a host that is not the gateway
        "GATEWAY/api/v1/applications?citizen_id=919800000001",  # not a file route
        "GATEWAY/api/v1/applications/DL-BIR-2026-000001",  # someone's whole record
        "GATEWAY/certificates/../api/v1/applications",
        "http://user:pw@GATEWAY_HOST/certificates/x",
    ],
)
def test_nothing_but_gateway_certificates_is_read_or_sent(
    serve, graph, gateway_host, gateway_channel, tmp_path, source
):
    source = source.replace("GATEWAY_HOST", gateway_host.url.split("//")[1])
    source = source.replace("GATEWAY", gateway_host.url)
    gateway_host.files["/api/v1/applications/DL-BIR-2026-000001"] = b"%PDF-secret"
    server = serve([gateway_channel])
    output = gateway_channel._output("reply")
    server.call(output.send_custom_json(CITIZEN, {"document": {"url": source}}))
    server.call(output.send_custom_json(CITIZEN, {"document": {"path": source}}))
    server.call(output.send_attachment(CITIZEN, source))
    server.call(output.send_image_url(CITIZEN, source))
    assert gateway_host.requests == []
    assert graph.uploads() == [] and graph.messages() == []


def test_a_redirect_from_the_gateway_is_not_followed(
    serve, graph, gateway_host, gateway_channel
):
    gateway_host.redirects["/certificates/moved"] = "http://127.0.0.1:9/elsewhere"
    server = serve([gateway_channel])
    url = f"{gateway_host.url}/certificates/moved"
    server.call(
        gateway_channel._output("reply").send_custom_json(
            CITIZEN, {"document": {"url": url}}
        )
    )
    assert [r.path for r in gateway_host.requests] == ["/certificates/moved"]
    assert graph.uploads() == []
    # The signed link is public: Meta may try it itself (the channel's fallback).
    [document] = graph.messages("document")
    assert document["document"]["link"] == url


def test_long_text_is_split(serve, settings, graph):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    _send_text(server, channel, "This sentence is long enough. " * 400)
    texts = graph.messages("text")
    assert len(texts) == 3
    assert_valid(texts)


def rasa_bot_messages(output, language, response, **kwargs):
    """The dicts Rasa's processor hands ``output`` for one response.

    Rasa's own code: the NLG picks the variation by the ``language`` slot of
    domain.yml, ``RemoteAction._utter_responses`` (a custom action's
    ``utter_message(response=...)``) or ``ActionBotResponse`` (a rule's ``utter_``) makes
    the ``BotUttered``, and the processor sends ``BotUttered.message()``.
    """
    domain = Domain.load(str(DOMAIN_FILE))
    tracker = DialogueStateTracker.from_events(
        CITIZEN, [SlotSet("language", language)], slots=domain.slots
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    if kwargs:
        answer = {"response": response, **kwargs}
        bots = asyncio.run(
            RemoteAction._utter_responses([answer], output, nlg, tracker)
        )
    else:
        bots = asyncio.run(
            ActionBotResponse(response).run(output, nlg, tracker, domain)
        )
    return [bot.message() for bot in bots]


BUTTONS = [{"title": f"Service {n}", "payload": f"/choose{n}"} for n in range(5)]


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Choose"), ("hi", "चुनें"), ("hinglish", "Chuniye")]
)
def test_the_list_label_is_in_the_language_rasa_chose(
    serve, settings, graph, language, label
):
    """Hinglish and English look alike: only Rasa's choice of variation tells them apart."""
    channel = WhatsAppInput(settings)
    server = serve([channel])
    output = channel._output("reply")
    [message] = rasa_bot_messages(output, language, "utter_main_menu", buttons=BUTTONS)
    assert response_language(message) == language
    server.call(output.send_response(CITIZEN, message))
    [menu] = graph.messages("interactive")
    assert (
        menu["interactive"]["action"]["button"]
        == label
        == text_for("list_button", language)
    )
    assert_valid(graph.messages())


@pytest.mark.parametrize(
    ("language", "code"), [("en", "en"), ("hi", "hi"), ("hinglish", "en_US")]
)
def test_the_template_is_in_the_language_rasa_chose(
    serve, settings, graph, language, code
):
    languages = {"en": "en", "hi": "hi", "hinglish": "en_US"}
    channel = WhatsAppInput(settings.with_changes(template_languages=languages))
    server = serve([channel])
    graph.fail(_is_text, 400, 131047)
    output = channel._output(NOTIFICATION)
    [message] = rasa_bot_messages(output, language, "utter_unsupported_message")
    server.call(output.send_response(CITIZEN, message))
    [template] = graph.messages("template")
    assert template["template"]["language"] == {"code": code}


def test_an_old_delivery_database_gets_the_language_column(tmp_path):
    path = tmp_path / "delivery.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE sent_messages (message_id TEXT PRIMARY KEY, recipient_id "
            "TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, status TEXT NOT NULL, "
            "error_code INTEGER, error TEXT, updated_at REAL NOT NULL)"
        )
        old.execute(
            "INSERT INTO sent_messages VALUES ('wamid.old', 'c', 'notification', 't', "
            "'sent', NULL, NULL, 0)"
        )

    async def use():
        store = DeliveryStore(path)
        try:
            await store.record_sent("wamid.new", CITIZEN, NOTIFICATION, "t", "hi")
            return await store.get("wamid.old"), await store.get("wamid.new")
        finally:
            await store.close()

    before, after = asyncio.run(use())
    assert (before.text, before.language) == ("t", None)
    assert after.language == "hi"


def test_a_raw_message_with_a_media_link_is_not_sent(serve, graph, gateway_channel):
    server = serve([gateway_channel])
    output = gateway_channel._output("reply")
    document = {"type": "document", "document": {"link": "https://evil.example/x.pdf"}}
    header = {"type": "image", "image": {"link": "https://evil.example/x.png"}}
    interactive = {"type": "interactive", "interactive": {"header": header}}
    text = {"type": "text", "text": {"body": "ok"}}
    for raw in (document, interactive, text):
        server.call(output.send_custom_json(CITIZEN, {"whatsapp": raw}))
    assert [m["type"] for m in graph.messages()] == ["text"]


@pytest.mark.parametrize("language", ["en", "hi", "hinglish"])
def test_asking_for_the_location_sends_whatsapp_s_location_request(
    serve, settings, graph, language
):
    """The response's WhatsApp variation: a "send location" button, in the language."""
    channel = WhatsAppInput(settings)
    server = serve([channel])
    output = channel._output("reply")
    [message] = rasa_bot_messages(output, language, "utter_ask_location")
    server.call(output.send_response(CITIZEN, message))
    [request] = graph.messages("interactive")
    assert request["interactive"]["type"] == "location_request_message"
    assert request["interactive"]["action"] == {"name": "send_location"}
    body = request["interactive"]["body"]["text"]
    assert ("लोकेशन" in body) == (language == "hi") and "CSC" in body
    assert_valid(graph.messages())
