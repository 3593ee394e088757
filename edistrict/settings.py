"""All gateway configuration, read from environment variables in one place.

Every variable is documented in docs/edistrict.md. Defaults work with no environment set:
SQLite under ``var/`` at the repository root, documents on local disk, development tokens
(only when ``EDISTRICT_ENV`` is not ``production``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEV_SERVICE_TOKEN = "dev-service-token"
DEV_OFFICER_TOKENS = "dev-officer:dev-officer-token"


class ConfigError(RuntimeError):
    """Raised when the configuration is unusable (e.g. production without secrets)."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _officers(value: str) -> dict[str, str]:
    """Parses ``id:token,id2:token2`` into ``{id: token}``."""
    officers: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        officer_id, sep, token = item.partition(":")
        if not sep or not officer_id or not token:
            raise ConfigError(
                "EDISTRICT_OFFICER_TOKENS must look like 'officer_id:token,...'"
            )
        officers[officer_id.strip()] = token.strip()
    return officers


@dataclass(frozen=True)
class Settings:
    """The gateway's configuration; build it with :meth:`from_env`."""

    env: str = "development"
    database_url: str = ""
    data_dir: Path = REPO_ROOT / "var" / "edistrict"
    catalog_path: Path | None = None
    max_upload_bytes: int = 5 * 1024 * 1024
    storage_backend: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = "documents/"
    s3_endpoint_url: str | None = None
    s3_region: str = "ap-south-1"
    signing_key_pem: str | None = None
    signing_key_path: Path | None = None
    service_token: str = DEV_SERVICE_TOKEN
    officer_tokens: Mapping[str, str] = field(default_factory=dict)
    public_base_url: str = "http://127.0.0.1:8001"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    run_worker: bool = True
    outbox_poll_seconds: float = 2.0
    outbox_backoff_base_seconds: float = 2.0
    outbox_backoff_max_seconds: float = 300.0
    outbox_timeout_seconds: float = 10.0
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Reads the configuration from environment variables.

        Args:
            environ: The variables to read; ``os.environ`` when omitted.

        Returns:
            The settings.

        Raises:
            ConfigError: In production when a required secret is missing, or on a
                malformed value.
        """
        env = os.environ if environ is None else environ
        get = env.get
        mode = get("EDISTRICT_ENV", "development").strip().lower()
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
            return cls(
                env=mode,
                database_url=database_url,
                data_dir=data_dir,
                catalog_path=Path(get("EDISTRICT_CATALOG_PATH"))
                if get("EDISTRICT_CATALOG_PATH")
                else None,
                max_upload_bytes=int(
                    get("EDISTRICT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
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
                officer_tokens=_officers(officers_raw),
                public_base_url=get(
                    "EDISTRICT_PUBLIC_URL",
                    f"http://{get('EDISTRICT_HOST', '127.0.0.1')}:"
                    f"{get('EDISTRICT_PORT', '8001')}",
                ).rstrip("/"),
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
                host=get("EDISTRICT_HOST", "127.0.0.1"),
                port=int(get("EDISTRICT_PORT", "8001")),
            )
        except ValueError as error:
            raise ConfigError(
                f"invalid number in gateway configuration: {error}"
            ) from error
