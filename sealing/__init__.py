"""Authenticated encryption of JSON values at rest, for every store that keeps personal data.

Fernet (AES-128-CBC + HMAC-SHA256) under keys derived by SHA-256 from any secret; several
keys rotate: the first seals, all open. A sealed value is text starting ``sealed:v1:``,
so a store can tell it from rows written before sealing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED = "sealed:v1:"


def is_sealed(stored: Any) -> bool:
    """Whether ``stored`` is a sealed value (not plain data written before sealing)."""
    return isinstance(stored, str) and stored.startswith(SEALED)


class Seal:
    """Seals JSON-able values into text and opens them again."""

    def __init__(self, keys: Sequence[bytes], key_name: str) -> None:
        """Creates the seal.

        Args:
            keys: Secret key material, the key that seals first.
            key_name: What the key is called where it is configured (for errors).

        Raises:
            ValueError: No key.
        """
        if not keys:
            raise ValueError(f"{key_name}: at least one key is needed")
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(hashlib.sha256(k).digest())) for k in keys]
        )
        self.key_name = key_name

    def seal(self, value: Any) -> str:
        """The value's JSON, encrypted and authenticated."""
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        return SEALED + self._fernet.encrypt(data).decode("ascii")

    def open(self, stored: str) -> Any:
        """The value again.

        Raises:
            ValueError: Not sealed, altered, or sealed with a key not given here.
        """
        return json.loads(self.open_json(stored))

    def open_json(self, stored: str) -> bytes:
        """The value's JSON (UTF-8), as sealed.

        Raises:
            ValueError: Not sealed, altered, or sealed with a key not given here.
        """
        if not is_sealed(stored):
            raise ValueError("not a sealed value")
        try:
            return self._fernet.decrypt(stored[len(SEALED) :].encode())
        except InvalidToken as error:
            raise ValueError(
                f"a stored value cannot be opened with {self.key_name}: a wrong or "
                "lost key, or an altered row"
            ) from error
