"""Document pre-check: is an upload readable, the right kind, and in line with the form.

It advises; the officer decides. :func:`precheck` returns a plain dict stored with the
upload (sealed, it holds what was read) and shown to the officer and, in words, to the
citizen. Verdicts:

- ``ok``: readable, the expected kind (when it could tell), nothing disagrees;
- ``advice``: the citizen should look again: another kind of document, or a name, date of
  birth, Aadhaar number or PIN that differs from the form (what was read is given);
- ``unreadable``: blank, too dark, blurred, too small, or no text could be read;
- ``not_checked``: Tesseract is not installed, the file could not be read, or the text is
  of no kind of document it knows (problem ``kind_unknown``): never "ok".
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from typing import Any, Mapping

from PIL import Image

from delhi.redaction import redact
from edistrict.db import utcnow
from edistrict.precheck import matching, quality
from edistrict.precheck.kinds import PHOTO, KindBook, classify, kind_book
from edistrict.precheck.reading import Reading, read_image, read_pdf

logger = logging.getLogger(__name__)

VERSION = 1
OK, ADVICE, UNREADABLE, NOT_CHECKED = "ok", "advice", "unreadable", "not_checked"
NO_TEXT = "no_text"  # a document that should carry text, where OCR found almost none
MIN_DOCUMENT_WORDS = 3
NOTHING = Reading((), "none")
KIND_UNKNOWN = "kind_unknown"  # no kind it knows: nothing to compare, so not "ok"


def precheck(
    data: bytes,
    mime_type: str,
    document_type: str,
    expected: Mapping[str, str | None],
    book: KindBook | None = None,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Checks one upload against what the form asked for.

    Args:
        data: The file (already through the upload checks).
        mime_type: ``image/jpeg``, ``image/png`` or ``application/pdf``.
        document_type: The catalog document type it was sent as.
        expected: The applicant's answers: ``name``, ``date_of_birth`` (ISO),
            ``aadhaar_last4``, ``pincode``; missing ones are not checked.
        book: The kinds data (tests pass their own).
        previous: An earlier result of the same file: its text is reused (no OCR), so
            checking it again against corrected answers or as another type is quick.

    Returns:
        The result (see the module doc), JSON-ready.
    """
    result = _check(
        data, mime_type, document_type, expected, book or kind_book(), previous
    )
    return {**result, "expected_key": expected_key(expected)}


def _check(
    data: bytes,
    mime_type: str,
    document_type: str,
    expected: Mapping[str, str | None],
    book: KindBook,
    previous: Mapping[str, Any] | None,
) -> dict[str, Any]:
    expectation = book.expectation(document_type)
    wants_text = expectation is None or PHOTO not in expectation.kinds
    try:
        text_layer, page = _open(data, mime_type)
        measured = quality.measure(page, wants_text) if page is not None else None
        if measured is not None and not measured.readable:  # no OCR of a bad photo
            return _result(UNREADABLE, NOTHING, measured, None, [], document_type, book)
        reading = text_layer or _earlier_reading(previous)
        if reading is None:
            reading = read_image(page) if page is not None else NOTHING
    except Exception:  # noqa: BLE001 - a pre-check never blocks an upload
        logger.exception("Pre-check could not read a %s", mime_type)
        return _result(NOT_CHECKED, NOTHING, None, None, [], document_type, book)
    if reading.source == "none":
        return _result(NOT_CHECKED, reading, measured, None, [], document_type, book)
    kind = classify(reading.text, reading.words, book)
    if wants_text and reading.words < MIN_DOCUMENT_WORDS:
        return _result(
            UNREADABLE, reading, measured, kind, [], document_type, book, NO_TEXT
        )
    if kind is None and expectation is not None:  # readable, but of no kind it knows
        return _result(
            NOT_CHECKED, reading, measured, kind, [], document_type, book, KIND_UNKNOWN
        )
    checks = _cross_checks(reading, kind, expectation, expected, book)
    advice = _kind_status(kind, expectation) == matching.MISMATCH or any(
        check.status == matching.MISMATCH
        or (check.field == "name" and check.status == matching.NOT_FOUND)
        for check in checks
    )
    verdict = ADVICE if advice else OK
    return _result(verdict, reading, measured, kind, checks, document_type, book)


