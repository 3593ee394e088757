"""Reads WhatsApp Cloud API webhook bodies into simple events. Pure, no I/O.

A body holds ``entry[].changes[].value`` objects; each value may carry ``messages``
(from citizens), ``statuses`` (of what we sent) and ``errors``. Every one is turned
into an event, in body order, so nothing is silently dropped.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

logger = logging.getLogger(__name__)

# What the channel does with a message:
TEXT = "text"  # hand the text (or payload) to Rasa
MEDIA = "media"  # download, store, hand /document_uploaded to Rasa
UNSUPPORTED = "unsupported"  # polite answer in the citizen's language
IGNORE = "ignore"  # silence (reactions, system notices)

DOCUMENT_INTENT = "/document_uploaded"
LOCATION_INTENT = "/share_location"

_UNSUPPORTED_TYPES = {"audio", "video", "sticker", "contacts", "order", "unsupported"}


@dataclass
class InboundMessage:
    """One message from a citizen.

    Attributes:
        wa_id: Citizen's WhatsApp id (the Rasa sender id).
        message_id: WhatsApp message id (``wamid...``), used for de-duplication.
        type: WhatsApp message type (``text``, ``image``, ``interactive`` ...).
        action: What to do: :data:`TEXT`, :data:`MEDIA`, :data:`UNSUPPORTED`,
            :data:`IGNORE`.
        text: Text or payload for Rasa (for :data:`TEXT`).
        profile_name: Citizen's WhatsApp profile name, if sent.
        timestamp: Unix time as sent by WhatsApp.
        phone_number_id: Business phone number that received the message.
        media: For :data:`MEDIA`: ``id``, ``mime_type``, ``filename``, ``caption``.
        extra: More metadata for the actions (location details, referral, context).
    """

    wa_id: str
    message_id: str
    type: str
    action: str
    text: Optional[str] = None
    profile_name: Optional[str] = None
    timestamp: Optional[str] = None
    phone_number_id: Optional[str] = None
    media: Dict[str, Any] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> Dict[str, Any]:
        """The ``whatsapp`` metadata handed to Rasa with this message."""
        data: Dict[str, Any] = {
            "wa_id": self.wa_id,
            "profile_name": self.profile_name,
            "message_id": self.message_id,
            "timestamp": self.timestamp,
            "type": self.type,
            "phone_number_id": self.phone_number_id,
        }
        data.update(self.extra)
        return data


@dataclass
class StatusUpdate:
    """Delivery status of a message we sent.

    Attributes:
        message_id: Id of our message.
        status: ``sent``, ``delivered``, ``read``, ``played`` or ``failed``.
        recipient_id: Citizen's WhatsApp id.
        timestamp: Unix time as sent by WhatsApp.
        errors: Error objects (``code``, ``title``, ``error_data.details``) when failed.
    """

    message_id: str
    status: str
    recipient_id: str
    timestamp: Optional[str] = None
    errors: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class WebhookError:
    """An error reported in the webhook outside any message (logged only)."""

    errors: List[Dict[str, Any]]


Event = Union[InboundMessage, StatusUpdate, WebhookError]


def parse_webhook(body: Any) -> List[Event]:
    """Extracts every message, status and error of a webhook body, in order.

    Args:
        body: The decoded JSON body.

    Returns:
        Events in body order; malformed parts are logged and skipped.
    """
    events: List[Event] = []
    if not isinstance(body, dict):
        return events
    for entry in body.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            if not isinstance(value, dict):
                continue
            events.extend(_parse_value(value))
    return events


def _parse_value(value: Dict[str, Any]) -> List[Event]:
    events: List[Event] = []
    phone_number_id = (value.get("metadata") or {}).get("phone_number_id")
    names = {
        contact.get("wa_id"): (contact.get("profile") or {}).get("name")
        for contact in value.get("contacts") or []
        if isinstance(contact, dict)
    }
    value_errors = value.get("errors") or []
    for message in value.get("messages") or []:
        try:
            parsed = parse_message(message, value_errors)
        except (AttributeError, KeyError, TypeError, ValueError):
            logger.warning("Skipping malformed WhatsApp message: %.300s", message)
            continue
        parsed.profile_name = names.get(parsed.wa_id)
        parsed.phone_number_id = phone_number_id
        events.append(parsed)
    for status in value.get("statuses") or []:
        if isinstance(status, dict) and status.get("id"):
            events.append(
                StatusUpdate(
                    message_id=str(status["id"]),
                    status=str(status.get("status", "")),
                    recipient_id=str(status.get("recipient_id", "")),
                    timestamp=status.get("timestamp"),
                    errors=list(status.get("errors") or []),
                )
            )
    if value_errors and not value.get("messages"):
        events.append(WebhookError(list(value_errors)))
    return events


def parse_message(
    message: Dict[str, Any], value_errors: Optional[List[Any]] = None
) -> InboundMessage:
    """Decides what to do with one message object.

    Args:
        message: One element of ``value.messages``.
        value_errors: ``value.errors`` of the same change (for broken messages).

    Returns:
        The message with its action and the text for Rasa.
    """
    kind = str(message.get("type", ""))
    parsed = InboundMessage(
        wa_id=str(message["from"]),
        message_id=str(message["id"]),
        type=kind,
        action=UNSUPPORTED,
        timestamp=message.get("timestamp"),
    )
    context = message.get("context") or {}
    if context:
        parsed.extra["context"] = context
    if message.get("referral"):
        parsed.extra["referral"] = message["referral"]

    if kind == "text":
        parsed.action, parsed.text = (
            TEXT,
            str((message.get("text") or {}).get("body", "")),
        )
    elif kind == "interactive":
        _parse_interactive(parsed, message.get("interactive") or {})
    elif kind == "button":
        button = message.get("button") or {}
        parsed.action = TEXT
        parsed.text = str(button.get("payload") or button.get("text") or "")
    elif kind in ("image", "document"):
        media = message.get(kind) or {}
        parsed.action = MEDIA
        parsed.media = {
            "id": media.get("id"),
            "mime_type": media.get("mime_type"),
            "filename": media.get("filename"),
            "caption": media.get("caption"),
        }
        if not media.get("id"):
            parsed.action = UNSUPPORTED
    elif kind == "location":
        location = message.get("location") or {}
        latitude, longitude = float(location["latitude"]), float(location["longitude"])
        entities = json.dumps({"latitude": latitude, "longitude": longitude})
        parsed.action, parsed.text = TEXT, f"{LOCATION_INTENT}{entities}"
        parsed.extra["location"] = {
            key: location[key]
            for key in ("latitude", "longitude", "name", "address", "url")
            if key in location
        }
    elif kind in ("reaction", "system"):
        parsed.action = IGNORE
    elif kind in _UNSUPPORTED_TYPES:
        parsed.action = UNSUPPORTED
    else:
        logger.info("Unknown WhatsApp message type %r: answering politely", kind)
    errors = list(message.get("errors") or []) or (
        list(value_errors or []) if parsed.action == UNSUPPORTED else []
    )
    if errors:
        parsed.extra["errors"] = errors
    if parsed.action == TEXT and not (parsed.text or "").strip():
        parsed.action = UNSUPPORTED
    return parsed


def _parse_interactive(parsed: InboundMessage, interactive: Dict[str, Any]) -> None:
    reply_type = interactive.get("type")
    if reply_type in ("button_reply", "list_reply"):
        reply = interactive.get(reply_type) or {}
        parsed.action, parsed.text = TEXT, str(reply.get("id") or "")
        parsed.extra["reply_title"] = reply.get("title")
    else:
        # nfm_reply (WhatsApp Flows) and anything new: the assistant sends no flows.
        parsed.action = UNSUPPORTED
