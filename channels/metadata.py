"""The one metadata contract every channel fills and the actions read.

Each user message a channel hands to Rasa carries, in ``metadata``::

    {"channel": "whatsapp" | "web" | "csc",     # the medium: Twilio's WhatsApp is whatsapp
     "citizen": {"id": <Rasa sender id>, "name": <profile name or null>,
                 "phone": <10-digit Indian mobile or null>},
     "document": {"id", "mime_type", "size", "sha256", "filename"}   # only with a file
    }

``citizen.id`` is the conversation id the channel authenticated: a WhatsApp number, a
WhatsApp business-scoped user id (``IN.1234...``, for a citizen who hides their number
behind a username), ``whatsapp:+91...`` on Twilio, or a REST sender. It is never
assumed to be a phone number: ``phone`` is filled only when the channel knows one.
Actions trust ``citizen`` only from a channel that authenticates its sender
(:data:`TRUSTED_INPUT_CHANNELS`) and only when ``citizen.id`` is the conversation's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

# Rasa input channels whose sender id and profile come from a signed webhook.
TRUSTED_INPUT_CHANNELS = frozenset({"whatsapp", "twilio_whatsapp"})
CHANNELS = frozenset({"whatsapp", "web", "csc"})
_INDIAN_MOBILE = re.compile(r"(?:\+?91)?([6-9]\d{9})")


def whatsapp_number(sender_id: str) -> Optional[str]:
    """The international number a WhatsApp conversation id is, if it is one.

    ``919811100001`` and ``whatsapp:+919811100001`` are numbers; a business-scoped user
    id (``IN.1502576394655843``) is not.
    """
    digits = sender_id.removeprefix("whatsapp:").removeprefix("+")
    return digits if re.fullmatch(r"\d{6,20}", digits) else None


def indian_mobile(value: Optional[str]) -> Optional[str]:
    """The 10-digit Indian mobile number in ``value`` (``919811...``, ``whatsapp:+91...``).

    None for anything else: a business-scoped user id, a foreign number, a REST id.
    """
    text = (value or "").removeprefix("whatsapp:").strip()
    match = _INDIAN_MOBILE.fullmatch(text)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Citizen:
    """Who is writing, as the channel knows them."""

    id: str
    name: Optional[str] = None
    phone: Optional[str] = None


def channel_metadata(
    channel: str,
    citizen: Citizen,
    document: Optional[Dict[str, Any]] = None,
    **extra: Any,
) -> Dict[str, Any]:
    """The metadata a channel hands to Rasa with one message.

    Args:
        channel: One of :data:`CHANNELS`.
        citizen: The sender, as authenticated by the channel.
        document: The gateway's reference of a file sent with the message.
        extra: Channel-specific details kept for diagnostics (e.g. ``whatsapp``).
    """
    assert channel in CHANNELS, channel
    metadata: Dict[str, Any] = {
        "channel": channel,
        "citizen": {"id": citizen.id, "name": citizen.name, "phone": citizen.phone},
        **extra,
    }
    if document is not None:
        metadata["document"] = document
    return metadata


def trusted_citizen(
    metadata: Dict[str, Any], input_channel: Optional[str], sender_id: str
) -> Citizen:
    """The citizen of a message, believed only as far as the channel vouches for it.

    Args:
        metadata: The user message's metadata.
        input_channel: Rasa's ``input_channel`` of the message (set by the channel,
            never by the message).
        sender_id: The conversation id.

    Returns:
        The channel's citizen when the channel authenticates its senders and the
        metadata is about this very conversation; otherwise only the conversation id.
    """
    raw = metadata.get("citizen")
    if input_channel not in TRUSTED_INPUT_CHANNELS or not isinstance(raw, dict):
        return Citizen(sender_id)
    if raw.get("id") != sender_id:
        return Citizen(sender_id)
    name, phone = raw.get("name"), raw.get("phone")
    return Citizen(
        sender_id,
        name if isinstance(name, str) and name.strip() else None,
        indian_mobile(phone) if isinstance(phone, str) else None,
    )
