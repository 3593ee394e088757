"""Bilingual (Hindi and English) certificate PDFs with a QR verification code.

Devanagari is shaped by HarfBuzz (fpdf2 text shaping + uharfbuzz) with Noto Sans Devanagari
from the ``fontpkg-noto-sans-devanagari`` package (SIL OFL 1.1), so conjuncts and matras
render correctly.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF


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
    """What a certificate states."""

    number: str
    application_id: str
    service_name_en: str
    service_name_hi: str
    department: str
    citizen_name: str
    issued_on: date
    issued_by: str
    fields: Mapping[str, Any]
    verify_url: str


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _qr_png(data: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


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

    pdf.set_font("Noto", "", 12)
    pdf.multi_cell(
        width,
        7,
        f"प्रमाणित किया जाता है कि श्री/श्रीमती/कुमारी {facts.citizen_name} के आवेदन "
        f"की जाँच के पश्चात् यह {facts.service_name_hi} निम्नलिखित विवरणों के आधार पर "
        "जारी किया जाता है।",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    pdf.multi_cell(
        width,
        7,
        f"This is to certify that, after verification of the application of "
        f"{facts.citizen_name}, this {facts.service_name_en} is issued on the basis of "
        "the particulars below.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    pdf.set_font("Noto", "", 11)
    pdf.set_fill_color(235, 240, 250)
    for index, (name, value) in enumerate(facts.fields.items()):
        if isinstance(value, bool):
            value = "हाँ / Yes" if value else "नहीं / No"
        pdf.cell(width * 0.4, 8, _label(name), border=1, fill=index % 2 == 0)
        pdf.cell(
            width * 0.6,
            8,
            str(value),
            border=1,
            fill=index % 2 == 0,
            new_x="LMARGIN",
            new_y="NEXT",
        )

    qr_size = 42
    top = pdf.h - 20 - qr_size
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
