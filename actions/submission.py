"""Submitting a completed draft to the e-District gateway, honestly and without loss.

The action server keeps nothing of its own. A submission the gateway cannot take yet
stays in the conversation (the ``queued_submissions`` slot, in Rasa's tracker store) and
Rasa's own reminders bring it back: :class:`ActionRetrySubmissions` runs on the reminder's
intent and tries again with the same idempotency key, so the gateway creates it once
however often it is sent, and an action-server restart loses nothing. Once it is in, the
gateway's outbox tells the citizen (the one notifier).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_access import get_catalog
from actions.dispatch import send
from actions.edistrict_client import EDistrictClient, EDistrictError
from actions.form_steps import applicable_fields
from actions.gateway_models import Application
from actions.replies import Reply
from actions.texts import localize
from actions.tracking import client_for, shown_date
from channels.metadata import TRUSTED_INPUT_CHANNELS, trusted_citizen, whatsapp_number
from infra.settings import submission_retry_seconds

logger = logging.getLogger(__name__)

QUEUE_SLOT = "queued_submissions"
RETRY_INTENT = "submission_retry_due"
RETRY_REMINDER = "retry_submissions"
MAX_RETRY_WAIT = 3600.0


def build_payload(draft: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
    """The gateway request for a draft: applicable answers, citizen, documents."""
    service = get_catalog()[draft["service"]]
    answers = {
        item.name: draft["answers"][item.name]
        for item in applicable_fields(draft, service)
        if item.name in draft["answers"]
    }
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    input_channel = tracker.get_latest_input_channel()
    citizen = trusted_citizen(metadata, input_channel, tracker.sender_id)
    on_whatsapp = input_channel in TRUSTED_INPUT_CHANNELS
    mobile = next(
        (
            str(answers[item.name]).removeprefix("+91")
            for item in applicable_fields(draft, service)
            if item.type == "mobile" and answers.get(item.name)
        ),
        None,
    )
    applicant = {
        "sender_id": tracker.sender_id,
        "whatsapp_id": whatsapp_number(tracker.sender_id) if on_whatsapp else None,
        "name": citizen.name,
        "mobile": mobile or citizen.phone,
        "language": tracker.get_slot("language") or "en",
    }
    documents = {k: v for k, v in draft["documents"].items() if isinstance(v, dict)}
    return {
        "key": draft["key"],
        "service_id": service.id,
        "fields": answers,
        "citizen": applicant,
        "consent": draft["consent"],
        "channel": "whatsapp" if on_whatsapp else metadata.get("channel") or "web",
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
        payload["consent"],
        payload["channel"],
    )
    for document_type, ref in payload["documents"].items():
        try:
            client.attach_document(
                created.application_id,
                document_type,
                str(ref.get("id", "")),
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
    """Submits the draft; on an outage keeps it in the conversation and says so."""
    payload = build_payload(draft, tracker)
    refused: List[str] = []
    try:
        created = deliver(EDistrictClient(), payload, refused)
    except EDistrictError as error:
        if error.retryable:
            logger.warning("Gateway unavailable; queued %s: %s", payload["key"], error)
            send(dispatcher, Reply("utter_submission_queued"))
            queued = dict(tracker.get_slot(QUEUE_SLOT) or {})
            queued[payload["key"]] = {"draft": draft, "payload": payload, "attempts": 1}
            return [SlotSet(QUEUE_SLOT, queued), retry_reminder(1)]
        logger.error("Gateway refused application %s: %s", payload["key"], error)
        send(dispatcher, Reply("utter_submission_refused"))
        return [SlotSet("drafts", reopened(tracker.get_slot("drafts"), draft))]
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
    tell_refused_documents(dispatcher, tracker, draft["service"], refused)
    return [SlotSet("last_application_id", created.application_id)]


def reopened(drafts: Optional[Dict[str, Any]], draft: Dict[str, Any]) -> Dict[str, Any]:
    """The citizen's drafts with a refused one back among them, answers kept."""
    return {
        **(drafts or {}),
        draft["service"]: {
            **draft,
            "status": "open",
            "summary_ok": False,
        },
    }


