"""Twilio WhatsApp media: downloaded from (a fake) Twilio, stored by the real gateway.

A local ``http.server`` plays api.twilio.com (HTTP basic auth), its media CDN (no
credentials) and a foreign host; the real gateway stores the documents. Webhooks are
signed with Twilio's ``RequestValidator``; what Rasa gets is captured by the channel
test server.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from twilio.request_validator import RequestValidator

from channels.settings import (
    DEFAULT_TWILIO_MEDIA_HOSTS,
    DocumentSettings,
    TwilioSettings,
)
from channels.twilio_whatsapp import (
    TwilioWhatsAppInput,
    is_document_type,
    media_url_allowed,
)
from infra.settings import GatewayAccess
from tests.channels.conftest import (
    CHANNEL_MAX_BYTES,
    DocumentGateway,
    pdf_bytes,
    png_bytes,
    start_document_gateway,
)
from tests.channels.test_twilio_whatsapp import SETTINGS
from tests.integration.servers import free_port

CITIZEN = "whatsapp:+919811100001"
MESSAGE_SID = "MM" + "2" * 32
MAX_MB = 0.06  # CHANNEL_MAX_BYTES (64 KiB) in MB, as the channel reports it
ENDLESS_SAFETY = 256 * 1024 * 1024  # the fake stops there if the channel never does


def _basic(sid: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


class FakeMediaHost:
    """A loopback media host: files, redirects, endless and over-declared bodies.

    Args:
        credentials: ``(sid, token)`` every request must carry (HTTP basic auth), or
            None for a host that takes pre-signed URLs (the CDN, a foreign host).
    """

    def __init__(self, credentials: Optional[Tuple[str, str]] = None) -> None:
        self.credentials = credentials
        self.files: Dict[str, Tuple[bytes, str, Optional[str]]] = {}
        self.redirects: Dict[str, str] = {}
        self.missing_once: set[str] = set()
        self.requests: List[Tuple[str, Optional[str]]] = []
        self.endless_written = 0
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                host.requests.append((self.path, self.headers.get("Authorization")))
                wanted = host.credentials and _basic(*host.credentials)
                if wanted and self.headers.get("Authorization") != wanted:
                    self.send_error(401)
                    return
                name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                if self.path.startswith("/redirect/"):
                    self.send_response(307)
                    self.send_header("Location", host.redirects[name])
                    self.end_headers()
                elif self.path == "/endless":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.end_headers()
                    self._stream(None)
                elif self.path == "/declared-large":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(CHANNEL_MAX_BYTES + 1))
                    self.end_headers()
                    self._stream(CHANNEL_MAX_BYTES + 1)
                elif name in host.missing_once:
                    host.missing_once.discard(name)
                    self.send_error(404)
                elif name in host.files:
                    data, content_type, filename = host.files[name]
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    if filename:
                        disposition = f'inline; filename="{filename}"'
                        self.send_header("Content-Disposition", disposition)
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self.send_error(404)

            def _stream(self, size: Optional[int]) -> None:
                chunk = b"\x89PNG" + b"\x00" * (64 * 1024 - 4)
                limit = size if size is not None else ENDLESS_SAFETY
                try:
                    while host.endless_written < limit:
                        part = chunk[: limit - host.endless_written]
                        self.wfile.write(part)
                        host.endless_written += len(part)
                except OSError:  # the channel hung up: what it wanted
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeMediaHost:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        self.files.clear()
        self.redirects.clear()
        self.missing_once.clear()
        self.requests.clear()
        self.endless_written = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def media_hosts() -> Iterator[Tuple[FakeMediaHost, FakeMediaHost, FakeMediaHost]]:
    """(api.twilio.com, its media CDN, a foreign host), all on loopback."""
    hosts = (
        FakeMediaHost((SETTINGS.account_sid, SETTINGS.auth_token)).start(),
        FakeMediaHost().start(),
        FakeMediaHost().start(),
    )
    yield hosts
    for host in hosts:
        host.stop()


@pytest.fixture
def twilio(media_hosts):
    for host in media_hosts:
        host.reset()
    return media_hosts[0]


@pytest.fixture
def cdn(media_hosts, twilio):
    return media_hosts[1]


@pytest.fixture
def foreign(media_hosts, twilio):
    return media_hosts[2]


@pytest.fixture
def settings(twilio, cdn, document_gateway: DocumentGateway) -> TwilioSettings:
    return dataclasses.replace(
        SETTINGS,
        media_hosts=(twilio.host, cdn.host),
        media_timeout=5,
        documents=document_gateway.documents(),
    )


def post(server, form: Dict[str, str], token: str = SETTINGS.auth_token):
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    signature = RequestValidator(token).compute_signature(url, form)
    reply = requests.post(
        url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert reply.status_code == 204
    return server.received


def media_form(
    *items: Tuple[str, str], body: str = "", sender: str = CITIZEN
) -> Dict[str, str]:
    form = {
        "From": sender,
        "To": SETTINGS.whatsapp_number,
        "Body": body,
        "MessageSid": MESSAGE_SID,
        "ProfileName": "Asha Devi",
        "WaId": sender.removeprefix("whatsapp:+"),
        "NumMedia": str(len(items)),
    }
    for index, (url, content_type) in enumerate(items):
        form[f"MediaUrl{index}"] = url
        form[f"MediaContentType{index}"] = content_type
    return form


def rejected(message) -> Dict[str, object]:
    intent, _, entities = message.text.partition("{")
    assert intent == "/document_rejected"
    assert "document" not in message.metadata
    return json.loads("{" + entities)


def test_an_image_reaches_rasa_as_the_gateways_reference(
    serve, settings, twilio, cdn, document_gateway
):
    cdn.files["ME1"] = (png_bytes(), "image/png", None)
    twilio.redirects["ME1"] = cdn.url("/media/ME1?Expires=1&Signature=x")
    server = serve([TwilioWhatsAppInput(settings)])
    form = media_form((twilio.url("/redirect/ME1"), "image/png"), body="Aadhaar")
    [message] = post(server, form)
    assert (message.text, message.sender_id) == ("/document_uploaded", CITIZEN)
    assert message.input_channel == "twilio_whatsapp"
    metadata = message.metadata
    assert metadata["channel"] == "whatsapp"
    assert metadata["citizen"] == {
        "id": CITIZEN,
        "name": "Asha Devi",
        "phone": "9811100001",
    }
    sha = hashlib.sha256(png_bytes()).hexdigest()
    assert metadata["document"] == {
        "id": sha,
        "mime_type": "image/png",
        "size": len(png_bytes()),
        "sha256": sha,
        "filename": None,
    }
    assert document_gateway.blob(sha).read_bytes() == png_bytes()
    assert metadata["twilio"]["message_sid"] == MESSAGE_SID
    assert metadata["twilio"]["caption"] == "Aadhaar"
    # The credentials go to Twilio only, never to the pre-signed redirect target.
    credentials = _basic(SETTINGS.account_sid, SETTINGS.auth_token)
    assert twilio.requests == [("/redirect/ME1", credentials)]
    assert cdn.requests == [("/media/ME1?Expires=1&Signature=x", None)]


def test_a_pdf_keeps_the_name_twilio_gives_it(
    serve, settings, twilio, document_gateway
):
    twilio.files["ME2"] = (pdf_bytes(), "application/pdf", "income.pdf")
    server = serve([TwilioWhatsAppInput(settings)])
    [message] = post(server, media_form((twilio.url("/media/ME2"), "application/pdf")))
    assert message.text == "/document_uploaded"
    assert message.metadata["document"]["mime_type"] == "application/pdf"
    assert message.metadata["document"]["filename"] == "income.pdf"
    assert "caption" not in message.metadata["twilio"]


@pytest.mark.parametrize("path", ["/endless", "/declared-large"])
def test_oversized_media_is_unreadable_without_downloading_it(
    serve, settings, twilio, path
):
    server = serve([TwilioWhatsAppInput(settings)])
    [message] = post(server, media_form((twilio.url(path), "image/png")))
    assert rejected(message) == {"reason": "unreadable", "max_mb": MAX_MB}
    assert message.metadata["citizen"]["id"] == CITIZEN
    # The endless body was cut off: the fake wrote what the socket buffers took.
    assert twilio.endless_written < ENDLESS_SAFETY // 4


def test_wrong_credentials_are_a_failed_download(
    serve, settings, twilio, document_gateway
):
    twilio.files["ME3"] = (png_bytes(), "image/png", None)
    twilio.credentials = (SETTINGS.account_sid, "another-token")
    try:
        server = serve([TwilioWhatsAppInput(settings)])
        [message] = post(server, media_form((twilio.url("/media/ME3"), "image/png")))
    finally:
        twilio.credentials = (SETTINGS.account_sid, SETTINGS.auth_token)
    assert rejected(message) == {"reason": "download_failed"}
    assert len(twilio.requests) == 1


def test_a_foreign_host_is_never_asked(serve, settings, twilio, foreign):
    foreign.files["ME4"] = (png_bytes(), "image/png", None)
    twilio.redirects["ME4"] = foreign.url("/media/ME4")
    server = serve([TwilioWhatsAppInput(settings)])
    post(server, media_form((foreign.url("/media/ME4"), "image/png")))
    received = post(server, media_form((twilio.url("/redirect/ME4"), "image/png")))
    assert [rejected(m) for m in received] == [{"reason": "download_failed"}] * 2
    assert foreign.requests == []
    assert [path for path, _ in twilio.requests] == ["/redirect/ME4"]


def test_a_gateway_that_is_down_is_store_unavailable(serve, settings, twilio):
    url = f"http://127.0.0.1:{free_port()}"
    down = DocumentSettings(
        max_bytes=CHANNEL_MAX_BYTES,
        gateway=GatewayAccess(url=url, public_url=url, token="t", timeout=5),
    )
    twilio.files["ME5"] = (png_bytes(), "image/png", None)
    server = serve([TwilioWhatsAppInput(dataclasses.replace(settings, documents=down))])
    [message] = post(server, media_form((twilio.url("/media/ME5"), "image/png")))
    assert rejected(message) == {"reason": "store_unavailable"}


def test_a_file_the_gateway_refuses_is_unreadable(
    serve, settings, twilio, document_gateway
):
    gif = b"GIF89a" + b"\x00" * 10
    twilio.files["ME6"] = (gif, "image/jpeg", None)
    server = serve([TwilioWhatsAppInput(settings)])
    [message] = post(server, media_form((twilio.url("/media/ME6"), "image/jpeg")))
    assert rejected(message) == {"reason": "unreadable", "max_mb": MAX_MB}
    assert not document_gateway.blob(hashlib.sha256(gif).hexdigest()).exists()


@pytest.fixture(scope="module")
def quota_gateway(tmp_path_factory) -> Iterator[DocumentGateway]:
    """A gateway allowing one file per citizen and day."""
    gateway = start_document_gateway(
        tmp_path_factory.mktemp("twilio-quota-gateway"),
        EDISTRICT_UPLOAD_FILES_PER_DAY="1",
    )
    yield gateway
    gateway.server.stop()


def test_uploads_over_the_daily_quota_are_quota_exceeded(
    serve, settings, twilio, quota_gateway
):
    twilio.files["ME7"] = (png_bytes(), "image/png", None)
    quota = dataclasses.replace(settings, documents=quota_gateway.documents())
    server = serve([TwilioWhatsAppInput(quota)])
    form = media_form((twilio.url("/media/ME7"), "image/png"))
    post(server, form)
    first, second = post(server, form)
    assert first.text == "/document_uploaded"
    assert rejected(second) == {"reason": "quota_exceeded"}


@pytest.mark.parametrize(
    "content_type", ["audio/ogg", "video/mp4", "text/vcard", "image/webp"]
)
def test_audio_video_contacts_and_stickers_are_unsupported(
    serve, settings, twilio, content_type
):
    server = serve([TwilioWhatsAppInput(settings)])
    [message] = post(server, media_form((twilio.url("/media/ME8"), content_type)))
    assert message.text == "/unsupported_message"
    assert message.metadata["citizen"]["phone"] == "9811100001"
    assert message.metadata["twilio"]["media_type"] == content_type
    assert "document" not in message.metadata
    assert twilio.requests == []


def test_media_twilio_announces_early_is_fetched_a_moment_later(
    serve, settings, twilio
):
    twilio.files["ME9"] = (png_bytes(), "image/png", None)
    twilio.missing_once.add("ME9")
    server = serve([TwilioWhatsAppInput(settings)])
    [message] = post(server, media_form((twilio.url("/media/ME9"), "image/png")))
    assert message.text == "/document_uploaded"
    assert len(twilio.requests) == 2


def test_several_media_items_are_one_message_each(serve, settings, twilio):
    twilio.files["MEa"] = (png_bytes(), "image/png", None)
    twilio.files["MEb"] = (pdf_bytes(), "application/pdf", None)
    server = serve([TwilioWhatsAppInput(settings)])
    first, second = post(
        server,
        media_form(
            (twilio.url("/media/MEa"), "image/png"),
            (twilio.url("/media/MEb"), "application/pdf"),
            body="both",
        ),
    )
    assert [first.text, second.text] == ["/document_uploaded"] * 2
    assert first.metadata["document"]["mime_type"] == "image/png"
    assert second.metadata["document"]["mime_type"] == "application/pdf"
    assert first.metadata["twilio"]["caption"] == "both"
    assert "caption" not in second.metadata["twilio"]


def test_media_urls_are_checked_against_the_allowed_hosts():
    hosts = DEFAULT_TWILIO_MEDIA_HOSTS + ("127.0.0.1:8080", "*.example.org")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    assert media_url_allowed(url, hosts)
    assert media_url_allowed("https://mms.twiliocdn.com/x?Signature=y", hosts)
    assert media_url_allowed("https://a.example.org/x", hosts)
    assert media_url_allowed("http://127.0.0.1:8080/x", hosts)
    for refused in (
        "http://api.twilio.com/x",  # plain http outside loopback
        "https://api.twilio.com:8443/x",  # another port
        "https://user:pw@api.twilio.com/x",  # credentials in the URL
        "https://api.twilio.com.evil.example/x",
        "https://example.org/x",  # *.domain is subdomains only
        "http://127.0.0.1:8081/x",
        "ftp://api.twilio.com/x",
        "https://[::1/x",
    ):
        assert not media_url_allowed(refused, hosts), refused


def test_only_photos_and_files_are_documents():
    assert is_document_type("image/jpeg")
    assert is_document_type("application/pdf")
    assert is_document_type(None)  # undeclared: the gateway decides by content
    for other in ("audio/ogg", "video/mp4", "text/vcard", "text/x-vcard", "image/webp"):
        assert not is_document_type(other)


def test_media_settings_from_environment():
    defaults = TwilioSettings.from_env({})
    assert defaults.media_hosts == DEFAULT_TWILIO_MEDIA_HOSTS
    assert defaults.media_timeout == 10.0
    settings = TwilioSettings.from_env(
        {
            "TWILIO_MEDIA_HOSTS": "API.twilio.com, 127.0.0.1:9000",
            "TWILIO_MEDIA_TIMEOUT": "4.5",
            "DOCUMENTS_MAX_BYTES": "1000",
            "EDISTRICT_URL": "http://gateway:8000",
        }
    )
    assert settings.media_hosts == ("api.twilio.com", "127.0.0.1:9000")
    assert settings.media_timeout == 4.5
    assert settings.documents.max_bytes == 1000
    assert settings.documents.gateway.url == "http://gateway:8000"
