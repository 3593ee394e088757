"""Masking of personal data shown to anonymous visitors (the public verifier)."""

from __future__ import annotations

MASK = "****"


def mask_name(name: str | None) -> str:
    """Keeps the first character of each word and hides the rest.

    The number of asterisks is fixed, so the mask does not reveal word lengths:
    ``"Sunil Kumar"`` -> ``"S**** K****"``, ``"सीता देवी"`` -> ``"स**** द****"``.

    Args:
        name: The holder's name (any script), or None.

    Returns:
        The masked name; ``"-"`` when there is none.
    """
    words = (name or "").split()
    if not words:
        return "-"
    return " ".join(word[0] + MASK for word in words)
