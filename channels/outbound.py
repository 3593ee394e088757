"""Turns the assistant's responses into WhatsApp message payloads within Meta's limits.

Pure functions, no I/O. Lengths are counted in UTF-16 code units (never fewer than
Python characters), and text is only ever cut between grapheme clusters, where a
cluster also keeps Indic conjuncts together (consonant + virama + consonant: ``क्ष``),
so a shortened Devanagari title never ends in half a syllable.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence

import regex

from channels.metadata import whatsapp_number
from channels.texts import text_for

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
CAPTION_MAX = 1024
REPLY_BUTTONS_MAX = 3
REPLY_BUTTON_TITLE_MAX = 20
REPLY_BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10
LIST_ROW_TITLE_MAX = 24
LIST_ROW_DESCRIPTION_MAX = 72
LIST_ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
TEMPLATE_PARAMETER_MAX = 1024
ELLIPSIS = "…"

_VIRAMAS = frozenset("\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d")
_JOINERS = frozenset("\u200c\u200d")
_SENTENCE_END = re.compile(r"[.!?।॥](?=\s)")


def wa_len(text: str) -> int:
    """Length as WhatsApp may count it: UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _is_indic_consonant(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and 0x0900 <= ord(char) <= 0x0DFF


def graphemes(text: str) -> List[str]:
    r"""Splits text into user-perceived characters, keeping Indic conjuncts whole.

    Args:
        text: Any text.

    Returns:
        Extended grapheme clusters (Unicode ``\\X``), with a cluster ending in a virama
        (optionally followed by ZWJ/ZWNJ) joined to a following consonant cluster.
    """
    clusters: List[str] = []
    for cluster in regex.findall(r"\X", text):
        if clusters:
            previous = clusters[-1].rstrip("".join(_JOINERS))
            if (
                previous
                and previous[-1] in _VIRAMAS
                and _is_indic_consonant(cluster[0])
            ):
                clusters[-1] += cluster
                continue
        clusters.append(cluster)
    return clusters


def take(text: str, limit: int) -> str:
    """Returns the longest prefix of whole graphemes that fits ``limit``."""
    if wa_len(text) <= limit:
        return text
    size = 0
    kept: List[str] = []
    for cluster in graphemes(text):
        size += wa_len(cluster)
        if size > limit:
            break
        kept.append(cluster)
    return "".join(kept)


def shorten(text: str, limit: int) -> str:
    """Fits ``text`` into ``limit``, ending with an ellipsis when something was cut.

    Args:
        text: Text to fit.
        limit: Maximum length (UTF-16 code units).

    Returns:
        The text unchanged when it fits, else whole graphemes plus ``…``.
    """
    text = text.strip()
    if wa_len(text) <= limit:
        return text
    return take(text, limit - wa_len(ELLIPSIS)).rstrip() + ELLIPSIS


def split_text(text: str, limit: int = TEXT_MAX) -> List[str]:
    """Splits a long text into messages, at paragraph, line, sentence or word ends.

    Args:
        text: The text.
        limit: Maximum length of one message.

    Returns:
        Non-empty chunks, each within ``limit``; never cuts inside a grapheme.
    """
    text = text.strip()
    chunks: List[str] = []
    while wa_len(text) > limit:
        window = take(text, limit)
        cut = _best_cut(window)
        chunk = text[:cut].rstrip()
        if not chunk:
            chunk, cut = window, len(window)
        chunks.append(chunk)
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def _best_cut(window: str) -> int:
    """Where to end a chunk inside ``window`` (a position after a natural break)."""
    floor = len(window) // 3
    for pattern in (r"\n\s*\n", r"\n"):
        ends = [match.end() for match in re.finditer(pattern, window)]
        if ends and ends[-1] > floor:
            return ends[-1]
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    if sentence_ends and sentence_ends[-1] > floor:
        return sentence_ends[-1]
    spaces = [match.start() for match in re.finditer(r"\s", window)]
    if spaces and spaces[-1] > floor:
        return spaces[-1]
    return len(window)


class PayloadRegistry:
    """Short ids for button payloads too long for a WhatsApp button or row id.

    A Rasa payload normally fits (256 characters for a reply button, 200 for a list
    row) and is used as the id itself, so the citizen's reply carries it back. Longer
    payloads get an id ``rasa:<hash>`` remembered here (bounded, in memory).

    Args:
        max_size: Most payloads remembered.
    """

    PREFIX = "rasa:"

    def __init__(self, max_size: int = 10_000) -> None:
        self.max_size = max_size
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def id_for(self, payload: str, limit: int) -> str:
        """Returns ``payload`` if it fits ``limit``, else a registered short id."""
        if len(payload) <= limit and not payload.startswith(self.PREFIX):
            return payload
        short = self.PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._payloads[short] = payload
        self._payloads.move_to_end(short)
        while len(self._payloads) > self.max_size:
            self._payloads.popitem(last=False)
        return short

    def resolve(self, button_id: str) -> str:
        """Returns the payload behind a button id (the id itself when not registered)."""
        return self._payloads.get(button_id, button_id)


def addressed(recipient_id: str, payload: Dict[str, Any]) -> Dict[str, Any]:
    """``payload`` addressed to a citizen, as the Cloud API takes it.

    A phone number goes in ``to``; anything else is a business-scoped user id (a citizen
    whose number WhatsApp withholds), which goes in ``recipient``.

    Args:
        recipient_id: The conversation id.
        payload: A message payload without an address.
    """
    number = whatsapp_number(recipient_id)
    address = {"to": number} if number else {"recipient": recipient_id}
    return {**address, **payload}


def text_payload(body: str) -> Dict[str, Any]:
    """A text message (``body`` must already fit :data:`TEXT_MAX`)."""
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _unique(titles: Sequence[str], limit: int) -> List[str]:
    """Shortens titles and makes them distinct (WhatsApp rejects duplicates)."""
    result: List[str] = []
    for title in titles:
        candidate = shorten(title, limit) or "-"
        number = 2
        while candidate in result:
            suffix = f" {number}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            number += 1
        result.append(candidate)
    return result


def _button_parts(button: Dict[str, Any]) -> tuple[str, str]:
    title = str(button.get("title") or button.get("payload") or "").strip()
    payload = str(button.get("payload") or title)
    return title, payload


def button_payloads(
    text: str,
    buttons: Sequence[Dict[str, Any]],
    language: str,
    registry: PayloadRegistry,
) -> List[Dict[str, Any]]:
    """Builds the messages for a text with Rasa buttons.

    Up to three buttons become reply buttons; more become interactive lists of at most
    ten rows each (several list messages when needed). A body longer than WhatsApp
    allows goes out first as text messages; the last part becomes the body.

    Args:
        text: The response text.
        buttons: Rasa buttons (``title``, ``payload``, optional ``description``).
        language: Citizen's language, for the list button label.
        registry: Where over-long payloads get short ids.

    Returns:
        Message payloads (without ``to``), in sending order.
    """
    buttons = [button for button in buttons if _button_parts(button)[0]]
    parts = split_text(text, INTERACTIVE_BODY_MAX) or [
        text_for("list_button", language)
    ]
    messages = [text_payload(part) for part in parts[:-1]]
    body = parts[-1]
    if not buttons:
        return messages + [text_payload(body)]
    if len(buttons) <= REPLY_BUTTONS_MAX:
        titles = _unique([_button_parts(b)[0] for b in buttons], REPLY_BUTTON_TITLE_MAX)
        reply_buttons = [
            {
                "type": "reply",
                "reply": {
                    "id": registry.id_for(_button_parts(b)[1], REPLY_BUTTON_ID_MAX),
                    "title": title,
                },
            }
            for b, title in zip(buttons, titles, strict=False)
        ]
        messages.append(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": reply_buttons},
                },
            }
        )
        return messages
    pages = [
        buttons[start : start + LIST_ROWS_MAX]
        for start in range(0, len(buttons), LIST_ROWS_MAX)
    ]
    label = shorten(text_for("list_button", language), LIST_BUTTON_MAX)
    for number, page in enumerate(pages, start=1):
        page_body = (
            body
            if number == 1
            else text_for("more_options", language, page=number, pages=len(pages))
        )
        messages.append(
            {
                "type": "interactive",
                "interactive": {
                    "type": "list",
                    "body": {"text": shorten(page_body, INTERACTIVE_BODY_MAX)},
                    "action": {
                        "button": label,
                        "sections": [{"rows": _rows(page, registry)}],
                    },
                },
            }
        )
    return messages


