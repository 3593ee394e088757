"""Fixtures for the channel tests: a fake Graph API, the real e-District gateway (its
document store) and the real channel blueprints served by Sanic on a loopback port
(sanic-testing is not installed)."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import struct
import threading
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Coroutine, Dict, Iterator, List, Optional

import pytest
import requests
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from channels.settings import DocumentSettings, WhatsAppSettings
from channels.signature import sign
from channels.whatsapp import WhatsAppInput
from infra.settings import GatewayAccess
from tests.channels.fake_gateway import GATEWAY_TOKEN, FakeGateway
from tests.channels.fake_graph import TOKEN, FakeGraph
from tests.filecheck import samples
from tests.integration.servers import Server, free_port, gateway_server

FIXTURES = (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "whatsapp-cloud-api"
)
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "1122334455667"

Handler = Callable[[UserMessage], Awaitable[Any]]


def load_fixture_samples() -> Dict[str, Dict[str, Any]]:
    """All samples of the shared corpus as ``"file:sample" -> body``."""
    samples: Dict[str, Dict[str, Any]] = {}
    for file in sorted(FIXTURES.glob("*.json")):
        for name, body in json.loads(file.read_text()).items():
            samples[f"{file.stem}:{name}"] = body
    return samples


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A valid 8x8 JPEG (uploads are decoded in full by ``filecheck``)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A minimal PDF with one page (the gateway counts a PDF's pages)."""
    return samples.plain_pdf()


DOCUMENTS_TOKEN = "channel-tests-service-token"
CHANNEL_MAX_BYTES = 64 * 1024


@dataclass
class DocumentGateway:
    """A real e-District gateway (``edistrict/bin/serve``, its own venv) on loopback.

    Attributes:
        server: The running process (``server.log_tail()`` after a failure).
        data_dir: Its ``EDISTRICT_DATA_DIR`` (blobs under ``documents/``).
    """

    server: Server
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def access(self, token: str = DOCUMENTS_TOKEN) -> GatewayAccess:
        return GatewayAccess(url=self.url, public_url=self.url, token=token, timeout=30)

    def documents(self, max_bytes: int = CHANNEL_MAX_BYTES) -> DocumentSettings:
        """Channel settings that hand documents to this gateway."""
        return DocumentSettings(max_bytes=max_bytes, gateway=self.access())

    def blob(self, sha256: str) -> Path:
        """Where the gateway's local blob store keeps ``sha256``."""
        return self.data_dir / "documents" / sha256[:2] / sha256[2:4] / sha256


def start_document_gateway(folder: Path, **env: str) -> DocumentGateway:
    """Starts a gateway with its own SQLite database and data folder under ``folder``.

    ``env`` adds or overrides ``EDISTRICT_*`` variables (upload quotas ...).
    """
    server = gateway_server(
        free_port(),
        folder,
        {
            "EDISTRICT_DATA_DIR": str(folder / "data"),
            "EDISTRICT_SERVICE_TOKEN": DOCUMENTS_TOKEN,
            "EDISTRICT_OFFICER_TOKENS": "dev-officer:dev-officer-token",
            "EDISTRICT_OUTBOX_WORKER": "false",
            "EDISTRICT_MAX_UPLOAD_BYTES": str(CHANNEL_MAX_BYTES),
            "EDISTRICT_UPLOAD_FILES_PER_DAY": "0",
            "EDISTRICT_UPLOAD_BYTES_PER_DAY": "0",
            **env,
        },
    )
    server.start()
    return DocumentGateway(server, folder / "data")


@pytest.fixture(scope="session")
def document_gateway(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DocumentGateway]:
    """The gateway every channel test hands its documents to (no daily quota)."""
    gateway = start_document_gateway(tmp_path_factory.mktemp("gateway"))
    yield gateway
    gateway.server.stop()


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    graph = FakeGraph().start()
    yield graph
    graph.stop()


@pytest.fixture
def graph(fake_graph: FakeGraph) -> FakeGraph:
    fake_graph.reset()
    return fake_graph


@pytest.fixture
def settings(
    tmp_path: Path, graph: FakeGraph, document_gateway: DocumentGateway
) -> WhatsAppSettings:
    return WhatsAppSettings(
        access_token=TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        graph_url=graph.url,
        api_version="v21.0",
        template_name="application_update",
        dedup_db=tmp_path / "whatsapp_dedup.db",
        delivery_db=tmp_path / "whatsapp_delivery.db",
        retry_base_delay=0.01,
        request_timeout=5,
        documents=document_gateway.documents(),
    )


