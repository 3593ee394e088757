"""Received media: media id -> short-lived URL -> bytes -> checked document store."""

from __future__ import annotations

import asyncio
import mimetypes
import re
from pathlib import Path
from typing import Optional, Tuple
from urllib.parse import unquote, urlsplit

import aiohttp

from channels.documents import (
    DocumentRejected,
    StoredDocument,
    detect_mime_type,
    store_document,
)
from channels.graph import GraphClient, read_limited
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
) -> StoredDocument:
    """Downloads a received image or document and stores it.

    Args:
        client: Graph API client (bearer token).
        media_id: Media id from the webhook.
        filename: File name the citizen sent (documents only).
        declared_mime: MIME type from the webhook.
        settings: Document store settings (size limit, folder).

    Returns:
        The stored document.

    Raises:
        DocumentRejected: Too large, unsupported or corrupt.
        GraphError: The media could not be fetched.
    """
    info = await client.media_info(media_id)
    declared_size = int(info.get("file_size") or 0)
    if declared_size > settings.max_bytes:
        raise DocumentRejected(
            "too_large", f"{declared_size} bytes, limit {settings.max_bytes}"
        )
    url = info.get("url")
    if not url:
        raise DocumentRejected("corrupt", "the Graph API returned no media URL")
    data = await client.download(str(url), settings.max_bytes)
    return await asyncio.to_thread(
        store_document,
        data,
        filename,
        declared_mime or info.get("mime_type"),
        settings,
    )


def read_local_file(path: str) -> Tuple[bytes, str, str]:
    """Reads a file to send (a certificate PDF) and returns bytes, name and MIME type.

    Raises:
        FileNotFoundError: The path does not exist.
    """
    file = Path(path)
    data = file.read_bytes()
    mime_type = (
        detect_mime_type(data)
        or mimetypes.guess_type(file.name)[0]
        or "application/octet-stream"
    )
    return data, file.name, mime_type


async def fetch_outgoing(
    url: str, gateway: GatewayAccess, timeout: float
) -> Tuple[bytes, str, str]:
    """Downloads a file the assistant sends by URL (a certificate), to upload it.

    Only the e-District gateway's own origins get its service token; any other host
    gets no credentials at all (never the Graph API token).

    Args:
        url: HTTP(S) URL of the file.
        gateway: Where the gateway is and its token.
        timeout: Seconds for the whole download.

    Returns:
        Bytes, file name (``Content-Disposition``, else the URL's last segment) and
        MIME type (from the content, else the response header).

    Raises:
        MediaFetchError: Unreachable, an HTTP error, or larger than WhatsApp accepts.
    """
    headers = {}
    if origin(url) in gateway.origins():
        headers["Authorization"] = f"Bearer {gateway.token}"
    try:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout)
        ) as session:
            async with session.get(url, headers=headers) as response:
                if response.status >= 400:
                    raise MediaFetchError(f"HTTP {response.status}")
                data = await read_limited(response, OUTGOING_MAX_BYTES)
                disposition = response.headers.get("Content-Disposition", "")
                declared = response.content_type
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise MediaFetchError(f"{type(error).__name__}: {error}") from error
    if data is None:
        raise MediaFetchError(f"larger than {OUTGOING_MAX_BYTES} bytes")
    named = _DISPOSITION_NAME.search(disposition)
    name = named.group(1) if named else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return data, name or "file", detect_mime_type(data) or declared
