"""WhatsApp through Twilio: Rasa's built-in ``twilio`` channel plus signature checks.

``credentials.yml``::

    channels.twilio_whatsapp.TwilioWhatsAppInput:

Reads ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and ``TWILIO_WHATSAPP_NUMBER``
(``whatsapp:+<number>``) from the environment. Every POST to
``/webhooks/twilio_whatsapp/webhook`` must carry a valid ``X-Twilio-Signature``
(checked with the ``twilio`` package's ``RequestValidator``) or gets 403 before Rasa sees
it; without configuration the webhook answers 503.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.settings import TwilioSettings

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
        """Rasa's Twilio routes behind a signature check on the webhook."""
        webhook = super().blueprint(on_new_message)
        webhook.name = "twilio_whatsapp_webhook"

        @webhook.middleware("request")
        async def check_signature(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if not self.settings.enabled:
                return response.json(
                    {
                        "error": "Twilio WhatsApp channel is not configured",
                        "missing": self.settings.missing,
                    },
                    status=503,
                )
            if not self.is_valid_request(request):
                logger.warning("Twilio webhook rejected: bad or missing signature")
                return response.text("invalid signature", status=403)
            return None

        return webhook

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
