"""Client of the WhatsApp Cloud API (Graph API): messages, read receipts and media.

One ``aiohttp`` session per event loop, explicit timeouts, bounded retries with
exponential backoff for what is temporary (HTTP 5xx, network errors, throughput limit
130429, pair rate limit 131056, codes 2 and 4), and one exception type,
:class:`GraphError`, for everything else. Callers never see raw ``aiohttp`` errors.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, Callable, Dict, Iterable, Optional
from urllib.parse import urljoin, urlsplit

import aiohttp

from channels.media_urls import MediaUrl
from channels.settings import WhatsAppSettings
from infra.settings import origin

logger = logging.getLogger(__name__)

THROUGHPUT_LIMIT = 130429
PAIR_RATE_LIMIT = 131056
OUTSIDE_WINDOW = 131047
TOKEN_EXPIRED = 190
INVALID_PARAMETER = 100
PARAMETER_VALUE_INVALID = 131009
RETRYABLE_CODES = frozenset({2, 4, THROUGHPUT_LIMIT, PAIR_RATE_LIMIT})
_MAX_DELAY = 30.0
_MAX_REDIRECTS = 3


class GraphError(Exception):
    """A Graph API call failed.

    Attributes:
        status: HTTP status (0 for network errors).
        code: Graph error code (``error.code``), if any.
        details: ``error.error_data.details`` or the message.
        fbtrace_id: Meta's trace id, for support requests.
    """

    def __init__(
        self,
        status: int,
        code: Optional[int],
        details: str,
        fbtrace_id: Optional[str] = None,
    ) -> None:
        super().__init__(f"Graph API error {code} (HTTP {status}): {details}")
        self.status = status
        self.code = code
        self.details = details
        self.fbtrace_id = fbtrace_id

    @property
    def retryable(self) -> bool:
        """True for server errors, network errors and rate limits."""
        return self.status == 0 or self.status >= 500 or self.code in RETRYABLE_CODES

    @classmethod
    def from_response(cls, status: int, body: Any) -> GraphError:
        """Builds the error from a Graph error body ``{"error": {...}}``."""
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls(status, None, str(body)[:300])
        details = (error.get("error_data") or {}).get("details") or error.get("message")
        code = error.get("code")
        return cls(
            status,
            int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None,
            str(details or ""),
            error.get("fbtrace_id"),
        )


class MediaHostRejected(GraphError):
    """A media URL points outside the allowed hosts: nothing was requested.

    Never retried; the citizen is asked to send the file again (``document_failed``).
    """

    def __init__(self, url: str) -> None:
        super().__init__(0, None, f"media URL host not allowed: {_redacted(url)}")

    @property
    def retryable(self) -> bool:
        """Never: the same URL would be refused again."""
        return False


def _redacted(url: str) -> str:
    """``scheme://host:port/path`` without the query (which may carry a signature)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"[:200]


def media_url_allowed(url: str, graph_url: str, hosts: Iterable[str]) -> bool:
    """Whether the Graph API token may be sent to ``url``.

    Only to https URLs whose host is the Graph API's own origin or in ``hosts``
    (``WHATSAPP_MEDIA_HOSTS``; entries ``host``, ``host:port`` or ``*.domain``,
    default port 443). Plain http only when both the Graph API URL and ``url`` are on
    the loopback interface (the local fake of the tests and the bench). Never to a
    URL carrying a user name or password.

    Args:
        url: The media URL the Graph API returned (or a redirect target).
        graph_url: ``WHATSAPP_GRAPH_URL``.
        hosts: Extra allowed hosts.
    """
    target = MediaUrl.parse(url)
    if target is None:
        return False
    if target.scheme == "http":
        graph = MediaUrl.parse(graph_url)
        if not (target.local_http and graph is not None and graph.local_http):
            return False
    if origin(url) == origin(graph_url):
        return True
    return target.listed_in(hosts)


def log_graph_error(error: GraphError, what: str) -> None:
    """Logs a failed call with advice by error class."""
    if error.code == TOKEN_EXPIRED:
        logger.error(
            "WhatsApp %s failed: the access token expired or is invalid (190). "
            "Set a new permanent system-user token in WHATSAPP_ACCESS_TOKEN. %s",
            what,
            error.details,
        )
    elif error.code in (INVALID_PARAMETER, PARAMETER_VALUE_INVALID):
        logger.error(
            "WhatsApp %s rejected for bad parameters (%s): %s (fbtrace_id %s)",
            what,
            error.code,
            error.details,
            error.fbtrace_id,
        )
    else:
        logger.error(
            "WhatsApp %s failed: %s (fbtrace_id %s)", what, error, error.fbtrace_id
        )


