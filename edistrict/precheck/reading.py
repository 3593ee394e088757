"""The text of a document: a PDF's own text layer, or Tesseract OCR (Hindi + English).

Tesseract comes from Debian's ``tesseract-ocr`` packages (installed by edistrict/bin/install)
through ``pytesseract``. When it is missing, :func:`ocr_engine` is None and a photo's
reading says so: the pre-check then reports "not checked", never "passed".
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageOps
from pypdf import PdfReader

logger = logging.getLogger(__name__)

LANGUAGES = ("eng", "hin")  # English first: it reads digits better
OCR_TIMEOUT_SECONDS = 20
OCR_WAIT_SECONDS = 15
_OCR_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
MIN_WORD_CONFIDENCE = 50  # Tesseract's 0-100 per word; below this a word is noise
ENOUGH_WORDS = 6  # an upright page gives at least this many confident words
UPRIGHT_CONFIDENCE = (
    85  # ...read this surely; an upside-down one reads as noise near 75
)
OCR_MAX_SIDE = 2000  # larger photos are scaled down first (time grows with pixels)
PDF_TEXT_MIN_CHARS = 20  # less than this: a scanned PDF, read its first page by OCR
PDF_RENDER_SCALE = 2.0  # 144 dpi
PDF_RENDER_MAX_PIXELS = 8_000_000  # a huge page is rendered smaller, never larger


@dataclass(frozen=True)
class Reading:
    """Lines of text read from a document, and how they were read."""

    lines: tuple[str, ...]
    source: str  # "pdf_text", "ocr" or "none" (no engine)
    confidence: float = 0.0  # mean confidence of the words kept (0-100)
    rotation: int = 0  # degrees the photo was turned to read it
    engine: str | None = None
    words: int = field(default=0)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@lru_cache(maxsize=1)
def ocr_engine() -> tuple[str, str] | None:
    """(Tesseract version, languages passed to it), or None when OCR is unavailable."""
    if shutil.which("tesseract") is None:
        return None
    try:
        import pytesseract

        available = set(pytesseract.get_languages(config=""))
        languages = [code for code in LANGUAGES if code in available]
        if not languages:
            logger.warning("Tesseract has neither Hindi nor English data")
            return None
        return str(pytesseract.get_tesseract_version()), "+".join(languages)
    except Exception:  # noqa: BLE001 - a broken install means "not checked"
        logger.exception("Tesseract is installed but does not run")
        return None


def _ocr_once(image: Image.Image, languages: str) -> tuple[list[str], float, int]:
    import pytesseract

    data = pytesseract.image_to_data(
        image,
        lang=languages,
        output_type=pytesseract.Output.DICT,
        timeout=OCR_TIMEOUT_SECONDS,
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for index, word in enumerate(data["text"]):
        confidence = float(data["conf"][index])
        if not word.strip() or confidence < MIN_WORD_CONFIDENCE:
            continue
        key = (
            data["block_num"][index],
            data["par_num"][index],
            data["line_num"][index],
        )
        lines.setdefault(key, []).append(word.strip())
        confidences.append(confidence)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return [" ".join(words) for words in lines.values()], mean, len(confidences)


def read_image(image: Image.Image) -> Reading:
    """OCR of a photo; a photo taken sideways or upside down is turned until it reads.

    At most one OCR per core runs at once: a burst of uploads waits its turn for a while,
    then is "not checked" rather than stalling the gateway.
    """
    engine = ocr_engine()
    if engine is None:
        return Reading((), "none")
    if not _OCR_SLOTS.acquire(timeout=OCR_WAIT_SECONDS):
        logger.warning("Every OCR slot busy for %d s: not checked", OCR_WAIT_SECONDS)
        return Reading((), "none")
    try:
        return _read_upright(image, engine)
    finally:
        _OCR_SLOTS.release()


def _read_upright(image: Image.Image, engine: tuple[str, str]) -> Reading:
    version, languages = engine
    image = ImageOps.exif_transpose(image).convert("L")
    if max(image.size) > OCR_MAX_SIDE:
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    best = Reading((), "ocr", engine=f"tesseract {version}")
    for rotation in (0, 90, 180, 270):
        turned = image.rotate(rotation, expand=True) if rotation else image
        lines, confidence, words = _ocr_once(turned, languages)
        if words * confidence > best.words * best.confidence:
            best = Reading(
                tuple(lines), "ocr", confidence, rotation, best.engine, words
            )
        if words >= ENOUGH_WORDS and confidence >= UPRIGHT_CONFIDENCE:
            break
    return best


def read_pdf(data: bytes) -> tuple[Reading | None, Image.Image | None]:
    """A PDF's text layer (None for a scan, to be read by OCR) and its first page."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data), strict=False)
    text = "\n".join((page.extract_text() or "") for page in reader.pages[:3])
    page = _first_page(data)
    if len(text.strip()) < PDF_TEXT_MIN_CHARS:
        return None, page
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    return Reading(lines, "pdf_text", 100.0, words=len(text.split())), page


def _first_page(data: bytes) -> Image.Image | None:
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            page = document[0]
            width, height = page.get_size()  # points
            fit = (PDF_RENDER_MAX_PIXELS / max(1.0, width * height)) ** 0.5
            return page.render(scale=min(PDF_RENDER_SCALE, fit)).to_pil()
        finally:
            document.close()
    except Exception:  # noqa: BLE001 - an unrenderable page is just not measured
        logger.warning("Could not render the PDF's first page")
        return None
