"""Indian mobile numbers: 10 digits starting 6-9, optional +91 / 91 / 0 prefix."""

from __future__ import annotations

import re
from typing import Optional

from delhi.digits import DEVANAGARI_DIGITS, last_four

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"(?:\+91|0091|91|0)?([6-9]\d{9})")


def normalise(text: str) -> Optional[str]:
    """Returns the number as ``+91XXXXXXXXXX``, or None when it is not a mobile number.

    Args:
        text: What the citizen typed, e.g. "98765 43210", "+91-98765-43210", "09876543210".

    Returns:
        The E.164 form of the number.
    """
    compact = _SEPARATORS.sub("", text.translate(DEVANAGARI_DIGITS))
    match = _MOBILE.fullmatch(compact)
    if not match:
        return None
    return "+91" + match.group(1)


def is_valid(text: str) -> bool:
    """Returns whether ``text`` is an Indian mobile number (see :func:`normalise`)."""
    return normalise(text) is not None


def mask(number: str) -> str:
    """Masks a mobile number for display or logs: ``+91 XXXXXX3210``.

    Args:
        number: A mobile number in any accepted format (or any digit string).

    Returns:
        The masked form; only the last four digits stay visible.
    """
    return "+91 XXXXXX" + last_four(number)
