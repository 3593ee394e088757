"""Received media: media id -> short-lived URL -> bytes -> the gateway's document store."""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Optional, Tuple
from urllib.parse import unquote, urlsplit

import aiohttp

from channels.documents import (
    QUOTA_EXCEEDED,
    DocumentRejected,
    DocumentStoreUnavailable,
    StoredDocument,
    detect_mime_type,
    store_document,
)
from channels.graph import GraphClient, GraphError, read_limited
from channels.inbound import (
    DOWNLOAD_FAILED,
    STORE_UNAVAILABLE,
    UNREADABLE,
)
from channels.inbound import QUOTA_EXCEEDED as QUOTA_PROBLEM
from channels.settings import DocumentSettings
from infra.settings import GatewayAccess, origin

OUTGOING_MAX_BYTES = 100 * 1024 * 1024  # WhatsApp's limit for documents
_DISPOSITION_NAME = re.compile(r'filename="?([^";]+)"?')


class MediaFetchError(Exception):
    """A file the assistant sends by URL could not be downloaded."""


async def fetch_document(
    client: GraphClient,
    media_id: str,
    filename: Optional[str],
    declared_mime: Optional[str],
    settings: DocumentSettings,
    sender_id: Optional[str] = None,
) -> StoredDocument:
    """Downloads a received image or document and hands it to the document store.

    Args:
        client: Graph API client (bearer token).
        media_id: Media id from the webhook.
        filename: File name the citizen sent (documents only).
        declared_mime: MIME type from the webhook.
        settings: Size limit and the gateway.
        sender_id: The citizen: the upload is theirs and counts against their quota.

    Returns:
        The stored document.

    Raises:
        DocumentRejected: Too large, unsupported, corrupt, unsafe, or over the quota.
        DocumentStoreUnavailable: The gateway could not take it now.
        GraphError: The media could not be fetched.
    """
    info = await client.media_info(media_id)
    declared_size = int(info.get("file_size") or 0)
    if declared_size > settings.max_bytes:
        raise DocumentRejected(
            "too_large",
            f"{declared_size} bytes, limit {settings.max_bytes}",
            "file_too_large",
        )
    url = info.get("url")
    if not url:
        raise DocumentRejected("corrupt", "the Graph API returned no media URL")
    data = await client.download(str(url), settings.max_bytes)
    return await asyncio.to_thread(
        partial(store_document, sender_id=sender_id),
        data,
        filename,
        declared_mime or info.get("mime_type"),
        settings,
    )


def problem_reason(error: Exception) -> str:
    """Why a received file was not stored, as the ``reason`` of ``/document_rejected``.

    Args:
        error: What :func:`fetch_document` raised.

    Returns:
        ``quota_exceeded`` for the daily quota; ``unreadable`` for any other refusal of
        the file (type, size, content: also WhatsApp's own 413); ``store_unavailable``
        when the gateway cannot take it now; ``download_failed`` otherwise.
    """
    if isinstance(error, DocumentRejected):
        return QUOTA_PROBLEM if error.reason == QUOTA_EXCEEDED else UNREADABLE
    if isinstance(error, DocumentStoreUnavailable):
        return STORE_UNAVAILABLE
    if isinstance(error, GraphError) and error.status == 413:
        return UNREADABLE
    return DOWNLOAD_FAILED


# The only files the assistant sends: certificates from the gateway's signed download
# links, or from its service API (which needs the token).
SIGNED_LINK_PREFIX = "/certificates/"
SERVICE_API_PATH = re.compile(r"/api/v1/applications/[A-Z0-9-]{1,40}/certificate")


def is_gateway_file(url: str, gateway: GatewayAccess) -> bool:
    """Whether ``url`` is a certificate on the e-District gateway's own file API.

    Args:
        url: The URL an outgoing message names.
        gateway: Where the gateway is.

    Returns:
        True for an http(s) URL on one of the gateway's origins whose path is a signed
        certificate link or the service API's certificate endpoint.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return False
    if origin(url) not in gateway.origins() or parts.query or ".." in parts.path:
        return False
    return parts.path.startswith(SIGNED_LINK_PREFIX) or bool(
        SERVICE_API_PATH.fullmatch(parts.path)
    )


async def fetch_outgoing(
    url: str, gateway: GatewayAccess, timeout: float
) -> Tuple[bytes, str, str]:
    """Downloads a certificate the assistant sends, to upload it to WhatsApp.

    Only the gateway's own certificate URLs (:func:`is_gateway_file`) are fetched, and
    only its service API gets the service token; anything else is refused unread.

    Args:
        url: HTTP(S) URL of the file.
        gateway: Where the gateway is and its token.
        timeout: Seconds for the whole download.

    Returns:
        Bytes, file name (``Content-Disposition``, else the URL's last segment) and
        MIME type (from the content, else the response header).

    Raises:
        MediaFetchError: Not a gateway file, unreachable, an HTTP error, or larger
            than WhatsApp accepts.
    """
    if not is_gateway_file(url, gateway):
        raise MediaFetchError("not a file of the e-District gateway")
    headers = {}
    if SERVICE_API_PATH.fullmatch(urlsplit(url).path):
        headers["Authorization"] = f"Bearer {gateway.token}"
    try:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout)
        ) as session:
            async with session.get(
                url, headers=headers, allow_redirects=False
            ) as response:
                if response.status != 200:
                    raise MediaFetchError(f"HTTP {response.status}")
                data = await read_limited(response, OUTGOING_MAX_BYTES)
                disposition = response.headers.get("Content-Disposition", "")
                declared = response.content_type
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise MediaFetchError(f"{type(error).__name__}: {error}") from error
    if data is None:
        raise MediaFetchError(f"larger than {OUTGOING_MAX_BYTES} bytes")
    if detect_mime_type(data) != "application/pdf":
        raise MediaFetchError(f"not a PDF (declared {declared})")
    named = _DISPOSITION_NAME.search(disposition)
    name = named.group(1) if named else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return data, name or "file", "application/pdf"
