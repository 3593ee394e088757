"""Sending through the fake Graph API: retries, error classes, templates, media."""

from __future__ import annotations

import logging

import pytest

from channels.delivery import NOTIFICATION
from channels.texts import text_for
from channels.whatsapp import WhatsAppInput
from infra.settings import GatewayAccess
from tests.channels.conftest import messages_body, pdf_bytes, png_bytes, text_body
from tests.channels.fake_graph import FakeGraph
from tests.channels.whatsapp_limits import assert_valid

CITIZEN = "919800000001"


def _is_text(record):
    return (
        record.path.endswith("/messages") and (record.json or {}).get("type") == "text"
    )


def _send_text(server, channel, text="Your application was approved.", kind="reply"):
    output = channel._output(kind)
    server.call(output.send_text_message(CITIZEN, text))


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


def test_outside_24h_window_sends_template_in_citizens_language(serve, settings, graph):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    channel.languages.observe(CITIZEN, "मेरा आवेदन कहाँ है")
    graph.fail(_is_text, 400, 131047)
    _send_text(server, channel, "आपका आवेदन स्वीकृत हो गया है।\nधन्यवाद", NOTIFICATION)
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
    _send_text(server, channel, "Certificate ready", NOTIFICATION)
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


def test_certificate_pdf_is_uploaded_then_sent_by_id(serve, settings, graph, tmp_path):
    certificate = tmp_path / "birth_certificate.pdf"
    certificate.write_bytes(pdf_bytes())
    channel = WhatsAppInput(settings)
    server = serve([channel])
    output = channel._output(NOTIFICATION)
    server.call(
        output.send_custom_json(
            CITIZEN,
            {"document": {"path": str(certificate), "caption": "Your certificate"}},
        )
    )
    [upload] = graph.uploads()
    assert upload.form["messaging_product"] == "whatsapp"
    assert upload.form["type"] == "application/pdf"
    assert upload.form["file"] == pdf_bytes()
    assert upload.form["filename"] == "birth_certificate.pdf"
    [document] = graph.messages("document")
    assert document["document"]["id"].startswith("media.fake.")
    assert document["document"]["filename"] == "birth_certificate.pdf"
    assert document["document"]["caption"] == "Your certificate"
    assert_valid(graph.messages())


def test_attachment_path_is_uploaded(serve, settings, graph, tmp_path):
    image = tmp_path / "qr.png"
    image.write_bytes(png_bytes())
    channel = WhatsAppInput(settings)
    server = serve([channel])
    server.call(channel._output("reply").send_attachment(CITIZEN, str(image)))
    [document] = graph.messages()
    assert document["type"] == "document" and "id" in document["document"]
    assert graph.uploads()[0].form["file"] == png_bytes()
    assert_valid(graph.messages())


@pytest.fixture
def web_host():
    """Another loopback HTTP host (a second fake) serving files behind a bearer token."""
    host = FakeGraph(token="gateway-token").start()
    yield host
    host.stop()


def test_certificate_url_is_fetched_with_the_gateway_token_then_uploaded(
    serve, settings, graph, web_host
):
    web_host.add_media("DL-BIR-2026-000001", pdf_bytes(), "application/pdf")
    gateway = GatewayAccess(
        url="http://127.0.0.1:9", public_url=web_host.url, token="gateway-token"
    )
    channel = WhatsAppInput(settings.with_changes(gateway=gateway))
    server = serve([channel])
    spec = {
        "url": f"{web_host.url}/download/DL-BIR-2026-000001",
        "filename": "DL-BIR-2026-000001.pdf",
        "caption": "DL-BIR-2026-000001",
    }
    server.call(
        channel._output(NOTIFICATION).send_custom_json(CITIZEN, {"document": spec})
    )
    [fetch] = web_host.requests
    assert fetch.headers["Authorization"] == "Bearer gateway-token"
    [upload] = graph.uploads()
    assert upload.form["file"] == pdf_bytes()
    assert upload.form["type"] == "application/pdf"
    [document] = graph.messages("document")
    assert document["document"]["id"].startswith("media.fake.")
    assert "link" not in document["document"]
    assert document["document"]["filename"] == "DL-BIR-2026-000001.pdf"
    assert_valid(graph.messages())


def test_a_url_elsewhere_gets_no_credentials_and_falls_back_to_the_link(
    serve, settings, graph, web_host
):
    channel = WhatsAppInput(
        settings
    )  # the gateway is elsewhere (default 127.0.0.1:8001)
    server = serve([channel])
    url = f"{web_host.url}/download/map.png"
    server.call(channel._output("reply").send_image_url(CITIZEN, url))
    [fetch] = web_host.requests
    assert "Authorization" not in fetch.headers  # neither the Graph nor a gateway token
    assert graph.uploads() == []
    [image_message] = graph.messages()
    assert image_message["image"] == {"link": url}
    assert_valid(graph.messages())


def test_long_text_is_split(serve, settings, graph):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    _send_text(server, channel, "This sentence is long enough. " * 400)
    texts = graph.messages("text")
    assert len(texts) == 3
    assert_valid(texts)


def test_the_list_button_label_is_in_the_language_of_the_body(serve, settings, graph):
    channel = WhatsAppInput(settings)
    server = serve([channel])
    channel.languages.observe(CITIZEN, "ok thanks")  # the citizen typed English last
    buttons = [{"title": f"सेवा {n}", "payload": f"/choose{n}"} for n in range(5)]
    server.call(
        channel._output("reply").send_text_with_buttons(CITIZEN, "सेवा चुनें:", buttons)
    )
    [menu] = graph.messages("interactive")
    assert menu["interactive"]["action"]["button"] == text_for("list_button", "hi")
    assert channel.languages.get(CITIZEN) == "hi"
