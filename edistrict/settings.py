"""All gateway configuration, read from environment variables in one place.

Every variable is documented in docs/edistrict.md. Defaults work with no environment set:
SQLite under ``var/`` at the repository root, documents on local disk, development tokens
(only when ``EDISTRICT_ENV`` is not ``production``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEV_SERVICE_TOKEN = "dev-service-token"
DEV_OFFICER_ID = "dev-officer"
DEV_OFFICER_TOKEN = "dev-officer-token"
DEV_OFFICER_TOKENS = f"{DEV_OFFICER_ID}:{DEV_OFFICER_TOKEN}:*"
ALL_DEPARTMENTS = "*"
# Granted like a department: the officer answers the helpdesk (/console/helpdesk).
HELPDESK = "helpdesk"
MIN_LINK_KEY_CHARS = 32
# Per citizen and India day, on POST /api/v1/documents (0: no limit).
DEFAULT_UPLOAD_FILES_PER_DAY = 30
DEFAULT_UPLOAD_BYTES_PER_DAY = 50 * 1024 * 1024
# Uploads are kept as long as a saved draft may refer to them (the assistant forgets
# idle conversations after CONVERSATION_RETENTION_DAYS, 180 by default).
DEFAULT_UPLOAD_RETENTION_DAYS = 180
_DEPARTMENT_ID = re.compile(r"^[a-z0-9_]{1,80}$")


class ConfigError(RuntimeError):
    """Raised when the configuration is unusable (e.g. production without secrets)."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class OfficerGrant:
    """A configured officer: the bearer token and the departments they decide for.

    Attributes:
        token: The officer's bearer token (only its SHA-256 is stored).
        departments: Catalog department ids; ``{"*"}`` means every department (not
            allowed in production).
    """

    token: str
    departments: frozenset[str] = frozenset({ALL_DEPARTMENTS})

    @property
    def all_departments(self) -> bool:
        """True when the officer may see every department."""
        return ALL_DEPARTMENTS in self.departments


def _departments(value: str, officer_id: str) -> frozenset[str]:
    names = frozenset(filter(None, (part.strip() for part in value.split("|"))))
    if not names or names == {ALL_DEPARTMENTS}:
        return frozenset({ALL_DEPARTMENTS})
    bad = sorted(n for n in names if not _DEPARTMENT_ID.match(n))
    if bad:
        raise ConfigError(
            f"EDISTRICT_OFFICER_TOKENS: officer {officer_id!r} has malformed "
            f"department ids {bad} (use catalog ids separated by '|', or '*')"
        )
    return names


def parse_officers(value: str) -> dict[str, OfficerGrant]:
    """Parses ``id:token[:dept1|dept2],...`` (``EDISTRICT_OFFICER_TOKENS``).

    Args:
        value: The variable's text. Tokens may not contain ``:`` or ``,``; departments
            omitted or ``*`` mean every department.

    Returns:
        ``{officer_id: grant}``.

    Raises:
        ConfigError: On a malformed entry or an officer listed twice.
    """
    officers: dict[str, OfficerGrant] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ConfigError(
                "EDISTRICT_OFFICER_TOKENS must look like "
                "'officer_id:token[:dept1|dept2],...'"
            )
        officer_id, token = parts[0], parts[1]
        if officer_id in officers:
            raise ConfigError(f"EDISTRICT_OFFICER_TOKENS lists {officer_id!r} twice")
        departments = _departments(parts[2] if len(parts) == 3 else "", officer_id)
        officers[officer_id] = OfficerGrant(token, departments)
    return officers


