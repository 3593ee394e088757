"""Certificate numbers that cannot be guessed from one another.

New numbers are ``DLC-<CODE>-<YEAR>-<8 random characters>`` from an alphabet without the
look-alikes 0/O and 1/I (32 characters, 40 bits of randomness), e.g.
``DLC-BIR-2026-7KQ2MZ9D``. Numbers issued before (``DLC-BIR-2026-000123``) stay valid:
verification looks numbers up as stored.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from edistrict.models import Certificate

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_CHARS = 8
_ATTEMPTS = 5


def random_suffix() -> str:
    """Eight characters from :data:`ALPHABET`, from the OS's secure random source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))


def new_certificate_number(session: Session, application_id: str) -> str:
    """A new, unused certificate number for an application.

    Args:
        session: Open session (to skip the rare number already taken).
        application_id: ``DL-<CODE>-<YEAR>-<sequence>``; code and year are kept.

    Returns:
        ``DLC-<CODE>-<YEAR>-<random>``.

    Raises:
        RuntimeError: When no free number was drawn (practically impossible).
    """
    parts = application_id.split("-")
    code, year = (parts[1], parts[2]) if len(parts) == 4 else ("GEN", "0000")
    for _ in range(_ATTEMPTS):
        number = f"DLC-{code}-{year}-{random_suffix()}"
        taken = session.scalar(
            select(Certificate.id).where(Certificate.number == number)
        )
        if taken is None:
            return number
    raise RuntimeError("could not draw a free certificate number")
