"""Submitting a completed draft to the e-District gateway, honestly and without loss."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import pending
from actions.application import applicable_fields
from actions.applications import shown_date
from actions.catalog_access import get_catalog
from actions.dispatch import send
from actions.edistrict_client import EDistrictClient, EDistrictError
from actions.gateway_models import Application
from actions.replies import Reply
from actions.texts import localize
from channels.documents import document_path

logger = logging.getLogger(__name__)


def build_payload(draft: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
    """The gateway request for a draft: applicable answers, citizen, documents."""
    service = get_catalog()[draft["service"]]
    answers = {
        item.name: draft["answers"][item.name]
        for item in applicable_fields(draft, service)
        if item.name in draft["answers"]
    }
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    # Only the WhatsApp channel vouches for a WhatsApp id: it is the sender id there.
    on_whatsapp = tracker.get_latest_input_channel() == "whatsapp"
    whatsapp = (metadata.get("whatsapp") or {}) if on_whatsapp else {}
    citizen = {
        "sender_id": tracker.sender_id,
        "whatsapp_id": tracker.sender_id if on_whatsapp else None,
        "name": whatsapp.get("profile_name"),
        "mobile": next(
            (
                str(answers[item.name]).removeprefix("+91")
                for item in applicable_fields(draft, service)
                if item.type == "mobile" and answers.get(item.name)
            ),
            None,
        ),
        "language": tracker.get_slot("language") or "en",
    }
    documents = {k: v for k, v in draft["documents"].items() if isinstance(v, dict)}
    return {
        "key": draft["key"],
        "service_id": service.id,
        "fields": answers,
        "citizen": citizen,
        "channel": metadata.get("channel") or ("whatsapp" if whatsapp else "web"),
        "documents": documents,
    }


def is_refusal(error: EDistrictError) -> bool:
    """True when the gateway refused the request itself (a 4xx), so a retry cannot help.

    408 (timeout) and 429 (too many requests) are temporary; 401 and 403 mean this
    server's token or configuration is wrong, which is no fault of the application.
    """
    status = error.status
    return status is not None and 400 <= status < 500 and status not in _NOT_REFUSALS


_NOT_REFUSALS = frozenset({401, 403, 408, 429})


def deliver(
    client: EDistrictClient,
    payload: Dict[str, Any],
    refused: Optional[List[str]] = None,
) -> Application:
    """Creates the application and uploads its documents (idempotent on retry).

    Args:
        client: The gateway client.
        payload: From :func:`build_payload`.
        refused: When given, a document the gateway refuses (:func:`is_refusal`) is
            noted here (``"<type>: <error>"``) and the other documents still go;
            otherwise the refusal is raised.
    """
    created = client.submit_application(
        payload["key"],
        payload["service_id"],
        payload["fields"],
        payload["citizen"],
        payload["channel"],
    )
    for document_type, ref in payload["documents"].items():
        path = document_path(ref["id"])
        if path is not None and path.is_file():
            try:
                client.upload_document(
                    created.application_id,
                    document_type,
                    path,
                    ref.get("filename") or path.name,
                    ref.get("mime_type") or "",
                    citizen_id=payload["citizen"]["sender_id"],
                )
            except EDistrictError as error:
                if refused is None or not is_refusal(error):
                    raise
                refused.append(f"{document_type}: {error}")
    return created


def submit_application(
    dispatcher: CollectingDispatcher, tracker: Tracker, draft: Dict[str, Any]
) -> List[EventType]:
    """Submits the draft; on an outage keeps it for a later retry and says so."""
    payload = build_payload(draft, tracker)
    client = EDistrictClient()
    refused: List[str] = []
    try:
        created = deliver(client, payload, refused)
    except EDistrictError as error:
        if error.retryable:
            pending.keep(payload["key"], tracker.sender_id, payload, str(error))
            ensure_retry_worker()
            send(dispatcher, Reply("utter_submission_queued"))
            return []
        logger.error("Gateway refused application %s: %s", payload["key"], error)
        send(dispatcher, Reply("utter_submission_refused"))
        kept = dict(tracker.get_slot("drafts") or {})
        kept[draft["service"]] = {
            **draft,
            "status": "open",
            "summary_ok": False,
            "consent": None,
        }
        return [SlotSet("drafts", kept)]
    send(
        dispatcher,
        Reply(
            "utter_application_submitted",
            {
                "application_id": created.application_id,
                "due_date": shown_date(created.due_date),
            },
        ),
    )
    if refused:
        # The application went in; only these files could not be read.
        logger.warning("Gateway refused documents of %s: %s", payload["key"], refused)
        service = get_catalog().get(draft["service"])
        names = [
            localize(
                service.document_named(kind).name, tracker.get_slot("language") or "en"
            )
            if service
            else kind
            for kind in (item.split(":", 1)[0] for item in refused)
        ]
        send(
            dispatcher,
            Reply("utter_documents_not_accepted", {"documents": ", ".join(names)}),
        )
    return [SlotSet("last_application_id", created.application_id)]


def retry_pending(client: Optional[EDistrictClient] = None) -> int:
    """Retries the kept submissions; the gateway's outbox tells each citizen.

    The outbox is the one notifier: an application carries its conversation id, and the
    gateway notifies "submitted" once it is in.

    One submission never holds up the others: a refusal by the gateway (a 4xx other
    than 401/403/408/429, for example a document it will not accept) marks only that
    one ``failed`` (kept with its error, logged, never retried); any other error keeps
    it for later and moves it to the back of the queue. Only an unreachable gateway
    (or one refusing this server's token) ends the round early.

    Returns:
        How many applications went in (including those with a refused document).
    """
    client = client or EDistrictClient()
    delivered = 0
    for item in pending.all_pending():
        key, sender_id, payload = item["key"], item["sender_id"], item["payload"]
        refused: List[str] = []
        try:
            created = deliver(client, payload, refused)
        except EDistrictError as error:
            if is_refusal(error):
                pending.mark_failed(key, str(error))
                logger.error(
                    "Gateway refused kept application %s for good; marked failed: %s",
                    key,
                    error,
                )
                continue
            pending.keep(key, sender_id, payload, str(error))
            if error.status is None or error.status in (401, 403):
                break  # unreachable or misconfigured: the rest would fail alike
            continue
        except Exception as error:  # noqa: BLE001 - one bad item never stops the queue
            logger.exception("Kept application %s could not be retried", key)
            pending.keep(key, sender_id, payload, f"{type(error).__name__}: {error}")
            continue
        if refused:
            pending.mark_failed(key, "; ".join(refused), created.application_id)
            logger.error(
                "Kept application %s went in as %s, but the gateway refused %s; "
                "marked failed",
                key,
                created.application_id,
                "; ".join(refused),
            )
        else:
            pending.forget(key)
        delivered += 1
    return delivered


_worker_started = False


def ensure_retry_worker(interval: float = 60.0) -> None:
    """Starts (once per process) a daemon thread retrying kept submissions periodically."""
    global _worker_started
    if _worker_started:
        return
    _worker_started = True

    def loop() -> None:
        while True:
            time.sleep(interval)
            try:
                if pending.all_pending():
                    retry_pending()
            except Exception:  # noqa: BLE001 - the worker must survive any single failure
                logger.exception("Retrying kept submissions failed")

    threading.Thread(target=loop, name="pending-submissions", daemon=True).start()
