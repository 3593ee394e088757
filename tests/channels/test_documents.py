"""Documents handed to the real e-District gateway's store, and media received over WhatsApp.

The gateway runs as ``edistrict/bin/serve`` (its own venv) on a loopback port, with its own
SQLite database and blob folder (``document_gateway`` in conftest); nothing is patched.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from channels.documents import (
    DocumentRejected,
    DocumentStoreUnavailable,
    discard_document,
    store_document,
)
from channels.media import problem_reason
from channels.settings import DocumentSettings
from channels.whatsapp import WhatsAppInput
from infra.settings import GatewayAccess
from tests.channels.conftest import (
    DocumentGateway,
    jpeg_bytes,
    messages_body,
    pdf_bytes,
    png_bytes,
    start_document_gateway,
)
from tests.filecheck import samples
from tests.integration.servers import free_port

_NUMBERS = itertools.count(1)
QUOTA_FILES, QUOTA_BYTES = 3, 20_000


def new_citizen() -> str:
    """A WhatsApp id no other test uses (quotas are per citizen)."""
    return f"9197{os.getpid() % 10_000:04d}{next(_NUMBERS):04d}"


def noise_png(seed: int) -> bytes:
    """A PNG of about 7.5 KB that does not compress."""
    from PIL import Image

    pixels = hashlib.shake_256(str(seed).encode()).digest(50 * 50 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (50, 50), pixels).save(buffer, "PNG")
    return buffer.getvalue()


def unreachable() -> DocumentSettings:
    url = f"http://127.0.0.1:{free_port()}"
    return DocumentSettings(
        gateway=GatewayAccess(url=url, public_url=url, token="t", timeout=5)
    )


@pytest.fixture
def store(document_gateway: DocumentGateway) -> DocumentSettings:
    return document_gateway.documents()


@pytest.fixture(scope="module")
def quota_gateway(tmp_path_factory) -> Iterator[DocumentGateway]:
    """A gateway allowing 3 files and 20 000 bytes per citizen and day."""
    gateway = start_document_gateway(
        tmp_path_factory.mktemp("quota-gateway"),
        EDISTRICT_UPLOAD_FILES_PER_DAY=str(QUOTA_FILES),
        EDISTRICT_UPLOAD_BYTES_PER_DAY=str(QUOTA_BYTES),
    )
    yield gateway
    gateway.server.stop()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (jpeg_bytes(), "image/jpeg"),
        (png_bytes(), "image/png"),
        (pdf_bytes(), "application/pdf"),
    ],
    ids=["jpeg", "png", "pdf"],
)
def test_supported_files_go_to_the_gateway_by_content(
    store, document_gateway, data, mime
):
    citizen = new_citizen()
    first = store_document(
        data, "../../etc/passwd/scan\x07.bin", "image/gif", store, sender_id=citizen
    )
    again = store_document(data, "copy.bin", None, store, sender_id=citizen)
    assert first.mime_type == mime and first.size == len(data)
    assert first.sha256 == hashlib.sha256(data).hexdigest() == first.id
    assert again == first  # the gateway answers the first upload again
    assert first.filename == "scan.bin"
    assert first.to_metadata() == {
        "id": first.id,
        "mime_type": mime,
        "size": len(data),
        "sha256": first.sha256,
        "filename": "scan.bin",
    }
    assert document_gateway.blob(first.sha256).read_bytes() == data
    assert not hasattr(first, "path")


def test_a_file_without_a_name_has_none(store):
    stored = store_document(samples.png(), None, None, store, sender_id=new_citizen())
    assert stored.filename is None and stored.mime_type == "image/png"


def test_the_citizen_is_required(store):
    with pytest.raises(ValueError):
        store_document(png_bytes(), "a.png", None, store)


@pytest.mark.parametrize(
    ("data", "reason", "code"),
    [
        (b"", "empty", "empty_file"),
        (b"GIF89a" + b"\x00" * 100, "unsupported_type", "unsupported_type"),
        (b"PK\x03\x04 a zip", "unsupported_type", "unsupported_type"),
        (pdf_bytes()[:-40], "corrupt", "pdf_corrupt"),
        (jpeg_bytes()[:-2], "corrupt", "image_corrupt"),
        (png_bytes()[:-12], "corrupt", "image_corrupt"),
        (
            samples.pdf(samples.CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"),
            "corrupt",
            "pdf_no_pages",
        ),
        (b"\xff\xd8\xff\xe0" + samples.windows_exe(), "unsafe", "embedded_executable"),
        (samples.jpeg() + samples.zip_archive(), "unsafe", "embedded_executable"),
        (samples.png() + b"x" * 200, "unsafe", "trailing_data"),
        (samples.JAVASCRIPT_PDF, "unsafe", "pdf_active_content"),
        (samples.png_bomb(), "too_large", "image_too_large"),
    ],
    ids=[
        "empty",
        "gif",
        "zip",
        "cut-pdf",
        "cut-jpeg",
        "cut-png",
        "no-pages",
        "exe-as-jpeg",
        "jpeg-zip-polyglot",
        "png-trailer",
        "pdf-js",
        "bomb",
    ],
)
def test_refused_files_keep_the_gateways_code(
    store, document_gateway, data, reason, code
):
    with pytest.raises(DocumentRejected) as error:
        store_document(data, "x", None, store, sender_id=new_citizen())
    assert (error.value.reason, error.value.code) == (reason, code)
    assert problem_reason(error.value) == "unreadable"
    assert str(error.value)  # the gateway's message
    assert not document_gateway.blob(hashlib.sha256(data).hexdigest()).exists()


def test_a_file_over_the_channel_limit_is_refused_without_an_upload(
    quota_gateway: DocumentGateway,
):
    small = DocumentSettings(max_bytes=1000, gateway=quota_gateway.access())
    citizen = new_citizen()
    for _ in range(QUOTA_FILES + 1):  # never reaches the gateway, so never counted
        with pytest.raises(DocumentRejected) as error:
            store_document(
                samples.png() + b"\x00" * 1000, "x", None, small, sender_id=citizen
            )
        assert (error.value.reason, error.value.code) == ("too_large", "file_too_large")
    store_document(samples.png(), "a.png", None, small, sender_id=citizen)


def test_daily_quota_counts_files_per_citizen(quota_gateway: DocumentGateway):
    store, citizen = quota_gateway.documents(), new_citizen()
    for colour in range(QUOTA_FILES):
        store_document(
            samples.png(colour=(colour, 0, 0)), "a.png", None, store, sender_id=citizen
        )
    with pytest.raises(DocumentRejected) as error:
        store_document(samples.png(), "a.png", None, store, sender_id=citizen)
    assert error.value.reason == error.value.code == "quota_exceeded"
    assert problem_reason(error.value) == "quota_exceeded"
    store_document(samples.png(), "a.png", None, store, sender_id=new_citizen())


def test_refused_files_count_against_the_quota_too(quota_gateway: DocumentGateway):
    store, citizen = quota_gateway.documents(), new_citizen()
    for _ in range(QUOTA_FILES):
        with pytest.raises(DocumentRejected) as refused:
            store_document(b"GIF89a", "a.gif", None, store, sender_id=citizen)
        assert refused.value.reason == "unsupported_type"
    with pytest.raises(DocumentRejected) as error:
        store_document(samples.png(), "a.png", None, store, sender_id=citizen)
    assert error.value.reason == "quota_exceeded"


def test_daily_quota_counts_bytes(quota_gateway: DocumentGateway):
    store, citizen = quota_gateway.documents(), new_citizen()
    first, second, third = noise_png(1), noise_png(2), noise_png(3)
    assert (
        len(first) + len(second) <= QUOTA_BYTES < len(first) + len(second) + len(third)
    )
    store_document(first, "a", None, store, sender_id=citizen)
    store_document(second, "b", None, store, sender_id=citizen)
    with pytest.raises(DocumentRejected) as error:
        store_document(third, "c", None, store, sender_id=citizen)
    assert error.value.reason == "quota_exceeded"


def test_discard_removes_only_the_senders_upload(store, document_gateway):
    one, two = new_citizen(), new_citizen()
    mine = store_document(noise_png(10), "a.png", None, store, sender_id=one)
    shared = store_document(noise_png(11), "b.png", None, store, sender_id=one)
    store_document(noise_png(11), "c.png", None, store, sender_id=two)
    assert discard_document(mine.id, two, store) is False  # not theirs
    assert document_gateway.blob(mine.id).exists()
    assert discard_document(mine.id, one, store) is True
    assert not document_gateway.blob(mine.id).exists()
    assert discard_document(mine.id, one, store) is False
    assert discard_document(shared.id, one, store) is True
    assert document_gateway.blob(shared.id).exists()  # the other citizen's upload
    assert discard_document(shared.id, two, store) is True
    assert not document_gateway.blob(shared.id).exists()
    for unknown in ("0" * 64, "../../secret", ""):
        assert discard_document(unknown, one, store) is False
    assert discard_document(shared.id, None, store) is False


def test_an_unreachable_gateway_is_unavailable_not_a_refusal():
    settings = unreachable()
    with pytest.raises(DocumentStoreUnavailable) as error:
        store_document(png_bytes(), "a.png", None, settings, sender_id=new_citizen())
    assert problem_reason(error.value) == "store_unavailable"
    assert not isinstance(error.value, DocumentRejected)
    with pytest.raises(DocumentStoreUnavailable):
        discard_document("0" * 64, new_citizen(), settings)


def test_a_refused_service_token_is_unavailable(document_gateway: DocumentGateway):
    wrong = DocumentSettings(gateway=document_gateway.access(token="wrong-token"))
    with pytest.raises(DocumentStoreUnavailable, match="401"):
        store_document(png_bytes(), "a.png", None, wrong, sender_id=new_citizen())
    with pytest.raises(DocumentStoreUnavailable, match="401"):
        discard_document("0" * 64, new_citizen(), wrong)


def test_a_gateway_answering_5xx_is_unavailable(tmp_path: Path):
    gateway = start_document_gateway(tmp_path)
    try:
        # the blob folder is a file: the gateway cannot store anything (a 500)
        (gateway.data_dir / "documents").write_bytes(b"")
        with pytest.raises(DocumentStoreUnavailable, match="500"):
            store_document(
                png_bytes(), "a.png", None, gateway.documents(), sender_id=new_citizen()
            )
    finally:
        gateway.server.stop()


def _image_body(media_id, message_id="wamid.img", wa_id="919800000001"):
    return messages_body(
        wa_id,
        [
            {
                "from": wa_id,
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


def test_image_upload_reaches_rasa_as_the_gateways_reference(
    serve, settings, graph, document_gateway
):
    graph.add_media("m-ok", png_bytes(), "image/png")
    server = serve([WhatsAppInput(settings)])
    assert server.post_whatsapp(_image_body("m-ok")).status_code == 200
    server.drain()
    [message] = server.received
    assert message.text == "/document_uploaded"
    document = message.metadata["document"]
    assert document["mime_type"] == "image/png"
    assert document["id"] == hashlib.sha256(png_bytes()).hexdigest()
    assert document_gateway.blob(document["id"]).read_bytes() == png_bytes()
    assert message.metadata["whatsapp"]["caption"] == "Aadhaar"
    downloads = [r for r in graph.requests if r.path.startswith("/download/")]
    assert downloads[0].headers["Authorization"] == f"Bearer {settings.access_token}"


def rejected(reason: str, max_mb: float | None = None) -> str:
    """The message the channel hands to Rasa for a file it could not store."""
    extra = f', "max_mb": {max_mb}' if max_mb is not None else ""
    return f'/document_rejected{{"reason": "{reason}"{extra}}}'


UNREADABLE = rejected("unreadable", 0.06)  # the tests' limit: 64 KiB


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 10,
        b"\xff\xd8\xff" + b"\x00" * 100_000,
        pdf_bytes()[:-40],
        samples.jpeg() + samples.zip_archive(),
        samples.png_bomb(),
        samples.JAVASCRIPT_PDF,
    ],
    ids=["gif", "cut-jpeg", "cut-pdf", "jpeg-zip", "png-bomb", "pdf-js"],
)
def test_rejected_media_reaches_rasa_as_unreadable_with_the_limit(
    serve, settings, graph, document_gateway, data
):
    graph.add_media("m-bad", data, "image/jpeg")
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(_image_body("m-bad"))
    server.drain()
    [message] = server.received
    assert (message.text, message.sender_id) == (UNREADABLE, "919800000001")
    assert "document" not in message.metadata
    assert message.metadata["whatsapp"]["caption"] == "Aadhaar"
    assert graph.messages() == []  # the assistant answers, not the channel
    assert not document_gateway.blob(hashlib.sha256(data).hexdigest()).exists()


def test_media_that_cannot_be_downloaded_is_reported_as_such(serve, settings, graph):
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(_image_body("unknown-media"))
    server.drain()
    assert [m.text for m in server.received] == [rejected("download_failed")]
    assert graph.messages() == []


def test_uploads_over_the_daily_quota_are_reported_as_such(
    serve, settings, graph, quota_gateway
):
    wa_id = new_citizen()
    for number in range(QUOTA_FILES + 1):
        graph.add_media(f"m-{number}", samples.png(colour=(number, 9, 9)), "image/png")
    channel = WhatsAppInput(settings.with_changes(documents=quota_gateway.documents()))
    server = serve([channel])
    for number in range(QUOTA_FILES + 1):
        server.post_whatsapp(_image_body(f"m-{number}", f"wamid.q{number}", wa_id))
    server.drain()
    assert [m.text for m in server.received] == ["/document_uploaded"] * QUOTA_FILES + [
        rejected("quota_exceeded")
    ]
    assert graph.messages() == []


def test_a_gateway_that_is_down_is_reported_as_unavailable(serve, settings, graph):
    graph.add_media("m-ok", png_bytes(), "image/png")
    down = settings.with_changes(documents=unreachable())
    server = serve([WhatsAppInput(down)])
    started = time.monotonic()
    server.post_whatsapp(_image_body("m-ok"))
    server.drain()
    assert time.monotonic() - started < 30
    assert [m.text for m in server.received] == [rejected("store_unavailable")]
    assert graph.messages() == []


def test_a_file_over_the_channels_limit_is_not_downloaded(serve, settings, graph):
    graph.add_media("m-big", png_bytes() + b"\x00" * (70 * 1024), "image/png")
    server = serve([WhatsAppInput(settings)])
    server.post_whatsapp(_image_body("m-big"))
    server.drain()
    assert [m.text for m in server.received] == [UNREADABLE]
    assert not [r for r in graph.requests if r.path.startswith("/download/")]
