"""Cross-checks between what a document shows and what the citizen wrote in the form.

Each check answers ``matched``, ``mismatch`` (with what was read), or ``not_found``.
Names: in the same script the spelling must be the same ("Sunil Kumaar" against a card
that says "SUNIL KUMAR" is a mismatch the officer would reject); across scripts (a Hindi
line against a name typed in English) they are compared by sound, through
indic-transliteration and a few spelling rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from indic_transliteration import sanscript
from rapidfuzz import fuzz

MATCHED, MISMATCH, NOT_FOUND = "matched", "mismatch", "not_found"
SAME_SCRIPT_CLOSE = 80  # a line this close (0-100) is the name, maybe misspelt
CROSS_SCRIPT_SAME = 90  # by sound: the same name
CROSS_SCRIPT_CLOSE = 75  # by sound: the name, spelt differently

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_NOT_NAME = re.compile(r"[^\w\u0900-\u097F ]+")
_SOUND_RULES = (
    ("aa", "a"),
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("uu", "u"),
    ("w", "v"),
    ("ph", "f"),
    ("z", "j"),
    ("q", "k"),
    ("ck", "k"),
    ("sh", "s"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("kh", "k"),
    ("gh", "g"),
    ("y", "i"),
    ("ou", "au"),
)


@dataclass(frozen=True)
class Check:
    """One cross-check: which answer, the outcome and what the document says."""

    field: str
    status: str
    read: str | None = None
    score: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "status": self.status,
            "read": self.read,
            "score": self.score,
        }


def is_devanagari(text: str) -> bool:
    """True when the text has Devanagari letters."""
    return bool(_DEVANAGARI.search(text))


def _clean(text: str) -> str:
    return " ".join(_NOT_NAME.sub(" ", text).split())


def sound(name: str) -> str:
    """A spelling-free key of a name in either script: "सुनील कुमार" == "Suneel Kumaar"."""
    if is_devanagari(name):
        itrans = sanscript.transliterate(
            _clean(name), sanscript.DEVANAGARI, sanscript.ITRANS
        )
        # Drop the inherent vowel at the end of a word (सुनील: sunIla -> sunIl).
        name = " ".join(
            re.sub(r"(?<=[^aeiouAEIOU])a$", "", word) for word in itrans.split()
        )
        name = name.replace("M", "n").replace(".N", "n").replace("~N", "n")
    key = _clean(name).casefold()
    for spelt, said in _SOUND_RULES:
        key = key.replace(spelt, said)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled letters: "Kumarr", "Sonu" vs "Sonnu"
    return re.sub(r"[^a-z ]", "", key)


def _windows(lines: list[str], size: int) -> list[str]:
    spans = []
    for line in lines:
        words = _clean(line).split()
        for width in {max(1, size - 1), size, size + 1}:
            spans += [
                " ".join(words[i : i + width]) for i in range(len(words) - width + 1)
            ]
    return spans


def check_name(lines: list[str], expected: str) -> Check:
    """Finds the citizen's name among the document's lines."""
    name = _clean(expected)
    if not name:
        return Check("name", NOT_FOUND)
    size = len(name.split())
    windows = _windows(lines, size)
    native = is_devanagari(name)
    same = [w for w in windows if is_devanagari(w) == native]
    other = [w for w in windows if is_devanagari(w) != native]
    scored = [(fuzz.ratio(w.casefold(), name.casefold()), w) for w in same]
    if scored:
        score, best = max(scored)
        if score == 100:
            return Check("name", MATCHED, best, 100.0)
        if score >= SAME_SCRIPT_CLOSE:
            return Check("name", MISMATCH, best, round(score, 1))
    key = sound(name)
    by_sound = [(fuzz.ratio(sound(w), key), w) for w in other]
    if by_sound:
        score, best = max(by_sound)
        if score >= CROSS_SCRIPT_SAME:
            return Check("name", MATCHED, best, round(score, 1))
        if score >= CROSS_SCRIPT_CLOSE:
            return Check("name", MISMATCH, best, round(score, 1))
    return Check("name", NOT_FOUND)


_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_BIRTH_LABEL = re.compile(
    r"(date of birth|d\.?o\.?b|birth|जन्म|जन्मतिथि|year of birth)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _dates(line: str) -> list[date]:
    found = []
    for day, month, year in _DATE.findall(line):
        try:
            found.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    for year, month, day in _ISO_DATE.findall(line):
        try:
            found.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def check_date_of_birth(lines: list[str], expected: str) -> Check:
    """The date of birth (ISO) among the dates printed; only a labelled one can differ."""
    try:
        wanted = date.fromisoformat(expected)
    except ValueError:
        return Check("date_of_birth", NOT_FOUND)
    labelled: list[str] = []
    for line in lines:
        dates = _dates(line)
        if wanted in dates:
            return Check("date_of_birth", MATCHED, wanted.strftime("%d/%m/%Y"))
        if _BIRTH_LABEL.search(line):
            if dates:
                labelled.append(dates[0].strftime("%d/%m/%Y"))
            elif "year" in line.casefold() and (year := _YEAR.search(line)):
                if int(year.group(1)) == wanted.year:
                    return Check("date_of_birth", MATCHED, year.group(1))
                labelled.append(year.group(1))
    if labelled:
        return Check("date_of_birth", MISMATCH, labelled[0])
    return Check("date_of_birth", NOT_FOUND)


_AADHAAR = re.compile(
    r"(?<![\dXx])(?<![\dXx] )(?:\d{4}|[Xx]{4}) ?(?:\d{4}|[Xx]{4}) ?(\d{4})(?! ?\d)"
)


def check_aadhaar_last4(text: str, expected: str) -> Check:
    """The Aadhaar number's last four digits; what was read is shown masked."""
    found = _AADHAAR.findall(text)
    if expected in found:
        return Check("aadhaar_last4", MATCHED, f"XXXX XXXX {expected}")
    if found:
        return Check("aadhaar_last4", MISMATCH, f"XXXX XXXX {found[0]}")
    return Check("aadhaar_last4", NOT_FOUND)


_PIN = re.compile(r"(?<![\d-])([1-8]\d{2}) ?(\d{3})(?![\d-])")


def check_pincode(text: str, expected: str) -> Check:
    """The address PIN among the six-digit numbers printed."""
    found = ["".join(parts) for parts in _PIN.findall(text)]
    if expected in found:
        return Check("pincode", MATCHED, expected)
    if found:
        return Check("pincode", MISMATCH, found[-1])
    return Check("pincode", NOT_FOUND)
