"""WhatsApp Cloud API channel for Rasa 3.6, shaped like ``rasa/core/channels/facebook.py``.

``credentials.yml``::

    channels.whatsapp.WhatsAppInput:

Every secret comes from the environment (``channels/settings.py``); without them the
channel is disabled and its webhook answers 503. Webhook: ``/webhooks/whatsapp/webhook``
(GET: Meta's verification handshake; POST: signed events). A POST larger than
``WHATSAPP_WEBHOOK_MAX_BYTES`` gets 413 unread; the rest is checked against
``X-Hub-Signature-256`` before anything is parsed. Its events are stored in a durable
inbox (``channels/inbox.py``) *before* the 200, and processed in the background, in order
per citizen; after a crash the inbox gives back what was not processed. Redeliveries are
dropped by the inbox and a persistent de-duplication store.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.dedup import DedupStore, create_dedup_store
from channels.delivery import NOTIFICATION, REPLY, DeliveryStore
from channels.documents import DocumentRejected, DocumentStoreUnavailable
from channels.graph import OUTSIDE_WINDOW, GraphClient, GraphError, log_graph_error
from channels.inbound import (
    DOCUMENT_INTENT,
    IGNORE,
    MEDIA,
    UNSUPPORTED,
    UNSUPPORTED_INTENT,
    InboundMessage,
    StatusUpdate,
    WebhookError,
    document_rejected,
    excerpt,
    from_payload,
    parse_webhook,
    to_payload,
    without_lone_surrogates,
)
from channels.inbox import Inbox, NewEvent, SQLiteInbox
from channels.media import (
    SIGNED_LINK_PREFIX,
    MediaFetchError,
    fetch_document,
    fetch_outgoing,
    is_gateway_file,
    problem_reason,
)
from channels.metadata import Citizen, channel_metadata, indian_mobile
from channels.outbound import (
    PayloadRegistry,
    addressed,
    button_payloads,
    media_payload,
    split_text,
    template_payload,
    text_payload,
)
from channels.queues import KeyedQueues
from channels.settings import WhatsAppSettings
from channels.signature import SIGNATURE_HEADER, verify
from channels.texts import DEFAULT_LANGUAGE, response_language
from channels.webhook_body import limit_body, read_body, too_large

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _is_safe_raw_message(payload: Dict[str, Any]) -> bool:
    """Whether a raw Cloud API message may go out: text or interactive, no media link.

    Files go only through ``WhatsAppOutput._send_media`` (the gateway's certificates).
    """
    return payload.get("type") in (
        "text",
        "interactive",
    ) and '"link"' not in json.dumps(payload)


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's responses through the WhatsApp Cloud API.

    Sending never raises: failures are logged by class (see ``channels/graph.py``);
    outside the 24-hour window (131047) the configured template goes out instead. The
    list button label and the template language are those of the response being sent
    (``response_language``: the variation Rasa chose by the ``language`` slot).

    Args:
        client: Graph API client.
        settings: Channel settings (template name and languages).
        registry: Short ids for over-long button payloads.
        delivery: Store of sent messages and their status, if any.
        kind: ``reply`` inside a conversation, ``notification`` when proactive.
    """

    @classmethod
    def name(cls) -> str:
        """Name of the channel."""
        return "whatsapp"

    def __init__(
        self,
        client: GraphClient,
        settings: WhatsAppSettings,
        registry: PayloadRegistry,
        delivery: Optional[DeliveryStore] = None,
        kind: str = REPLY,
    ) -> None:
        self.client = client
        self.settings = settings
        self.registry = registry
        self.delivery = delivery
        self.kind = kind

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Sends text, split at 4096 characters on sentence boundaries."""
        await self._send_all(
            recipient_id,
            [text_payload(part) for part in split_text(text)],
            text,
            response_language(kwargs),
        )

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends reply buttons (up to 3) or interactive lists (more)."""
        language = response_language(kwargs)
        payloads = button_payloads(text, buttons, language, self.registry)
        await self._send_all(recipient_id, payloads, text, language)

    async def send_image_url(
        self, recipient_id: str, image: str, **kwargs: Any
    ) -> None:
        """Sends an image by URL (only the gateway's own files, see ``_send_media``)."""
        await self._send_media(
            recipient_id, "image", {"url": image}, response_language(kwargs)
        )

    async def send_attachment(
        self, recipient_id: str, attachment: Any, **kwargs: Any
    ) -> None:
        """Sends a document: a URL or ``{url, filename, caption}``."""
        spec = attachment if isinstance(attachment, dict) else {"url": attachment}
        await self._send_media(
            recipient_id, "document", spec, response_language(kwargs)
        )

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends ``{"document": {...}}``, ``{"image": {...}}`` or a raw ``{"whatsapp": {...}}``.

        A raw message may only be text or interactive, without media links.
        ``document``/``image`` take a ``url`` of the gateway, plus optional ``filename``
        and ``caption``; certificates are sent this way.
        """
        language = response_language(kwargs)
        for kind in ("document", "image"):
            if isinstance(json_message.get(kind), dict):
                await self._send_media(recipient_id, kind, json_message[kind], language)
                return
        raw = json_message.get("whatsapp")
        if isinstance(raw, dict) and _is_safe_raw_message(raw):
            await self._send_all(recipient_id, [dict(raw)], None, language)
        else:
            logger.warning("WhatsApp cannot send custom JSON %.200s", json_message)

    async def _send_media(
        self,
        recipient_id: str,
        kind: str,
        spec: Dict[str, Any],
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        """Uploads a certificate from the gateway and sends it by media id.

        Only the gateway's own certificate URLs are sent (never a local path or another
        host: a URL could come from a message). The file is downloaded first and
        uploaded to WhatsApp; when the download fails, a signed public link is sent
        for Meta to fetch, and anything else is dropped with an error in the log.
        """
        source = str(spec.get("url") or "")
        caption, filename = spec.get("caption"), spec.get("filename")
        gateway = self.settings.gateway
        if not is_gateway_file(source, gateway):
            logger.error("Refusing to send %.120r: not a file of the gateway", source)
            return
        try:
            data, name, mime_type = await fetch_outgoing(
                source, gateway, self.settings.request_timeout
            )
        except MediaFetchError as error:
            if not urlsplit(source).path.startswith(SIGNED_LINK_PREFIX):
                logger.error("Cannot fetch %s to send it: %s", source, error)
                return
            logger.warning(
                "Sending the link to %s: cannot fetch it (%s)", source, error
            )
            link = media_payload(kind, link=source, caption=caption, filename=filename)
            await self._send_all(recipient_id, [link], caption or filename, language)
            return
        try:
            media_id = await self.client.upload_media(data, filename or name, mime_type)
        except GraphError as error:
            log_graph_error(error, "certificate upload")
            return
        payload = media_payload(
            kind, media_id=media_id, caption=caption, filename=filename or name
        )
        await self._send_all(
            recipient_id, [payload], caption or filename or name, language
        )

    async def _send_all(
        self,
        recipient_id: str,
        payloads: List[Dict[str, Any]],
        text: Optional[str],
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        """Sends payloads in order; stops at the first failure.

        Args:
            recipient_id: The conversation id: the citizen's number or their BSUID.
            payloads: Message payloads without ``to``/``recipient``.
            text: The whole text, for the template outside the 24-hour window.
            language: The response's language (the template's).
        """
        for payload in payloads:
            try:
                message_id = await self.client.send_message(
                    addressed(recipient_id, payload)
                )
            except GraphError as error:
                if error.code == OUTSIDE_WINDOW:
                    await self.send_template(recipient_id, text or "", language)
                else:
                    log_graph_error(
                        error, f"{payload.get('type')} message to {recipient_id}"
                    )
                return
            await self._record(message_id, recipient_id, self.kind, text, language)

    async def send_template(
        self, recipient_id: str, text: str, language: str = DEFAULT_LANGUAGE
    ) -> None:
        """Sends the approved notification template (outside the 24-hour window).

        Args:
            recipient_id: The conversation id: the citizen's number or their BSUID.
            text: The text that could not be sent, as the template's body variable.
            language: The text's language: the template language is
                ``WHATSAPP_TEMPLATE_LANGUAGES`` of it (English's when not mapped).
        """
        if not self.settings.template_name:
            logger.error(
                "Message to %s is outside the 24-hour window (131047) and "
                "WHATSAPP_TEMPLATE_NAME is not set: flagged as undelivered",
                recipient_id,
            )
            return
        languages = self.settings.template_languages
        code = languages.get(language) or languages.get(DEFAULT_LANGUAGE, "en")
        payload = template_payload(self.settings.template_name, code, text)
        try:
            message_id = await self.client.send_message(
                addressed(recipient_id, payload)
            )
        except GraphError as error:
            log_graph_error(error, f"template {self.settings.template_name}")
            return
        await self._record(message_id, recipient_id, "template", text, language)

    async def _record(
        self,
        message_id: str,
        recipient_id: str,
        kind: str,
        text: Optional[str],
        language: str,
    ) -> None:
        if self.delivery is None or not message_id:
            return
        try:
            kept = text if kind == NOTIFICATION else None
            await self.delivery.record_sent(
                message_id, recipient_id, kind, kept, language
            )
        except Exception:
            logger.exception("Could not record WhatsApp message %s", message_id)


class WhatsAppInput(InputChannel):
    """WhatsApp Cloud API input channel.

    Args:
        settings: Channel settings; read from the environment by ``from_credentials``.
    """

    @classmethod
    def name(cls) -> str:
        """Name of the channel (URL prefix ``/webhooks/whatsapp``)."""
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Builds the channel from the environment; credentials.yml may override.

        Args:
            credentials: Optional keys ``access_token``, ``app_secret``,
                ``verify_token``, ``phone_number_id``, ``graph_url``,
                ``api_version``; empty or missing ones come from the environment.
        """
        return cls(WhatsAppSettings.from_env(overrides=credentials or {}))

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self.client = GraphClient(settings)
        self.registry = PayloadRegistry()
        self.queues = KeyedQueues()
        self._dedup: Optional[DedupStore] = None
        self._delivery: Optional[DeliveryStore] = None
        self._inbox: Optional[Inbox] = None
        self._recovered = False
        self._recovering: Optional[asyncio.Lock] = None
        self._tasks: Set[asyncio.Task[None]] = set()
        self._agent: Any = None  # Rasa's Agent: its tracker store (retried rows)
        if settings.enabled:
            self._dedup = create_dedup_store(settings)
            self._delivery = DeliveryStore(settings.delivery_db)
            self._inbox = SQLiteInbox(settings.inbox_path, settings.inbox_keep_seconds)
        else:
            logger.warning(
                "WhatsApp channel disabled: %s not set (see docs/whatsapp.md). "
                "Its webhook answers 503.",
                ", ".join(settings.missing),
            )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Returns the routes: health ``/``, verification and events ``/webhook``."""
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.settings.enabled})

        @webhook.route("/webhook", methods=["GET"])
        async def verify_subscription(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return self._disabled()
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.settings.verify_token.encode()
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("WhatsApp webhook verification failed: wrong verify token")
            return response.text("verification failed", status=403)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            # A streaming route: nothing of the body is read before the size check.
            max_bytes = self.settings.webhook_max_bytes
            limit_body(request, max_bytes)
            if not self.settings.enabled:
                return self._disabled()
            self._agent = getattr(request.app.ctx, "agent", None)
            raw = await read_body(request, max_bytes)
            if raw is None:
                logger.warning(
                    "WhatsApp webhook rejected: body over %d bytes", max_bytes
                )
                return too_large(max_bytes)
            if not verify(
                self.settings.app_secret, raw, request.headers.get(SIGNATURE_HEADER)
            ):
                logger.warning("WhatsApp webhook rejected: bad or missing signature")
                return response.json({"error": "invalid signature"}, status=403)
            return await self._receive_signed(raw, on_new_message)

        @webhook.listener("after_server_start")
        async def recover(app: Any, _: Any) -> None:
            self._agent = getattr(app.ctx, "agent", None) or self._agent
            try:
                await self.recover(on_new_message)
            except Exception:  # tried again with the next webhook (503 until then)
                logger.exception("Could not read the WhatsApp inbox at start")

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.aclose()

        return webhook

    def _disabled(self) -> HTTPResponse:
        return response.json(
            {
                "error": "WhatsApp channel is not configured",
                "missing": self.settings.missing,
                "help": "docs/whatsapp.md",
            },
            status=503,
        )

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Output for proactive messages (notifications via trigger_intent)."""
        if not self.settings.enabled:
            return None
        return self._output(NOTIFICATION)

    def _output(self, kind: str) -> WhatsAppOutput:
        return WhatsAppOutput(
            self.client,
            self.settings,
            self.registry,
            self._delivery,
            kind,
        )

    async def _receive_signed(
        self, raw: bytes, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        """Answers a signed body: never 5xx for its content, 503 only when storing fails.

        Non-JSON is 400; any JSON is 200, its unusable parts logged and skipped (Meta
        would otherwise retry them for days). 503 makes Meta deliver the body again.
        """
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            return response.json({"error": "body is not JSON"}, status=400)
        try:
            events = parse_webhook(without_lone_surrogates(raw, body))
        except Exception:  # parse_webhook skips what it cannot read; this is a bug
            logger.exception("Unreadable WhatsApp webhook body skipped: %r", raw[:300])
            return response.json({"status": "skipped"})
        try:
            await self.accept(events, on_new_message)
        except Exception:
            logger.exception("Could not store a WhatsApp webhook: answering 503")
            return response.json({"error": "could not store the events"}, status=503)
        return response.json({"status": "received"})

    async def accept(self, events: List[Any], on_new_message: OnNewMessage) -> None:
        """Stores the events of one webhook body durably, then queues them.

        Messages are queued per citizen, statuses per recipient; a message id already
        in the inbox is not queued again. Returns once the events are on disk.

        Raises:
            Exception: When the inbox cannot store them (the webhook answers 503).
        """
        stored: List[Any] = []
        new_events: List[NewEvent] = []
        for event in events:
            if isinstance(event, WebhookError):
                logger.warning(
                    "WhatsApp webhook reported errors: %s", excerpt(event.errors)
                )
                continue
            try:
                kind, payload = to_payload(event)
            except (ValueError, TypeError, RecursionError):
                logger.warning(
                    "Skipping WhatsApp event that cannot be stored: %s", excerpt(event)
                )
                continue
            message = isinstance(event, InboundMessage)
            new_events.append(
                NewEvent(
                    queue_key=event.sender_id
                    if message
                    else f"status:{event.recipient_id}",
                    kind=kind,
                    event_id=event.message_id,
                    payload=payload,
                    unique_key=event.message_id if message else None,
                )
            )
            stored.append(event)
        if self._inbox is None or not new_events:
            return
        # Shielded: when Meta hangs up mid-request, what was stored is still queued
        # (its redelivery would be refused as already in the inbox).
        await asyncio.shield(self._store(stored, new_events, on_new_message))

    async def _store(
        self,
        events: List[Any],
        new_events: List[NewEvent],
        on_new_message: OnNewMessage,
    ) -> None:
        inbox = self._inbox
        if inbox is None:
            return
        await self.recover(on_new_message)
        row_ids = await inbox.add(new_events)
        for event, new, row_id in zip(events, new_events, row_ids, strict=True):
            if row_id is None:
                logger.debug("WhatsApp message %s already in the inbox", new.event_id)
                continue
            self._enqueue(row_id, new.queue_key, event, on_new_message)

    async def recover(self, on_new_message: OnNewMessage) -> None:
        """Queues the inbox rows left pending by the previous run (once per start).

        A row already tried ``inbox_max_attempts`` times (the process stopped while
        handling it each time) is kept as failed instead.
        """
        if self._recovered or self._inbox is None:
            return
        if self._recovering is None:
            self._recovering = asyncio.Lock()
        async with self._recovering:
            if self._recovered:
                return
            await self._inbox.open()
            rows = await self._inbox.pending()
            self._recovered = True
        limit = self.settings.inbox_max_attempts
        for row in rows:
            if row.attempts >= limit:
                logger.error(
                    "WhatsApp %s %s interrupted %d times: kept as failed in %s (row %d)",
                    row.kind,
                    row.event_id,
                    row.attempts,
                    self.settings.inbox_path.name,
                    row.id,
                )
                await self._settle(
                    self._inbox.fail(row.id, "interrupted by a stop of the process"),
                    row.event_id,
                )
                continue
            try:
                event = from_payload(row.kind, row.payload)
            except (TypeError, ValueError):
                logger.error("Inbox row %d cannot be read: kept as failed", row.id)
                await self._settle(self._inbox.fail(row.id, "unreadable"), row.event_id)
                continue
            self._enqueue(row.id, row.queue_key, event, on_new_message)
        if rows:
            logger.info("WhatsApp inbox: %d pending events queued again", len(rows))

    def _enqueue(
        self, row_id: int, key: str, event: Any, on_new_message: OnNewMessage
    ) -> None:
        self.queues.submit(key, partial(self._run, row_id, event, on_new_message))

    async def _run(self, row_id: int, event: Any, on_new_message: OnNewMessage) -> None:
        """Processes one inbox row: retried with backoff, then kept as failed.

        Runs in the citizen's queue, so the citizen's next message waits for it.
        """
        inbox = self._inbox
        if inbox is None:
            return
        label = (
            f"{'message' if isinstance(event, InboundMessage) else 'status'} "
            + str(event.message_id)
        )
        limit = self.settings.inbox_max_attempts
        while True:
            try:
                attempt = await inbox.start(row_id)
            except Exception:
                logger.exception(
                    "WhatsApp inbox unavailable: %s stays pending until the next start",
                    label,
                )
                return
            try:
                if isinstance(event, InboundMessage):
                    owner = f"{inbox.instance}:{row_id}"
                    await self._handle_message(
                        event, on_new_message, owner=owner, retried=attempt > 1
                    )
                else:
                    await self._handle_status(event)
            except Exception as error:
                if attempt >= limit:
                    logger.error(
                        "WhatsApp %s failed %d times: kept as failed in %s (row %d)",
                        label,
                        attempt,
                        self.settings.inbox_path.name,
                        row_id,
                        exc_info=True,
                    )
                    await self._settle(inbox.fail(row_id, repr(error)), label)
                    return
                delay = self.settings.inbox_retry_base_delay * 2 ** (attempt - 1)
                logger.warning(
                    "WhatsApp %s failed (attempt %d of %d), retrying in %.1f s",
                    label,
                    attempt,
                    limit,
                    delay,
                    exc_info=True,
                )
                await self._settle(inbox.note_error(row_id, repr(error)), label)
                await asyncio.sleep(delay)
                continue
            await self._settle(inbox.done(row_id), label)
            return

    @staticmethod
    async def _settle(update: Awaitable[None], label: str) -> None:
        """Runs an inbox update; a failure is logged (the row is tried again later)."""
        try:
            await update
        except Exception:
            logger.exception("Could not update the WhatsApp inbox for %s", label)

    async def drain(self) -> None:
        """Waits until all queued events are processed (tests, shutdown)."""
        await self.queues.drain()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Finishes queued work and closes connections."""
        await self.drain()
        await self.client.close()
        if self._dedup is not None:
            await self._dedup.close()
            self._dedup = None
        if self._delivery is not None:
            await self._delivery.close()
            self._delivery = None
        if self._inbox is not None:
            await self._inbox.close()
            self._inbox = None

    async def _is_new(self, message_id: str, owner: str = "") -> bool:
        """Claims a message id in the de-duplication store.

        When the store fails or does not answer in time (Redis down), the message is
        processed anyway, with a warning naming it: the inbox still refuses a
        redelivery to this server, only one to another server could be processed
        twice. Stopping every citizen's conversation for a Redis outage would be worse.
        """
        if self._dedup is None:
            return True
        try:
            return await self._dedup.claim(message_id, owner)
        except Exception as error:
            logger.warning(
                "De-duplication store unavailable (%r): processing %s checked against "
                "this server's inbox only",
                error,
                message_id,
            )
            return True

    async def _in_tracker(self, message: InboundMessage) -> bool:
        """True when Rasa's tracker already holds this message.

        Checked for a retried row, whose earlier try may have got through Rasa before
        the crash or error.
        """
        store = getattr(self._agent, "tracker_store", None)
        if store is None:
            return False
        try:
            tracker = await store.retrieve(message.sender_id)
        except Exception:
            logger.exception("Could not read the tracker of %s", message.sender_id)
            return False
        for event in reversed(list(tracker.events) if tracker else []):
            metadata = getattr(event, "metadata", None) or {}
            whatsapp = metadata.get("whatsapp") if isinstance(metadata, dict) else None
            if event.type_name == "user" and isinstance(whatsapp, dict):
                if whatsapp.get("message_id") == message.message_id:
                    return True
        return False

    def _background(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _mark_read(self, message_id: str) -> None:
        try:
            await self.client.mark_read(
                message_id, typing=self.settings.typing_indicator
            )
        except GraphError as error:
            log_graph_error(error, "mark as read")

    async def _handle_message(
        self,
        message: InboundMessage,
        on_new_message: OnNewMessage,
        owner: str = "",
        retried: bool = False,
    ) -> None:
        """Processes one citizen message (runs in the citizen's queue).

        Args:
            message: The message.
            on_new_message: Rasa's handler.
            owner: The inbox row holding it (its de-duplication claim).
            retried: An earlier try started (error or crash): skipped when Rasa's
                tracker already has it.
        """
        if not await self._is_new(message.message_id, owner):
            logger.debug("WhatsApp message %s already processed", message.message_id)
            return
        if message.action == IGNORE:
            return
        if retried and await self._in_tracker(message):
            logger.info("WhatsApp message %s already reached Rasa", message.message_id)
            return
        self._background(self._mark_read(message.message_id))
        whatsapp = message.metadata()
        document: Optional[Dict[str, Any]] = None
        if message.action == UNSUPPORTED:
            logger.info(
                "Unsupported WhatsApp %s message from %s",
                message.type,
                message.sender_id,
            )
            text = UNSUPPORTED_INTENT
        elif message.action == MEDIA:
            document, text = await self._receive_document(message)
            if message.media.get("caption"):
                whatsapp["caption"] = message.media["caption"]
        else:
            text = self.registry.resolve(message.text or "")
        citizen = Citizen(
            message.sender_id, message.profile_name, indian_mobile(message.phone)
        )
        await on_new_message(
            UserMessage(
                text,
                self._output(REPLY),
                message.sender_id,
                input_channel=self.name(),
                metadata=channel_metadata(
                    "whatsapp", citizen, document=document, whatsapp=whatsapp
                ),
            )
        )

    async def _receive_document(
        self, message: InboundMessage
    ) -> Tuple[Optional[Dict[str, Any]], str]:
        """Hands a received image/document to the document store.

        Returns:
            The stored document's reference and ``/document_uploaded``; or None and
            ``/document_rejected{"reason": ...}`` saying why it was not stored (the
            assistant answers it, in the conversation's language).
        """
        documents = self.settings.documents
        try:
            stored = await fetch_document(
                self.client,
                str(message.media["id"]),
                message.media.get("filename"),
                message.media.get("mime_type"),
                documents,
                sender_id=message.sender_id,
            )
        except DocumentRejected as error:
            logger.info(
                "Rejected %s from %s: %s", message.type, message.sender_id, error
            )
            problem: Exception = error
        except DocumentStoreUnavailable as error:
            logger.warning(
                "Document store unavailable for %s: %s", message.sender_id, error
            )
            problem = error
        except GraphError as error:
            if error.status != 413:
                log_graph_error(error, f"media download {message.media.get('id')}")
            problem = error
        else:
            return stored.to_metadata(), DOCUMENT_INTENT
        return None, document_rejected(problem_reason(problem), documents.max_bytes)

    async def _handle_status(self, status: StatusUpdate) -> None:
        """Stores a delivery status; a failed notification is retried or flagged."""
        error = status.errors[0] if status.errors else None
        if self._delivery is None:
            return
        record = await self._delivery.update_status(
            status.message_id, status.recipient_id, status.status, error
        )
        if status.status != "failed":
            return
        code = (error or {}).get("code")
        logger.warning(
            "WhatsApp message %s to %s failed: %s %s (%s)",
            status.message_id,
            status.recipient_id,
            code,
            (error or {}).get("title"),
            ((error or {}).get("error_data") or {}).get("details"),
        )
        if record.kind != NOTIFICATION:
            return
        if code == OUTSIDE_WINDOW and record.text:
            await self._output(NOTIFICATION).send_template(
                record.recipient_id, record.text, record.language or DEFAULT_LANGUAGE
            )
        else:
            logger.error(
                "Notification %s to %s undelivered; flagged in %s",
                status.message_id,
                status.recipient_id,
                Path(self.settings.delivery_db).name,
            )
