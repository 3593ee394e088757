"""SDM offices of Delhi (``offices.yml``: sample data, said so): nearest first.

Found by a shared location (distance along the earth's surface), a PIN code, a district
or a locality named in the message. Read on first use, never at import time.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from delhi.districts import DISTRICT_IDS

DATA_FILE = Path(__file__).with_name("offices.yml")
EARTH_RADIUS_KM = 6371.0
NEAREST = 3  # offices listed for a location
DELHI_RADIUS_KM = 60  # farther than this from every office: not in Delhi
_NOT_WORD = re.compile(r"[^\w\u0900-\u097F]+")


@dataclass(frozen=True)
class Office:
    """One SDM office: its locality (English, Hindi), district and approximate place."""

    locality: str
    locality_hi: str
    district: str
    latitude: float
    longitude: float
    pincodes: Tuple[str, ...]


@dataclass(frozen=True)
class Offices:
    """The data file: offices and the words the answer is made of (three languages)."""

    offices: Tuple[Office, ...]
    words: Dict[str, Dict[str, str]]
    sample: bool


@functools.lru_cache(maxsize=1)
def offices() -> Offices:
    """Reads and checks ``offices.yml`` (every district known, coordinates in Delhi)."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    found = []
    for entry in raw["offices"]:
        latitude, longitude = (float(v) for v in entry["at"])
        if entry["district"] not in DISTRICT_IDS or not (
            28.3 < latitude < 29.0 and 76.8 < longitude < 77.4
        ):
            raise ValueError(f"{DATA_FILE.name}: bad office {entry['locality']!r}")
        found.append(
            Office(
                entry["locality"],
                entry["hi"],
                entry["district"],
                latitude,
                longitude,
                tuple(str(p) for p in entry.get("pincodes") or ()),
            )
        )
    words = {key: dict(raw[key]) for key in ("hours", "office", "about_km")}
    return Offices(tuple(found), words, bool(raw.get("sample")))


def distance_km(a: Tuple[float, float], b: Tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def nearest(latitude: float, longitude: float) -> List[Tuple[Office, float]]:
    """The NEAREST offices to a point with their distance; none outside Delhi."""
    ranked = sorted(
        (
            (o, distance_km((latitude, longitude), (o.latitude, o.longitude)))
            for o in offices().offices
        ),
        key=lambda pair: pair[1],
    )
    return [pair for pair in ranked[:NEAREST] if pair[1] <= DELHI_RADIUS_KM]


def with_pincode(pincode: str) -> List[Office]:
    """Offices of the locality a PIN code belongs to."""
    return [o for o in offices().offices if pincode in o.pincodes]


def in_district(district_id: str) -> List[Office]:
    """Every office of a district."""
    return [o for o in offices().offices if o.district == district_id]


def named_in(text: str) -> List[Office]:
    """Offices whose locality the message names ("csc in rohini", "रोहिणी में")."""
    folded = " " + " ".join(_NOT_WORD.split(text.casefold())) + " "
    return [
        o
        for o in offices().offices
        if f" {o.locality.casefold()} " in folded or f" {o.locality_hi} " in folded
    ]


def find(
    text: str,
    location: Optional[Tuple[float, float]] = None,
    pincode: Optional[str] = None,
    district: Optional[str] = None,
) -> List[Tuple[Office, Optional[float]]]:
    """Offices for a request: by location, else PIN, else locality named, else district."""
    if location is not None:
        return [(o, km) for o, km in nearest(*location)]
    for found in (
        with_pincode(pincode) if pincode else [],
        named_in(text),
        in_district(district) if district else [],
    ):
        if found:
            return [(o, None) for o in found]
    return []
