"""Received media: media id -> short-lived URL -> bytes -> checked document store."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import Optional, Tuple

from channels.documents import (
    DocumentRejected,
    StoredDocument,
    detect_mime_type,
    store_document,
)
from channels.graph import GraphClient
from channels.settings import DocumentSettings


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
