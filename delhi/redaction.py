r"""Personal numbers out of every log: Aadhaar, mobile and bank account numbers masked.

:func:`redact` masks, in any text, each run of 9 to 18 digits (ASCII or Devanagari,
also JSON-escaped as ``\u0966``-``\u096f``; single spaces or hyphens between digit
groups allowed, an optional leading ``+``): a bank account has 9-18 digits, an Aadhaar
number 12, a mobile number 10 (12-13 with 91 or +91, as in WhatsApp ids). All but the
last four digits become ``X`` and separators stay: ``2345 6789 0124`` ->
``XXXX XXXX 0124``; in URLs and JSON too. Runs inside a word or an id
(``DL-BIR-2026-000123``, a hex hash), longer runs and decimal numbers
(``1733212345.123``, a timestamp) are left alone; shorter numbers (years, PIN codes,
amounts, counts) too.

:func:`install_log_redaction` applies it to every log record the process creates,
whoever logs it (Rasa, Sanic, uvicorn, structlog, our code), message, arguments and
traceback alike, before any handler or formatter sees it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Callable

_DIGIT = r"(?:[0-9\u0966-\u096f]|\\u096[6-9a-fA-F])"
_START = r"(?:(?<=\\[nrt])|(?<![\w.+])(?<!\w-))"  # after a JSON \n, or not in a word
_NUMBER = re.compile(
    rf"{_START}\+?{_DIGIT}(?:[ \-]?{_DIGIT}){{8,17}}(?!\w|\.\d|[ \-]?{_DIGIT})"
)
_ONE_DIGIT = re.compile(_DIGIT)
_KEEP = 4
_INSTALLED = "_delhi_redaction_installed"


def _mask(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = list(_ONE_DIGIT.finditer(run))
    hidden = len(digits) - _KEEP
    pieces, at = [], 0
    for index, digit in enumerate(digits):
        pieces.append(run[at : digit.start()])
        pieces.append("X" if index < hidden else digit.group(0))
        at = digit.end()
    pieces.append(run[at:])
    return "".join(pieces)


def redact(text: str) -> str:
    """``text`` with every personal number masked (see the module's documentation)."""
    return _NUMBER.sub(_mask, text) if any(c.isdigit() for c in text) else text


def _redacted_arg(arg: Any) -> Any:
    if isinstance(arg, (str, int)) and not isinstance(arg, bool):
        masked = redact(str(arg))
        return arg if masked == str(arg) else masked
    return arg


def _redacted_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a wrong format string: keep what can be read
        message = f"{record.msg!r} {record.args!r}"
    masked = redact(message)
    if masked != message:
        # Arguments stay a tuple where that suffices: some formatters unpack them
        # (uvicorn's access log); otherwise the record keeps only the masked message.
        if isinstance(record.args, tuple) and isinstance(record.msg, str):
            args = tuple(_redacted_arg(a) for a in record.args)
            try:
                ok = redact(record.msg % args) == record.msg % args
            except (TypeError, ValueError):
                ok = False
            if ok and redact(record.msg) == record.msg:
                record.args = args
                masked = ""
        if masked:
            record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        formatted = "".join(traceback.format_exception(*record.exc_info))
        record.exc_text = redact(formatted).rstrip("\n")
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install_log_redaction() -> None:
    """Masks personal numbers in every log record this process creates from now on.

    Idempotent. Call it first thing in a process's entry point (the Rasa server, the
    action server, the gateway): records are redacted as they are created, so handlers
    and formatters configured later (Rasa configures its own) see only masked text.
    """
    factory: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(factory, _INSTALLED, False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redacted_record(factory(*args, **kwargs))

    setattr(redacting_factory, _INSTALLED, True)
    logging.setLogRecordFactory(redacting_factory)
