"""Which kind of document a text looks like, and what each catalog document type may be.

The data is ``catalog/document_kinds.yml`` (kept with the catalog, in three languages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KINDS_FILE = Path(__file__).resolve().parents[2] / "catalog" / "document_kinds.yml"
PHOTO = "photo"  # a picture of a person: a document with (almost) no text
PHOTO_MAX_WORDS = 3  # a photo of a person reads as a stray word or two at most
MIN_SCORE = 2  # distinct word hits (a number pattern counts 2) to name a kind
CHECKS = ("name", "date_of_birth", "aadhaar_last4", "pincode")


@dataclass(frozen=True)
class Kind:
    """One kind of document the pre-check can recognise."""

    id: str
    names: dict[str, str]
    words: tuple[str, ...]
    numbers: tuple[re.Pattern[str], ...]
    shows: tuple[str, ...]


@dataclass(frozen=True)
class Expectation:
    """What a catalog document type may be, and which answers it is checked against."""

    kinds: tuple[str, ...]
    checks: tuple[str, ...]


@dataclass(frozen=True)
class KindBook:
    """The whole data file, read once."""

    kinds: dict[str, Kind]
    documents: dict[str, Expectation]

    def expectation(self, document_type: str) -> Expectation | None:
        return self.documents.get(document_type)


def _kind(kind_id: str, raw: dict[str, Any]) -> Kind:
    return Kind(
        kind_id,
        dict(raw["names"]),
        tuple(str(word).casefold() for word in raw.get("words") or ()),
        tuple(re.compile(pattern) for pattern in raw.get("numbers") or ()),
        tuple(raw.get("shows") or ()),
    )


@lru_cache(maxsize=1)
def kind_book(path: Path = KINDS_FILE) -> KindBook:
    """Reads and checks the data file (every kind named exists, every check is known)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {kind_id: _kind(kind_id, entry) for kind_id, entry in raw["kinds"].items()}
    documents = {}
    for document_type, entry in raw["documents"].items():
        unknown = set(entry["kinds"]) - set(kinds)
        bad_checks = set(entry.get("checks") or ()) - set(CHECKS)
        if unknown or bad_checks:
            raise ValueError(
                f"{path.name}: documents.{document_type} names unknown kinds "
                f"{sorted(unknown)} or checks {sorted(bad_checks)}"
            )
        documents[document_type] = Expectation(
            tuple(entry["kinds"]), tuple(entry.get("checks") or ())
        )
    for kind in kinds.values():
        if set(kind.shows) - set(CHECKS):
            raise ValueError(f"{path.name}: kinds.{kind.id}.shows has unknown checks")
    return KindBook(kinds, documents)


def _score(kind: Kind, folded: str, text: str) -> int:
    hits = sum(1 for word in kind.words if _contains(folded, word))
    return hits + 2 * sum(1 for pattern in kind.numbers if pattern.search(text))


def _contains(folded: str, word: str) -> bool:
    if word.isascii():  # whole words only: "bank" is not in "bankruptcy"
        return (
            re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", folded)
            is not None
        )
    return word in folded


def classify(text: str, words: int, book: KindBook | None = None) -> str | None:
    """The kind the text looks like; ``photo`` for (almost) no text; None when unsure."""
    book = book or kind_book()
    folded = text.casefold()
    scores = {
        kind.id: _score(kind, folded, text)
        for kind in book.kinds.values()
        if kind.id != PHOTO
    }
    best = max(scores, key=lambda kind_id: scores[kind_id], default=None)
    if best is not None and scores[best] >= MIN_SCORE:
        return best
    if words <= PHOTO_MAX_WORDS:
        return PHOTO
    return None
