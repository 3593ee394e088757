"""A photo or PDF sent outside a form.

The channel handed the file to the gateway's document store; the message's metadata
carries only its reference (``document.id``). It is attached to the application an
officer asked about, or the citizen is told how to use it. An upload nobody waits for is
deleted from the gateway's store, unless a draft of this citizen (``application`` or
``drafts`` slot) or a queued submission (``queued_submissions``) uses it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterator, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_access import get_catalog
from actions.dispatch import send
from actions.edistrict_client import EDistrictError
from actions.gateway_models import DOCUMENT_ID, Application
from actions.precheck import late_advice
from actions.replies import Reply
from actions.submission import QUEUE_SLOT
from actions.tracking import citizen_id, client_for

logger = logging.getLogger(__name__)


class ActionReceiveDocument(Action):
    """Uploads a document to the citizen's application in ``documents_requested``."""

    def name(self) -> str:
        return "action_receive_document"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        document = ((tracker.latest_message or {}).get("metadata") or {}).get(
            "document"
        )
        document_id = str((document or {}).get("id", ""))
        if not DOCUMENT_ID.fullmatch(document_id):
            send(dispatcher, Reply("utter_document_not_expected"))
            return []
        client = client_for(tracker)
        try:
            waiting = [
                a
                for a in client.list_applications(citizen_id(tracker))
                if a.status == "documents_requested"
            ]
            if not waiting:
                send(dispatcher, Reply("utter_document_not_expected"))
                discard_unexpected(tracker, document_id)
                return []
            application = client.get_application(waiting[0].application_id)
            doc_type = requested_type(application)
            stored = client.attach_document(
                application.application_id, doc_type, document_id
            )
        except EDistrictError as error:
            logger.warning("Could not attach a document: %s", error)
            send(dispatcher, Reply("utter_gateway_unavailable"))
            return []
        send(
            dispatcher,
            Reply(
                "utter_document_attached",
                {"application_id": application.application_id},
            ),
        )
        service = get_catalog().get(application.service_id)
        if stored.precheck and service is not None:
            language = tracker.get_slot("language") or "en"
            for reply in late_advice(
                stored.precheck, doc_type, service, application.fields, language
            ):
                send(dispatcher, reply)
        return []


def requested_type(application: Application) -> str:
    """The document type an officer asked for (the first, when several were asked).

    The gateway takes only the service's document types, so the upload carries the
    requested one; without one named, the service's first document type.
    """
    if application.requested_documents:
        return application.requested_documents[0]
    service = get_catalog().get(application.service_id)
    return service.documents[0].type if service and service.documents else "other"


def _drafts(tracker: Tracker, current: bool = True) -> Iterator[Dict[str, Any]]:
    draft = tracker.get_slot("application")
    if current and isinstance(draft, dict):
        yield draft
    for kept in (tracker.get_slot("drafts") or {}).values():
        if isinstance(kept, dict):
            yield kept
    for queued in (tracker.get_slot(QUEUE_SLOT) or {}).values():
        if isinstance(queued, dict) and isinstance(queued.get("draft"), dict):
            yield queued["draft"]


def _document_ids(draft: Dict[str, Any]) -> Iterator[str]:
    for ref in (draft.get("documents") or {}).values():
        if isinstance(ref, dict) and isinstance(ref.get("id"), str):
            yield ref["id"]


def draft_uses(tracker: Tracker, document_id: str, current: bool = True) -> bool:
    """True when one of the citizen's drafts (queued ones too) holds ``document_id``.

    ``current=False`` leaves the open draft (the ``application`` slot) out.
    """
    return any(
        document_id in _document_ids(draft) for draft in _drafts(tracker, current)
    )


def discard_cancelled(tracker: Tracker, draft: Dict[str, Any]) -> int:
    """Deletes the uploads of a cancelled draft that no other draft uses.

    Returns:
        How many the gateway deleted.
    """
    deleted = 0
    for document_id in set(_document_ids(draft)):
        try:
            if not draft_uses(tracker, document_id, current=False):
                deleted += client_for(tracker).discard_document(document_id)
        except Exception:  # noqa: BLE001 - tidying up must never break the conversation
            logger.exception("Could not discard document %s", document_id)
    return deleted


def discard_unexpected(tracker: Tracker, document_id: str) -> bool:
    """Deletes an upload no application waits for, unless something still uses it.

    Returns:
        True when the gateway deleted the upload.
    """
    try:
        if draft_uses(tracker, document_id):
            return False
        return client_for(tracker).discard_document(document_id)
    except Exception:  # noqa: BLE001 - tidying up must never break the conversation
        logger.exception("Could not discard document %s", document_id)
        return False
