"""Documents the pre-check tests render themselves: card-like photos and PDFs with known content.

Latin and Devanagari text is drawn with the font the certificates use (Noto Sans
Devanagari, which also has Latin letters), through Pillow's complex text layout, so Hindi
conjuncts and vowel signs come out as on a printed card. ``degrade`` adds the faults of a
phone photo: blur, noise, rotation, darkness, JPEG compression.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from edistrict.certificates import font_path

CARD_SIZE = (1200, 760)
INK = (20, 20, 30)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(
        str(font_path()), size, layout_engine=ImageFont.Layout.RAQM
    )
    if bold:
        font.set_variation_by_axes([100, 700])
    return font


def card(
    lines: list[tuple[str, int]], tint: tuple[int, int, int] = (250, 248, 240)
) -> Image.Image:
    """A card: each line is (text, font size), drawn top to bottom on a tinted background."""
    image = Image.new("RGB", CARD_SIZE, tint)
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (10, 10, CARD_SIZE[0] - 10, CARD_SIZE[1] - 10), outline=(120, 60, 20), width=4
    )
    y = 40
    for text, size in lines:
        draw.text((60, y), text, font=_font(size, bold=size >= 36), fill=INK)
        y += int(size * 1.7)
    return image


def aadhaar_card(
    name_en: str, name_hi: str, dob: str, aadhaar: str, pincode: str = "110092"
) -> Image.Image:
    return card(
        [
            ("भारत सरकार   GOVERNMENT OF INDIA", 36),
            (name_hi, 34),
            (name_en, 34),
            (f"जन्म तिथि / DOB: {dob}", 32),
            ("पुरुष / MALE", 30),
            (f"Address: H No 12, Gali 4, Shahdara, Delhi {pincode}", 28),
            (aadhaar, 48),
            ("मेरा आधार, मेरी पहचान", 32),
        ]
    )


def ration_card(head: str, pincode: str) -> Image.Image:
    return card(
        [
            ("Government of NCT of Delhi", 34),
            ("Department of Food Supplies & Consumer Affairs", 30),
            ("RATION CARD / राशन कार्ड  (NFSA)", 36),
            (f"Head of Family: {head}", 32),
            (f"Address: 45, Block C, Sangam Vihar, New Delhi {pincode}", 28),
            ("Fair Price Shop No: 2231", 30),
        ],
        tint=(235, 245, 235),
    )


def school_certificate(name: str, dob: str) -> Image.Image:
    return card(
        [
            ("Central Board of Secondary Education", 34),
            ("Secondary School Examination 2012", 32),
            (f"This is to certify that {name}", 32),
            (f"Roll No 4418823   Date of Birth: {dob}", 30),
            ("has passed the examination with the marks shown", 28),
        ],
        tint=(245, 245, 255),
    )


def bank_passbook(name: str, pincode: str) -> Image.Image:
    return card(
        [
            ("State Bank of India", 38),
            ("Branch: Laxmi Nagar, Delhi", 30),
            (f"Account Holder: {name}", 32),
            ("Account No: 31245567788   IFSC: SBIN0001234", 30),
            (f"Address: 7 Vikas Marg, Delhi {pincode}", 28),
            ("PASSBOOK", 36),
        ],
        tint=(240, 250, 255),
    )


def portrait(seed: int = 1) -> Image.Image:
    """A picture with no text: shaded background, head and shoulders as shapes."""
    rng = random.Random(seed)
    image = Image.new("RGB", (600, 760), (rng.randint(150, 220), 200, 230))
    draw = ImageDraw.Draw(image)
    skin = (rng.randint(150, 210), rng.randint(110, 160), rng.randint(80, 120))
    draw.ellipse((180, 120, 420, 420), fill=skin)
    draw.rectangle((120, 430, 480, 760), fill=(40, 60, rng.randint(90, 160)))
    draw.ellipse((240, 230, 270, 260), fill=(30, 30, 30))
    draw.ellipse((330, 230, 360, 260), fill=(30, 30, 30))
    draw.arc((250, 300, 350, 360), 20, 160, fill=(90, 30, 30), width=6)
    return image.filter(ImageFilter.GaussianBlur(1))


@dataclass(frozen=True)
class Faults:
    """What a cheap phone camera does to a photo."""

    blur: float = 0.0
    noise: int = 0
    rotate: float = 0.0
    brightness: float = 1.0
    jpeg_quality: int = 85
    scale: float = 1.0
    seed: int = field(default=7)


def degrade(image: Image.Image, faults: Faults) -> bytes:
    """The image with the faults applied, as JPEG bytes."""
    rng = random.Random(faults.seed)
    if faults.scale != 1.0:
        size = (int(image.width * faults.scale), int(image.height * faults.scale))
        image = image.resize(size, Image.Resampling.BILINEAR)
    if faults.rotate:
        image = image.rotate(faults.rotate, expand=True, fillcolor=(90, 80, 70))
    if faults.blur:
        image = image.filter(ImageFilter.GaussianBlur(faults.blur))
    if faults.brightness != 1.0:
        image = ImageEnhance.Brightness(image).enhance(faults.brightness)
    if faults.noise:
        noise = Image.effect_noise(image.size, faults.noise).convert("RGB")
        image = Image.blend(image, noise, 0.12 + rng.random() * 0.05)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=faults.jpeg_quality)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A PDF with a text layer (as DigiLocker or a bank statement gives)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", "", str(font_path()))
    pdf.set_font("noto", size=14)
    pdf.set_text_shaping(True)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf(image: Image.Image) -> bytes:
    """A PDF holding only a picture of the page (a scan: no text layer)."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue()
