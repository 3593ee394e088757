"""Document storage shared by every channel, and media received over WhatsApp."""

from __future__ import annotations

import hashlib

import pytest

from channels.documents import DocumentRejected, document_path, store_document
from channels.settings import DocumentSettings
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import (
    jpeg_bytes,
    messages_body,
    pdf_bytes,
    png_bytes,
    text_body,
)


@pytest.fixture
def store(tmp_path):
    return DocumentSettings(tmp_path / "uploads", max_bytes=10_000)


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (jpeg_bytes(), "image/jpeg"),
        (png_bytes(), "image/png"),
        (pdf_bytes(), "application/pdf"),
    ],
)
def test_supported_files_are_stored_by_content(store, data, mime):
    first = store_document(data, "../../etc/passwd/scan.bin", "image/gif", store)
    again = store_document(data, "copy.bin", None, store)
    assert first.mime_type == mime
    assert first.sha256 == hashlib.sha256(data).hexdigest() == first.id == again.id
    assert first.path == again.path and first.path.read_bytes() == data
    assert first.path.parent.parent == store.directory
    assert first.filename == "scan.bin"
    assert first.to_metadata() == {
        "id": first.id,
        "mime_type": mime,
        "size": len(data),
        "sha256": first.sha256,
        "filename": "scan.bin",
    }
    assert document_path(first.id, store) == first.path


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 100, "unsupported_type"),
        (b"PK\x03\x04 a zip", "unsupported_type"),
        (pdf_bytes()[:-8], "corrupt"),
        (jpeg_bytes()[:-2], "corrupt"),
        (png_bytes()[:-12], "corrupt"),
        (b"%PDF-1.4" + b"\x00" * 20_000 + b"%%EOF", "too_large"),
    ],
)
def test_bad_files_are_rejected_with_a_reason(store, data, reason):
    with pytest.raises(DocumentRejected) as error:
        store_document(data, "x", None, store)
    assert error.value.reason == reason
    assert not list(store.directory.rglob("*.*"))


def test_unknown_document_id_has_no_path(store):
    assert document_path("../../secret", store) is None
    assert document_path("0" * 64, store) is None


def _image_body(media_id, message_id="wamid.img"):
    return messages_body(
        "919800000001",
        [
            {
                "from": "919800000001",
                "id": message_id,
                "timestamp": "1",
                "type": "image",
                "image": {
                    "id": media_id,
                    "mime_type": "image/jpeg",
                    "caption": "Aadhaar",
                },
            }
        ],
    )


def test_image_upload_reaches_rasa_as_document_metadata(serve, settings, graph):
    graph.add_media("m-ok", png_bytes(), "image/png")
    server = serve([WhatsAppInput(settings)])
    assert server.post_whatsapp(_image_body("m-ok")).status_code == 200
    server.drain()
    [message] = server.received
    assert message.text == "/document_uploaded"
    assert message.metadata["document"]["mime_type"] == "image/png"
    assert message.metadata["whatsapp"]["caption"] == "Aadhaar"
    downloads = [r for r in graph.requests if r.path.startswith("/download/")]
    assert downloads[0].headers["Authorization"] == f"Bearer {settings.access_token}"


@pytest.mark.parametrize(
    ("data", "language", "start"),
    [
        (b"GIF89a" + b"\x00" * 10, "en", "Sorry, I could not accept"),
        (b"\xff\xd8\xff" + b"\x00" * 100_000, "hi", "क्षमा करें, यह फ़ाइल"),
        (pdf_bytes()[:-8], "hinglish", "Maaf kijiye, yeh file"),
    ],
)
def test_rejected_media_gets_polite_answer_in_citizens_language(
    serve, settings, graph, data, language, start
):
    first_words = {
        "en": "I want a birth certificate",
        "hi": "मुझे जन्म प्रमाण पत्र चाहिए",
        "hinglish": "mujhe janam praman patra chahiye",
    }
    graph.add_media("m-bad", data, "image/jpeg")
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(text_body("919800000001", "wamid.t", first_words[language]))
    server.post_whatsapp(_image_body("m-bad"))
    server.drain()
    assert [m.text for m in server.received] == [first_words[language]]
    [answer] = graph.messages("text")
    assert answer["text"]["body"].startswith(start)
    assert not list(settings.documents.directory.rglob("*.*"))


def test_media_that_cannot_be_downloaded_gets_retry_advice(serve, settings, graph):
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(_image_body("unknown-media"))
    server.drain()
    assert server.received == []
    [answer] = graph.messages("text")
    assert "could not download" in answer["text"]["body"]
