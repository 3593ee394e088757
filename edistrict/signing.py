"""Ed25519 signing of certificate verification tokens.

A token is ``base64url(payload_json) + "." + base64url(signature)``; the payload is compact
JSON with the certificate number (``n``), application id (``a``), service id (``s``) and issue
date (``d``).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from edistrict.settings import Settings

log = logging.getLogger(__name__)


class InvalidToken(ValueError):
    """The token is malformed or its signature does not verify."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_create_key(settings: Settings) -> Ed25519PrivateKey:
    """Loads the signing key from configuration, or creates a development key once.

    Order: ``EDISTRICT_SIGNING_KEY`` (PEM text), ``EDISTRICT_SIGNING_KEY_FILE``, then
    ``<data dir>/signing_key.pem``, generated on first use outside production.

    Args:
        settings: Gateway settings.

    Returns:
        The private key.

    Raises:
        RuntimeError: When no key is configured in production, or the key is not Ed25519.
    """
    if settings.signing_key_pem:
        pem = settings.signing_key_pem.encode()
    elif settings.key_path.exists():
        pem = settings.key_path.read_bytes()
    elif settings.production:
        raise RuntimeError(f"signing key file {settings.key_path} does not exist")
    else:
        key = Ed25519PrivateKey.generate()
        settings.key_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(settings.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        log.warning(
            "Generated a DEVELOPMENT signing key at %s; configure EDISTRICT_SIGNING_KEY "
            "or EDISTRICT_SIGNING_KEY_FILE for production",
            settings.key_path,
        )
        return key
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError("the signing key must be an Ed25519 private key")
    return key


@dataclass(frozen=True)
class Signer:
    """Signs and verifies verification tokens with one Ed25519 key pair."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half, for verification."""
        return self.private_key.public_key()

    def public_key_pem(self) -> str:
        """The public key as PEM, for anyone verifying tokens offline."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def sign(self, payload: dict[str, Any]) -> str:
        """Creates a token for a payload.

        Args:
            payload: JSON-serialisable facts to sign.

        Returns:
            The token (URL-safe ASCII).
        """
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64e(body)}.{_b64e(self.private_key.sign(body))}"

    def verify(self, token: str) -> dict[str, Any]:
        """Checks a token's signature and returns its payload.

        Args:
            token: A token made by :meth:`sign`.

        Returns:
            The payload.

        Raises:
            InvalidToken: When the token is malformed or the signature is wrong.
        """
        body_part, sep, signature_part = token.partition(".")
        if not sep:
            raise InvalidToken("not a token")
        try:
            body = _b64d(body_part)
            self.public_key.verify(_b64d(signature_part), body)
            payload = json.loads(body)
        except (InvalidSignature, binascii.Error, ValueError) as error:
            raise InvalidToken("signature does not verify") from error
        if not isinstance(payload, dict):
            raise InvalidToken("unexpected payload")
        return payload
