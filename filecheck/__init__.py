"""Content checks of citizens' uploads, shared by the channels and the e-District gateway.

Standard library and Pillow only (no Rasa, no PDF library), so both environments import
it. :func:`check_file` decides the type by magic bytes (JPEG, PNG, PDF only) and rejects,
with a :class:`FileRejected` carrying a stable ``code``:

- ``empty_file``, ``file_too_large`` (413), ``unsupported_type`` (415);
- ``image_corrupt`` (truncated or undecodable: every pixel is decoded),
  ``image_too_large`` (413: more than ``max_pixels``, read from the header before
  decoding; Pillow's decompression-bomb error and warning end the same way);
- ``trailing_data`` (bytes after JPEG ``EOI``, PNG ``IEND`` or the last ``%%EOF``),
  ``embedded_executable`` (a Windows/ELF executable, ZIP archive or script inside);
- ``pdf_corrupt``, ``pdf_encrypted``, ``pdf_active_content`` (``/JavaScript``, ``/JS``,
  ``/Launch``, ``/EmbeddedFile(s)``, ``/RichMedia``, ``/XFA``, ``/AA``, an
  ``/OpenAction`` that is more than a destination ...), ``pdf_unscannable``;
- ``unreadable`` for anything unexpected: a check never raises anything else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from filecheck.errors import STATUS, FileRejected
from filecheck.images import check_image
from filecheck.pdf import check_pdf
from filecheck.signatures import find_executable

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "STATUS",
    "CheckedFile",
    "FileRejected",
    "check_file",
    "sniff",
]

DEFAULT_MAX_PIXELS = 40_000_000
_PDF_LEADING = b"\x00\t\n\r\x0c "

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check.

    Attributes:
        mime_type: ``image/jpeg``, ``image/png`` or ``application/pdf``.
        size: Bytes.
        width: Pixels (images only, else 0).
        height: Pixels (images only, else 0).
    """

    mime_type: str
    size: int
    width: int = 0
    height: int = 0


def sniff(data: bytes) -> Optional[str]:
    """The type given by the magic bytes: JPEG, PNG, PDF, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:1024].lstrip(_PDF_LEADING).startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_file(
    data: bytes,
    max_bytes: Optional[int] = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> CheckedFile:
    """Checks an upload's size, type and whole content.

    Args:
        data: The file's bytes.
        max_bytes: Size limit, if any.
        max_pixels: Largest accepted width x height of an image.

    Returns:
        The detected type and size (and an image's dimensions).

    Raises:
        FileRejected: With a stable code; never any other exception.
    """
    try:
        return _check(data, max_bytes, max_pixels)
    except FileRejected:
        raise
    except Exception as error:  # noqa: BLE001 - a check must never crash its caller
        logger.exception("File check failed unexpectedly")
        raise FileRejected(
            "unreadable", f"The file cannot be checked ({type(error).__name__})."
        ) from error


def _check(data: bytes, max_bytes: Optional[int], max_pixels: int) -> CheckedFile:
    if not data:
        raise FileRejected("empty_file", "The file is empty.")
    if max_bytes is not None and len(data) > max_bytes:
        raise FileRejected(
            "file_too_large",
            f"The file is {len(data)} bytes; the limit is {max_bytes} bytes "
            f"({max_bytes / 1024 / 1024:.1f} MB).",
        )
    mime_type = sniff(data)
    if mime_type is None:
        raise FileRejected(
            "unsupported_type",
            "Only JPEG, PNG and PDF files are accepted (the content is none of these, "
            "whatever the file name says).",
        )
    hidden = find_executable(data)
    if hidden:
        raise FileRejected(
            "embedded_executable",
            f"The file contains a hidden {hidden}; it is not accepted.",
        )
    if mime_type == "application/pdf":
        check_pdf(data)
        return CheckedFile(mime_type, len(data))
    width, height = check_image(data, mime_type, max_pixels)
    return CheckedFile(mime_type, len(data), width, height)
