"""JPEG and PNG: structure walked by hand, then a full decode by Pillow under a pixel cap.

The walk finds where the image really ends (JPEG ``EOI`` after the last scan, PNG ``IEND``
chunk) so bytes appended after it (a ZIP, a script, a second file) are caught, and
collects the metadata segments (JPEG APPn/COM, PNG text chunks) to search for scripts.
The size in pixels is read from the header and checked before anything is decoded.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import List, Tuple

from PIL import Image, UnidentifiedImageError

from filecheck.errors import FileRejected
from filecheck.signatures import find_script

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRAILING_SLACK = 32  # bytes of non-padding tolerated after the end of an image or PDF
_PADDING = b"\x00\t\n\r\x0c \xff"
_MAX_SECONDARY_IMAGES = 4  # MPF / Ultra HDR gain maps after the primary JPEG
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_INFLATE_LIMIT = 1024 * 1024


@dataclass
class Structure:
    """What the walk found: where the image ends and its metadata."""

    end: int
    metadata: List[bytes] = field(default_factory=list)
    size: Tuple[int, int] = (0, 0)
    multi_picture: bool = False


def _corrupt(kind: str, detail: str) -> FileRejected:
    return FileRejected(
        "image_corrupt",
        f"The {kind} image is damaged or incomplete and cannot be decoded ({detail}).",
    )


def walk_jpeg(data: bytes, start: int = 0) -> Structure:
    """Walks the JPEG markers from ``SOI`` at ``start`` to ``EOI``.

    Raises:
        FileRejected: ``image_corrupt`` for a broken or truncated stream.
    """
    if data[start : start + 2] != b"\xff\xd8":
        raise _corrupt("JPEG", "no start marker")
    found = Structure(end=0)
    position, length = start + 2, len(data)
    while position < length:
        if data[position] != 0xFF:
            raise _corrupt("JPEG", f"no marker at byte {position}")
        while position < length and data[position] == 0xFF:
            position += 1
        if position >= length:
            break
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            found.end = position
            return found
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if marker in (0x00, 0xD8):
            raise _corrupt("JPEG", "unexpected marker")
        if position + 2 > length:
            break
        (size,) = struct.unpack(">H", data[position : position + 2])
        if size < 2 or position + size > length:
            break
        segment = data[position + 2 : position + size]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            found.metadata.append(segment)
            if marker == 0xE2 and segment.startswith(b"MPF\x00"):
                found.multi_picture = True
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB):
            if len(segment) >= 5:
                height, width = struct.unpack(">HH", segment[1:5])
                found.size = (width, height)
        position += size
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= length:
                    raise _corrupt("JPEG", "truncated: no end marker")
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                elif following == 0xFF:
                    position += 1
                else:
                    break
    raise _corrupt("JPEG", "truncated: no end marker")


def walk_png(data: bytes) -> Structure:
    """Walks the PNG chunks up to and including ``IEND``.

    Raises:
        FileRejected: ``image_corrupt`` for a broken or truncated file.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise _corrupt("PNG", "no signature")
    found = Structure(end=0)
    position, length = len(PNG_SIGNATURE), len(data)
    first = True
    while position + 12 <= length:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if size > 0x7FFFFFFF or position + 12 + size > length:
            break
        body = data[position + 8 : position + 8 + size]
        if first:
            if kind != b"IHDR" or size != 13:
                raise _corrupt("PNG", "the header chunk is missing")
            found.size = struct.unpack(">II", body[:8])
            first = False
        if kind in _TEXT_CHUNKS:
            found.metadata.append(body)
            if kind == b"zTXt":
                found.metadata.append(_inflate_text(body.partition(b"\x00")[2][1:]))
        position += 12 + size
        if kind == b"IEND":
            found.end = position
            return found
    raise _corrupt("PNG", "truncated: no end chunk")


def _inflate_text(compressed: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(compressed, _INFLATE_LIMIT)
    except zlib.error:
        return b""


def check_trailing(data: bytes, end: int, what: str) -> None:
    """Rejects significant bytes after ``end`` (padding and a small slack are fine).

    Raises:
        FileRejected: ``trailing_data``.
    """
    rest = data[end:].strip(_PADDING)
    if len(rest) > TRAILING_SLACK:
        raise FileRejected(
            "trailing_data",
            f"{len(data) - end} bytes follow the end of the {what}: the file hides "
            "something else. Save the document again and re-send it.",
        )
    if rest and find_script(rest):
        raise FileRejected(
            "embedded_executable", f"A script follows the end of the {what}."
        )


def _check_metadata(found: Structure, kind: str) -> None:
    for segment in found.metadata:
        if find_script(segment):
            raise FileRejected(
                "embedded_executable",
                f"The {kind} image's metadata contains a script or web page.",
            )


def _check_pixels(size: Tuple[int, int], kind: str, max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise _corrupt(kind, "no size in the header")
    if width * height > max_pixels:
        raise FileRejected(
            "image_too_large",
            f"The {kind} image is {width}x{height} pixels; at most "
            f"{max_pixels / 1_000_000:g} megapixels are accepted.",
        )


def check_image(data: bytes, mime_type: str, max_pixels: int) -> Tuple[int, int]:
    """Checks a JPEG or PNG fully and returns its width and height.

    Args:
        data: The whole file.
        mime_type: ``image/jpeg`` or ``image/png`` (from the magic bytes).
        max_pixels: Largest accepted width x height.

    Raises:
        FileRejected: ``image_corrupt``, ``image_too_large``, ``trailing_data`` or
            ``embedded_executable``.
    """
    kind, pillow_format = (
        ("JPEG", "JPEG") if mime_type == "image/jpeg" else ("PNG", "PNG")
    )
    found = walk_jpeg(data) if kind == "JPEG" else walk_png(data)
    _check_metadata(found, kind)
    end = found.end
    if found.multi_picture:  # secondary pictures (gain map, depth map) follow the first
        for _ in range(_MAX_SECONDARY_IMAGES):
            rest = data[end:]
            offset = end + len(rest) - len(rest.lstrip(b"\x00"))
            if data[offset : offset + 3] != b"\xff\xd8\xff":
                break
            secondary = walk_jpeg(data, offset)
            _check_metadata(secondary, kind)
            end = secondary.end
    check_trailing(data, end, f"{kind} image")
    if found.size != (0, 0):
        _check_pixels(found.size, kind, max_pixels)
    _decode(data, kind, pillow_format, max_pixels)
    return found.size


def _decode(data: bytes, kind: str, pillow_format: str, max_pixels: int) -> None:
    """Opens the header (pixel cap), verifies, then decodes every pixel."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                _check_pixels(image.size, kind, max_pixels)
                image.verify()
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise FileRejected(
            "image_too_large",
            f"The {kind} image has too many pixels to be decoded safely ({error}).",
        ) from error
    except FileRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        struct.error,
        IndexError,
        zlib.error,
    ) as error:
        raise _corrupt(kind, type(error).__name__) from error
