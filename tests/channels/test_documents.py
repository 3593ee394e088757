"""Document storage shared by every channel, and media received over WhatsApp."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import time

import pytest

from channels.documents import (
    DocumentRejected,
    UploadLedger,
    discard_document,
    document_path,
    store_document,
)
from channels.settings import DocumentSettings
from channels.texts import LANGUAGES, text_for
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import (
    jpeg_bytes,
    messages_body,
    pdf_bytes,
    png_bytes,
    text_body,
)
from tests.filecheck import samples


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
    ids=["jpeg", "png", "pdf"],
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
    ids=["empty", "gif", "zip", "cut-pdf", "cut-jpeg", "cut-png", "big-pdf"],
)
def test_bad_files_are_rejected_with_a_reason(store, data, reason):
    with pytest.raises(DocumentRejected) as error:
        store_document(data, "x", None, store)
    assert error.value.reason == reason
    assert not list(store.directory.rglob("*.*"))


@pytest.mark.parametrize(
    ("data", "reason", "code"),
    [
        (b"\xff\xd8\xff\xe0" + samples.windows_exe(), "unsafe", "embedded_executable"),
        (samples.jpeg() + samples.zip_archive(), "unsafe", "embedded_executable"),
        (samples.png() + b"x" * 200, "unsafe", "trailing_data"),
        (samples.JAVASCRIPT_PDF, "unsafe", "pdf_active_content"),
        (samples.png_bomb(), "too_large", "image_too_large"),
        (samples.jpeg()[:-30], "corrupt", "image_corrupt"),
    ],
    ids=["exe-as-jpeg", "jpeg-zip-polyglot", "png-trailer", "pdf-js", "bomb", "cut"],
)
def test_unsafe_files_are_rejected_by_the_shared_checks(tmp_path, data, reason, code):
    store = DocumentSettings(tmp_path / "uploads", max_bytes=5 * 1024 * 1024)
    with pytest.raises(DocumentRejected) as error:
        store_document(data, "x", None, store)
    assert (error.value.reason, error.value.code) == (reason, code)
    assert error.value.text_key == "document_rejected"
    assert not list(store.directory.rglob("*.*"))


def _quota_store(tmp_path, files=3, size=10_000):
    return DocumentSettings(
        tmp_path / "uploads", max_bytes=5_000, daily_files=files, daily_bytes=size
    )


def test_daily_quota_counts_files_per_citizen(tmp_path):
    store = _quota_store(tmp_path, files=3)
    for colour in range(3):
        store_document(
            samples.png(colour=(colour, 0, 0)),
            "a.png",
            None,
            store,
            sender_id="919800000001",
        )
    with pytest.raises(DocumentRejected) as error:
        store_document(samples.png(), "a.png", None, store, sender_id="919800000001")
    assert error.value.reason == "quota_exceeded"
    assert error.value.text_key == "document_quota_exceeded"
    # another citizen, and uploads without a citizen (CSC terminal), are not affected
    store_document(samples.png(), "a.png", None, store, sender_id="919800000002")
    store_document(samples.png(), "a.png", None, store)


def test_rejected_files_count_against_the_quota_too(tmp_path):
    store = _quota_store(tmp_path, files=2)
    for _ in range(2):
        with pytest.raises(DocumentRejected):
            store_document(b"GIF89a", "a.gif", None, store, sender_id="c1")
    with pytest.raises(DocumentRejected) as error:
        store_document(samples.png(), "a.png", None, store, sender_id="c1")
    assert error.value.reason == "quota_exceeded"


def test_daily_quota_counts_bytes(tmp_path):
    first, second = samples.jpeg(colour=(1, 2, 3)), samples.jpeg(colour=(9, 2, 3))
    store = _quota_store(tmp_path, files=100, size=len(first) + len(second) + 10)
    store_document(first, "a", None, store, sender_id="c1")
    store_document(second, "b", None, store, sender_id="c1")
    with pytest.raises(DocumentRejected) as error:
        store_document(samples.jpeg(), "c", None, store, sender_id="c1")
    assert error.value.reason == "quota_exceeded"
    usage = UploadLedger.for_settings(store).usage("c1")
    assert usage == (2, len(first) + len(second))


def test_quota_survives_a_restart_and_resets_the_next_day(tmp_path):
    store = _quota_store(tmp_path, files=1)
    store_document(samples.png(), "a.png", None, store, sender_id="c1")
    with sqlite3.connect(store.ledger) as db:  # what a new process finds on disk
        assert db.execute("SELECT files FROM daily_uploads").fetchall() == [(1,)]
    now = [time.time()]
    restarted = UploadLedger(store.ledger, clock=lambda: now[0])
    with pytest.raises(DocumentRejected):
        restarted.charge("c1", 10, store)
    now[0] += 24 * 3600
    restarted.charge("c1", 10, store)
    assert restarted.usage("c1") == (1, 10)


def test_quota_answer_exists_in_three_languages():
    for language in LANGUAGES:
        assert text_for("document_quota_exceeded", language)
    assert "तीस" not in text_for("document_quota_exceeded", "hi")
    assert text_for("document_quota_exceeded", "hi") != text_for(
        "document_quota_exceeded", "hinglish"
    )


def test_discard_deletes_a_file_only_its_sender_uploaded(tmp_path):
    store = _quota_store(tmp_path, files=10)
    mine = store_document(samples.png(), "a.png", None, store, sender_id="c1")
    shared = store_document(samples.jpeg(), "b.jpg", None, store, sender_id="c1")
    store_document(samples.jpeg(), "c.jpg", None, store, sender_id="c2")
    assert discard_document(mine.id, "c1", store) is True
    assert not mine.path.exists() and document_path(mine.id, store) is None
    assert discard_document(shared.id, "c1", store) is False
    assert shared.path.exists()
    assert discard_document(shared.id, "c2", store) is True
    assert not shared.path.exists()
    assert discard_document("0" * 64, "c1", store) is False


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
        (samples.jpeg() + samples.zip_archive(), "en", "Sorry, I could not accept"),
        (samples.png_bomb(), "hi", "क्षमा करें, यह फ़ाइल"),
        (samples.JAVASCRIPT_PDF, "hinglish", "Maaf kijiye, yeh file"),
    ],
    ids=["gif", "cut-jpeg", "cut-pdf", "jpeg-zip", "png-bomb", "pdf-js"],
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


def test_uploads_over_the_daily_quota_get_the_quota_answer(serve, settings, graph):
    documents = dataclasses.replace(settings.documents, daily_files=1)
    graph.add_media("m-1", png_bytes(), "image/png")
    graph.add_media("m-2", samples.jpeg(), "image/jpeg")
    server = serve([WhatsAppInput(settings.with_changes(documents=documents))])
    server.post_whatsapp(_image_body("m-1", "wamid.q1"))
    server.post_whatsapp(_image_body("m-2", "wamid.q2"))
    server.drain()
    assert [m.text for m in server.received] == ["/document_uploaded"]
    [answer] = graph.messages("text")
    assert answer["text"]["body"] == text_for("document_quota_exceeded", "en")
