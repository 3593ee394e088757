"""Every real webhook body of ../shared/fixtures/whatsapp-cloud-api, replayed signed."""

from __future__ import annotations

import json

import pytest

from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import (
    FIXTURES,
    jpeg_bytes,
    load_fixture_samples,
    pdf_bytes,
)
from tests.channels.whatsapp_limits import assert_valid

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(),
    reason=f"shared WhatsApp fixtures not found at {FIXTURES} (../shared is absent)",
)

SAMPLES = load_fixture_samples() if FIXTURES.is_dir() else {}
LOCATION = '/share_location{"latitude": %s, "longitude": %s}'

# sample -> ("rasa", text) | ("silent",) | ("status", status)
UNSUPPORTED = ("rasa", "/unsupported_message")
EXPECTED = {
    "callback_button:button": ("rasa", "callback_data"),
    "callback_button:quick_reply": ("rasa", "callback_data"),
    "callback_button:quick_reply_without_context": ("rasa", "callback_data"),
    "callback_selection:callback": ("rasa", "callback_data"),
    "callback_selection:description": ("rasa", "callback_data"),
    "flow_completion:completion": UNSUPPORTED,
    "flow_completion:without_flow_token": UNSUPPORTED,
    "message:text": ("rasa", "Body Text"),
    "message:image": ("rasa", "/document_uploaded"),
    "message:media_with_url": ("rasa", "/document_uploaded"),
    "message:video": UNSUPPORTED,
    "message:document": ("rasa", "/document_uploaded"),
    "message:audio": UNSUPPORTED,
    "message:voice": UNSUPPORTED,
    "message:static_sticker": UNSUPPORTED,
    "message:animated_sticker": UNSUPPORTED,
    "message:reaction": ("silent",),
    "message:unreaction_empty": ("silent",),
    "message:unreaction_no_emoji": ("silent",),
    "message:current_location": ("rasa", LOCATION % (12.25089, 43.90539)),
    "message:chosen_location": ("rasa", LOCATION % (37.4611978, -122.2164385)),
    "message:contacts": UNSUPPORTED,
    "message:order": UNSUPPORTED,
    "message:unsupported": UNSUPPORTED,
    "message:unsupported_with_type": UNSUPPORTED,
    "message:reply": ("rasa", "replied text"),
    "message:forwarded": ("rasa", "forwarded text"),
    "message:forwarded_many_times": ("rasa", "text forwarded many times"),
    "message:interactive_message_with_err": UNSUPPORTED,
    "message:referral": ("rasa", "BODY"),
    "message_status:sent": ("status", "sent"),
    "message_status:delivered": ("status", "delivered"),
    "message_status:read": ("status", "read"),
    "message_status:played": ("status", "played"),
    "message_status:failed": ("status", "failed"),
    "message_status:with_tracker": ("status", "sent"),
    "message_status:group": ("status", "read"),
    "system:phone_number_change": ("silent",),
    "system:identity_change": ("silent",),
}


def test_every_fixture_sample_has_an_expected_treatment():
    assert sorted(SAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_replayed_sample_gets_expected_treatment(
    sample, serve, settings, graph, document_gateway
):
    graph.add_media("65463453", jpeg_bytes(), "image/jpeg")
    graph.add_media("1234567890987654321", pdf_bytes(), "application/pdf")
    channel = WhatsAppInput(settings)
    server = serve([channel])
    body = SAMPLES[sample]
    reply = server.post_whatsapp(body)
    assert reply.status_code == 200, reply.text
    server.drain()
    expected = EXPECTED[sample]
    sent = graph.messages()
    assert_valid(sent + graph.read_receipts())
    if expected[0] == "rasa":
        [message] = server.received
        assert message.text == expected[1]
        whatsapp = message.metadata["whatsapp"]
        assert whatsapp["wa_id"] == "972987654321" == message.sender_id
        assert whatsapp["message_id"]
        assert whatsapp["profile_name"] in ("Test Name", None)
        # The samples' contacts carry the BSUID next to the number (2026 shape).
        assert whatsapp["user_id"] == "US.13491208655302741918"
        assert message.metadata["channel"] == "whatsapp"
        assert message.metadata["citizen"] == {
            "id": "972987654321",
            "name": whatsapp["profile_name"],
            "phone": None,  # not an Indian mobile number
        }
        assert len(graph.read_receipts()) == 1
        if expected[1] == "/document_uploaded":
            document = message.metadata["document"]
            assert set(document) == {"id", "mime_type", "size", "sha256", "filename"}
            assert document["mime_type"] in ("image/jpeg", "application/pdf")
            assert document["id"] == document["sha256"]
            assert document_gateway.blob(document["sha256"]).is_file()
            if sample == "message:document":
                assert document["filename"] == "filename.pdf"
        assert sent == []
    elif expected[0] == "silent":
        assert server.received == [] and sent == [] and graph.read_receipts() == []
    else:
        assert server.received == [] and sent == []
        status = body["entry"][0]["changes"][0]["value"]["statuses"][0]
        record = server.call(channel._delivery.get(status["id"]))
        assert record.status == expected[1]
        if expected[1] == "failed":
            assert record.error_code == status["errors"][0]["code"]


def test_all_samples_in_one_body_are_all_handled(serve, settings, graph):
    """Each sample in one body (ids made unique): nothing lost, no 5xx."""
    graph.add_media("65463453", jpeg_bytes(), "image/jpeg")
    graph.add_media("1234567890987654321", pdf_bytes(), "application/pdf")
    server = serve([WhatsAppInput(settings)])
    entries = []
    for index, name in enumerate(sorted(SAMPLES)):
        text = json.dumps(SAMPLES[name]["entry"])
        entry = json.loads(text)
        for item in entry:
            for change in item["changes"]:
                for message in change["value"].get("messages", []):
                    message["id"] = f"{message['id']}-{index}"
        entries.extend(entry)
    reply = server.post_whatsapp(
        {"object": "whatsapp_business_account", "entry": entries}
    )
    assert reply.status_code == 200
    server.drain()
    expected_rasa = [e[1] for name, e in sorted(EXPECTED.items()) if e[0] == "rasa"]
    assert [m.text for m in server.received] == expected_rasa
    assert graph.messages() == []  # the channel writes no text of its own
