"""Completed applications the gateway could not take yet, kept until it can.

A SQLite file under ``var/`` by default (``ACTIONS_DATABASE_URL`` for PostgreSQL). Nothing
is opened at import time; the engine is created on first use.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Dict, List

import sqlalchemy as sa

from infra.settings import var_dir

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
)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def engine() -> sa.engine.Engine:
    """The store's engine, created (with its table) on first use."""
    url = os.environ.get("ACTIONS_DATABASE_URL")
    if not url:
        var_dir().mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{var_dir() / 'actions.db'}"
    created = sa.create_engine(url, future=True)
    metadata.create_all(created)
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
                .values(attempts=pending_submissions.c.attempts + 1, last_error=error)
            )
        else:
            db.execute(
                pending_submissions.insert().values(
                    key=key,
                    sender_id=sender_id,
                    payload=json.dumps(payload, ensure_ascii=False),
                    created_at=datetime.now(timezone.utc),
                    attempts=1,
                    last_error=error,
                )
            )


def all_pending() -> List[Dict[str, Any]]:
    """Returns every kept submission, oldest first."""
    with engine().begin() as db:
        rows = (
            db.execute(
                sa.select(pending_submissions).order_by(
                    pending_submissions.c.created_at
                )
            )
            .mappings()
            .all()
        )
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def forget(key: str) -> None:
    """Removes a submission once the gateway accepted it."""
    with _lock, engine().begin() as db:
        db.execute(pending_submissions.delete().where(pending_submissions.c.key == key))
