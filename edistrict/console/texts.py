"""The console's words (``texts.yml``) in English and Hindi, and the officers' reasons.

The reasons an officer picks reach the citizen in the citizen's language.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yml")
UI_LANGUAGES = ("en", "hi")


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def ui(language: str) -> dict[str, str]:
    """Every console word in ``language`` (en or hi)."""
    language = language if language in UI_LANGUAGES else "en"
    return {key: words[language] for key, words in _texts()["ui"].items()}


def reasons(kind: str) -> dict[str, dict[str, str]]:
    """Reason code -> its text per language, for ``request`` or ``reject``."""
    return dict(_texts()["reasons"][kind])


def reason_for_citizen(kind: str, code: str, citizen_language: str, note: str) -> str:
    """The reason as the citizen reads it: the reason in their language, then the note."""
    texts = reasons(kind)[code]
    sentence = texts.get(citizen_language) or texts["en"]
    note = " ".join(note.split())
    reason = f"{sentence} {note}" if note else sentence
    return reason.rstrip(" .।")  # the chat's sentence around it ends it
