"""WhatsApp through Twilio: Rasa's built-in ``twilio`` channel plus signature checks.

``credentials.yml``::

    channels.twilio_whatsapp.TwilioWhatsAppInput:

Reads ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and ``TWILIO_WHATSAPP_NUMBER``
(``whatsapp:+<number>``) from the environment. A POST to
``/webhooks/twilio_whatsapp/webhook`` larger than ``TWILIO_WEBHOOK_MAX_BYTES`` gets 413
before its body is read; every other one must carry a valid ``X-Twilio-Signature``
(checked with the ``twilio`` package's ``RequestValidator``) or gets 403 before Rasa sees
it; without configuration the webhook answers 503. A signed body of any content gets
204 (what Rasa's channel answers), never a 5xx: Twilio does not redeliver.

Every message handed to Rasa carries the metadata contract of ``channels/metadata.py``
(channel ``whatsapp``, the citizen: ``From``, ``ProfileName``, the Indian mobile in
``From``) plus ``twilio`` details (``message_sid`` ...). Media (``NumMedia``,
``MediaUrl<n>``, ``MediaContentType<n>``) is downloaded from Twilio with HTTP basic auth
(account SID, auth token), only from ``TWILIO_MEDIA_HOSTS``, within
``TWILIO_MEDIA_TIMEOUT`` and ``DOCUMENTS_MAX_BYTES``, and handed to the gateway's
document store; Rasa gets ``/document_uploaded`` with ``metadata.document``. Problems
reach Rasa as events too, never as texts of the channel: ``/document_rejected`` with a
``reason`` (``unreadable``, ``quota_exceeded``, ``store_unavailable``,
``download_failed``) and ``/unsupported_message`` for audio, video, contacts, stickers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.documents import (
    QUOTA_EXCEEDED,
    DocumentRejected,
    DocumentStoreUnavailable,
    store_document,
)
from channels.graph import read_limited
from channels.inbound import (
    DOCUMENT_INTENT,
    DOWNLOAD_FAILED,
    LOCATION_INTENT,
    STORE_UNAVAILABLE,
    UNREADABLE,
    UNSUPPORTED_INTENT,
    document_rejected,
)
from channels.media_urls import MediaUrl
from channels.metadata import Citizen, channel_metadata, indian_mobile
from channels.settings import TwilioSettings
from channels.webhook_body import limit_body, read_body, too_large
from infra.settings import origin

logger = logging.getLogger(__name__)

TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_MEDIA = 10  # Twilio's own limit of media items per message
_MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Twilio may call the webhook before the media is readable (an intermittent 404 that
# goes away within seconds): a 404 is tried once more after this many seconds.
_NOT_YET_DELAY = 1.0


class MediaDownloadError(Exception):
    """Received media could not be downloaded from Twilio (nothing was stored)."""


class MediaTooLarge(MediaDownloadError):
    """The media is larger than ``DOCUMENTS_MAX_BYTES``: the download was aborted."""


class _NotYetThere(MediaDownloadError):
    """Twilio answered 404 for the media URL (it may be readable a moment later)."""


def media_url_allowed(url: str, hosts: Tuple[str, ...]) -> bool:
    """Whether a Twilio media URL (or a redirect target) may be requested.

    Only https URLs whose host is in ``hosts`` (``TWILIO_MEDIA_HOSTS``: ``host``,
    ``host:port`` or ``*.domain``, default port 443); plain http only to a loopback
    host listed with its port (the tests' fake Twilio). Never a URL with a user name or
    password.
    """
    target = MediaUrl.parse(url)
    if target is None or (target.scheme == "http" and not target.local_http):
        return False
    return target.listed_in(hosts)


async def download_media(
    url: str, settings: TwilioSettings
) -> Tuple[bytes, Optional[str], Optional[str]]:
    """Downloads one received media item from Twilio.

    The account SID and auth token (HTTP basic auth) go only to the origin of the media
    URL itself (api.twilio.com); the short-lived URL it redirects to is pre-signed and
    gets no credentials. Every URL, redirects included, must pass
    :func:`media_url_allowed` before it is requested. A 404 is tried once more after a
    second (Twilio may announce media before it can be read).

    Args:
        url: ``MediaUrl<n>`` of the webhook.
        settings: Credentials, allowed hosts, timeout and ``documents.max_bytes``.

    Returns:
        The bytes, the file name (``Content-Disposition``, if any) and the declared type.

    Raises:
        MediaTooLarge: Larger than ``documents.max_bytes`` (declared or read); the rest
            is not downloaded.
        MediaDownloadError: Host not allowed, HTTP error, timeout or network failure.
    """
    try:
        return await _download(url, settings)
    except _NotYetThere:
        await asyncio.sleep(_NOT_YET_DELAY)
        return await _download(url, settings)


async def _download(
    url: str, settings: TwilioSettings
) -> Tuple[bytes, Optional[str], Optional[str]]:
    max_bytes = settings.documents.max_bytes
    auth = aiohttp.BasicAuth(settings.account_sid, settings.auth_token)
    credentials_origin = origin(url)
    timeout = aiohttp.ClientTimeout(total=settings.media_timeout)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _ in range(_MAX_REDIRECTS + 1):
                if not media_url_allowed(url, settings.media_hosts):
                    raise MediaDownloadError(
                        f"host {urlsplit(url).hostname!r} is not in TWILIO_MEDIA_HOSTS"
                    )
                async with session.get(
                    url,
                    auth=auth if origin(url) == credentials_origin else None,
                    allow_redirects=False,
                ) as response:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        url = urljoin(url, location)
                        continue
                    if response.status == 404:
                        raise _NotYetThere("HTTP 404")
                    if response.status != 200:
                        raise MediaDownloadError(f"HTTP {response.status}")
                    declared = response.content_length
                    if declared is not None and declared > max_bytes:
                        raise MediaTooLarge(f"{declared} bytes, limit {max_bytes}")
                    data = await read_limited(response, max_bytes)
                    if data is None:
                        raise MediaTooLarge(f"more than {max_bytes} bytes")
                    disposition = response.content_disposition
                    filename = disposition.filename if disposition else None
                    return data, filename, response.content_type
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise MediaDownloadError(f"{type(error).__name__}: {error}") from error
    raise MediaDownloadError("too many redirects")


def is_document_type(content_type: Optional[str]) -> bool:
    """Whether media of this declared type goes to the document store.

    Photos and files (``image/*``, ``application/*``; the gateway decides by content
    and refuses what is no JPEG, PNG or PDF); not audio, video, contacts
    (``text/vcard``) or stickers (``image/webp``). An undeclared type is tried.
    """
    kind = (content_type or "").split(";")[0].strip().lower()
    if not kind:
        return True
    major = kind.partition("/")[0]
    return major in ("image", "application") and kind != "image/webp"


class TwilioWhatsAppInput(TwilioInput):
    """Rasa's Twilio channel for a WhatsApp sender, with request signature validation.

    Args:
        settings: Twilio settings; read from the environment by ``from_credentials``.
    """

    @classmethod
    def name(cls) -> str:
        """Name of the channel (URL prefix ``/webhooks/twilio_whatsapp``)."""
        return "twilio_whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Builds the channel from the environment; credentials.yml may override.

        Args:
            credentials: Optional ``account_sid``, ``auth_token``, ``twilio_number``,
                ``webhook_url``; missing ones come from the environment.
        """
        return cls(TwilioSettings.from_env(overrides=credentials or {}))

    def __init__(self, settings: TwilioSettings) -> None:
        super().__init__(
            settings.account_sid or None,
            settings.auth_token or None,
            settings.whatsapp_number or None,
            debug_mode=False,
        )
        self.settings = settings
        if not settings.enabled:
            logger.warning(
                "Twilio WhatsApp channel disabled: %s not set. Its webhook answers 503.",
                ", ".join(settings.missing),
            )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's Twilio routes, the webhook size-capped and behind a signature check.

        The webhook is a streaming route, so an oversized body is refused before it is
        read (Sanic reads the body of an ordinary route before any middleware runs).
        """
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def message(request: Request) -> HTTPResponse:
            max_bytes = self.settings.webhook_max_bytes
            limit_body(request, max_bytes)
            if not self.settings.enabled:
                return response.json(
                    {
                        "error": "Twilio WhatsApp channel is not configured",
                        "missing": self.settings.missing,
                    },
                    status=503,
                )
            if await read_body(request, max_bytes) is None:
                logger.warning("Twilio webhook rejected: body over %d bytes", max_bytes)
                return too_large(max_bytes)
            try:
                valid = self.is_valid_request(request)
            except (
                Exception
            ):  # a form the validator cannot read is not signed by Twilio
                logger.warning(
                    "Twilio webhook rejected: unreadable form", exc_info=True
                )
                valid = False
            if not valid:
                logger.warning("Twilio webhook rejected: bad or missing signature")
                return response.text("invalid signature", status=403)
            await self._handle(request, on_new_message)
            return response.text("", status=204)

        return webhook

    async def _handle(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Hands a signed message to Rasa: its text, location or media.

        Anything that goes wrong is logged; Twilio gets 204 regardless.
        """
        try:
            form = request.form
            sender = form.get("From")
            if not sender:
                logger.debug("Twilio webhook without sender: ignored")
                return
            name = (form.get("ProfileName") or "").strip() or None
            citizen = Citizen(id=sender, name=name, phone=indian_mobile(sender))
            twilio: Dict[str, Any] = {"message_sid": form.get("MessageSid")}
            if form.get("WaId"):
                twilio["wa_id"] = form.get("WaId")
            media = _media_items(form)
            text = form.get("Body")
            latitude, longitude = form.get("Latitude"), form.get("Longitude")
            if latitude and longitude:
                # Text is always None with a location from Twilio WhatsApp; the same
                # payload as a WhatsApp Cloud API location (components/payload_guard.py).
                text = LOCATION_INTENT + json.dumps(
                    {"latitude": float(latitude), "longitude": float(longitude)}
                )
        except Exception:
            logger.warning("Twilio webhook: unreadable message skipped", exc_info=True)
            return
        if media:
            # WhatsApp sends one media item per message, so Twilio's NumMedia is 1 in
            # practice. Should it be more (up to 10), each item is handled in order as
            # a message of its own; the caption (Body) goes with the first.
            for index, (url, content_type) in enumerate(media):
                details = dict(twilio, media_index=index, media_type=content_type)
                if text and index == 0:
                    details["caption"] = text
                event, document = await self._media_event(sender, url, content_type)
                await self._send(
                    on_new_message,
                    event,
                    sender,
                    channel_metadata("whatsapp", citizen, document, twilio=details),
                )
            return
        if text is None:
            logger.debug("Twilio webhook without text or media: ignored")
            return
        await self._send(
            on_new_message,
            text.replace("¡", "@"),  # carriers corrupt @ in SMS
            sender,
            channel_metadata("whatsapp", citizen, twilio=twilio),
        )

    async def _send(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        metadata: Dict[str, Any],
    ) -> None:
        """Hands one message to Rasa; a failure there is logged."""
        message = UserMessage(
            text,
            self.get_output_channel(),
            sender,
            input_channel=self.name(),
            metadata=metadata,
        )
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("Twilio message from %s could not be handled", sender)

    async def _media_event(
        self, sender: str, url: str, content_type: Optional[str]
    ) -> Tuple[str, Optional[Dict[str, Any]]]:
        """What Rasa is told about one media item, and the stored document's reference.

        Returns:
            ``/document_uploaded`` with the gateway's reference, or an event without
            one: ``/unsupported_message`` or ``/document_rejected{"reason": ...}``.
        """
        if not is_document_type(content_type):
            logger.info("Unsupported Twilio media %s from %s", content_type, sender)
            return UNSUPPORTED_INTENT, None
        documents = self.settings.documents
        try:
            data, filename, declared = await download_media(url, self.settings)
            stored = await asyncio.to_thread(
                partial(store_document, sender_id=sender),
                data,
                filename,
                content_type or declared,
                documents,
            )
        except MediaTooLarge as error:
            logger.info("Twilio media from %s too large: %s", sender, error)
            reason = UNREADABLE
        except MediaDownloadError as error:
            logger.warning("Twilio media from %s not downloaded: %s", sender, error)
            reason = DOWNLOAD_FAILED
        except DocumentRejected as error:
            logger.info("Document from %s rejected: %s", sender, error)
            reason = QUOTA_EXCEEDED if error.reason == QUOTA_EXCEEDED else UNREADABLE
        except DocumentStoreUnavailable as error:
            logger.warning("Document store unavailable for %s: %s", sender, error)
            reason = STORE_UNAVAILABLE
        except Exception:
            logger.exception("Twilio media from %s could not be handled", sender)
            reason = DOWNLOAD_FAILED
        else:
            return DOCUMENT_INTENT, stored.to_metadata()
        return document_rejected(reason, documents.max_bytes), None

    def is_valid_request(self, request: Request) -> bool:
        """Checks ``X-Twilio-Signature`` against the URL and the form parameters.

        The URL is ``TWILIO_WEBHOOK_URL`` when set (needed behind a proxy that changes
        scheme or host), else the URL the request arrived at.
        """
        signature = request.headers.get(TWILIO_SIGNATURE_HEADER)
        if not signature:
            return False
        url = self.settings.webhook_url or request.url
        params = _signed_params(request)
        validator = RequestValidator(self.settings.auth_token)
        return bool(validator.validate(url, params, signature))


def _media_items(form: Any) -> List[Tuple[str, Optional[str]]]:
    """``(MediaUrl<n>, MediaContentType<n>)`` of the webhook, at most :data:`MAX_MEDIA`."""
    try:
        count = min(int(form.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    items = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if url:
            items.append((str(url), form.get(f"MediaContentType{index}")))
    return items


def _signed_params(request: Request) -> Dict[str, Any]:
    """The form parameters Twilio signed, blank ones included.

    Twilio signs every parameter it posts, ``Body=`` of a photo without a caption too;
    Sanic's ``request.form`` leaves blank values out, which would make every such
    signature wrong. A form that is not UTF-8 is read as Sanic reads it.
    """
    content_type = request.headers.get("content-type", "")
    if (
        content_type.split(";")[0].strip().lower()
        == "application/x-www-form-urlencoded"
    ):
        try:
            fields = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            pass
        else:
            return {key: values[0] for key, values in fields.items()}
    return {key: request.form.get(key) for key in request.form}
