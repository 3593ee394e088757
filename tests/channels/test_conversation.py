"""A whole application over WhatsApp payloads, with a scripted stand-in for Rasa.

"Hi" -> list of services -> list_reply -> form question -> image upload -> summary with
buttons -> submit -> certificate PDF; every outgoing payload is checked against limits.
"""

from __future__ import annotations

import json

from tests.channels.conftest import messages_body, pdf_bytes, png_bytes, text_body
from tests.channels.whatsapp_limits import assert_valid

CITIZEN = "919811112222"
SERVICES = [
    ("birth_certificate", "जन्म प्रमाण पत्र (Birth certificate)"),
    ("death_certificate", "मृत्यु प्रमाण पत्र (Death certificate)"),
    ("caste_certificate", "जाति प्रमाण पत्र (Caste certificate)"),
    ("income_certificate", "आय प्रमाण पत्र"),
    ("domicile_certificate", "मूल निवास प्रमाण पत्र"),
    ("marriage_registration", "विवाह पंजीकरण"),
    ("learner_licence", "लर्नर लाइसेंस"),
    ("driving_licence", "ड्राइविंग लाइसेंस"),
    ("ration_card", "राशन कार्ड"),
    ("old_age_pension", "वृद्धावस्था पेंशन"),
    ("widow_pension", "विधवा पेंशन"),
    ("disability_pension", "दिव्यांग पेंशन"),
]


# What Rasa adds to every Hindi response variation (BotUttered metadata).
HINDI = {"condition": [{"type": "slot", "name": "language", "value": "hi"}]}


def make_bot(certificate):
    """A scripted assistant that answers through the WhatsApp output channel."""

    async def bot(message):
        out, to = message.output_channel, message.sender_id
        text = message.text
        if text == "Hi":
            buttons = [
                {
                    "title": title,
                    "payload": "/apply_service" + json.dumps({"service": sid}),
                }
                for sid, title in SERVICES
            ]
            await out.send_text_with_buttons(
                to, "नमस्ते! आपको कौन सी सेवा चाहिए?", buttons, **HINDI
            )
        elif text.startswith("/apply_service"):
            await out.send_text_message(to, "बच्चे का पूरा नाम क्या है?", **HINDI)
        elif text == "/document_uploaded":
            document = message.metadata["document"]
            await out.send_text_with_buttons(
                to,
                f"सारांश: नाम आरव शर्मा, दस्तावेज़ {document['mime_type']}। जमा करें?",
                [
                    {"title": "हाँ, जमा करें", "payload": "/affirm"},
                    {"title": "बदलाव करें", "payload": "/deny"},
                    {"title": "रद्द करें", "payload": "/stop"},
                ],
                **HINDI,
            )
        elif text == "/affirm":
            await out.send_text_message(
                to, "आवेदन जमा हो गया। आवेदन संख्या DL-2024-000123", **HINDI
            )
            await out.send_custom_json(
                to,
                {"document": {"url": certificate, "caption": "आपका प्रमाण पत्र"}},
                **HINDI,
            )
        else:
            await out.send_text_message(
                to, "कृपया अस्पताल की डिस्चार्ज पर्ची की फ़ोटो भेजें।", **HINDI
            )

    return bot


def _interactive_reply(kind, reply_id, message_id):
    return messages_body(
        CITIZEN,
        [
            {
                "from": CITIZEN,
                "id": message_id,
                "timestamp": "1",
                "type": "interactive",
                "interactive": {"type": kind, kind: {"id": reply_id, "title": "x"}},
            }
        ],
    )


def test_full_application_over_whatsapp(serve, graph, gateway_host, gateway_channel):
    certificate = gateway_host.add_file(
        "/certificates/signed.1/certificate", pdf_bytes()
    )
    graph.add_media("photo-1", png_bytes(), "image/png")
    server = serve([gateway_channel], make_bot(certificate))

    server.post_whatsapp(text_body(CITIZEN, "wamid.c1", "Hi"))
    server.drain()
    lists = graph.messages("interactive")
    assert [m["interactive"]["type"] for m in lists] == ["list", "list"]
    # Labelled in the language of the response Rasa chose (its variation's condition).
    assert [m["interactive"]["action"]["button"] for m in lists] == ["चुनें", "चुनें"]
    assert lists[1]["interactive"]["body"]["text"] == "और विकल्प (2/2)"
    rows = [
        r
        for m in lists
        for s in m["interactive"]["action"]["sections"]
        for r in s["rows"]
    ]
    assert len(rows) == 12
    chosen = rows[0]["id"]

    server.post_whatsapp(_interactive_reply("list_reply", chosen, "wamid.c2"))
    server.post_whatsapp(text_body(CITIZEN, "wamid.c3", "आरव शर्मा"))
    server.post_whatsapp(
        messages_body(
            CITIZEN,
            [
                {
                    "from": CITIZEN,
                    "id": "wamid.c4",
                    "timestamp": "1",
                    "type": "image",
                    "image": {"id": "photo-1", "mime_type": "image/png"},
                }
            ],
        )
    )
    server.drain()
    [summary] = [
        m for m in graph.messages("interactive") if m["interactive"]["type"] == "button"
    ]
    submit = summary["interactive"]["action"]["buttons"][0]["reply"]["id"]
    server.post_whatsapp(_interactive_reply("button_reply", submit, "wamid.c5"))
    server.drain()

    assert [m.text for m in server.received] == [
        "Hi",
        '/apply_service{"service": "birth_certificate"}',
        "आरव शर्मा",
        "/document_uploaded",
        "/affirm",
    ]
    assert server.received[3].metadata["document"]["mime_type"] == "image/png"
    [document] = graph.messages("document")
    assert document["document"]["filename"] == "certificate.pdf"
    assert len(graph.read_receipts()) == 5
    assert_valid(graph.messages() + graph.read_receipts())