class ChannelServer:
    """Real channel blueprints in a Sanic app on a loopback port, in a thread.

    Args:
        channels: Input channels to mount under ``/webhooks/<name>``.
        handler: Fake Rasa: receives each UserMessage (default: only collects).
        agent: What Rasa puts in ``app.ctx.agent`` (something with a tracker store).
    """

    def __init__(
        self,
        channels: List[InputChannel],
        handler: Optional[Handler] = None,
        agent: Any = None,
    ) -> None:
        self.channels = channels
        self.handler = handler
        self.agent = agent
        self.received: List[UserMessage] = []
        self.loop = asyncio.new_event_loop()
        self._thread: Optional[threading.Thread] = None
        self._server: Any = None
        self._error: Optional[BaseException] = None
        self._stopped = False
        self.port = 0

    async def _on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.handler is not None:
            await self.handler(message)

    def start(self) -> ChannelServer:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(100)
        self.port = sock.getsockname()[1]
        Sanic.test_mode = True  # lets several apps start in one process
        app = Sanic(f"channels_test_{uuid.uuid4().hex[:8]}")
        app.config.ACCESS_LOG = False
        app.config.MOTD = False
        app.ctx.agent = self.agent
        for channel in self.channels:
            app.blueprint(
                channel.blueprint(self._on_new_message),
                url_prefix=f"/webhooks/{channel.url_prefix()}",
            )
        ready = threading.Event()

        async def serve() -> None:
            self._server = await app.create_server(
                sock=sock, return_asyncio_server=True, access_log=False
            )
            await self._server.startup()
            await self._server.before_start()
            await self._server.after_start()
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(serve())
            except BaseException as error:  # reported by start()
                self._error = error
                ready.set()
                return
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, name="sanic-test", daemon=True)
        self._thread.start()
        if not ready.wait(15) or self._error is not None:
            raise RuntimeError(f"Sanic test server did not start: {self._error!r}")
        return self

    def call(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Runs a coroutine in the server's loop and returns its result."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def drain(self) -> None:
        """Waits until every channel finished its background work."""
        for channel in self.channels:
            drain = getattr(channel, "drain", None)
            if drain is not None:
                self.call(drain())

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True

        async def shutdown() -> None:
            await self._server.before_stop()
            self._server.close()
            await self._server.wait_closed()
            await self._server.after_stop()

        self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def post_whatsapp(
        self,
        body: Any,
        secret: str = APP_SECRET,
        signature: Optional[str] = None,
    ) -> requests.Response:
        """POSTs a webhook body, signed with ``secret`` unless ``signature`` is given."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        header = signature if signature is not None else sign(secret, raw)
        if header:
            headers["X-Hub-Signature-256"] = header
        return requests.post(
            self.url("/webhooks/whatsapp/webhook"),
            data=raw,
            headers=headers,
            timeout=10,
        )


@pytest.fixture
def serve() -> Iterator[Callable[..., ChannelServer]]:
    servers: List[ChannelServer] = []

    def start(
        channels: List[InputChannel],
        handler: Optional[Handler] = None,
        agent: Any = None,
    ) -> ChannelServer:
        server = ChannelServer(channels, handler, agent).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def text_body(
    wa_id: str, message_id: str, text: str, name: str = "Citizen"
) -> Dict[str, Any]:
    """A webhook body with one text message."""
    return messages_body(
        wa_id,
        [
            {
                "from": wa_id,
                "id": message_id,
                "timestamp": "1700000000",
                "type": "text",
                "text": {"body": text},
            }
        ],
        name,
    )


def messages_body(
    wa_id: str, messages: List[Dict[str, Any]], name: str = "Citizen"
) -> Dict[str, Any]:
    """A webhook body with the given message objects."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "911100000000",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": messages,
                        },
                    }
                ],
            }
        ],
    }


@pytest.fixture
def gateway_host() -> Iterator[FakeGateway]:
    """A loopback fake of the e-District gateway's certificate routes."""
    host = FakeGateway().start()
    yield host
    host.stop()


@pytest.fixture
def gateway_channel(
    settings: WhatsAppSettings, gateway_host: FakeGateway
) -> WhatsAppInput:
    """A WhatsApp channel whose e-District gateway is ``gateway_host``."""
    gateway = GatewayAccess(
        url="http://127.0.0.1:9", public_url=gateway_host.url, token=GATEWAY_TOKEN
    )
    return WhatsAppInput(settings.with_changes(gateway=gateway))
