"""The shared content checks, on files the tests build themselves."""

from __future__ import annotations

import time

import pytest

from filecheck import FileRejected, check_file, sniff
from tests.filecheck import samples as s


def rejected(data: bytes, **limits) -> FileRejected:
    with pytest.raises(FileRejected) as error:
        check_file(data, **limits)
    assert error.value.message
    return error.value


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("jpeg", s.jpeg(), "image/jpeg"),
        ("progressive-jpeg", s.jpeg((300, 200), progressive=True), "image/jpeg"),
        ("jpeg-padded", s.jpeg() + b"\x00" * 4096, "image/jpeg"),
        ("png", s.png(), "image/png"),
        ("pdf", s.plain_pdf(), "application/pdf"),
        ("pdf-leading-blank", b"\r\n" + s.plain_pdf(), "application/pdf"),
        (
            "pdf-link-destination",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>"
            ),
            "application/pdf",
        ),
        (
            "pdf-goto-by-reference",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                b"<< /S /GoTo /D [3 0 R /Fit] >>",
            ),
            "application/pdf",
        ),
        (
            "pdf-object-stream",
            s.pdf(
                s.CATALOG,
                s.PAGES,
                s.PAGE,
                s.object_stream(b"<< /Producer (Scanner) >>"),
            ),
            "application/pdf",
        ),
    ],
)
def test_good_files_pass(name, data, mime):
    checked = check_file(data, max_bytes=len(data))
    assert (checked.mime_type, checked.size) == (mime, len(data))


def test_image_dimensions_are_reported():
    checked = check_file(s.jpeg((64, 48)))
    assert (checked.width, checked.height) == (64, 48)


