"""Devanagari digits (०-९) as ASCII, shared by every parser of numbers and ids."""

import re

DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_NOT_DIGIT = re.compile(r"\D")


def last_four(text: str) -> str:
    """The last four digits of a number in any script, for a masked display.

    Fewer than four digits are padded with ``X`` on the left: nothing more is revealed.
    """
    digits = _NOT_DIGIT.sub("", text.translate(DEVANAGARI_DIGITS))
    return digits[-4:].rjust(4, "X")
