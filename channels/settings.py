"""The one place the channels read their environment (secrets included).

Nothing here touches the network or the disk: the settings are plain values. A channel
whose required variables are missing is *disabled*: it still loads, so Rasa starts, and
its webhook answers 503 explaining which variables to set (see ``docs/whatsapp.md``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from infra.settings import GatewayAccess, edistrict_gateway, redis_lock_url, var_dir

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
DEFAULT_DEDUP_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MEDIA_HOSTS = ("lookaside.fbsbx.com",)
DEFAULT_TEMPLATE_LANGUAGES = {"en": "en", "hi": "hi", "hinglish": "en"}
DEFAULT_WEBHOOK_MAX_BYTES = 1024 * 1024
DEFAULT_INBOX_KEEP_SECONDS = 24 * 3600
DEFAULT_REST_MAILBOX_SIZE = 100
DEFAULT_REST_MAILBOX_KEEP_SECONDS = 30 * 24 * 3600

WHATSAPP_REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)
TWILIO_REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER")

# Keys accepted in credentials.yml (overrides) -> environment variable they replace.
WHATSAPP_CREDENTIAL_KEYS = {
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    "graph_url": "WHATSAPP_GRAPH_URL",
    "api_version": "WHATSAPP_API_VERSION",
}
TWILIO_CREDENTIAL_KEYS = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_WHATSAPP_NUMBER",
    "webhook_url": "TWILIO_WEBHOOK_URL",
}


def _merged(
    env: Mapping[str, str],
    overrides: Optional[Mapping[str, Any]],
    keys: Mapping[str, str],
) -> Dict[str, str]:
    """Returns the environment with credentials.yml overrides applied (non-empty only)."""
    merged = {name: env.get(name, "") for name in keys.values()}
    for key, value in (overrides or {}).items():
        name = keys.get(key)
        if name and value not in (None, ""):
            merged[name] = str(value)
    return {**dict(env), **merged}


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_float(env, name, default))


def parse_language_map(raw: str) -> Dict[str, str]:
    """Parses ``en=en,hi=hi,hinglish=en_US`` into a dict (assistant language -> code).

    Args:
        raw: Comma separated ``language=template_language_code`` pairs.

    Returns:
        The mapping, starting from the defaults so missing languages fall back.
    """
    mapping = dict(DEFAULT_TEMPLATE_LANGUAGES)
    for pair in filter(None, (part.strip() for part in raw.split(","))):
        language, _, code = pair.partition("=")
        if not code.strip():
            raise ValueError(
                "WHATSAPP_TEMPLATE_LANGUAGES must look like en=en,hi=hi,hinglish=en; "
                f"got {raw!r}"
            )
        mapping[language.strip()] = code.strip()
    return mapping


@dataclass(frozen=True)
class DocumentSettings:
    """How every channel hands received documents to the gateway's document store.

    The gateway checks, stores and counts the files (its ``EDISTRICT_MAX_UPLOAD_BYTES``,
    ``EDISTRICT_UPLOAD_FILES_PER_DAY``, ``EDISTRICT_UPLOAD_BYTES_PER_DAY``); nothing is
    kept on the channel's disk.

    Attributes:
        max_bytes: Largest file a channel downloads and hands on
            (``DOCUMENTS_MAX_BYTES``); a larger one is refused without a download or an
            upload. Keep it at most the gateway's ``EDISTRICT_MAX_UPLOAD_BYTES``.
        gateway: The e-District gateway (``EDISTRICT_URL``, ``EDISTRICT_SERVICE_TOKEN``,
            ``EDISTRICT_TIMEOUT`` seconds per upload).
    """

    max_bytes: int = DEFAULT_DOCUMENT_MAX_BYTES
    gateway: GatewayAccess = field(default_factory=lambda: edistrict_gateway({}))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DocumentSettings:
        """Reads ``DOCUMENTS_MAX_BYTES`` and the gateway's ``EDISTRICT_*`` variables."""
        return cls(
            max_bytes=_int(env, "DOCUMENTS_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES),
            gateway=edistrict_gateway(env),
        )


def parse_hosts(raw: str) -> Tuple[str, ...]:
    """Parses ``WHATSAPP_MEDIA_HOSTS`` (comma separated; empty: the default hosts)."""
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    return hosts or DEFAULT_MEDIA_HOSTS


@dataclass(frozen=True)
class WhatsAppSettings:
    """Configuration of the WhatsApp Cloud API channel.

    Attributes:
        access_token: Bearer token of the system user (``WHATSAPP_ACCESS_TOKEN``).
        app_secret: Meta app secret, signs webhooks (``WHATSAPP_APP_SECRET``).
        verify_token: Token echoed during webhook set-up (``WHATSAPP_VERIFY_TOKEN``).
        phone_number_id: Business phone number id (``WHATSAPP_PHONE_NUMBER_ID``).
        graph_url: Graph API base URL (``WHATSAPP_GRAPH_URL``).
        api_version: Graph API version (``WHATSAPP_API_VERSION``).
        template_name: Approved template used outside the 24-hour window.
        template_languages: Assistant language -> template language code.
        dedup_db: SQLite file of processed message ids.
        dedup_redis_url: Redis URL for de-duplication shared by several servers.
        dedup_ttl_seconds: How long a message id is remembered.
        dedup_redis_timeout: Seconds a Redis de-duplication call may wait for an
            answer (``socket_timeout``).
        dedup_redis_connect_timeout: Seconds to connect to Redis.
        delivery_db: SQLite file of delivery states of sent messages.
        inbox_db: SQLite file of received events, stored before the webhook answers
            (None: ``whatsapp_inbox.db`` next to ``dedup_db``; see ``inbox_path``).
        inbox_max_attempts: Attempts per event before it is kept as failed.
        inbox_retry_base_delay: First delay before retrying a failed event (doubles).
        inbox_keep_seconds: How long processed events stay in the inbox.
        webhook_max_bytes: Largest webhook body read; larger ones get 413.
        request_timeout: Seconds per Graph API request.
        max_attempts: Attempts per Graph API call (retryable errors only).
        retry_base_delay: First backoff delay in seconds (doubled each attempt).
        typing_indicator: Whether to show the typing indicator on receipt.
        documents: How received documents reach the gateway's document store.
        gateway: The e-District gateway, whose certificate URLs are fetched with its
            service token before they are uploaded to WhatsApp.
        media_hosts: Hosts, besides the Graph API's, that may receive the access token
            when downloading received media (``WHATSAPP_MEDIA_HOSTS``).
    """

    access_token: str = ""
    app_secret: str = ""
    verify_token: str = ""
    phone_number_id: str = ""
    graph_url: str = DEFAULT_GRAPH_URL
    api_version: str = DEFAULT_API_VERSION
    template_name: str = ""
    template_languages: Dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_TEMPLATE_LANGUAGES)
    )
    dedup_db: Path = Path("var/whatsapp_dedup.db")
    dedup_redis_url: Optional[str] = None
    dedup_ttl_seconds: int = DEFAULT_DEDUP_TTL_SECONDS
    dedup_redis_timeout: float = 1.0
    dedup_redis_connect_timeout: float = 1.0
    delivery_db: Path = Path("var/whatsapp_delivery.db")
    inbox_db: Optional[Path] = None
    inbox_max_attempts: int = 3
    inbox_retry_base_delay: float = 1.0
    inbox_keep_seconds: int = DEFAULT_INBOX_KEEP_SECONDS
    webhook_max_bytes: int = DEFAULT_WEBHOOK_MAX_BYTES
    request_timeout: float = 10.0
    max_attempts: int = 4
    retry_base_delay: float = 0.5
    typing_indicator: bool = True
    documents: DocumentSettings = field(default_factory=DocumentSettings)
    gateway: GatewayAccess = field(default_factory=lambda: edistrict_gateway({}))
    media_hosts: Tuple[str, ...] = DEFAULT_MEDIA_HOSTS

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] = os.environ,
        overrides: Optional[Mapping[str, Any]] = None,
    ) -> WhatsAppSettings:
        """Reads the settings from the environment.

        Args:
            env: Environment variables.
            overrides: Optional values from ``credentials.yml`` (keys of
                ``WHATSAPP_CREDENTIAL_KEYS``); empty values fall back to ``env``.

        Returns:
            The settings; check ``missing`` before using them.
        """
        env = _merged(env, overrides, WHATSAPP_CREDENTIAL_KEYS)
        state = var_dir(env)
        dedup_db = env.get("WHATSAPP_DEDUP_DB", "").strip()
        delivery_db = env.get("WHATSAPP_DELIVERY_DB", "").strip()
        inbox_db = env.get("WHATSAPP_INBOX_DB", "").strip()
        return cls(
            access_token=env.get("WHATSAPP_ACCESS_TOKEN", "").strip(),
            app_secret=env.get("WHATSAPP_APP_SECRET", "").strip(),
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN", "").strip(),
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", "").strip(),
            graph_url=(env.get("WHATSAPP_GRAPH_URL", "").strip() or DEFAULT_GRAPH_URL),
            api_version=(
                env.get("WHATSAPP_API_VERSION", "").strip() or DEFAULT_API_VERSION
            ),
            template_name=env.get("WHATSAPP_TEMPLATE_NAME", "").strip(),
            template_languages=parse_language_map(
                env.get("WHATSAPP_TEMPLATE_LANGUAGES", "")
            ),
            dedup_db=Path(dedup_db) if dedup_db else state / "whatsapp_dedup.db",
            dedup_redis_url=(
                env.get("WHATSAPP_DEDUP_REDIS_URL", "").strip() or redis_lock_url(env)
            ),
            dedup_ttl_seconds=_int(
                env, "WHATSAPP_DEDUP_TTL_SECONDS", DEFAULT_DEDUP_TTL_SECONDS
            ),
            dedup_redis_timeout=_float(env, "WHATSAPP_DEDUP_REDIS_TIMEOUT", 1.0),
            dedup_redis_connect_timeout=_float(
                env, "WHATSAPP_DEDUP_REDIS_CONNECT_TIMEOUT", 1.0
            ),
            delivery_db=(
                Path(delivery_db) if delivery_db else state / "whatsapp_delivery.db"
            ),
            inbox_db=Path(inbox_db) if inbox_db else state / "whatsapp_inbox.db",
            inbox_max_attempts=max(1, _int(env, "WHATSAPP_INBOX_MAX_ATTEMPTS", 3)),
            inbox_retry_base_delay=_float(env, "WHATSAPP_INBOX_RETRY_BASE_DELAY", 1.0),
            inbox_keep_seconds=_int(
                env, "WHATSAPP_INBOX_KEEP_SECONDS", DEFAULT_INBOX_KEEP_SECONDS
            ),
            webhook_max_bytes=_int(
                env, "WHATSAPP_WEBHOOK_MAX_BYTES", DEFAULT_WEBHOOK_MAX_BYTES
            ),
            request_timeout=_float(env, "WHATSAPP_REQUEST_TIMEOUT", 10.0),
            max_attempts=max(1, _int(env, "WHATSAPP_MAX_ATTEMPTS", 4)),
            retry_base_delay=_float(env, "WHATSAPP_RETRY_BASE_DELAY", 0.5),
            typing_indicator=env.get("WHATSAPP_TYPING_INDICATOR", "true").lower()
            not in ("0", "false", "no", "off"),
            documents=DocumentSettings.from_env(env),
            gateway=edistrict_gateway(env),
            media_hosts=parse_hosts(env.get("WHATSAPP_MEDIA_HOSTS", "")),
        )

    @property
    def missing(self) -> List[str]:
        """Names of the required variables that are not set."""
        values = (
            self.access_token,
            self.app_secret,
            self.verify_token,
            self.phone_number_id,
        )
        return [
            name
            for name, value in zip(WHATSAPP_REQUIRED, values, strict=False)
            if not value
        ]

    @property
    def enabled(self) -> bool:
        """True when every required variable is set."""
        return not self.missing

    @property
    def inbox_path(self) -> Path:
        """The inbox file: ``inbox_db``, else next to the de-duplication file."""
        return Path(self.inbox_db or Path(self.dedup_db).with_name("whatsapp_inbox.db"))

    @property
    def api_base(self) -> str:
        """Graph API URL including the version, without a trailing slash."""
        return f"{self.graph_url.rstrip('/')}/{self.api_version.strip('/')}"

    def with_changes(self, **changes: Any) -> WhatsAppSettings:
        """Returns a copy with some fields replaced (tests and bench)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class RestMailboxSettings:
    """The REST channel's mailbox of pushed messages (see ``channels/mailbox.py``).

    Attributes:
        path: SQLite file (``REST_MAILBOX_DB``; default ``var/rest_mailbox.db``).
        max_messages: Newest messages kept per citizen (``REST_MAILBOX_SIZE``).
        keep_seconds: How long an undelivered message is kept
            (``REST_MAILBOX_KEEP_SECONDS``).
    """

    path: Path = Path("var/rest_mailbox.db")
    max_messages: int = DEFAULT_REST_MAILBOX_SIZE
    keep_seconds: int = DEFAULT_REST_MAILBOX_KEEP_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> RestMailboxSettings:
        """Reads ``REST_MAILBOX_DB``, ``REST_MAILBOX_SIZE``, ``REST_MAILBOX_KEEP_SECONDS``."""
        path = env.get("REST_MAILBOX_DB", "").strip()
        return cls(
            path=Path(path) if path else var_dir(env) / "rest_mailbox.db",
            max_messages=max(
                1, _int(env, "REST_MAILBOX_SIZE", DEFAULT_REST_MAILBOX_SIZE)
            ),
            keep_seconds=max(
                1,
                _int(
                    env, "REST_MAILBOX_KEEP_SECONDS", DEFAULT_REST_MAILBOX_KEEP_SECONDS
                ),
            ),
        )


# Twilio's media URLs (api.twilio.com) redirect to a short-lived URL on
# mms.twiliocdn.com (media behind HTTP basic auth) or s3-external-1.amazonaws.com
# (older public media).
DEFAULT_TWILIO_MEDIA_HOSTS = (
    "api.twilio.com",
    "mms.twiliocdn.com",
    "s3-external-1.amazonaws.com",
)
DEFAULT_TWILIO_MEDIA_TIMEOUT = 10.0


@dataclass(frozen=True)
class TwilioSettings:
    """Configuration of WhatsApp through Twilio.

    Attributes:
        account_sid: ``TWILIO_ACCOUNT_SID``.
        auth_token: ``TWILIO_AUTH_TOKEN`` (also validates request signatures).
        whatsapp_number: ``TWILIO_WHATSAPP_NUMBER`` as ``whatsapp:+<number>``.
        webhook_url: Public webhook URL Twilio calls (``TWILIO_WEBHOOK_URL``); when
            empty, the URL of the incoming request is used for the signature.
        webhook_max_bytes: Largest webhook body read (``TWILIO_WEBHOOK_MAX_BYTES``);
            larger ones get 413.
        media_hosts: Hosts received media is downloaded from (``TWILIO_MEDIA_HOSTS``,
            comma separated; entries ``host``, ``host:port`` or ``*.domain``, default
            port 443): Twilio's media URL host and the hosts it redirects to. Any other
            URL, also as a redirect target, is not requested. Plain http only to a
            loopback entry (tests, bench).
        media_timeout: Seconds for the whole download of one media item
            (``TWILIO_MEDIA_TIMEOUT``).
        documents: Size limit and the gateway's document store (``DOCUMENTS_MAX_BYTES``,
            ``EDISTRICT_*``).
    """

    account_sid: str = ""
    auth_token: str = ""
    whatsapp_number: str = ""
    webhook_url: str = ""
    webhook_max_bytes: int = DEFAULT_WEBHOOK_MAX_BYTES
    media_hosts: Tuple[str, ...] = DEFAULT_TWILIO_MEDIA_HOSTS
    media_timeout: float = DEFAULT_TWILIO_MEDIA_TIMEOUT
    documents: DocumentSettings = field(default_factory=DocumentSettings)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] = os.environ,
        overrides: Optional[Mapping[str, Any]] = None,
    ) -> TwilioSettings:
        """Reads the settings from the environment (credentials.yml may override)."""
        env = _merged(env, overrides, TWILIO_CREDENTIAL_KEYS)
        number = env.get("TWILIO_WHATSAPP_NUMBER", "").strip()
        if number and not number.startswith("whatsapp:"):
            number = f"whatsapp:{number}"
        media_hosts = env.get("TWILIO_MEDIA_HOSTS", "").strip()
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID", "").strip(),
            auth_token=env.get("TWILIO_AUTH_TOKEN", "").strip(),
            whatsapp_number=number,
            webhook_url=env.get("TWILIO_WEBHOOK_URL", "").strip(),
            webhook_max_bytes=_int(
                env, "TWILIO_WEBHOOK_MAX_BYTES", DEFAULT_WEBHOOK_MAX_BYTES
            ),
            media_hosts=(
                parse_hosts(media_hosts) if media_hosts else DEFAULT_TWILIO_MEDIA_HOSTS
            ),
            media_timeout=_float(
                env, "TWILIO_MEDIA_TIMEOUT", DEFAULT_TWILIO_MEDIA_TIMEOUT
            ),
            documents=DocumentSettings.from_env(env),
        )

    @property
    def missing(self) -> List[str]:
        """Names of the required variables that are not set."""
        values: Tuple[str, ...] = (
            self.account_sid,
            self.auth_token,
            self.whatsapp_number,
        )
        return [
            name
            for name, value in zip(TWILIO_REQUIRED, values, strict=False)
            if not value
        ]

    @property
    def enabled(self) -> bool:
        """True when every required variable is set."""
        return not self.missing
