"""What a channel reports instead of a message: a file it could not store.

The channels write no citizen text themselves. A photo or PDF that did not become a
document reaches Rasa as ``/document_rejected{"reason": R}`` (``channels/inbound.py``),
with ``max_mb`` (the channel's size limit) when R is ``unreadable``; the answer is a
domain response in the conversation's language. (``/unsupported_message`` needs no
action: its rule utters ``utter_unsupported_message``.)
"""

from __future__ import annotations

import math
from typing import Any, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import send
from actions.replies import Reply
from channels.settings import DEFAULT_DOCUMENT_MAX_BYTES, DocumentSettings

UNREADABLE = "unreadable"

# reason -> response (names written out, so tests/actions/test_response_names.py sees them)
DOCUMENT_PROBLEM_RESPONSES = {
    UNREADABLE: "utter_document_unreadable",
    "download_failed": "utter_document_download_failed",
    "store_unavailable": "utter_document_store_unavailable",
    "quota_exceeded": "utter_document_quota_exceeded",
}


def shown_megabytes(max_mb: Any) -> str:
    """The size limit as the citizen reads it (``5``, ``2.5``).

    A missing or unusable value (another channel, an old message) is the configured
    limit (``DOCUMENTS_MAX_BYTES``).
    """
    if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float, str)):
        max_mb = None
    try:
        value = float(max_mb) if max_mb is not None else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        value = _configured_max_bytes() / (1024 * 1024)
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _configured_max_bytes() -> int:
    try:
        return DocumentSettings.from_env().max_bytes
    except ValueError:
        return DEFAULT_DOCUMENT_MAX_BYTES


def document_problem_reply(reason: Optional[str], max_mb: Any = None) -> Reply:
    """The answer to ``/document_rejected``; an unknown reason is an unreadable file."""
    response = DOCUMENT_PROBLEM_RESPONSES.get(
        reason or "", DOCUMENT_PROBLEM_RESPONSES[UNREADABLE]
    )
    if response == DOCUMENT_PROBLEM_RESPONSES[UNREADABLE]:
        return Reply(response, {"max_mb": shown_megabytes(max_mb)})
    return Reply(response)


class ActionDocumentProblem(Action):
    """Tells the citizen why the file they sent was not stored."""

    def name(self) -> str:
        return "action_document_problem"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reason = next(tracker.get_latest_entity_values("reason"), None)
        max_mb = next(tracker.get_latest_entity_values("max_mb"), None)
        send(dispatcher, document_problem_reply(reason, max_mb))
        return []