@dataclass(frozen=True)
class Settings:
    """The gateway's configuration; build it with :meth:`from_env`."""

    env: str = "development"
    database_url: str = ""
    data_dir: Path = REPO_ROOT / "var" / "edistrict"
    catalog_path: Path | None = None
    max_upload_bytes: int = 5 * 1024 * 1024
    upload_files_per_day: int = DEFAULT_UPLOAD_FILES_PER_DAY
    upload_bytes_per_day: int = DEFAULT_UPLOAD_BYTES_PER_DAY
    upload_retention_days: int = DEFAULT_UPLOAD_RETENTION_DAYS
    retention_every_seconds: float = 3600.0
    storage_backend: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = "documents/"
    s3_endpoint_url: str | None = None
    s3_region: str = "ap-south-1"
    signing_key_pem: str | None = None
    signing_key_path: Path | None = None
    service_token: str = DEV_SERVICE_TOKEN
    officer_tokens: Mapping[str, OfficerGrant] = field(default_factory=dict)
    public_base_url: str = "http://127.0.0.1:8001"
    link_key: str | None = None
    data_key: str | None = None
    download_link_ttl_seconds: int = 3600
    verify_rate_limit: int = 20
    verify_rate_window_seconds: float = 60.0
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    run_worker: bool = True
    outbox_poll_seconds: float = 2.0
    outbox_backoff_base_seconds: float = 2.0
    outbox_backoff_max_seconds: float = 300.0
    outbox_timeout_seconds: float = 10.0
    # When helpdesk agents answer (India's time), e.g. "mon-sat 09:00-18:00".
    helpdesk_hours: str = "mon-sat 09:00-18:00"
    host: str = "127.0.0.1"
    port: int = 8001

    @property
    def documents_dir(self) -> Path:
        """Directory of the content-addressed local document store."""
        return self.data_dir / "documents"

    @property
    def certificates_dir(self) -> Path:
        """Directory where generated certificate PDFs are kept."""
        return self.data_dir / "certificates"

    @property
    def key_path(self) -> Path:
        """Where the Ed25519 signing key is read from (or generated for development)."""
        return self.signing_key_path or self.data_dir / "signing_key.pem"

    @property
    def production(self) -> bool:
        """True when ``EDISTRICT_ENV=production`` (no development defaults)."""
        return self.env == "production"

    def check(self) -> None:
        """Refuses configurations that are unsafe to run.

        In production: no development service or officer token, no ``dev-officer``, and
        every officer limited to named departments. Everywhere: one token per officer,
        none equal to the service token, a configured ``EDISTRICT_LINK_KEY`` and
        ``EDISTRICT_DATA_KEY`` keys of at least 32 characters, positive limits and
        upload quotas >= 0.

        Raises:
            ConfigError: Naming the problem.
        """
        from edistrict.helpdesk import Hours  # helpdesk -> outbox -> settings

        try:
            Hours.parse(self.helpdesk_hours)
        except ValueError as error:
            raise ConfigError(str(error)) from error
        if self.link_key is not None and len(self.link_key) < MIN_LINK_KEY_CHARS:
            raise ConfigError(
                f"EDISTRICT_LINK_KEY must have at least {MIN_LINK_KEY_CHARS} characters"
            )
        if self.data_key is not None and any(
            len(key.strip()) < MIN_LINK_KEY_CHARS for key in self.data_key.split(",")
        ):
            raise ConfigError(
                f"every EDISTRICT_DATA_KEY key must have at least {MIN_LINK_KEY_CHARS} "
                "characters"
            )
        if self.download_link_ttl_seconds <= 0:
            raise ConfigError("EDISTRICT_DOWNLOAD_LINK_TTL_SECONDS must be positive")
        if self.upload_retention_days < 1 or self.retention_every_seconds <= 0:
            raise ConfigError(
                "EDISTRICT_UPLOAD_RETENTION_DAYS must be >= 1 and "
                "EDISTRICT_RETENTION_EVERY_SECONDS positive"
            )
        if self.upload_files_per_day < 0 or self.upload_bytes_per_day < 0:
            raise ConfigError(
                "EDISTRICT_UPLOAD_FILES_PER_DAY and EDISTRICT_UPLOAD_BYTES_PER_DAY "
                "must be >= 0 (0: no limit)"
            )
        if self.verify_rate_limit < 0 or self.verify_rate_window_seconds <= 0:
            raise ConfigError(
                "EDISTRICT_VERIFY_RATE_LIMIT must be >= 0 (0: off) and "
                "EDISTRICT_VERIFY_RATE_WINDOW_SECONDS positive"
            )
        tokens = [grant.token for grant in self.officer_tokens.values()]
        if len(set(tokens)) != len(tokens) or self.service_token in tokens:
            raise ConfigError(
                "every officer needs a token of their own, different from the "
                "service token"
            )
        if not self.production:
            return
        if self.service_token == DEV_SERVICE_TOKEN:
            raise ConfigError(
                "the development service token is refused in production; "
                "set EDISTRICT_SERVICE_TOKEN to a random secret"
            )
        for officer_id, grant in self.officer_tokens.items():
            if officer_id == DEV_OFFICER_ID or grant.token in {
                DEV_OFFICER_TOKEN,
                DEV_SERVICE_TOKEN,
            }:
                raise ConfigError(
                    f"officer {officer_id!r}: development officers and tokens are "
                    "refused in production"
                )
            if grant.all_departments:
                raise ConfigError(
                    f"officer {officer_id!r} needs its departments in production "
                    "(EDISTRICT_OFFICER_TOKENS id:token:dept1|dept2; '*' is refused)"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Reads the configuration from environment variables.

        Args:
            environ: The variables to read; ``os.environ`` when omitted.

        Returns:
            The settings.

        Raises:
            ConfigError: In production when a required secret is missing or a
                development token is given, or on a malformed value (see
                :meth:`check`).
        """
        env = os.environ if environ is None else environ
        get = env.get
        mode = get("EDISTRICT_ENV", "development").strip().lower()
        if mode not in ("development", "production"):
            # "prod", "live" ... must not quietly switch the development tokens on.
            raise ConfigError(
                f"EDISTRICT_ENV must be 'development' or 'production', got {mode!r}"
            )
        production = mode == "production"
        data_dir = Path(get("EDISTRICT_DATA_DIR", str(REPO_ROOT / "var" / "edistrict")))
        database_url = get("EDISTRICT_DATABASE_URL") or (
            f"sqlite:///{REPO_ROOT / 'var' / 'edistrict.db'}"
        )
        service_token = get("EDISTRICT_SERVICE_TOKEN") or (
            None if production else DEV_SERVICE_TOKEN
        )
        officers_raw = get("EDISTRICT_OFFICER_TOKENS") or (
            "" if production else DEV_OFFICER_TOKENS
        )
        if production and not service_token:
            raise ConfigError("EDISTRICT_SERVICE_TOKEN is required in production")
        if production and not (
            get("EDISTRICT_SIGNING_KEY") or get("EDISTRICT_SIGNING_KEY_FILE")
        ):
            raise ConfigError(
                "EDISTRICT_SIGNING_KEY or EDISTRICT_SIGNING_KEY_FILE is required "
                "in production"
            )
        backend = get("EDISTRICT_STORAGE", "local").strip().lower()
        if backend not in {"local", "s3"}:
            raise ConfigError("EDISTRICT_STORAGE must be 'local' or 's3'")
        if backend == "s3" and not get("EDISTRICT_S3_BUCKET"):
            raise ConfigError(
                "EDISTRICT_S3_BUCKET is required with EDISTRICT_STORAGE=s3"
            )
        try:
            settings = cls(
                env=mode,
                database_url=database_url,
                data_dir=data_dir,
                catalog_path=Path(get("EDISTRICT_CATALOG_PATH"))
                if get("EDISTRICT_CATALOG_PATH")
                else None,
                max_upload_bytes=int(
                    get("EDISTRICT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
                ),
                upload_files_per_day=int(
                    get(
                        "EDISTRICT_UPLOAD_FILES_PER_DAY",
                        str(DEFAULT_UPLOAD_FILES_PER_DAY),
                    )
                ),
                upload_bytes_per_day=int(
                    get(
                        "EDISTRICT_UPLOAD_BYTES_PER_DAY",
                        str(DEFAULT_UPLOAD_BYTES_PER_DAY),
                    )
                ),
                upload_retention_days=int(
                    get(
                        "EDISTRICT_UPLOAD_RETENTION_DAYS",
                        str(DEFAULT_UPLOAD_RETENTION_DAYS),
                    )
                ),
                retention_every_seconds=float(
                    get("EDISTRICT_RETENTION_EVERY_SECONDS", "3600")
                ),
                storage_backend=backend,
                s3_bucket=get("EDISTRICT_S3_BUCKET", ""),
                s3_prefix=get("EDISTRICT_S3_PREFIX", "documents/"),
                s3_endpoint_url=get("EDISTRICT_S3_ENDPOINT_URL") or None,
                s3_region=get("EDISTRICT_S3_REGION", "ap-south-1"),
                signing_key_pem=get("EDISTRICT_SIGNING_KEY") or None,
                signing_key_path=Path(get("EDISTRICT_SIGNING_KEY_FILE"))
                if get("EDISTRICT_SIGNING_KEY_FILE")
                else None,
                service_token=service_token or "",
                officer_tokens=parse_officers(officers_raw),
                public_base_url=get(
                    "EDISTRICT_PUBLIC_URL",
                    f"http://{get('EDISTRICT_HOST', '127.0.0.1')}:"
                    f"{get('EDISTRICT_PORT', '8001')}",
                ).rstrip("/"),
                link_key=get("EDISTRICT_LINK_KEY") or None,
                data_key=get("EDISTRICT_DATA_KEY") or None,
                download_link_ttl_seconds=int(
                    get("EDISTRICT_DOWNLOAD_LINK_TTL_SECONDS", "3600")
                ),
                verify_rate_limit=int(get("EDISTRICT_VERIFY_RATE_LIMIT", "20")),
                verify_rate_window_seconds=float(
                    get("EDISTRICT_VERIFY_RATE_WINDOW_SECONDS", "60")
                ),
                rasa_url=get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
                rasa_token=get("RASA_TOKEN") or None,
                run_worker=_bool(get("EDISTRICT_OUTBOX_WORKER", "true")),
                outbox_poll_seconds=float(get("EDISTRICT_OUTBOX_POLL_SECONDS", "2")),
                outbox_backoff_base_seconds=float(
                    get("EDISTRICT_OUTBOX_BACKOFF_BASE_SECONDS", "2")
                ),
                outbox_backoff_max_seconds=float(
                    get("EDISTRICT_OUTBOX_BACKOFF_MAX_SECONDS", "300")
                ),
                outbox_timeout_seconds=float(
                    get("EDISTRICT_OUTBOX_TIMEOUT_SECONDS", "10")
                ),
                helpdesk_hours=get("HELPDESK_HOURS", "mon-sat 09:00-18:00"),
                host=get("EDISTRICT_HOST", "127.0.0.1"),
                port=int(get("EDISTRICT_PORT", "8001")),
            )
        except ValueError as error:
            raise ConfigError(
                f"invalid number in gateway configuration: {error}"
            ) from error
        settings.check()
        return settings
