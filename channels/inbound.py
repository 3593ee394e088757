"""Reads WhatsApp Cloud API webhook bodies into simple events. Pure, no I/O.

A body holds ``entry[].changes[].value`` objects; each value may carry ``messages``
(from citizens), ``statuses`` (of what we sent) and ``errors``. Every one is turned
into an event, in body order, so nothing is silently dropped.

Who writes: a message carries the citizen's number in ``from`` and, since 2026, their
business-scoped user id (BSUID, ``IN.1502576394655843``) in ``from_user_id``. A citizen
who adopted a WhatsApp username may arrive with the BSUID only (no ``from``); their
``contacts[]`` entry then has ``user_id`` (and ``profile.username``) but no ``wa_id``.
The conversation id is ``from`` when present, else the BSUID.
"""

from __future__ import annotations

import json
import logging
import math
import re
import reprlib
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

logger = logging.getLogger(__name__)

# What the channel does with a message:
TEXT = "text"  # hand the text (or payload) to Rasa
MEDIA = "media"  # download, store, hand /document_uploaded (or /document_rejected) on
UNSUPPORTED = "unsupported"  # hand /unsupported_message to Rasa (it answers politely)
IGNORE = "ignore"  # silence (reactions, system notices)

DOCUMENT_INTENT = "/document_uploaded"
LOCATION_INTENT = "/share_location"
UNSUPPORTED_INTENT = "/unsupported_message"
DOCUMENT_REJECTED_INTENT = "/document_rejected"

# Why a received file did not become a document: the ``reason`` of /document_rejected.
UNREADABLE = "unreadable"  # refused: wrong type, too large, corrupt or unsafe
DOWNLOAD_FAILED = "download_failed"  # WhatsApp's media could not be downloaded
STORE_UNAVAILABLE = "store_unavailable"  # the gateway's document store is down
QUOTA_EXCEEDED = "quota_exceeded"  # the citizen's daily upload quota is used up
DOCUMENT_PROBLEMS = (UNREADABLE, DOWNLOAD_FAILED, STORE_UNAVAILABLE, QUOTA_EXCEEDED)

_MIB = 1024 * 1024

_UNSUPPORTED_TYPES = {"audio", "video", "sticker", "contacts", "order", "unsupported"}


def document_rejected(reason: str, max_bytes: Optional[int] = None) -> str:
    """The message a channel hands to Rasa for a file it could not store.

    Args:
        reason: One of :data:`DOCUMENT_PROBLEMS`.
        max_bytes: The channel's size limit, told to the citizen (as ``max_mb``, in
            MiB) with an :data:`UNREADABLE` file.

    Returns:
        ``/document_rejected{"reason": ...}``, with ``"max_mb"`` for an unreadable file.
    """
    if reason not in DOCUMENT_PROBLEMS:
        raise ValueError(f"unknown document problem {reason!r}")
    entities: Dict[str, Any] = {"reason": reason}
    if reason == UNREADABLE and max_bytes:
        entities["max_mb"] = megabytes(max_bytes)
    return DOCUMENT_REJECTED_INTENT + json.dumps(entities)


def megabytes(size: int) -> Union[int, float]:
    """``size`` bytes in MiB, to two decimals (5242880 -> 5, 65536 -> 0.06)."""
    value = round(size / _MIB, 2)
    return int(value) if value.is_integer() else value


