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
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.inbound import LOCATION_INTENT
from channels.settings import TwilioSettings
from channels.webhook_body import limit_body, read_body, too_large

logger = logging.getLogger(__name__)

TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


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
        """Hands a signed message to Rasa, as Rasa's own Twilio channel does.

        Anything that goes wrong is logged; Twilio gets 204 regardless.
        """
        try:
            form = request.form
            sender, text = form.get("From"), form.get("Body")
            latitude, longitude = form.get("Latitude"), form.get("Longitude")
            if latitude and longitude:
                # Text is always None with a location from Twilio WhatsApp; the same
                # payload as a WhatsApp Cloud API location (components/payload_guard.py).
                text = LOCATION_INTENT + json.dumps(
                    {"latitude": float(latitude), "longitude": float(longitude)}
                )
            if not sender or text is None:
                logger.debug("Twilio webhook without sender or text: ignored")
                return
            message = UserMessage(
                text.replace("¡", "@"),  # carriers corrupt @ in SMS
                self.get_output_channel(),
                sender,
                input_channel=self.name(),
                metadata=self.get_metadata(request),
            )
        except Exception:
            logger.warning("Twilio webhook: unreadable message skipped", exc_info=True)
            return
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("Twilio message from %s could not be handled", sender)

    def is_valid_request(self, request: Request) -> bool:
        """Checks ``X-Twilio-Signature`` against the URL and the form parameters.

        The URL is ``TWILIO_WEBHOOK_URL`` when set (needed behind a proxy that changes
        scheme or host), else the URL the request arrived at.
        """
        signature = request.headers.get(TWILIO_SIGNATURE_HEADER)
        if not signature:
            return False
        url = self.settings.webhook_url or request.url
        params = {key: request.form.get(key) for key in request.form}
        validator = RequestValidator(self.settings.auth_token)
        return bool(validator.validate(url, params, signature))
