"""Bilingual (Hindi and English) certificate PDFs with a QR verification code.

What is printed (holder, labelled rows, what is left out or masked) is decided in
:mod:`edistrict.certificate_content`; this module lays it out on one A4 page.

Devanagari is shaped by HarfBuzz (fpdf2 text shaping + uharfbuzz) with Noto Sans Devanagari
from the ``fontpkg-noto-sans-devanagari`` package (SIL OFL 1.1), so conjuncts and matras
render correctly.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF

from edistrict.certificate_content import CertificateRow


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Path of the Noto Sans Devanagari TTF bundled by its PyPI package.

    Returns:
        The font file (a variable font with weight and width axes).

    Raises:
        RuntimeError: When the font package is not installed.
    """
    try:
        import fontpkg_noto_sans_devanagari as font_package
    except ImportError as error:  # pragma: no cover - part of the lock
        raise RuntimeError(
            "fontpkg-noto-sans-devanagari is missing; run edistrict/bin/install"
        ) from error
    fonts = sorted((Path(font_package.ROOT) / "files").glob("*.ttf"))
    if not fonts:  # pragma: no cover
        raise RuntimeError("no TTF file in fontpkg-noto-sans-devanagari")
    return fonts[0]


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states.

    ``holder_names``: the person(s) the certificate is about (two for a marriage);
    ``rows``: the particulars as printed (built by ``certificate_content``);
    ``issued_on``: the issue date in IST.
    """

    number: str
    application_id: str
    service_name_en: str
    service_name_hi: str
    department: str
    holder_names: tuple[str, ...]
    issued_on: date
    issued_by: str
    rows: Sequence[CertificateRow]
    verify_url: str


def _qr_png(data: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


_LABEL_SHARE = 0.42
_FONT_SIZES = (11, 10, 9, 8)


def _row_heights(
    pdf: FPDF, rows: Sequence[CertificateRow], width: float, size: int
) -> tuple[float, list[float]]:
    """Line height and each row's height at a font size (labels and values wrap)."""
    pdf.set_font("Noto", "", size)
    line = size * 0.55
    heights = []
    for row in rows:
        lines = max(
            len(
                pdf.multi_cell(
                    width * _LABEL_SHARE, line, row.label, dry_run=True, output="LINES"
                )
            ),
            len(
                pdf.multi_cell(
                    width * (1 - _LABEL_SHARE),
                    line,
                    row.value,
                    dry_run=True,
                    output="LINES",
                )
            ),
            1,
        )
        heights.append(lines * line + 2)
    return line, heights


def _draw_rows(
    pdf: FPDF, rows: Sequence[CertificateRow], width: float, bottom: float
) -> None:
    """Draws the particulars as a two-column table.

    In the largest font (11 pt down to 8 pt) whose table ends above ``bottom``.
    """
    top = pdf.get_y()
    for size in _FONT_SIZES:
        line, heights = _row_heights(pdf, rows, width, size)
        if top + sum(heights) <= bottom:
            break
    label_width = width * _LABEL_SHARE
    x = pdf.l_margin
    pdf.set_fill_color(235, 240, 250)
    for index, (row, height) in enumerate(zip(rows, heights, strict=True)):
        y = pdf.get_y()
        if index % 2 == 0:
            pdf.rect(x, y, width, height, style="F")
        pdf.rect(x, y, label_width, height)
        pdf.rect(x + label_width, y, width - label_width, height)
        pdf.set_xy(x, y + 1)
        pdf.multi_cell(label_width, line, row.label)
        pdf.set_xy(x + label_width, y + 1)
        pdf.multi_cell(width - label_width, line, row.value)
        pdf.set_xy(x, y + height)


def render_certificate(facts: CertificateFacts) -> bytes:
    """Renders the certificate as a one-page A4 PDF.

    Args:
        facts: What to state; ``verify_url`` is encoded in the QR code.

    Returns:
        The PDF bytes.
    """
    pdf = FPDF(format="A4")
    pdf.set_title(f"{facts.service_name_en} {facts.number}")
    pdf.set_author("Government of NCT of Delhi - e-District")
    pdf.set_auto_page_break(False)
    path = str(font_path())
    pdf.add_font("Noto", "", path, variations={"wght": 400, "wdth": 100})
    pdf.add_font("Noto", "B", path, variations={"wght": 700, "wdth": 100})
    pdf.set_text_shaping(True)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_draw_color(30, 60, 120)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.2)

    pdf.set_y(16)
    pdf.set_font("Noto", "B", 15)
    pdf.cell(
        width,
        9,
        "राष्ट्रीय राजधानी क्षेत्र दिल्ली सरकार",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Noto", "B", 12)
    pdf.cell(
        width,
        7,
        "Government of National Capital Territory of Delhi",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Noto", "", 10)
    pdf.cell(
        width,
        6,
        f"{facts.department}  ·  e-District",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("Noto", "B", 20)
    pdf.cell(width, 12, facts.service_name_hi, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "B", 16)
    pdf.cell(width, 9, facts.service_name_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("Noto", "", 11)
    pdf.cell(width / 2, 7, f"प्रमाण पत्र संख्या / Certificate No.: {facts.number}")
    pdf.cell(
        width / 2,
        7,
        f"दिनांक / Date: {facts.issued_on.strftime('%d-%m-%Y')}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        width,
        7,
        f"आवेदन संख्या / Application No.: {facts.application_id}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

    holders_hi = " और ".join(facts.holder_names)
    holders_en = " and ".join(facts.holder_names)
    pdf.set_font("Noto", "", 12)
    pdf.multi_cell(
        width,
        7,
        "प्रमाणित किया जाता है कि आवेदन की जाँच के पश्चात् यह "
        f"{facts.service_name_hi} "
        + (f"{holders_hi} के नाम " if holders_hi else "")
        + "निम्नलिखित विवरणों के साथ जारी किया जाता है।",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    pdf.multi_cell(
        width,
        7,
        "This is to certify that, after verification of the application, this "
        f"{facts.service_name_en} is issued "
        + (f"in the name of {holders_en} " if holders_en else "")
        + "with the particulars below.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    qr_size = 42
    top = pdf.h - 20 - qr_size
    _draw_rows(pdf, facts.rows, width, bottom=top - 4)

    pdf.image(_qr_png(facts.verify_url), x=pdf.l_margin, y=top, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin + qr_size + 6, top + 2)
    pdf.set_font("Noto", "", 10)
    pdf.multi_cell(
        width - qr_size - 6,
        5.5,
        "सत्यापन के लिए QR कोड स्कैन करें या प्रमाण पत्र संख्या से जाँचें।\n"
        "Scan the QR code, or check the certificate number, to verify this "
        "certificate online.\n"
        f"{facts.verify_url.split('/v/')[0]}/v/{facts.number}\n\n"
        f"डिजिटल रूप से हस्ताक्षरित / Digitally signed: {facts.issued_by}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
