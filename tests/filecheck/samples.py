"""Files the tests build themselves: valid ones, bombs, polyglots, active PDFs."""

from __future__ import annotations

import io
import struct
import zlib
from typing import List

from PIL import Image


def jpeg(size=(40, 30), colour=(200, 100, 50), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def png(size=(40, 30), colour=(20, 100, 250)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(side: int = 20_000) -> bytes:
    """A valid black-and-white PNG of side x side pixels, about 50 KB on disk."""
    row = bytes(1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    block = compressor.compress(row * 1000)
    idat = block * (side // 1000 - 1) + compressor.compress(row * 1000)
    idat += compressor.compress(row * (side % 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose header claims width x height pixels."""
    data = jpeg((8, 8))
    frame = data.find(b"\xff\xc0")
    return data[: frame + 5] + struct.pack(">HH", height, width) + data[frame + 9 :]


def windows_exe() -> bytes:
    """The start of a Windows executable (MZ header pointing at a PE header)."""
    dos = b"MZ" + bytes(58) + struct.pack("<I", 0x80)
    return dos + bytes(0x80 - len(dos)) + b"PE\x00\x00" + bytes(200)


def zip_archive() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.js", "WScript.Echo('hi')")
    return buffer.getvalue()


def pdf(*objects: bytes, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A hand-written PDF with the given objects (numbered from 1) and an xref."""
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets: List[int] = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d " % (len(objects) + 1) + trailer + b" >>\n"
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def plain_pdf() -> bytes:
    return pdf(CATALOG, PAGES, PAGE)


def pdf_with_catalog(catalog: bytes, *extra: bytes) -> bytes:
    return pdf(catalog, PAGES, PAGE, *extra)


def object_stream(*bodies: bytes) -> bytes:
    """An object stream (/ObjStm, Flate) holding objects 10, 11 ... with ``bodies``."""
    header = b""
    payload = b""
    for index, body in enumerate(bodies):
        header += b"%d %d " % (10 + index, len(payload))
        payload += body + b"\n"
    data = zlib.compress(header + payload)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        % (len(bodies), len(header), len(data))
        + b"stream\n"
        + data
        + b"\nendstream"
    )


JAVASCRIPT_PDF = pdf_with_catalog(
    b"<< /Type /Catalog /Pages 2 0 R "
    b"/OpenAction << /S /JavaScript /JS (app.alert('hi')) >> >>"
)
