"""Delhi's 13 revenue districts (December 2025 reorganisation): ids, names, old names.

The facts live in ``districts.yml`` next to this module; it is read on first use, never at
import time. :func:`lookup` maps any known name (English, Hindi, Hinglish, an old district
name or a sub-division) to the district id.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

DATA_FILE = Path(__file__).with_name("districts.yml")

# The 13 ids, in the order of the notification.
DISTRICT_IDS = (
    "south_east",
    "old_delhi",
    "north",
    "new_delhi",
    "central",
    "central_north",
    "south_west",
    "outer_north",
    "north_west",
    "north_east",
    "east",
    "south",
    "west",
)

# The 11 districts before the reorganisation, mapped to the current id.
OLD_DISTRICTS = {
    "central": "central",
    "east": "east",
    "new_delhi": "new_delhi",
    "north": "north",
    "north_east": "north_east",
    "north_west": "north_west",
    "shahdara": "north_east",
    "south": "south",
    "south_east": "south_east",
    "south_west": "south_west",
    "west": "west",
}

_NUKTA = "\u093c"
_CHANDRABINDU = "\u0901"
_ANUSVARA = "\u0902"


@dataclass(frozen=True)
class District:
    """One revenue district."""

    id: str
    names: Dict[str, Tuple[str, ...]]
    old_names: Tuple[str, ...]
    sub_divisions: Tuple[str, ...]

    def all_names(self) -> List[str]:
        """Every name this district is known by (names, old names, sub-divisions)."""
        result = [name for names in self.names.values() for name in names]
        return result + list(self.old_names) + list(self.sub_divisions)


def name_key(text: str) -> str:
    """Returns the form names are compared in: NFC, lowercase, no nukta, single spaces.

    Args:
        text: A district name as written or typed.

    Returns:
        The comparison key ("North-East" and "north east" give the same key).
    """
    text = unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFD", text).replace(_NUKTA, "")
    text = unicodedata.normalize("NFC", text).replace(_CHANDRABINDU, _ANUSVARA)
    text = re.sub(r"[\s\-_]+", " ", text.lower())
    return text.strip()


@functools.lru_cache(maxsize=1)
def districts() -> Tuple[District, ...]:
    """Returns the 13 districts (read from ``districts.yml`` on first call)."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["districts"]
    return tuple(
        District(
            id=district_id,
            names={lang: tuple(names) for lang, names in entry["names"].items()},
            old_names=tuple(entry.get("old_names") or ()),
            sub_divisions=tuple(entry.get("sub_divisions") or ()),
        )
        for district_id, entry in raw.items()
    )


@functools.lru_cache(maxsize=1)
def name_index() -> Dict[str, str]:
    """Returns a map from every name key (see :func:`name_key`) to its district id."""
    index: Dict[str, str] = {}
    for district in districts():
        for name in district.all_names():
            index.setdefault(name_key(name), district.id)
            compact = name_key(name).replace(" ", "")
            index.setdefault(compact, district.id)
    return index


def lookup(name: str, fuzzy: bool = False) -> Optional[str]:
    """Returns the district id for a name in any language, old name or sub-division.

    Args:
        name: For example "South East", "दक्षिण पूर्व", "dakshin purv", "Shahdara".
        fuzzy: Also accept one slip of the keyboard ("nort west"): for answers to
            "which district?", not for finding districts in free text.

    Returns:
        The district id (e.g. ``south_east``), or None for an unknown name.
    """
    key = name_key(name)
    key = re.sub(r"\s+(?:district|jila|zila|जिला|ज़िला)$", "", key)
    key = re.sub(r"^(?:district|jila|zila|जिला|ज़िला)\s+", "", key)
    found = name_index().get(key) or name_index().get(key.replace(" ", ""))
    if found is None and re.search(r"[\u0900-\u097F]", key):
        # "साउथ वेस्ट": English names written in Devanagari.
        roman = " ".join(_LOANWORDS.get(word, word) for word in key.split())
        found = name_index().get(roman) if roman != key else None
    if found is None and fuzzy and len(key) >= 6:
        # "nort west", "dakshin purb": one slip of the keyboard.
        close = difflib.get_close_matches(key, list(name_index()), n=2, cutoff=0.88)
        found = name_index()[close[0]] if close else None
    return found


# English direction words as citizens write them in Devanagari.
_LOANWORDS = {
    "साउथ": "south",
    "नॉर्थ": "north",
    "नार्थ": "north",
    "ईस्ट": "east",
    "वेस्ट": "west",
    "सेंट्रल": "central",
    "सेन्ट्रल": "central",
    "ओल्ड": "old",
    "आउटर": "outer",
    "न्यू": "new",
    "डेल्ही": "delhi",
    "दिल्ली": "delhi",
}


def is_district_id(value: str) -> bool:
    """Returns whether ``value`` is one of the 13 current district ids."""
    return value in DISTRICT_IDS