@dataclass
class InboundMessage:
    """One message from a citizen.

    Attributes:
        sender_id: The conversation id (Rasa's sender id): the number in ``from``, or
            the BSUID when WhatsApp withholds the number.
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
        phone: The citizen's WhatsApp number (``from``), if WhatsApp sent it.
        user_id: The citizen's business-scoped user id (``from_user_id``), if sent.
        username: The citizen's WhatsApp username (``contacts[].profile.username``).
    """

    sender_id: str
    message_id: str
    type: str
    action: str
    text: Optional[str] = None
    profile_name: Optional[str] = None
    timestamp: Optional[str] = None
    phone_number_id: Optional[str] = None
    media: Dict[str, Any] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)
    phone: Optional[str] = None
    user_id: Optional[str] = None
    username: Optional[str] = None

    def metadata(self) -> Dict[str, Any]:
        """The ``whatsapp`` details handed to Rasa with this message (diagnostics).

        ``wa_id`` is WhatsApp's number of the citizen (None when withheld), ``user_id``
        their business-scoped user id. Actions read ``metadata.citizen`` instead.
        """
        data: Dict[str, Any] = {
            "wa_id": self.phone,
            "user_id": self.user_id,
            "username": self.username,
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


_EXCERPT = reprlib.Repr()
_EXCERPT.maxstring = _EXCERPT.maxother = 120
_EXCERPT.maxlevel = 4


def excerpt(value: Any) -> str:
    """A short, bounded ``repr`` for the logs (a body may be huge or deeply nested)."""
    return _EXCERPT.repr(value)


MAX_TEXT_CHARS = 4096  # WhatsApp's own limit on a text message
MAX_ID_CHARS = 256  # wamid... ids are about 60 characters, WhatsApp ids 15 digits
# A business-scoped user id: country code, period, up to 128 letters and digits; a parent
# BSUID (shared by linked business portfolios) has ``ENT.`` after the country code.
BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def without_lone_surrogates(raw: bytes, body: Any) -> Any:
    """``body`` with every lone surrogate replaced by ``?``.

    A lone surrogate (an escape from D800 to DFFF not part of a pair) is valid JSON but
    not valid text: SQLite, Redis and HTTP clients refuse it. Only a body whose raw
    bytes hold such an escape is rebuilt.
    """
    if not _SURROGATE_ESCAPE.search(raw):
        return body
    try:
        text = json.dumps(body, ensure_ascii=False)
        return json.loads(text.encode("utf-8", "replace"))
    except (RecursionError, ValueError):  # left to the per-field checks
        return body


def parse_webhook(body: Any) -> List[Event]:
    """Extracts every message, status and error of a webhook body, in order.

    Survives any JSON shape: an entry, change, message or status of the wrong type or
    with missing or mistyped fields is logged and skipped, the rest is kept.

    Args:
        body: The decoded JSON body.

    Returns:
        Events in body order; malformed parts are logged and skipped.
    """
    events: List[Event] = []
    if not isinstance(body, dict):
        logger.warning("Skipping WhatsApp webhook body that is not an object")
        return events
    for entry in _items(body.get("entry"), "entry"):
        for change in _items(_dict(entry).get("changes"), "changes"):
            value = _dict(change).get("value")
            if not isinstance(value, dict):
                logger.warning("Skipping WhatsApp change without a value object")
                continue
            try:
                events.extend(_parse_value(value))
            except Exception:  # a bug here must not lose the other changes
                logger.exception(
                    "Skipping unreadable WhatsApp change: %s", excerpt(value)
                )
    return events


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any, name: str) -> List[Any]:
    """A JSON list (anything else is logged and read as empty)."""
    if isinstance(value, list):
        return value
    if value is not None:
        logger.warning(
            "Skipping WhatsApp %s that is not a list: %s", name, excerpt(value)
        )
    return []


