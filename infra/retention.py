"""Personal data that expires, or is erased on request, on the Rasa side.

Stores (docs/privacy.md): the tracker store (conversations), the WhatsApp inbox (failed
rows; done rows purge themselves), the WhatsApp delivery log and the REST mailbox (which
purges itself after ``REST_MAILBOX_KEEP_SECONDS``).

* ``expire``: deletes conversations idle for ``CONVERSATION_RETENTION_DAYS`` (default
  180), delivery-log rows and failed inbox rows older than
  ``DELIVERY_RETENTION_DAYS`` (default 30).
* ``erase ID [--requested-by NAME]``: for a citizen's request to an operator (a letter
  to the Data Protection Officer), erases the citizen at the e-District gateway (``POST
  /api/v1/erasure``: undecided applications withdrawn, decided ones unlinked, uploads
  deleted), then everything kept here about the conversation id (a citizen's WhatsApp
  number or id, a REST/CSC conversation id). Nothing is deleted here if the gateway
  cannot be reached (exit status 1): run it again.
* ``run``: ``expire`` now and every ``RETENTION_EVERY_SECONDS`` (default 3600); ``make
  run`` starts it.

``python -m infra.retention expire|erase ID|run`` prints what it deleted, as counts.
A database that does not exist yet holds nothing to delete.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import requests
import sqlalchemy as sa

from channels.settings import RestMailboxSettings, WhatsAppSettings
from delhi.redaction import install_log_redaction
from infra import settings

logger = logging.getLogger(__name__)

DAY = 24 * 3600


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    value = int(raw) if raw else default
    if value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return value


@dataclass(frozen=True)
class Retention:
    """What is kept where, and for how long."""

    tracker_url: str
    inbox: Path
    delivery: Path
    mailbox: Path
    conversation_days: int = 180
    delivery_days: int = 30
    every_seconds: int = 3600

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Retention:
        """Reads the stores' locations and the retention periods."""
        whatsapp = WhatsAppSettings.from_env(env)
        return cls(
            tracker_url=settings.tracker_store_url(env),
            inbox=whatsapp.inbox_path,
            delivery=Path(whatsapp.delivery_db),
            mailbox=RestMailboxSettings.from_env(env).path,
            conversation_days=_positive(env, "CONVERSATION_RETENTION_DAYS", 180),
            delivery_days=_positive(env, "DELIVERY_RETENTION_DAYS", 30),
            every_seconds=_positive(env, "RETENTION_EVERY_SECONDS", 3600),
        )


def _sqlite(path: Path, table: str, where: str, args: Tuple[object, ...]) -> int:
    """Deletes rows of a channel's SQLite table; the number deleted."""
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=30) as db:
        known = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if not known:
            return 0
        return db.execute(f"DELETE FROM {table} WHERE {where}", args).rowcount


def _tracker(url: str, sql: str, params: Dict[str, object]) -> int:
    if (
        url.startswith("sqlite:///")
        and not Path(url.removeprefix("sqlite:///")).exists()
    ):
        return 0
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0
            return int(connection.execute(sa.text(sql), params).rowcount or 0)
    finally:
        engine.dispose()


def erase_conversation(retention: Retention, sender_id: str) -> Dict[str, int]:
    """Deletes everything kept about one conversation id; the rows per store."""
    return {
        "tracker_events": _tracker(
            retention.tracker_url,
            "DELETE FROM events WHERE sender_id = :sender",
            {"sender": sender_id},
        ),
        "inbox": _sqlite(retention.inbox, "inbox", "queue_key = ?", (sender_id,)),
        "delivery": _sqlite(
            retention.delivery, "sent_messages", "recipient_id = ?", (sender_id,)
        ),
        "mailbox": _sqlite(
            retention.mailbox, "rest_mailbox", "recipient = ?", (sender_id,)
        ),
    }


def erase_at_gateway(sender_id: str, requested_by: str) -> Dict[str, int]:
    """Has the e-District gateway erase the citizen; its counts.

    Raises:
        requests.RequestException: The gateway could not be reached or refused.
    """
    gateway = settings.edistrict_gateway()
    response = requests.post(
        f"{gateway.url}/api/v1/erasure",
        headers={
            "Authorization": f"Bearer {gateway.token}",
            "X-Citizen-Id": sender_id,
            "X-Requested-By": requested_by,
        },
        timeout=gateway.timeout,
    )
    response.raise_for_status()
    return {f"gateway_{name}": int(count) for name, count in response.json().items()}


def expire(retention: Retention, now: Optional[float] = None) -> Dict[str, int]:
    """Deletes what is past its retention period; the rows per store."""
    now = time.time() if now is None else now
    idle = now - retention.conversation_days * DAY
    old = now - retention.delivery_days * DAY
    return {
        "tracker_events": _tracker(
            retention.tracker_url,
            "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events "
            "GROUP BY sender_id HAVING MAX(timestamp) < :idle)",
            {"idle": idle},
        ),
        "inbox": _sqlite(
            retention.inbox, "inbox", "state = 'failed' AND updated_at < ?", (old,)
        ),
        "delivery": _sqlite(
            retention.delivery, "sent_messages", "updated_at < ?", (old,)
        ),
    }


def main(argv: Optional[List[str]] = None) -> int:
    """``expire``, ``erase ID`` or ``run`` (see the module's documentation)."""
    install_log_redaction()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("expire", help="delete what is past its retention period")
    erase = sub.add_parser("erase", help="delete everything about one conversation")
    erase.add_argument("sender_id")
    erase.add_argument(
        "--requested-by", default="operator", help="who asked, for the gateway's audit"
    )
    sub.add_parser("run", help="expire now and then periodically")
    args = parser.parse_args(argv)
    retention = Retention.from_env()
    if args.command == "erase":
        try:
            erased = erase_at_gateway(args.sender_id, args.requested_by)
        except requests.RequestException as error:
            logger.error("The gateway did not erase; nothing deleted: %s", error)
            return 1
        erased.update(erase_conversation(retention, args.sender_id))
        print(json.dumps(erased))
        return 0
    while True:
        deleted = expire(retention)
        print(json.dumps(deleted), flush=True)
        if args.command == "expire":
            return 0
        time.sleep(retention.every_seconds)


if __name__ == "__main__":
    sys.exit(main())
