"""The one place the Rasa side reads its runtime environment.

With nothing set, everything is embedded: SQLite under ``var/``, in-memory locks, no broker.
Each variable below switches one part to its production form (see ``.env.example``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def var_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Returns the folder for runtime state (SQLite files, uploads, logs)."""
    return Path(env.get("GOV_VAR_DIR") or PROJECT_ROOT / "var")


@dataclass(frozen=True)
class BrokerSettings:
    """Connection details of a RabbitMQ event broker."""

    host: str
    port: int
    username: str
    password: str
    queue: str


def tracker_store_url(env: Mapping[str, str] = os.environ) -> str:
    """Returns the SQLAlchemy URL of the tracker store (``TRACKER_STORE_URL``)."""
    url = env.get("TRACKER_STORE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{var_dir(env) / 'tracker.db'}"


def redis_lock_url(env: Mapping[str, str] = os.environ) -> Optional[str]:
    """Returns the Redis URL for the lock store (``LOCK_STORE_URL``), or None."""
    return env.get("LOCK_STORE_URL", "").strip() or None


def event_broker(env: Mapping[str, str] = os.environ) -> Optional[BrokerSettings]:
    """Returns RabbitMQ settings from ``EVENT_BROKER_URL`` (amqp://user:pw@host:port)."""
    url = env.get("EVENT_BROKER_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise ValueError(
            f"EVENT_BROKER_URL must look like amqp://user:password@host:5672, got {url!r}"
        )
    return BrokerSettings(
        host=parts.hostname,
        port=parts.port or 5672,
        username=parts.username or "guest",
        password=parts.password or "guest",
        queue=env.get("EVENT_BROKER_QUEUE", "rasa_events"),
    )
