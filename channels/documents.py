"""Content-addressed storage of citizens' documents, shared by every channel.

A channel that receives a photo or a PDF calls :func:`store_document` with the bytes. The
type is taken from the content (magic bytes), never from the name or the declared MIME
type; the file must be complete (end markers present) and not larger than the limit. The
file lands at ``<DOCUMENTS_DIR>/<sha256[:2]>/<sha256>.<ext>``; storing the same bytes
twice is a no-op. Actions find it again with :func:`document_path`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from channels.settings import DocumentSettings

logger = logging.getLogger(__name__)

MIME_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FILENAME_MAX = 200


class DocumentRejected(ValueError):
    """The file cannot be stored; ``reason`` says why.

    Attributes:
        reason: One of ``empty``, ``too_large``, ``unsupported_type``, ``corrupt``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class StoredDocument:
    """A stored document.

    Attributes:
        id: Stable id of the content (its sha256 in hex).
        mime_type: Detected type: ``image/jpeg``, ``image/png`` or ``application/pdf``.
        size: Size in bytes.
        sha256: Hex SHA-256 of the content.
        filename: Original file name as sent by the citizen (sanitised), if any.
        path: Where the bytes are stored.
    """

    id: str
    mime_type: str
    size: int
    sha256: str
    filename: Optional[str]
    path: Path

    def to_metadata(self) -> Dict[str, Any]:
        """Returns the reference handed to Rasa in the user message's metadata."""
        return {
            "id": self.id,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "filename": self.filename,
        }


def detect_mime_type(data: bytes) -> Optional[str]:
    """Returns the MIME type given by the magic bytes, or None when unsupported."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _is_complete(data: bytes, mime_type: str) -> bool:
    """Checks the structure markers of the detected type (catches truncated files)."""
    if mime_type == "image/jpeg":
        return b"\xff\xd9" in data[-1024:]
    if mime_type == "image/png":
        return data[12:16] == b"IHDR" and b"IEND" in data[-64:]
    return b"%%EOF" in data[-2048:]


def sanitize_filename(filename: Optional[str]) -> Optional[str]:
    """Keeps only the base name, without control characters, at most 200 characters."""
    if not filename:
        return None
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:_FILENAME_MAX] or None


def store_document(
    data: bytes,
    filename: Optional[str],
    declared_mime: Optional[str],
    settings: Optional[DocumentSettings] = None,
) -> StoredDocument:
    """Checks and stores a document.

    Args:
        data: The file's bytes.
        filename: Original file name, if the channel knows it.
        declared_mime: MIME type the sender declared (only logged when it differs).
        settings: Store settings; read from the environment when omitted.

    Returns:
        The stored document.

    Raises:
        DocumentRejected: The file is empty, too large, not a JPEG/PNG/PDF or corrupt.
    """
    settings = settings or DocumentSettings.from_env()
    if not data:
        raise DocumentRejected("empty", "The file is empty.")
    if len(data) > settings.max_bytes:
        raise DocumentRejected(
            "too_large",
            f"The file has {len(data)} bytes; the limit is {settings.max_bytes}.",
        )
    mime_type = detect_mime_type(data)
    if mime_type is None:
        raise DocumentRejected(
            "unsupported_type",
            f"Only JPEG, PNG and PDF files are accepted (declared {declared_mime!r}).",
        )
    if not _is_complete(data, mime_type):
        raise DocumentRejected(
            "corrupt", f"The {mime_type} file is truncated or corrupt."
        )
    if declared_mime and declared_mime.split(";")[0].strip().lower() != mime_type:
        logger.info(
            "Declared type %s differs from content %s", declared_mime, mime_type
        )

    sha256 = hashlib.sha256(data).hexdigest()
    path = settings.directory / sha256[:2] / f"{sha256}{MIME_EXTENSIONS[mime_type]}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return StoredDocument(
        id=sha256,
        mime_type=mime_type,
        size=len(data),
        sha256=sha256,
        filename=sanitize_filename(filename),
        path=path,
    )


def document_path(
    document_id: str, settings: Optional[DocumentSettings] = None
) -> Optional[Path]:
    """Returns the stored file of a document id, or None when it is unknown.

    Args:
        document_id: The ``id`` from the document's metadata.
        settings: Store settings; read from the environment when omitted.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", document_id):
        return None
    settings = settings or DocumentSettings.from_env()
    for extension in MIME_EXTENSIONS.values():
        path = settings.directory / document_id[:2] / f"{document_id}{extension}"
        if path.exists():
            return path
    return None
