"""Aadhaar numbers: 12 digits, first digit 2-9, Verhoeff check digit.

An Aadhaar number is personal data: never log it in full, use :func:`mask` instead.
"""

from __future__ import annotations

import re
from typing import Optional

from delhi.digits import DEVANAGARI_DIGITS, last_four

# Verhoeff tables: multiplication in the dihedral group D5, permutation, inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

_SEPARATORS = re.compile(r"[\s\-]")
_AADHAAR = re.compile(r"[2-9]\d{11}")


def verhoeff_valid(digits: str) -> bool:
    """Returns whether a digit string ends with a correct Verhoeff check digit.

    Args:
        digits: ASCII digits only, check digit last.

    Returns:
        True when the checksum is valid.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    check = 0
    for i, char in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(char)]]
    return check == 0


def verhoeff_check_digit(digits: str) -> str:
    """Returns the Verhoeff check digit to append to ``digits``.

    Args:
        digits: ASCII digits without the check digit.

    Returns:
        One digit as a string.
    """
    check = 0
    for i, char in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(char)]]
    return str(_INV[check])


def normalise(text: str) -> Optional[str]:
    """Returns the 12 digits of a valid Aadhaar number, or None.

    Accepts spaces or dashes between digit groups and Devanagari digits.

    Args:
        text: What the citizen typed, e.g. "2345 6789 0124".

    Returns:
        The 12 ASCII digits when the number is well formed and its checksum is valid.
    """
    digits = _SEPARATORS.sub("", text.translate(DEVANAGARI_DIGITS))
    if not _AADHAAR.fullmatch(digits) or not verhoeff_valid(digits):
        return None
    return digits


def is_valid(text: str) -> bool:
    """Returns whether ``text`` is a valid Aadhaar number (see :func:`normalise`)."""
    return normalise(text) is not None


def mask(text: str) -> str:
    """Masks an Aadhaar number for display or logs: ``XXXX XXXX 1234``.

    Args:
        text: An Aadhaar number in any accepted format (or any digit string).

    Returns:
        The masked form; only the last four digits stay visible.
    """
    return "XXXX XXXX " + last_four(text)
