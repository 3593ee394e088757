"""Application ids issued by the e-District gateway: ``DL-XXX-YYYY-NNNNNN``.

``XXX`` is the three-letter service code, ``YYYY`` the year, ``NNNNNN`` a serial number.
Citizens type them loosely ("dl bir 2026 000123", "DL/BIR/2026/000123"); :func:`normalise`
returns the canonical form.
"""

from __future__ import annotations

import re
from typing import Optional

from delhi.digits import DEVANAGARI_DIGITS

PATTERN = re.compile(
    r"(?<![A-Za-z0-9])dl[\s\-_/.]*([a-z]{3})[\s\-_/.]*(\d{4})[\s\-_/.]*(\d{6})(?!\d)",
    re.IGNORECASE,
)
FIRST_YEAR = 2000
LAST_YEAR = 2099


def normalise(text: str) -> Optional[str]:
    """Returns the canonical application id, or None.

    Args:
        text: The id as typed, e.g. "dl-bir-2026-000123".

    Returns:
        The id in the form ``DL-BIR-2026-000123``.
    """
    match = PATTERN.fullmatch(text.strip().translate(DEVANAGARI_DIGITS))
    if not match:
        return None
    return canonical(match)


def canonical(match: re.Match[str]) -> Optional[str]:
    """Builds the canonical id from a :data:`PATTERN` match (None for an invalid year)."""
    code, year, serial = match.group(1), match.group(2), match.group(3)
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        return None
    return f"DL-{code.upper()}-{year}-{serial}"


def is_valid(text: str) -> bool:
    """Returns whether ``text`` is an application id (see :func:`normalise`)."""
    return normalise(text) is not None
