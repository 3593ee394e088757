"""Delhi PIN codes: six digits in the range 110001-110097."""

from __future__ import annotations

import re
from typing import Optional

from delhi.digits import DEVANAGARI_DIGITS

FIRST_DELHI_PINCODE = 110001
LAST_DELHI_PINCODE = 110097

_SEPARATORS = re.compile(r"[\s\-]")


def normalise(text: str) -> Optional[str]:
    """Returns the six ASCII digits of a Delhi PIN code, or None.

    Args:
        text: What the citizen typed, e.g. "110001", "110 001", "११०००१".

    Returns:
        The PIN code when it is a Delhi one.
    """
    digits = _SEPARATORS.sub("", text.translate(DEVANAGARI_DIGITS))
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        return None
    if not FIRST_DELHI_PINCODE <= int(digits) <= LAST_DELHI_PINCODE:
        return None
    return digits


def is_delhi_pincode(text: str) -> bool:
    """Returns whether ``text`` is a Delhi PIN code (see :func:`normalise`)."""
    return normalise(text) is not None
