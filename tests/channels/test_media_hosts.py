"""The Graph API token goes only to allowed media hosts; any other URL is not requested."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from aiohttp import web

from channels.graph import media_url_allowed
from channels.settings import WhatsAppSettings
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import messages_body, png_bytes
from tests.channels.fake_graph import FakeGraph, Recorded

CITIZEN = "919800000001"


class RedirectingGraph(FakeGraph):
    """The fake Graph API whose media info points wherever a test says."""

    def __init__(self) -> None:
        super().__init__()
        self.media_urls: Dict[str, str] = {}
        self.redirects: Dict[str, str] = {}

    def _route(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        parts = [part for part in request.path.split("/") if part]
        if len(parts) == 2 and parts[0] == "download" and parts[1] in self.redirects:
            raise web.HTTPFound(self.redirects[parts[1]])
        if len(parts) == 2 and parts[1] in self.media_urls:
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "url": self.media_urls[parts[1]],
                    "mime_type": "image/png",
                    "file_size": 100,
                    "id": parts[1],
                }
            )
        return super()._route(request, record)


@pytest.fixture(scope="module")
def servers():
    graph, other = RedirectingGraph().start(), FakeGraph().start()
    yield graph, other
    graph.stop()
    other.stop()


@pytest.fixture
def hosts(servers, settings):
    graph, other = servers
    graph.reset()
    other.reset()
    graph.media_urls.clear()
    graph.redirects.clear()
    return graph, other, settings.with_changes(graph_url=graph.url)


def _image(media_id: str) -> Dict[str, Any]:
    return messages_body(
        CITIZEN,
        [
            {
                "from": CITIZEN,
                "id": f"wamid.{media_id}",
                "timestamp": "1",
                "type": "image",
                "image": {"id": media_id, "mime_type": "image/png"},
            }
        ],
    )


def _send_image(serve, settings: WhatsAppSettings, media_id: str):
    server = serve([WhatsAppInput(settings)])
    assert server.post_whatsapp(_image(media_id)).status_code == 200
    server.drain()
    return server


DOWNLOAD_FAILED = '/document_rejected{"reason": "download_failed"}'


def test_media_on_another_host_is_never_requested(serve, hosts, caplog):
    graph, other, settings = hosts
    other.add_media("m1", png_bytes(), "image/png")
    graph.media_urls["m1"] = f"http://localhost:{other.port}/download/m1"
    server = _send_image(serve, settings, "m1")
    assert other.requests == []  # no request at all, so no token either
    assert [m.text for m in server.received] == [DOWNLOAD_FAILED]
    assert graph.messages() == []
    assert "not an allowed host" in caplog.text


def test_redirect_to_another_host_is_not_followed(serve, hosts):
    graph, other, settings = hosts
    other.add_media("m2", png_bytes(), "image/png")
    graph.add_media("m2", png_bytes(), "image/png")
    graph.redirects["m2"] = f"http://localhost:{other.port}/download/m2"
    server = _send_image(serve, settings, "m2")
    assert other.requests == []
    assert [m.text for m in server.received] == [DOWNLOAD_FAILED]
    assert graph.messages() == []


def test_allow_listed_host_gets_the_token(serve, hosts):
    graph, other, settings = hosts
    other.add_media("m3", png_bytes(), "image/png")
    graph.media_urls["m3"] = f"http://localhost:{other.port}/download/m3"
    allowed = settings.with_changes(media_hosts=(f"localhost:{other.port}",))
    server = _send_image(serve, allowed, "m3")
    [download] = other.requests
    assert download.headers["Authorization"] == f"Bearer {settings.access_token}"
    [message] = server.received
    assert message.metadata["document"]["mime_type"] == "image/png"


def test_media_on_the_graph_host_itself_is_fetched(serve, hosts):
    graph, other, settings = hosts
    graph.add_media("m4", png_bytes(), "image/png")
    server = _send_image(serve, settings, "m4")
    assert [m.text for m in server.received] == ["/document_uploaded"]
    assert other.requests == []


@pytest.mark.parametrize(
    ("url", "graph_url", "hosts", "allowed"),
    [
        (
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            True,
        ),
        (
            "https://graph.facebook.com/v21.0/123",
            "https://graph.facebook.com",
            (),
            True,
        ),
        (
            "http://lookaside.fbsbx.com/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        (
            "https://evil.example/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        (
            "https://lookaside.fbsbx.com.evil.example/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        (
            "https://user:pw@lookaside.fbsbx.com/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        (
            "https://lookaside.fbsbx.com:8443/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        (
            "https://cdn1.fbsbx.com/x",
            "https://graph.facebook.com",
            ("*.fbsbx.com",),
            True,
        ),
        ("https://fbsbx.com/x", "https://graph.facebook.com", ("*.fbsbx.com",), False),
        (
            "ftp://lookaside.fbsbx.com/x",
            "https://graph.facebook.com",
            ("lookaside.fbsbx.com",),
            False,
        ),
        # plain http only between loopback addresses (the local fake)
        ("http://127.0.0.1:9000/x", "http://127.0.0.1:9000", (), True),
        ("http://127.0.0.1:9001/x", "http://127.0.0.1:9000", (), False),
        ("http://127.0.0.1:9001/x", "http://127.0.0.1:9000", ("127.0.0.1:9001",), True),
        ("http://10.0.0.5/x", "http://127.0.0.1:9000", ("10.0.0.5",), False),
        ("http://127.0.0.1/x", "https://graph.facebook.com", ("127.0.0.1",), False),
    ],
)
def test_media_url_allow_list(url, graph_url, hosts, allowed):
    assert media_url_allowed(url, graph_url, hosts) is allowed


def test_media_hosts_come_from_the_environment():
    assert WhatsAppSettings.from_env({}).media_hosts == ("lookaside.fbsbx.com",)
    settings = WhatsAppSettings.from_env(
        {"WHATSAPP_MEDIA_HOSTS": " Lookaside.fbsbx.com, *.fbcdn.net "}
    )
    assert settings.media_hosts == ("lookaside.fbsbx.com", "*.fbcdn.net")
