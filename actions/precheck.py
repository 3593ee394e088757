"""The gateway's pre-check of each document the form receives, and its advice in the chat.

When a photo or PDF arrives at a document question, the gateway reads it (is it readable,
the kind asked for, with the name, date of birth, Aadhaar number and PIN the citizen
typed?). Advice puts the form on hold at a ``precheck:<type>`` step: the citizen sends a
clearer photo, corrects the answer it differs from, or continues anyway; the officer
decides either way. A gateway that does not answer never holds the form up.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Mapping, Optional

from rasa_sdk import Tracker

from actions import answer_words
from actions.edistrict_client import EDistrictError
from actions.replies import Reply
from actions.texts import localize
from actions.tracking import client_for
from catalog.model import Service
from delhi import aadhaar

logger = logging.getLogger(__name__)

PENDING = "precheck:"
ADVISED = ("advice", "unreadable")
# The check's name in the gateway -> the type of the applicant's field it compares.
# The readability problems the gateway names -> the sentence that tells the citizen.
PROBLEM_REPLIES = {
    "blurred": "utter_precheck_blurred",
    "too_dark": "utter_precheck_too_dark",
    "blank": "utter_precheck_blank",
    "low_resolution": "utter_precheck_low_resolution",
    "no_text": "utter_precheck_no_text",
}
FIELD_TYPES = {
    "name": "name",
    "date_of_birth": "date",
    "aadhaar_last4": "aadhaar",
    "pincode": "pincode",
}


def document_ids(documents: Dict[str, Any]) -> Dict[str, str]:
    """Document type -> upload id, for the documents of a draft that are files."""
    return {
        doc_type: ref["id"]
        for doc_type, ref in documents.items()
        if isinstance(ref, dict) and isinstance(ref.get("id"), str)
    }


def check_documents(
    tracker: Tracker,
    draft: Dict[str, Any],
    before: Dict[str, str],
    service: Service,
    language: str,
) -> List[Reply]:
    """Pre-checks the documents the last message added or replaced; holds at advice.

    A document whose differing answer was just corrected is checked again.

    Returns:
        A short confirmation for a document that looks right.
    """
    recheck = draft.pop("recheck", None)
    replies: List[Reply] = []
    for doc_type, document_id in document_ids(draft["documents"]).items():
        if before.get(doc_type) == document_id and doc_type != recheck:
            continue
        if recheck == doc_type and draft.get("editing"):
            draft["recheck"] = doc_type  # still correcting: check once it is done
            continue
        result = _precheck(
            tracker, document_id, doc_type, service.applicant_facts(draft["answers"])
        )
        if result is None:
            continue
        draft["documents"][doc_type]["precheck"] = result.get("verdict")
        if result.get("verdict") in ADVISED:
            draft["pending"] = f"{PENDING}{doc_type}"
            draft["precheck"] = _advice(result, doc_type, service)
            if draft["status"] == "done":
                draft["status"] = "open"
            return []
        kind = (result.get("kind") or {}).get("names")
        if (
            result.get("verdict") == "ok"
            and kind
            and (result.get("kind") or {}).get("read") != "photo"
        ):
            replies.append(
                Reply("utter_precheck_ok", {"kind": localize(kind, language)})
            )
    return replies


def _precheck(
    tracker: Tracker, document_id: str, doc_type: str, facts: Dict[str, str]
) -> Optional[Dict[str, Any]]:
    try:
        return client_for(tracker).precheck_document(document_id, doc_type, facts)
    except EDistrictError as error:  # advice only: the form goes on without it
        # Only the status: the gateway's answer may quote the answers sent.
        logger.warning("Document pre-check unavailable (HTTP %s)", error.status)
        return None


def _advice(
    result: Mapping[str, Any], doc_type: str, service: Service
) -> Dict[str, Any]:
    """What the chat needs of a result to give its advice (and to offer a correction)."""
    fields: List[Dict[str, Any]] = []
    for check in result.get("checks") or ():
        if check.get("status") not in ("mismatch", "not_found"):
            continue
        if check["status"] == "not_found" and check.get("field") != "name":
            continue
        item = next(
            (
                f
                for f in service.fields
                if f.type == FIELD_TYPES.get(check.get("field", ""))
                and f.subject == "applicant"
            ),
            None,
        )
        if item is not None:
            fields.append(
                {
                    "field": item.name,
                    "status": check["status"],
                    "read": check.get("read"),
                }
            )
    kind = result.get("kind") or {}
    return {
        "document": doc_type,
        "verdict": result.get("verdict"),
        "problems": list(result.get("problems") or ()),
        "kind": kind.get("names") if kind.get("status") == "mismatch" else None,
        "fields": fields,
    }


def advice_replies(
    draft: Dict[str, Any], service: Service, language: str
) -> List[Reply]:
    """The advice, then the choices (buttons: correct the answer, continue anyway)."""
    advice = draft.get("precheck") or {}

    def typed(name: str) -> str:
        shown = (draft.get("display") or {}).get(name)
        return str(shown or draft["answers"].get(name, ""))

    replies = findings(advice, service, language, typed)
    keep = answer_words.first(answer_words.KEEP_DOCUMENT, language)
    buttons = [{"title": keep, "payload": keep}]
    if advice.get("fields"):
        fix = answer_words.first(answer_words.CORRECT_ANSWER, language)
        choices = [{"title": fix, "payload": fix}, *buttons]
        return [*replies, Reply("utter_precheck_choices", {}, choices)]
    return [*replies, Reply("utter_precheck_resend", {}, buttons)]


def late_advice(
    result: Mapping[str, Any],
    doc_type: str,
    service: Service,
    answers: Mapping[str, Any],
    language: str,
) -> List[Reply]:
    """What a document sent after the form (asked by an officer) made the pre-check say.

    It is attached already: the officer looks at it and asks again if need be.
    """
    if result.get("verdict") not in ADVISED:
        return []
    kinds = {item.name: item.type for item in service.fields}

    def typed(name: str) -> str:
        value = str(answers.get(name, ""))
        return aadhaar.mask(value) if kinds.get(name) == "aadhaar" else value

    advice = _advice(result, doc_type, service)
    return [*findings(advice, service, language, typed), Reply("utter_precheck_late")]


def findings(
    advice: Mapping[str, Any],
    service: Service,
    language: str,
    typed: Callable[[str], str],
) -> List[Reply]:
    """What the pre-check found: unreadable, another kind, answers that differ."""
    document = localize(
        service.document_named(advice.get("document", "")).name, language
    )
    replies: List[Reply] = []
    if advice.get("verdict") == "unreadable":
        problems = [p for p in advice.get("problems") or () if p in PROBLEM_REPLIES]
        response = PROBLEM_REPLIES[(problems or ["no_text"])[0]]
        replies.append(Reply(response, {"document": document}))
    if advice.get("kind"):
        kind = localize(advice["kind"], language)
        replies.append(
            Reply("utter_precheck_wrong_kind", {"document": document, "kind": kind})
        )
    for item in advice.get("fields") or ():
        if item["status"] != "mismatch":
            params = {"document": document, "typed": typed(item["field"])}
            replies.append(Reply("utter_precheck_name_missing", params))
            continue
        label = next(
            localize(f.label or f.prompt, language)
            for f in service.fields
            if f.name == item["field"]
        )
        params = {
            "document": document,
            "field": label,
            "read": item["read"],
            "typed": typed(item["field"]),
        }
        replies.append(Reply("utter_precheck_differs", params))
    return replies
