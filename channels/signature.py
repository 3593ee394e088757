"""Webhook signatures of Meta (``X-Hub-Signature-256``)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(app_secret: str, raw_body: bytes) -> str:
    """Returns the header value Meta sends for ``raw_body``.

    Args:
        app_secret: The Meta app secret.
        raw_body: The exact bytes of the request body.

    Returns:
        ``sha256=<hex HMAC-SHA256 of the body keyed with the app secret>``.
    """
    digest = hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256)
    return _PREFIX + digest.hexdigest()


def verify(app_secret: str, raw_body: bytes, header: Optional[str]) -> bool:
    """Checks a webhook signature in constant time.

    Args:
        app_secret: The Meta app secret.
        raw_body: The exact bytes of the request body, before any parsing.
        header: Value of ``X-Hub-Signature-256`` (None when absent).

    Returns:
        True only when the header is present and matches the body.
    """
    if not app_secret or not header or not header.startswith(_PREFIX):
        return False
    expected = sign(app_secret, raw_body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode())
