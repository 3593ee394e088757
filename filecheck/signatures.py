"""Signatures of things that must never hide inside a photo or a PDF.

Binary signatures (Windows PE, ELF, ZIP) are searched in the whole file, each confirmed by
its header fields so that random compressed data does not match by chance. Script
markers are searched in the whole file when they are long enough to be unambiguous, and
the short ones only in metadata and trailing bytes (see :func:`find_script`).
"""

from __future__ import annotations

import re
import struct
from typing import Optional

_MZ = re.compile(rb"MZ", re.DOTALL)
_ELF = re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01", re.DOTALL)
_ZIP_LOCAL = re.compile(rb"PK\x03\x04", re.DOTALL)
_ZIP_METHODS = frozenset({0, 8, 9, 12, 14, 93, 95, 98})
# Long enough to be unambiguous anywhere (even in compressed data).
_LONG_SCRIPTS = re.compile(rb"<script[\s>/]|<\?php[\s]", re.IGNORECASE)
# Short or common markers: only in metadata and trailing bytes.
_SHORT_SCRIPTS = re.compile(
    rb"<script|<\?php|<\?=|<%[@=\s]|#!\s*/|<html|<iframe|<svg|javascript:|vbscript:"
    rb"|powershell|cmd\.exe",
    re.IGNORECASE,
)


def _pe_at(data: bytes, start: int) -> bool:
    header = data[start + 0x3C : start + 0x40]
    if len(header) < 4:
        return False
    (offset,) = struct.unpack("<I", header)
    if offset < 0x40 or offset > 0x10000:
        return False
    return data[start + offset : start + offset + 4] == b"PE\x00\x00"


def _zip_at(data: bytes, start: int) -> bool:
    header = data[start : start + 30]
    if len(header) < 30:
        return False
    version, _flags, method = struct.unpack("<HHH", header[4:10])
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    if version > 63 or method not in _ZIP_METHODS or not 0 < name_length <= 1024:
        return False
    name = data[start + 30 : start + 30 + name_length]
    return len(name) == name_length and all(32 <= b < 127 for b in name)


def find_executable(data: bytes) -> Optional[str]:
    """Names the first executable or archive found anywhere in ``data``, or None.

    Args:
        data: The whole file.

    Returns:
        ``"Windows executable"``, ``"ELF executable"``, ``"ZIP archive"`` or
        ``"script"``; None when nothing is found.
    """
    for match in _MZ.finditer(data):
        if _pe_at(data, match.start()):
            return "Windows executable"
    if _ELF.search(data):
        return "ELF executable"
    for match in _ZIP_LOCAL.finditer(data):
        if _zip_at(data, match.start()):
            return "ZIP archive"
    if _LONG_SCRIPTS.search(data):
        return "script"
    return None


def find_script(data: bytes) -> bool:
    """True when metadata or trailing bytes contain a script or markup marker."""
    return bool(_SHORT_SCRIPTS.search(data))
