"""Append-only audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from edistrict.db import utcnow
from edistrict.models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    **details: Any,
) -> AuditEntry:
    """Adds an audit entry to the session (committed with the change).

    Args:
        session: The open session of the change.
        actor: Who made the change (``service``, ``officer:<id>``, ``citizen``, ``system``).
        action: What was done, e.g. ``application.created``.
        entity: Kind of object changed, e.g. ``application``.
        entity_id: Its id.
        **details: JSON-serialisable facts worth keeping.

    Returns:
        The new entry.
    """
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=details,
    )
    session.add(entry)
    return entry
