"""The one place the Rasa side reads its runtime environment.

With nothing set, everything is embedded: SQLite under ``var/``, in-memory locks, no broker.
Each variable below switches one part to its production form (see ``.env.example``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EDISTRICT_URL = "http://127.0.0.1:8001"
DEFAULT_EDISTRICT_TIMEOUT = 10.0
DEV_SERVICE_TOKEN = (
    "dev-service-token"  # the gateway accepts it outside production only
)


def var_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Returns the folder for runtime state (SQLite files, uploads, logs)."""
    return Path(env.get("GOV_VAR_DIR") or PROJECT_ROOT / "var")


@dataclass(frozen=True)
class GatewayAccess:
    """How the Rasa side reaches the e-District gateway.

    Attributes:
        url: Base URL the actions call (``EDISTRICT_URL``).
        public_url: Base URL in links the gateway hands out, such as certificate URLs
            (``EDISTRICT_PUBLIC_URL``; defaults to ``url``).
        token: Service bearer token (``EDISTRICT_SERVICE_TOKEN``).
        timeout: Seconds to wait for one answer (``EDISTRICT_TIMEOUT``, default 10).
    """

    url: str
    public_url: str
    token: str
    timeout: float = DEFAULT_EDISTRICT_TIMEOUT

    def origins(self) -> frozenset[str]:
        """``scheme://host:port`` of both URLs: where the token may be sent."""
        return frozenset(origin(u) for u in (self.url, self.public_url))


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL (default ports made explicit)."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def edistrict_gateway(env: Mapping[str, str] = os.environ) -> GatewayAccess:
    """Reads the ``EDISTRICT_URL``, ``_PUBLIC_URL``, ``_SERVICE_TOKEN``, ``_TIMEOUT`` variables."""
    url = (env.get("EDISTRICT_URL", "").strip() or DEFAULT_EDISTRICT_URL).rstrip("/")
    public_url = env.get("EDISTRICT_PUBLIC_URL", "").strip().rstrip("/") or url
    token = env.get("EDISTRICT_SERVICE_TOKEN", "").strip() or DEV_SERVICE_TOKEN
    timeout = float(
        env.get("EDISTRICT_TIMEOUT", "").strip() or DEFAULT_EDISTRICT_TIMEOUT
    )
    return GatewayAccess(url=url, public_url=public_url, token=token, timeout=timeout)


def catalog_dir(env: Mapping[str, str] = os.environ) -> Optional[Path]:
    """The catalog folder (``GOV_CATALOG_DIR``, e.g. a test catalog); None: the shipped one."""
    folder = env.get("GOV_CATALOG_DIR", "").strip()
    return Path(folder) if folder else None


def submission_retry_seconds(env: Mapping[str, str] = os.environ) -> float:
    """First wait before a submission the gateway could not take is tried again.

    ``SUBMISSION_RETRY_SECONDS`` (default 60); each further attempt waits twice as long,
    up to an hour (``actions/submission.py``).
    """
    raw = env.get("SUBMISSION_RETRY_SECONDS", "").strip()
    return max(float(raw), 0.1) if raw else 60.0


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


# --- The runtime boundary: who may call Rasa's HTTP API and the action server ---

ACTION_TOKEN_HEADER = "X-Action-Token"
# Rasa 3.6 expands ``${VAR}`` in endpoints.yml and refuses to start when a *word* of the
# value starts with an unset ``${VAR}``. The prefix keeps the header value one word that
# does not start with "$": with ACTION_SERVER_TOKEN unset, Rasa still starts (NLU trainers'
# plain `rasa shell`) and sends the literal placeholder, which the action server refuses.
ACTION_TOKEN_PREFIX = "rasa:"
UNSET_ACTION_TOKEN = ACTION_TOKEN_PREFIX + "${ACTION_SERVER_TOKEN}"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"


@dataclass(frozen=True)
class RasaAccess:
    """How the project's own clients reach Rasa's HTTP API (``trigger_intent``, tracker).

    Attributes:
        url: Base URL (``RASA_URL``).
        token: Rasa's ``--auth-token`` (``RASA_TOKEN``), sent as ``?token=``; None if unset.
    """

    url: str
    token: Optional[str]

    def params(self, **extra: str) -> dict[str, str]:
        """Query parameters for an API call: ``extra`` plus ``token`` when one is set."""
        return {**extra, **({"token": self.token} if self.token else {})}


def rasa_api(env: Mapping[str, str] = os.environ) -> RasaAccess:
    """Reads ``RASA_URL`` and ``RASA_TOKEN``."""
    url = (env.get("RASA_URL", "").strip() or DEFAULT_RASA_URL).rstrip("/")
    return RasaAccess(url=url, token=env.get("RASA_TOKEN", "").strip() or None)


def action_server_token(env: Mapping[str, str] = os.environ) -> Optional[str]:
    """The secret Rasa presents to the action server (``ACTION_SERVER_TOKEN``), or None."""
    return env.get("ACTION_SERVER_TOKEN", "").strip() or None


def lock_store_timeout(env: Mapping[str, str] = os.environ) -> float:
    """Seconds a Redis lock-store call may take before it fails (``LOCK_STORE_TIMEOUT``)."""
    raw = env.get("LOCK_STORE_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else 5.0
    except ValueError:
        raise ValueError(f"LOCK_STORE_TIMEOUT must be seconds, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"LOCK_STORE_TIMEOUT must be positive, got {raw!r}")
    return value


def lock_store_key_prefix(env: Mapping[str, str] = os.environ) -> str:
    """Prefix of the lock keys in Redis (``LOCK_STORE_KEY_PREFIX``, letters/digits)."""
    prefix = env.get("LOCK_STORE_KEY_PREFIX", "").strip() or "gov"
    if not prefix.isalnum():
        raise ValueError(
            f"LOCK_STORE_KEY_PREFIX must be letters and digits only, got {prefix!r}"
        )
    return prefix


def tracker_cache(env: Mapping[str, str] = os.environ) -> Tuple[int, float]:
    """(conversations, idle seconds) the tracker store keeps opened (``infra.tracker_cache``).

    ``TRACKER_CACHE_CONVERSATIONS`` (default 1000, 0 = off) and
    ``TRACKER_CACHE_IDLE_SECONDS`` (default 600).
    """
    values = []
    for name, default in (
        ("TRACKER_CACHE_CONVERSATIONS", 1000.0),
        ("TRACKER_CACHE_IDLE_SECONDS", 600.0),
    ):
        raw = env.get(name, "").strip()
        try:
            value = float(raw) if raw else default
        except ValueError:
            raise ValueError(f"{name} must be a number, got {raw!r}") from None
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {raw!r}")
        values.append(value)
    return int(values[0]), values[1]
