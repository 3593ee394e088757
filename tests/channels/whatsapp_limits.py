"""``validate_outgoing``: checks a Cloud API message body against WhatsApp's limits.

Written independently of ``channels/outbound.py`` (its own length count, its own list of
limits) so a mistake there cannot hide here.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List

LIMITS = {
    "text": 4096,
    "interactive_body": 1024,
    "header": 60,
    "footer": 60,
    "reply_buttons": 3,
    "reply_title": 20,
    "reply_id": 256,
    "list_button": 20,
    "list_sections": 10,
    "list_rows": 10,
    "section_title": 24,
    "row_title": 24,
    "row_description": 72,
    "row_id": 200,
    "caption": 1024,
}
VIRAMA = "\u094d"


def units(text: str) -> int:
    """UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _check_text(problems: List[str], where: str, text: Any, limit: int) -> None:
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: empty or not a string")
        return
    if units(text) > limit:
        problems.append(f"{where}: {units(text)} > {limit} characters")
    stripped = text.rstrip("…")
    if stripped.endswith(VIRAMA):
        problems.append(f"{where}: ends inside a Devanagari conjunct: {text!r}")
    if unicodedata.category(text[0]).startswith("M"):
        problems.append(f"{where}: starts with a combining mark: {text!r}")


def validate_outgoing(payload: Dict[str, Any]) -> List[str]:
    """Returns every limit ``payload`` breaks (empty when valid).

    Args:
        payload: A body POSTed to ``/<phone_number_id>/messages``.
    """
    problems: List[str] = []
    if payload.get("messaging_product") != "whatsapp":
        problems.append("messaging_product must be 'whatsapp'")
    if payload.get("status") == "read":
        if not payload.get("message_id"):
            problems.append("read receipt without message_id")
        indicator = payload.get("typing_indicator")
        if indicator is not None and indicator != {"type": "text"}:
            problems.append(f"bad typing_indicator {indicator}")
        return problems
    # A phone number in ``to``, a business-scoped user id in ``recipient``: one of them.
    if bool(payload.get("to")) == bool(payload.get("recipient")):
        problems.append("needs exactly one of 'to' and 'recipient'")
    elif payload.get("to") and not str(payload["to"]).isdigit():
        problems.append(f"'to' is not a phone number: {payload['to']!r}")
    kind = payload.get("type")
    if kind == "text":
        _check_text(
            problems, "text.body", (payload.get("text") or {}).get("body"), 4096
        )
    elif kind == "interactive":
        _check_interactive(problems, payload.get("interactive") or {})
    elif kind in ("image", "document"):
        media = payload.get(kind) or {}
        if bool(media.get("id")) == bool(media.get("link")):
            problems.append(f"{kind}: exactly one of id and link is required")
        if "caption" in media:
            _check_text(
                problems, f"{kind}.caption", media["caption"], LIMITS["caption"]
            )
        if kind == "document" and "filename" in media and not media["filename"]:
            problems.append("document.filename empty")
    elif kind == "template":
        template = payload.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            problems.append("template needs name and language.code")
        for component in template.get("components") or []:
            for parameter in component.get("parameters") or []:
                text = parameter.get("text", "")
                if "\n" in text or "\t" in text or "     " in text:
                    problems.append("template parameter with newline/tab/5 spaces")
    else:
        problems.append(f"unknown message type {kind!r}")
    return problems


def _check_interactive(problems: List[str], interactive: Dict[str, Any]) -> None:
    body = (interactive.get("body") or {}).get("text")
    _check_text(problems, "interactive.body", body, LIMITS["interactive_body"])
    for part in ("header", "footer"):
        if part in interactive:
            text = interactive[part].get("text")
            _check_text(problems, f"interactive.{part}", text, LIMITS[part])
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= LIMITS["reply_buttons"]:
            problems.append(f"{len(buttons)} reply buttons (1-3 allowed)")
        titles, ids = [], []
        for button in buttons:
            reply = button.get("reply") or {}
            if button.get("type") != "reply":
                problems.append("button type must be 'reply'")
            _check_text(
                problems, "button.title", reply.get("title"), LIMITS["reply_title"]
            )
            if not reply.get("id") or units(reply["id"]) > LIMITS["reply_id"]:
                problems.append(f"bad button id {reply.get('id')!r}")
            titles.append(reply.get("title"))
            ids.append(reply.get("id"))
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            problems.append("button titles and ids must be unique")
    elif interactive.get("type") == "list":
        _check_text(
            problems, "list.button", action.get("button"), LIMITS["list_button"]
        )
        sections = action.get("sections") or []
        if not 1 <= len(sections) <= LIMITS["list_sections"]:
            problems.append(f"{len(sections)} sections (1-10 allowed)")
        rows = [row for section in sections for row in section.get("rows") or []]
        if not 1 <= len(rows) <= LIMITS["list_rows"]:
            problems.append(f"{len(rows)} rows in total (1-10 allowed)")
        for section in sections:
            if len(sections) > 1 or "title" in section:
                title = section.get("title")
                _check_text(problems, "section.title", title, LIMITS["section_title"])
        for row in rows:
            _check_text(problems, "row.title", row.get("title"), LIMITS["row_title"])
            if "description" in row:
                description = row["description"]
                _check_text(problems, "row.description", description, 72)
            if not row.get("id") or units(row["id"]) > LIMITS["row_id"]:
                problems.append(f"bad row id {row.get('id')!r}")
        ids = [row.get("id") for row in rows]
        if len(set(ids)) != len(ids):
            problems.append("row ids must be unique")
    elif interactive.get("type") == "location_request_message":
        # Meta: body text of at most 1024 characters, the one action "send_location".
        _check_text(problems, "location_request.body", body, 1024)
        if action != {"name": "send_location"} or set(interactive) - {
            "type",
            "body",
            "action",
        }:
            problems.append("location_request_message: body and send_location only")
    else:
        problems.append(f"unknown interactive type {interactive.get('type')!r}")


def assert_valid(payloads: List[Dict[str, Any]]) -> None:
    """Fails with every problem of every payload."""
    problems = [
        f"{index}: {problem}"
        for index, payload in enumerate(payloads)
        for problem in validate_outgoing(payload)
    ]
    assert not problems, "\n".join(problems)