def tell_refused_documents(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    service_id: str,
    refused: List[str],
) -> None:
    """The application went in; tells the citizen which files the gateway refused."""
    if not refused:
        return
    logger.warning(
        "Gateway refused documents of a %s application: %s", service_id, refused
    )
    service = get_catalog().get(service_id)
    language = tracker.get_slot("language") or "en"
    names = [
        localize(service.document_named(kind).name, language) if service else kind
        for kind in (item.split(":", 1)[0] for item in refused)
    ]
    send(
        dispatcher,
        Reply("utter_documents_not_accepted", {"documents": ", ".join(names)}),
    )


def retry_reminder(attempts: int) -> EventType:
    """Rasa reminder that runs :class:`ActionRetrySubmissions`, later after each failure.

    One reminder per conversation (a new one replaces the old); a message from the
    citizen does not cancel it.
    """
    wait = min(submission_retry_seconds() * 2 ** (attempts - 1), MAX_RETRY_WAIT)
    return ReminderScheduled(
        RETRY_INTENT,
        trigger_date_time=datetime.now(timezone.utc) + timedelta(seconds=wait),
        name=RETRY_REMINDER,
        kill_on_user_message=False,
    )


class ActionRetrySubmissions(Action):
    """Tries the conversation's queued submissions again.

    Rasa's reminder runs it, and so does a status question (before the status): a
    citizen who asks is told which applications still wait.

    Delivered ones leave the queue silently: the gateway's outbox tells the citizen
    "submitted" (with the application id), once. One the gateway refuses for good (a
    4xx other than 401/403/408/429) goes back to the citizen's drafts, with a message.
    While the gateway stays unreachable, the queue is kept and tried again later,
    waiting twice as long each time (at most an hour).
    """

    def name(self) -> str:
        return "action_retry_submissions"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        queued: Dict[str, Any] = dict(tracker.get_slot(QUEUE_SLOT) or {})
        if not queued:
            return []
        asked = (tracker.latest_message or {}).get("intent", {}).get("name")
        client = client_for(tracker)
        drafts = tracker.get_slot("drafts")
        events: List[EventType] = []
        attempts = 0
        for key, item in list(queued.items()):
            refused: List[str] = []
            try:
                deliver(client, item["payload"], refused)
            except EDistrictError as error:
                if is_refusal(error):
                    logger.error(
                        "Gateway refused queued application %s: %s", key, error
                    )
                    send(dispatcher, Reply("utter_submission_refused"))
                    drafts = reopened(drafts, item["draft"])
                    events = [SlotSet("drafts", drafts)]
                    del queued[key]
                    continue
                logger.warning("Queued application %s still waits: %s", key, error)
            except Exception:  # noqa: BLE001 - a bug must not drop the queue or its reminder
                logger.exception("Queued application %s could not be retried", key)
            else:
                tell_refused_documents(
                    dispatcher, tracker, item["draft"]["service"], refused
                )
                del queued[key]
                continue
            queued[key] = {**item, "attempts": item.get("attempts", 1) + 1}
            attempts = max(attempts, queued[key]["attempts"])
        events.append(SlotSet(QUEUE_SLOT, queued or None))
        if queued:
            events.append(retry_reminder(attempts))
            if asked != RETRY_INTENT:  # the citizen asked: say what still waits
                send(dispatcher, still_queued_reply(queued, tracker))
        return events


def still_queued_reply(queued: Dict[str, Any], tracker: Tracker) -> Reply:
    """Which applications still wait for the gateway, by service name."""
    catalog = get_catalog()
    language = tracker.get_slot("language") or "en"
    names = [
        localize(catalog[item["draft"]["service"]].names, language)
        if item["draft"]["service"] in catalog
        else item["draft"]["service"]
        for item in queued.values()
    ]
    return Reply("utter_submission_still_queued", {"services": ", ".join(names)})
