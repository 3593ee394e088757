"""Upload checks: the type is decided by content (magic bytes), never by the file name."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

ALLOWED_TYPES = ("image/jpeg", "image/png", "application/pdf")


class DocumentRejected(ValueError):
    """The upload is not an acceptable document.

    Attributes:
        status_code: HTTP status to answer with (413 too large, 415 wrong type, 422 bad).
        code: Stable machine-readable reason.
        message: Human-readable reason.
    """

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed every check."""

    mime_type: str
    size_bytes: int
    pages: int | None = None


def sniff(data: bytes) -> str | None:
    """Detects JPEG, PNG or PDF from the first bytes.

    Args:
        data: File content.

    Returns:
        The MIME type, or None for anything else.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:1024].lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _check_pdf(data: bytes) -> int:
    try:
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRejected(
                422,
                "pdf_encrypted",
                "The PDF is password-protected or encrypted; upload it without a password.",
            )
        pages = len(reader.pages)
        if pages:
            reader.pages[0].extract_text()
    except DocumentRejected:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
    ) as err:
        raise DocumentRejected(
            422,
            "pdf_corrupt",
            f"The PDF is damaged or incomplete and cannot be read ({err}).",
        ) from err
    if not data.rstrip().endswith(b"%%EOF") and b"%%EOF" not in data[-2048:]:
        raise DocumentRejected(
            422,
            "pdf_corrupt",
            "The PDF is incomplete (truncated): it has no end marker.",
        )
    if pages == 0:
        raise DocumentRejected(422, "pdf_no_pages", "The PDF has no pages.")
    return pages


def _check_image(data: bytes, mime_type: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.width < 1 or image.height < 1:
                raise ValueError("empty image")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        kind = "JPEG" if mime_type == "image/jpeg" else "PNG"
        raise DocumentRejected(
            422,
            "image_corrupt",
            f"The {kind} image is damaged or incomplete and cannot be decoded.",
        ) from err


def check_document(data: bytes, max_bytes: int) -> CheckedDocument:
    """Checks an upload's size, type (by content) and integrity.

    Args:
        data: File content.
        max_bytes: Size limit.

    Returns:
        The detected type and size.

    Raises:
        DocumentRejected: With the reason when any check fails.
    """
    if not data:
        raise DocumentRejected(422, "empty_file", "The file is empty.")
    if len(data) > max_bytes:
        raise DocumentRejected(
            413,
            "file_too_large",
            f"The file is {len(data)} bytes; the limit is {max_bytes} bytes "
            f"({max_bytes / 1024 / 1024:.1f} MB).",
        )
    mime_type = sniff(data)
    if mime_type is None:
        raise DocumentRejected(
            415,
            "unsupported_type",
            "Only JPEG, PNG and PDF files are accepted (the content is none of these, "
            "whatever the file name says).",
        )
    if mime_type == "application/pdf":
        return CheckedDocument(mime_type, len(data), pages=_check_pdf(data))
    _check_image(data, mime_type)
    return CheckedDocument(mime_type, len(data))