def _rows(
    buttons: Sequence[Dict[str, Any]], registry: PayloadRegistry
) -> List[Dict[str, str]]:
    titles = [_button_parts(button)[0] for button in buttons]
    rows = []
    for button, full, title in zip(
        buttons, titles, _unique(titles, LIST_ROW_TITLE_MAX), strict=False
    ):
        row = {
            "id": registry.id_for(_button_parts(button)[1], LIST_ROW_ID_MAX),
            "title": title,
        }
        description = str(button.get("description") or "")
        if not description and title != full:
            description = full
        if description:
            row["description"] = shorten(description, LIST_ROW_DESCRIPTION_MAX)
        rows.append(row)
    return rows


def media_payload(
    kind: str,
    *,
    media_id: Optional[str] = None,
    link: Optional[str] = None,
    caption: Optional[str] = None,
    filename: Optional[str] = None,
) -> Dict[str, Any]:
    """An image or document message, by uploaded media id or by link.

    Args:
        kind: ``image`` or ``document``.
        media_id: Id returned by the media upload (preferred).
        link: Public HTTPS URL (when there is no id).
        caption: Optional caption (shortened to 1024).
        filename: Document file name shown to the citizen.
    """
    media: Dict[str, Any] = {"id": media_id} if media_id else {"link": link}
    if caption:
        media["caption"] = shorten(caption, CAPTION_MAX)
    if filename and kind == "document":
        media["filename"] = filename
    return {"type": kind, kind: media}


def template_payload(name: str, language_code: str, text: str) -> Dict[str, Any]:
    """An approved template message with the notification text as body variable {{1}}.

    Args:
        name: Template name.
        language_code: Template language code (``en``, ``hi``, ...).
        text: The text the assistant wanted to send; template parameters may not
            contain new lines, tabs or more than four consecutive spaces.
    """
    parameter = re.sub(r"[\n\t\r]+", " ", text)
    parameter = re.sub(r" {4,}", "   ", parameter).strip()
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language_code},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {
                            "type": "text",
                            "text": shorten(parameter, TEMPLATE_PARAMETER_MAX),
                        }
                    ],
                }
            ],
        },
    }