def _text(value: Any, limit: int = MAX_TEXT_CHARS) -> Optional[str]:
    """A string or number as text: valid UTF-8, at most ``limit`` characters.

    Objects, lists, booleans and null give None.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None
    if len(value) > limit:
        value = value[:limit]
    # A lone surrogate ("\ud800" in JSON) cannot be stored or sent: replaced.
    return value.encode("utf-8", "replace").decode("utf-8")


def _id(value: Any, name: str) -> str:
    """A required id (string or integer, not empty, at most MAX_ID_CHARS)."""
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError(f"{name} is not a string")
    text = _text(value, MAX_ID_CHARS + 1)
    if not text or not text.strip() or len(text) > MAX_ID_CHARS:
        raise ValueError(f"{name} missing, empty or too long")
    return text


def _optional_id(value: Any, name: str) -> Optional[str]:
    """An id that may be absent (missing, null or empty); present, it must be valid."""
    if value is None or value == "":
        return None
    return _id(value, name)


def _user_id(value: Any, name: str) -> Optional[str]:
    """A business-scoped user id, or None when absent.

    Raises:
        ValueError: When present but not of the BSUID's shape (it becomes a
            conversation id, a URL segment and a header value).
    """
    user_id = _optional_id(value, name)
    if user_id is not None and not BSUID.fullmatch(user_id):
        raise ValueError(f"{name} is not a business-scoped user id")
    return user_id


def _errors(value: Any) -> List[Dict[str, Any]]:
    """Error objects (anything that is not an object is left out)."""
    return [error for error in _items(value, "errors") if isinstance(error, dict)]


def _parse_value(value: Dict[str, Any]) -> List[Event]:
    events: List[Event] = []
    phone_number_id = _text(_dict(value.get("metadata")).get("phone_number_id"))
    # Each contact by the citizen's number and by their BSUID.
    contacts: Dict[str, Dict[str, Any]] = {}
    for contact in _items(value.get("contacts"), "contacts"):
        contact = _dict(contact)
        profile = _dict(contact.get("profile"))
        user_id = _text(contact.get("user_id"), MAX_ID_CHARS)
        found = {
            "name": _text(profile.get("name")),
            "username": _text(profile.get("username"), 64),
            "user_id": user_id if user_id and BSUID.fullmatch(user_id) else None,
        }
        for key in ("wa_id", "user_id"):
            contact_id = _text(contact.get(key), MAX_ID_CHARS)
            if contact_id:
                contacts[contact_id] = found
    value_errors = _errors(value.get("errors"))
    messages = _items(value.get("messages"), "messages")
    for message in messages:
        try:
            parsed = parse_message(message, value_errors)
        except (ArithmeticError, AttributeError, KeyError, TypeError, ValueError) as e:
            logger.warning(
                "Skipping malformed WhatsApp message (%s): %s", e, excerpt(message)
            )
            continue
        contact = contacts.get(parsed.phone or "") or contacts.get(
            parsed.user_id or "", {}
        )
        parsed.profile_name = contact.get("name")
        parsed.username = contact.get("username")
        parsed.user_id = parsed.user_id or contact.get("user_id")
        parsed.phone_number_id = phone_number_id
        events.append(parsed)
    for status in _items(value.get("statuses"), "statuses"):
        try:
            events.append(parse_status(status))
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            logger.warning(
                "Skipping malformed WhatsApp status (%s): %s", error, excerpt(status)
            )
    if value_errors and not messages:
        events.append(WebhookError(value_errors))
    return events


def parse_status(status: Any) -> StatusUpdate:
    """Reads one element of ``value.statuses``.

    Raises:
        ValueError: When it is not an object with an ``id``.
    """
    if not isinstance(status, dict):
        raise ValueError("status is not an object")
    return StatusUpdate(
        message_id=_id(status.get("id"), "id"),
        status=_text(status.get("status"), 64) or "",
        # A message sent to a BSUID may come back without the number.
        recipient_id=_text(status.get("recipient_id"), MAX_ID_CHARS)
        or _text(status.get("recipient_user_id"), MAX_ID_CHARS)
        or "",
        timestamp=_text(status.get("timestamp"), 64),
        errors=[_status_error(error) for error in _errors(status.get("errors"))],
    )


def _status_error(error: Dict[str, Any]) -> Dict[str, Any]:
    """The fields of a status error the channel reads and stores, typed."""
    code = error.get("code")
    details = _dict(error.get("error_data")).get("details")
    return {
        "code": code
        if isinstance(code, int) and not isinstance(code, bool) and abs(code) < 2**63
        else None,
        "title": _text(error.get("title"), 500),
        "message": _text(error.get("message"), 500),
        "error_data": {"details": _text(details, 2000)},
    }


def parse_message(
    message: Dict[str, Any], value_errors: Optional[List[Any]] = None
) -> InboundMessage:
    """Decides what to do with one message object.

    Args:
        message: One element of ``value.messages``.
        value_errors: ``value.errors`` of the same change (for broken messages).

    Returns:
        The message with its action and the text for Rasa.

    Raises:
        ValueError: When the message is not an object, has neither a usable ``from``
            nor a business-scoped ``from_user_id``, no usable ``id``, or a location
            without valid coordinates.
    """
    if not isinstance(message, dict):
        raise ValueError("message is not an object")
    kind = _text(message.get("type"), 64) or ""
    phone = _optional_id(message.get("from"), "from")
    try:
        user_id = _user_id(message.get("from_user_id"), "from_user_id")
    except ValueError:
        if phone is None:
            raise
        logger.warning("Ignoring a malformed from_user_id of a message from %s", phone)
        user_id = None
    sender_id = phone or user_id
    if sender_id is None:
        raise ValueError("neither from nor from_user_id")
    parsed = InboundMessage(
        sender_id=sender_id,
        message_id=_id(message.get("id"), "id"),
        type=kind,
        action=UNSUPPORTED,
        timestamp=_text(message.get("timestamp"), 64),
        phone=phone,
        user_id=user_id,
    )
    context = message.get("context")
    if isinstance(context, dict) and context:
        parsed.extra["context"] = context
    if message.get("referral"):
        parsed.extra["referral"] = message["referral"]

    if kind == "text":
        parsed.action = TEXT
        parsed.text = _text(_dict(message.get("text")).get("body")) or ""
    elif kind == "interactive":
        _parse_interactive(parsed, _dict(message.get("interactive")))
    elif kind == "button":
        button = _dict(message.get("button"))
        parsed.action = TEXT
        parsed.text = _text(button.get("payload")) or _text(button.get("text")) or ""
    elif kind in ("image", "document"):
        media = _dict(message.get(kind))
        parsed.action = MEDIA
        parsed.media = {
            "id": _text(media.get("id"), MAX_ID_CHARS),
            "mime_type": _text(media.get("mime_type"), 255),
            "filename": _text(media.get("filename"), 255),
            "caption": _text(media.get("caption")),
        }
        if not parsed.media["id"]:
            parsed.action = UNSUPPORTED
    elif kind == "location":
        location = _dict(message.get("location"))
        latitude = _coordinate(location.get("latitude"), 90.0)
        longitude = _coordinate(location.get("longitude"), 180.0)
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
        logger.info("Unknown WhatsApp message type %.64r: answering politely", kind)
    errors = _errors(message.get("errors")) or (
        list(value_errors or []) if parsed.action == UNSUPPORTED else []
    )
    if errors:
        parsed.extra["errors"] = errors
    if parsed.action == TEXT and not (parsed.text or "").strip():
        parsed.action = UNSUPPORTED
    return parsed


def _coordinate(value: Any, bound: float) -> float:
    """A latitude (bound 90) or longitude (bound 180) as a finite number in range."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("coordinate is not a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) > bound:
        raise ValueError("coordinate out of range")
    return number


