"""Applications' answers encrypted at rest.

The answers of a form (names, addresses, Aadhaar numbers, income, caste) are kept in the
``applications.fields`` column sealed with Fernet (AES-128-CBC + HMAC-SHA256): a database
dump or backup shows none of them. The key is ``EDISTRICT_DATA_KEY`` (at least 32
characters; ``new,old`` rotates: the first seals, all open) or, when unset, derived from
the Ed25519 certificate signing key, like the download-link key. Rows written before
sealing (plain JSON) are read as they are and sealed at their next write.

The seal belongs to an engine (:func:`bind_seal`): only the app's engine, which knows the
key, reads or writes answers; an engine without one refuses instead of storing clear text.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator

from sealing import Seal, is_sealed

KEY_VARIABLE = "EDISTRICT_DATA_KEY"
_DERIVATION_LABEL = b"edistrict/application-fields/v1"
_ATTRIBUTE = "edistrict_field_seal"


def field_seal(configured: str | None, signing_key: Ed25519PrivateKey) -> Seal:
    """The seal of ``EDISTRICT_DATA_KEY``, else of a key derived from ``signing_key``."""
    if configured:
        keys = [k.strip().encode() for k in configured.split(",") if k.strip()]
        return Seal(keys, KEY_VARIABLE)
    raw = signing_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    derived = hmac.new(raw, _DERIVATION_LABEL, hashlib.sha256).digest()
    return Seal([derived], f"{KEY_VARIABLE} (derived from the signing key)")


def bind_seal(engine: Engine, seal: Seal) -> None:
    """Lets ``engine`` read and write sealed columns with ``seal``."""
    setattr(engine.dialect, _ATTRIBUTE, seal)


def _seal_of(dialect: Dialect) -> Seal:
    seal = getattr(dialect, _ATTRIBUTE, None)
    if seal is None:
        raise RuntimeError("this database engine has no data key (bind_seal)")
    return seal  # type: ignore[no-any-return]


class SealedJSON(TypeDecorator[Any]):
    """A JSON value stored sealed (a JSON string ``sealed:v1:...``)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Seals the value before it is stored."""
        if value is None:
            return None
        return _seal_of(dialect).seal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Opens a sealed value; a plain one (stored before sealing) is returned as is."""
        if is_sealed(value):
            return _seal_of(dialect).open(value)
        return value
