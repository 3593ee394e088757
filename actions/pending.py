"""Completed applications the gateway could not take yet, kept until it can.

A SQLite file under ``var/`` by default (``ACTIONS_DATABASE_URL`` for PostgreSQL). Nothing
is opened at import time; the engine is created on first use.

Each kept submission is ``pending`` (retried by the worker, least recently tried first,
so one that keeps failing never holds up the others) or ``failed`` (the gateway refused
it for good, for example a document it will not accept): a failed one stays in the table
with its error, for staff to see, and is never retried.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from infra.settings import actions_database_url

PENDING = "pending"
FAILED = "failed"

metadata = sa.MetaData()
pending_submissions = sa.Table(
    "pending_submissions",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, server_default=PENDING),
    sa.Column("tried_at", sa.DateTime(timezone=True)),
    sa.Column("application_id", sa.String(64)),
)
# Columns added after the first release: added to an existing table on first use.
_ADDED_COLUMNS = {
    "status": f"VARCHAR(16) NOT NULL DEFAULT '{PENDING}'",
    "tried_at": "TIMESTAMP",
    "application_id": "VARCHAR(64)",
}
_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=1)
def engine() -> sa.engine.Engine:
    """The store's engine, created (with its table) on first use."""
    url = actions_database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    created = sa.create_engine(url, future=True)
    metadata.create_all(created)
    existing = {
        c["name"] for c in sa.inspect(created).get_columns("pending_submissions")
    }
    with created.begin() as db:
        for name, ddl in _ADDED_COLUMNS.items():
            if name not in existing:
                db.execute(
                    sa.text(f"ALTER TABLE pending_submissions ADD COLUMN {name} {ddl}")
                )
    return created


def keep(key: str, sender_id: str, payload: Dict[str, Any], error: str) -> None:
    """Stores (or updates) a submission to retry later."""
    with _lock, engine().begin() as db:
        exists = db.execute(
            sa.select(pending_submissions.c.key).where(pending_submissions.c.key == key)
        ).first()
        if exists:
            db.execute(
                pending_submissions.update()
                .where(pending_submissions.c.key == key)
                .values(
                    attempts=pending_submissions.c.attempts + 1,
                    last_error=error,
                    tried_at=_now(),
                )
            )
        else:
            db.execute(
                pending_submissions.insert().values(
                    key=key,
                    sender_id=sender_id,
                    payload=json.dumps(payload, ensure_ascii=False),
                    created_at=_now(),
                    attempts=1,
                    last_error=error,
                    status=PENDING,
                )
            )


def mark_failed(key: str, error: str, application_id: Optional[str] = None) -> None:
    """Marks a submission as refused for good: kept with its error, never retried."""
    with _lock, engine().begin() as db:
        db.execute(
            pending_submissions.update()
            .where(pending_submissions.c.key == key)
            .values(
                status=FAILED,
                attempts=pending_submissions.c.attempts + 1,
                last_error=error,
                tried_at=_now(),
                application_id=application_id,
            )
        )


def _rows(status: str) -> List[Dict[str, Any]]:
    with engine().begin() as db:
        rows = (
            db.execute(
                sa.select(pending_submissions)
                .where(pending_submissions.c.status == status)
                .order_by(
                    # never tried first, then the least recently tried
                    pending_submissions.c.tried_at.is_not(None),
                    pending_submissions.c.tried_at,
                    pending_submissions.c.created_at,
                )
            )
            .mappings()
            .all()
        )
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def all_pending() -> List[Dict[str, Any]]:
    """Returns the submissions still to retry, least recently tried first."""
    return _rows(PENDING)


def all_failed() -> List[Dict[str, Any]]:
    """Returns the submissions the gateway refused for good (kept for staff)."""
    return _rows(FAILED)


def forget(key: str) -> None:
    """Removes a submission once the gateway accepted it."""
    with _lock, engine().begin() as db:
        db.execute(pending_submissions.delete().where(pending_submissions.c.key == key))


def references(document_id: str) -> bool:
    """True when a kept, still pending submission uploads the document ``document_id``."""
    return any(
        isinstance(ref, dict) and ref.get("id") == document_id
        for item in all_pending()
        for ref in (item["payload"].get("documents") or {}).values()
    )
