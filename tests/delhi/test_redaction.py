"""Personal numbers are masked in every log line, whoever writes it."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

from delhi.redaction import install_log_redaction, redact

ROOT = Path(__file__).resolve().parents[2]
AADHAAR = "234567890124"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my aadhaar is 2345 6789 0124", "my aadhaar is XXXX XXXX 0124"),
        ("aadhaar:234567890124.", "aadhaar:XXXXXXXX0124."),
        ("आधार २३४५ ६७८९ ०१२४ है", "आधार XXXX XXXX ०१२४ है"),
        ("call +91 98765 43210", "call +XX XXXXX X3210"),
        ("from 919876543210", "from XXXXXXXX3210"),
        (
            "GET /conversations/919876543210/tracker",
            "GET /conversations/XXXXXXXX3210/tracker",
        ),
        ("account 00123456789012", "account XXXXXXXXXX9012"),
        ('{"text": "line\\n234567890124"}', '{"text": "line\\nXXXXXXXX0124"}'),
    ],
)
def test_personal_numbers_are_masked_to_the_last_four_digits(text, expected):
    assert redact(text) == expected


def test_json_escaped_devanagari_digits_are_masked():
    logged = json.dumps({"text": "आधार २३४५६७८९०१२४"})  # ensure_ascii, as structlog
    masked = redact(logged)
    assert json.loads(masked)["text"] == "आधार XXXXXXXX०१२४"


@pytest.mark.parametrize(
    "text",
    [
        "DL-BIR-2026-000123 is submitted",  # application ids stay readable
        "DLC-BIR-2026-ZZZZ2222",
        "sent at 1733212345.123",  # a timestamp with a fraction
        "born 2019, PIN 110092, income Rs 120000",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "twenty digits 12345678901234567890",  # no personal number is this long
    ],
)
def test_ids_dates_and_short_numbers_stay(text):
    assert redact(text) == text


@pytest.fixture
def redacting() -> Iterator[logging.Logger]:
    factory = logging.getLogRecordFactory()
    install_log_redaction()
    install_log_redaction()  # idempotent: one layer
    logger = logging.getLogger("tests.redaction")
    logger.setLevel(logging.INFO)
    yield logger
    logging.setLogRecordFactory(factory)


class Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_message_arguments_and_traceback_are_masked(redacting):
    handler = Collect(logging.Formatter("%(message)s"))
    redacting.addHandler(handler)
    try:
        try:
            raise ValueError(f"cannot parse {AADHAAR}")
        except ValueError:
            redacting.exception("message from %s: %r", "919876543210", {"a": AADHAAR})
    finally:
        redacting.removeHandler(handler)
    [line] = handler.lines
    assert AADHAAR not in line and "919876543210" not in line
    assert "XXXXXXXX0124" in line and "XXXXXXXX3210" in line
    assert "ValueError: cannot parse XXXXXXXX0124" in line


def test_formatters_that_unpack_arguments_still_work(redacting):
    """uvicorn's access log unpacks the record's arguments (a tuple)."""

    class Unpacking(logging.Formatter):
        def formatMessage(self, record: logging.LogRecord) -> str:
            client, method, path = record.args  # type: ignore[misc]
            return f"{client} {method} {path}"

    handler = Collect(Unpacking())
    redacting.addHandler(handler)
    try:
        path = "/api/v1/applications?citizen_id=919876543210"
        redacting.info('%s - "%s %s"', "127.0.0.1:5000", "GET", path)
    finally:
        redacting.removeHandler(handler)
    assert handler.lines == [
        "127.0.0.1:5000 GET /api/v1/applications?citizen_id=XXXXXXXX3210"
    ]


def test_rasas_own_error_logging_is_masked():
    """Rasa logs a failing message's text with its traceback (JSON, via structlog)."""
    script = textwrap.dedent(
        f"""
        import logging, structlog
        from delhi.redaction import install_log_redaction
        install_log_redaction()
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog
        configure_logging_and_warnings(logging.INFO)
        configure_structlog(logging.INFO)
        text = "mera aadhaar {AADHAAR} aur phone +91 98765 43210, आधार २३४५६७८९०१२४"
        try:
            raise RuntimeError("action failed for " + text)
        except RuntimeError:
            structlog.get_logger("rasa.core.channels.rest").exception(
                "rest.message.received.failure", text=text
            )
            logging.getLogger("rasa.core.processor").exception(
                "Encountered an exception while handling %s", text
            )
        """
    )
    ran = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    logged = ran.stdout + ran.stderr
    assert ran.returncode == 0, logged
    assert "rest.message.received.failure" in logged and "RuntimeError" in logged
    for clear in (AADHAAR, "98765 43210", "\\u0968\\u0969\\u096a\\u096b\\u096c"):
        assert clear not in logged, logged
    assert logged.count("0124") >= 4  # masked, not dropped