def _parse_interactive(parsed: InboundMessage, interactive: Dict[str, Any]) -> None:
    reply_type = interactive.get("type")
    if reply_type in ("button_reply", "list_reply"):
        reply = _dict(interactive.get(reply_type))
        parsed.action, parsed.text = TEXT, _text(reply.get("id")) or ""
        parsed.extra["reply_title"] = _text(reply.get("title"))
    else:
        # nfm_reply (WhatsApp Flows) and anything new: the assistant sends no flows.
        parsed.action = UNSUPPORTED


MESSAGE = "message"
STATUS = "status"


def to_payload(event: Union[InboundMessage, StatusUpdate]) -> Tuple[str, str]:
    """Encodes a message or status for the inbox: ``(kind, JSON text)``.

    Raises:
        ValueError, RecursionError: When the event does not encode (then skip it).
    """
    kind = MESSAGE if isinstance(event, InboundMessage) else STATUS
    return kind, json.dumps(asdict(event))


def from_payload(
    kind: str, data: Dict[str, Any]
) -> Union[InboundMessage, StatusUpdate]:
    """Decodes what :func:`to_payload` encoded (also rows stored before BSUIDs)."""
    if kind == MESSAGE:
        if "wa_id" in data:  # the number was the only id then
            data = {**data, "sender_id": data["wa_id"], "phone": data["wa_id"]}
            del data["wa_id"]
        return InboundMessage(**data)
    return StatusUpdate(**data)