def expected_key(expected: Mapping[str, Any]) -> str:
    """Which answers a result was checked against (a hash: no answer is kept twice)."""
    canonical = json.dumps({k: v for k, v in expected.items() if v}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _earlier_reading(previous: Mapping[str, Any] | None) -> Reading | None:
    if not previous or previous.get("version") != VERSION or not previous.get("engine"):
        return None
    lines = previous.get("lines")
    if not isinstance(lines, list):
        return None
    return Reading(
        tuple(str(line) for line in lines),
        str(previous.get("source") or "ocr"),
        float(previous.get("confidence") or 0.0),
        int(previous.get("rotation") or 0),
        str(previous["engine"]),
        int(previous.get("words") or 0),
    )


def _open(data: bytes, mime_type: str) -> tuple[Reading | None, Image.Image | None]:
    """A PDF's text layer, if any, and the page to measure (a photo, or a PDF's first)."""
    if mime_type == "application/pdf":
        return read_pdf(data)
    image = Image.open(io.BytesIO(data))
    image.load()
    return None, image


def _kind_status(kind: str | None, expectation: Any) -> str:
    if expectation is None:
        return "not_checked"
    if kind is None:
        return matching.NOT_FOUND
    return matching.MATCHED if kind in expectation.kinds else matching.MISMATCH


def _cross_checks(
    reading: Reading,
    kind: str | None,
    expectation: Any,
    expected: Mapping[str, str | None],
    book: KindBook,
) -> list[matching.Check]:
    """The checks the document type asks for, of what the kind read prints."""
    if expectation is None or kind is None or kind not in expectation.kinds:
        return []
    shown = set(book.kinds[kind].shows)
    lines = list(reading.lines)
    checks = []
    for field in expectation.checks:
        value = (expected.get(field) or "").strip()
        if field not in shown or not value:
            continue
        if field == "name":
            checks.append(matching.check_name(lines, value))
        elif field == "date_of_birth":
            checks.append(matching.check_date_of_birth(lines, value))
        elif field == "aadhaar_last4":
            checks.append(matching.check_aadhaar_last4(reading.text, value[-4:]))
        elif field == "pincode":
            checks.append(matching.check_pincode(reading.text, value))
    return checks


def _result(
    verdict: str,
    reading: Reading,
    measured: quality.Quality | None,
    kind: str | None,
    checks: list[matching.Check],
    document_type: str,
    book: KindBook,
    problem: str | None = None,
) -> dict[str, Any]:
    expectation = book.expectation(document_type)
    problems = list(measured.problems) if measured else []
    if problem:
        problems.append(problem)
    return {
        "version": VERSION,
        "verdict": verdict,
        "checked_at": utcnow().isoformat(),
        "document_type": document_type,
        "engine": reading.engine,
        "source": reading.source,
        "confidence": round(reading.confidence, 1),
        "rotation": reading.rotation,
        "quality": measured.as_dict() if measured else None,
        "problems": problems,
        "kind": {
            "read": kind,
            "expected": list(expectation.kinds) if expectation else [],
            "status": _kind_status(kind, expectation)
            if verdict != UNREADABLE
            else "not_checked",
            "names": book.kinds[kind].names if kind in book.kinds else None,
        },
        "checks": [check.as_dict() for check in checks],
        # Aadhaar, phone and account numbers masked, as everywhere a person reads them.
        "text": redact(reading.text[:4000]),
        # What was read, for a quick re-check; never shown nor sent (sealed at rest).
        "lines": list(reading.lines)[:200],
        "words": reading.words,
    }