@pytest.mark.parametrize(
    ("name", "data", "code", "status"),
    [
        ("empty", b"", "empty_file", 422),
        ("gif", b"GIF89a" + bytes(100), "unsupported_type", 415),
        ("exe", s.windows_exe(), "unsupported_type", 415),
        ("zip", s.zip_archive(), "unsupported_type", 415),
        (
            "exe-with-jpeg-header",
            b"\xff\xd8\xff\xe0" + s.windows_exe(),
            "embedded_executable",
            422,
        ),
        ("jpeg+zip", s.jpeg() + s.zip_archive(), "embedded_executable", 422),
        ("png+zip", s.png() + s.zip_archive(), "embedded_executable", 422),
        ("pdf+exe", s.plain_pdf() + s.windows_exe(), "embedded_executable", 422),
        ("jpeg+junk", s.jpeg() + b"A" * 100, "trailing_data", 422),
        ("png+junk", s.png() + b"<html>" + b"x" * 100, "trailing_data", 422),
        ("pdf+junk", s.plain_pdf() + b"garbage " * 10, "trailing_data", 422),
        (
            "jpeg+script",
            s.jpeg() + b"<?php system($_GET[1]);",
            "embedded_executable",
            422,
        ),
        (
            "script-in-jpeg-comment",
            s.jpeg(comment=b"<script>alert(1)</script>"),
            "embedded_executable",
            422,
        ),
        ("cut-jpeg", s.jpeg()[:-40], "image_corrupt", 422),
        ("cut-png", s.png()[:-20], "image_corrupt", 422),
        ("fake-png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "image_corrupt", 422),
        (
            "jpeg-markers-only",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00"
            b"\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9",
            "image_corrupt",
            422,
        ),
        ("cut-pdf", s.plain_pdf()[:-12], "pdf_corrupt", 422),
        (
            "encrypted-pdf",
            s.pdf(
                s.CATALOG,
                s.PAGES,
                s.PAGE,
                b"<< /Filter /Standard /V 2 /R 3 >>",
                trailer=b"/Root 1 0 R /Encrypt 4 0 R",
            ),
            "pdf_encrypted",
            422,
        ),
        ("pdf-javascript", s.JAVASCRIPT_PDF, "pdf_active_content", 422),
        (  # "stream" inside strings must not hide the dictionary between them
            "pdf-javascript-between-stream-strings",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /Lang (a stream\n) "
                b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "
                b"/Foo (endstream) >>"
            ),
            "pdf_active_content",
            422,
        ),
        (  # a predictor hides the names of an object stream from the scan
            "pdf-object-stream-with-predictor",
            s.pdf_with_catalog(
                s.CATALOG,
                s.object_stream(b"<< /S /JavaScript >>").replace(
                    b"/FlateDecode", b"/FlateDecode /DecodeParms << /Predictor 12 >>"
                ),
            ),
            "pdf_unscannable",
            422,
        ),
        (
            "pdf-obfuscated-name",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61va#53cript 4 0 R >> >>",
                b"<< /Names [] >>",
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-launch",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch "
                b"/F (cmd.exe) >> >>"
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-uri-on-open",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                b"<< /S /URI /URI (http://phish.example) >>",
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-embedded-file",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
                b"<< /Names [(a.exe) 5 0 R] >>",
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-additional-actions",
            s.pdf(
                s.CATALOG,
                s.PAGES,
                b"<< /Type /Page /Parent 2 0 R /AA << /O 4 0 R >> >>",
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-xfa",
            s.pdf_with_catalog(
                b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /XFA 4 0 R >> >>"
            ),
            "pdf_active_content",
            422,
        ),
        (
            "pdf-rich-media",
            s.pdf(
                s.CATALOG, s.PAGES, s.PAGE, b"<< /Type /Annot /Subtype /RichMedia >>"
            ),
            "pdf_active_content",
            422,
        ),
        (
            "javascript-in-object-stream",
            s.pdf(
                s.CATALOG,
                s.PAGES,
                s.PAGE,
                s.object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
            ),
            "pdf_active_content",
            422,
        ),
        (
            "open-action-in-object-stream",
            s.pdf(
                s.PAGES,
                s.PAGE,
                s.object_stream(
                    b"<< /Type /Catalog /Pages 1 0 R /OpenAction 11 0 R >>",
                    b"<< /S /URI /URI (http://x.example) >>",
                ),
                trailer=b"/Root 10 0 R",
            ),
            "pdf_active_content",
            422,
        ),
        (
            "object-stream-not-inflatable",
            s.pdf(
                s.CATALOG,
                s.PAGES,
                s.PAGE,
                b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 9 >>\n"
                b"stream\nnot zlib!\nendstream",
            ),
            "pdf_unscannable",
            422,
        ),
    ],
)
def test_bad_files_are_rejected_with_a_stable_code(name, data, code, status):
    error = rejected(data)
    assert (error.code, error.status) == (code, status), error.message


def test_size_limit_comes_first():
    error = rejected(s.jpeg(), max_bytes=10)
    assert (error.code, error.status) == ("file_too_large", 413)


def test_png_bomb_is_rejected_from_its_header_before_decoding():
    bomb = s.png_bomb()
    assert len(bomb) < 200_000  # 400 megapixels in a small file
    started = time.monotonic()
    error = rejected(bomb, max_bytes=5 * 1024 * 1024)
    assert (error.code, error.status) == ("image_too_large", 413)
    assert "20000x20000" in error.message
    assert time.monotonic() - started < 2


def test_jpeg_header_claiming_a_huge_image_is_rejected():
    error = rejected(s.jpeg_claiming(20_000, 20_000))
    assert error.code == "image_too_large"


def test_pillow_bomb_protection_is_a_rejection_too():
    """With a cap above Pillow's own limit, Pillow's DecompressionBombError decides."""
    error = rejected(s.png_bomb(), max_pixels=10**12)
    assert error.code == "image_too_large"
    assert "decoded safely" in error.message


def test_pillow_bomb_warning_is_a_rejection_too():
    """Between Pillow's warning and error thresholds, the warning is a rejection."""
    from PIL import Image

    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    error = rejected(s.png_bomb(side), max_pixels=10**12)
    assert error.code == "image_too_large"


def test_pixel_cap_is_configurable():
    assert check_file(s.png((100, 100)), max_pixels=10_000).width == 100
    assert rejected(s.png((101, 100)), max_pixels=10_000).code == "image_too_large"


def test_sniff_uses_content_only():
    assert sniff(s.jpeg()) == "image/jpeg"
    assert sniff(s.png()) == "image/png"
    assert sniff(b"\n\n" + s.plain_pdf()) == "application/pdf"
    assert sniff(b"GIF89a") is None


def test_noise_photo_is_not_mistaken_for_a_polyglot():
    """Random pixel data compresses to random bytes: no false signature matches."""
    import io
    import os

    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (600, 400), os.urandom(600 * 400 * 3)).save(
        buffer, "JPEG", quality=95
    )
    assert check_file(buffer.getvalue()).mime_type == "image/jpeg"
