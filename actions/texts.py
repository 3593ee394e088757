"""Picking the citizen's language out of the catalog's three-language texts."""

from __future__ import annotations

from typing import Mapping, Optional

FALLBACK_LANGUAGE = "en"


def localize(texts: Optional[Mapping[str, str]], language: Optional[str]) -> str:
    """Returns the text for ``language`` (en, hi, hinglish), falling back to English.

    Args:
        texts: A catalog text mapping such as ``{"en": ..., "hi": ..., "hinglish": ...}``.
        language: The ``language`` slot value.

    Returns:
        The text, or an empty string when there is none.
    """
    if not texts:
        return ""
    return (
        texts.get(language or FALLBACK_LANGUAGE) or texts.get(FALLBACK_LANGUAGE) or ""
    )