class GraphClient:
    """Calls the Graph API for one business phone number.

    Args:
        settings: Channel settings (base URL, version, token, retries).
    """

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # No default Authorization header: the token is added per request, to
            # the Graph API and to allowed media hosts only.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.request_timeout)
            )
            self._loop = loop
        return self._session

    async def close(self) -> None:
        """Closes the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _auth(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.access_token}"}

    def url(self, path: str) -> str:
        """Full URL of a Graph path such as ``<phone_number_id>/messages``."""
        return f"{self.settings.api_base}/{path.lstrip('/')}"

    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: Optional[Dict[str, Any]] = None,
        form: Optional[Callable[[], aiohttp.FormData]] = None,
        retry: bool = True,
    ) -> Dict[str, Any]:
        """Performs one JSON call with retries; returns the decoded body.

        Raises:
            GraphError: The call failed and is not (or no longer) retryable.
        """
        attempts = self.settings.max_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            retry_after: Optional[float] = None
            try:
                async with self._get_session().request(
                    method,
                    url,
                    json=json,
                    data=form() if form else None,
                    headers=self._auth(),
                    allow_redirects=False,
                ) as response:
                    try:
                        body: Any = await response.json(content_type=None)
                    except ValueError:
                        body = {"error": {"message": (await response.text())[:300]}}
                    if response.status < 400 and not (
                        isinstance(body, dict) and "error" in body
                    ):
                        return body if isinstance(body, dict) else {"data": body}
                    error = GraphError.from_response(response.status, body)
                    header = response.headers.get("Retry-After", "")
                    retry_after = float(header) if header.isdigit() else None
            except (aiohttp.ClientError, asyncio.TimeoutError) as exception:
                error = GraphError(0, None, f"{type(exception).__name__}: {exception}")
            if not error.retryable or attempt == attempts:
                raise error
            delay = retry_after or self.settings.retry_base_delay * 2 ** (attempt - 1)
            delay = min(_MAX_DELAY, delay) * random.uniform(1.0, 1.25)
            logger.warning(
                "WhatsApp call %s retried in %.2fs (attempt %d/%d): %s",
                url.rsplit("/", 1)[-1],
                delay,
                attempt,
                attempts,
                error,
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def send_message(self, payload: Dict[str, Any]) -> str:
        """Sends a message; ``payload`` must include ``to`` and ``type``.

        Returns:
            The WhatsApp id of the sent message.
        """
        body = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        body.update(payload)
        result = await self._call(
            "POST", self.url(f"{self.settings.phone_number_id}/messages"), json=body
        )
        messages = result.get("messages") or [{}]
        return str(messages[0].get("id", ""))

    async def mark_read(self, message_id: str, typing: bool = True) -> None:
        """Marks a citizen's message as read, optionally showing the typing indicator.

        Args:
            message_id: The ``wamid`` of the received message.
            typing: Also show "typing..." (dismissed by our reply or after 25 s).
        """
        body: Dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
        }
        if typing:
            body["typing_indicator"] = {"type": "text"}
        await self._call(
            "POST",
            self.url(f"{self.settings.phone_number_id}/messages"),
            json=body,
            retry=False,
        )

    async def upload_media(self, data: bytes, filename: str, mime_type: str) -> str:
        """Uploads a file (multipart) and returns its media id.

        Args:
            data: File content.
            filename: Name given to the file part.
            mime_type: MIME type of the file.
        """

        def form() -> aiohttp.FormData:
            fields = aiohttp.FormData()
            fields.add_field("messaging_product", "whatsapp")
            fields.add_field("type", mime_type)
            fields.add_field("file", data, filename=filename, content_type=mime_type)
            return fields

        result = await self._call(
            "POST", self.url(f"{self.settings.phone_number_id}/media"), form=form
        )
        media_id = result.get("id")
        if not media_id:
            raise GraphError(200, None, f"media upload returned no id: {result}")
        return str(media_id)

    async def media_info(self, media_id: str) -> Dict[str, Any]:
        """Returns ``url``, ``mime_type``, ``file_size`` ... of a received media id."""
        return await self._call("GET", self.url(media_id))

    def media_url_allowed(self, url: str) -> bool:
        """Whether the token may go to ``url`` (see :func:`media_url_allowed`)."""
        return media_url_allowed(
            url, self.settings.graph_url, self.settings.media_hosts
        )

    async def download(self, url: str, max_bytes: int) -> bytes:
        """Downloads media bytes from a (short-lived) media URL with the bearer token.

        The token goes only to allowed hosts (:meth:`media_url_allowed`): any other
        URL, also as a redirect target, is not requested at all.

        Args:
            url: URL from :meth:`media_info`.
            max_bytes: Larger downloads are aborted.

        Raises:
            MediaHostRejected: The URL (or a redirect) leaves the allowed hosts.
            GraphError: HTTP failure; code ``None`` and status 413 when too large.
        """
        data: Optional[bytes] = None
        try:
            for _ in range(_MAX_REDIRECTS + 1):
                if not self.media_url_allowed(url):
                    logger.warning(
                        "WhatsApp media URL %s is not an allowed host "
                        "(WHATSAPP_MEDIA_HOSTS); not requested",
                        _redacted(url),
                    )
                    raise MediaHostRejected(url)
                async with self._get_session().get(
                    url, headers=self._auth(), allow_redirects=False
                ) as response:
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = urljoin(url, location)
                        continue
                    if response.status >= 300:
                        raise GraphError(response.status, None, "media download failed")
                    data = await read_limited(response, max_bytes)
                    break
            else:
                raise GraphError(0, None, "media download: too many redirects")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exception:
            raise GraphError(0, None, f"media download: {exception}") from exception
        if data is None:
            raise GraphError(413, None, f"media larger than {max_bytes} bytes")
        return data


async def read_limited(
    response: aiohttp.ClientResponse, max_bytes: int
) -> Optional[bytes]:
    """Reads a response body; None when it is larger than ``max_bytes``."""
    chunks = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return None
    return b"".join(chunks)
