"""Picking the citizen's language out of the catalog's three-language texts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

FALLBACK_LANGUAGE = "en"
TITLES_FILE = Path(__file__).parent / "data" / "intent_titles.yml"


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


@lru_cache(maxsize=1)
def intent_titles() -> Dict[str, Dict[str, str]]:
    """Button titles per intent and language (``actions/data/intent_titles.yml``)."""
    return dict(yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8")))
