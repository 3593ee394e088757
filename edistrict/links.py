"""Short-lived signed certificate download links (``/certificates/{token}``).

A token is ``base64url(payload_json) + "." + base64url(HMAC-SHA256(key, payload_part))``;
the payload binds the application id (``a``), the certificate number (``n``) and the
expiry in Unix seconds (``e``). Anyone holding the link may download that one PDF until it
expires; nothing else is needed, so every channel (WhatsApp media upload, Twilio media URL,
REST) gets the certificate without the service token.

The key is ``EDISTRICT_LINK_KEY`` (at least 32 characters) or, when unset, derived from the
Ed25519 signing key (which production requires), so rotating either invalidates every
outstanding link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MAX_TOKEN_CHARS = 512
_DERIVATION_LABEL = b"edistrict/certificate-download-links/v1"


class InvalidLink(ValueError):
    """The link token is malformed, altered or expired."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_link_key(configured: str | None, signing_key: Ed25519PrivateKey) -> bytes:
    """The HMAC key of download links.

    Args:
        configured: ``EDISTRICT_LINK_KEY``, if set.
        signing_key: The certificate signing key, to derive from otherwise.

    Returns:
        32 or more key bytes.
    """
    if configured:
        return configured.encode()
    raw = signing_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return hmac.new(raw, _DERIVATION_LABEL, hashlib.sha256).digest()


@dataclass(frozen=True)
class LinkTarget:
    """What a valid link grants: one certificate of one application."""

    application_id: str
    certificate_number: str
    expires_at: int


@dataclass(frozen=True)
class DownloadLinks:
    """Makes and opens signed download links.

    Attributes:
        key: HMAC key.
        base_url: Public base URL of the gateway (``EDISTRICT_PUBLIC_URL``).
        ttl_seconds: Lifetime of a new link.
    """

    key: bytes
    base_url: str
    ttl_seconds: int = 3600

    def _mac(self, payload_part: str) -> str:
        return _b64e(hmac.new(self.key, payload_part.encode(), hashlib.sha256).digest())

    def token(
        self, application_id: str, certificate_number: str, now: float | None = None
    ) -> str:
        """A token for one certificate, valid for ``ttl_seconds`` from ``now``.

        Args:
            application_id: The application.
            certificate_number: Its certificate's number.
            now: Current Unix time (tests pass one).

        Returns:
            The URL-safe token.
        """
        expires = int((time.time() if now is None else now) + self.ttl_seconds)
        body = json.dumps(
            {"a": application_id, "n": certificate_number, "e": expires},
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        payload_part = _b64e(body)
        return f"{payload_part}.{self._mac(payload_part)}"

    def url(
        self, application_id: str, certificate_number: str, now: float | None = None
    ) -> str:
        """The public download URL of one certificate (see :meth:`token`)."""
        token = self.token(application_id, certificate_number, now)
        return f"{self.base_url}/certificates/{token}"

    def open(self, token: str, now: float | None = None) -> LinkTarget:
        """Checks a token and returns what it grants.

        Args:
            token: The token from a link.
            now: Current Unix time (tests pass one).

        Returns:
            The target.

        Raises:
            InvalidLink: When the token is malformed, altered or expired.
        """
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise InvalidLink("malformed")
        payload_part, sep, mac = token.partition(".")
        if not sep or not hmac.compare_digest(mac, self._mac(payload_part)):
            raise InvalidLink("signature")
        try:
            payload = json.loads(_b64d(payload_part))
        except (binascii.Error, ValueError) as error:
            raise InvalidLink("malformed") from error
        if not isinstance(payload, dict):
            raise InvalidLink("malformed")
        application_id, number, expires = (
            payload.get("a"),
            payload.get("n"),
            payload.get("e"),
        )
        if not (
            isinstance(application_id, str)
            and isinstance(number, str)
            and isinstance(expires, int)
        ):
            raise InvalidLink("malformed")
        if expires <= (time.time() if now is None else now):
            raise InvalidLink("expired")
        return LinkTarget(application_id, number, expires)
