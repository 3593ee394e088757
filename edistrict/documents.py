"""Upload checks: the shared content checks (``filecheck``), then the PDF's pages.

The type is decided by content (magic bytes), never by the file name. Images are decoded
in full under a pixel cap; bytes hidden after the end of a file, executables, archives
and scripts inside, encrypted PDFs and PDFs with active content are refused. Every
refusal is a :class:`DocumentRejected` with a stable code and a 413, 415 or 422 status;
no upload can end in a 500.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader

from filecheck import DEFAULT_MAX_PIXELS, FileRejected, check_file
from filecheck import sniff as _sniff

ALLOWED_TYPES = ("image/jpeg", "image/png", "application/pdf")

logger = logging.getLogger(__name__)


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
    return _sniff(data)


def _count_pages(data: bytes) -> int:
    """Parses the PDF (which ``filecheck`` found safe) and returns its page count."""
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
    except Exception as err:  # noqa: BLE001 - any parser failure is a bad PDF, not a 500
        raise DocumentRejected(
            422,
            "pdf_corrupt",
            f"The PDF is damaged or incomplete and cannot be read ({err}).",
        ) from err
    if pages == 0:
        raise DocumentRejected(422, "pdf_no_pages", "The PDF has no pages.")
    return pages


def check_document(
    data: bytes, max_bytes: int, max_pixels: int = DEFAULT_MAX_PIXELS
) -> CheckedDocument:
    """Checks an upload's size, type (by content) and whole content.

    Args:
        data: File content.
        max_bytes: Size limit.
        max_pixels: Largest accepted image (width x height).

    Returns:
        The detected type and size (and a PDF's page count).

    Raises:
        DocumentRejected: With the reason when any check fails; never anything else.
    """
    try:
        checked = check_file(data, max_bytes, max_pixels)
    except FileRejected as error:
        logger.info("Upload rejected: %s (%s)", error.code, error.message)
        raise DocumentRejected(error.status, error.code, error.message) from error
    if checked.mime_type == "application/pdf":
        return CheckedDocument(
            checked.mime_type, checked.size, pages=_count_pages(data)
        )
    return CheckedDocument(checked.mime_type, checked.size)
