"""Tracking: application status, "my applications", certificates, notifications.

Covers certificate download and verification and the gateway's status-change notifications.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_access import get_catalog
from actions.dispatch import send
from actions.edistrict_client import EDistrictClient, EDistrictError
from actions.gateway_models import Application, Verification
from actions.replies import Reply
from actions.texts import localize

logger = logging.getLogger(__name__)
STATUSES = (
    "submitted",
    "under_verification",
    "documents_requested",
    "approved",
    "rejected",
    "issued",
)


def citizen_id(tracker: Tracker) -> str:
    """Who is asking: the conversation id, set by the authenticated channel.

    Never read from message metadata, which a REST client can write.
    """
    return tracker.sender_id


def client_for(tracker: Tracker) -> EDistrictClient:
    """A gateway client acting for this conversation's citizen (ownership checked)."""
    return EDistrictClient(citizen_id=citizen_id(tracker))


def status_reply(
    application: Application, language: str, status: Optional[str] = None
) -> Reply:
    """One application's status (``status``, else its current one) as a reply."""
    status = status or application.status
    service = application.service_id
    catalog = get_catalog()
    name = localize(catalog[service].names, language) if service in catalog else service
    return Reply(
        f"utter_status_{status}" if status in STATUSES else "utter_status_submitted",
        {
            "application_id": application.application_id,
            "service": name,
            "reason": application.status_reason or "-",
            "due_date": shown_date(application.due_date),
        },
    )


def shown_date(value: Optional[date]) -> str:
    """A date as citizens write it: DD/MM/YYYY, as everywhere in the chat."""
    return value.strftime("%d/%m/%Y") if value else "-"


def gateway_error_reply(error: EDistrictError, application_id: Optional[str]) -> Reply:
    """An unknown application id, or the gateway being unreachable, told plainly."""
    response = (
        "utter_application_not_found"
        if error.status == 404
        else "utter_gateway_unavailable"
    )
    return Reply(response, {"application_id": application_id or ""})


def status_replies(tracker: Tracker) -> List[Reply]:
    """The status of the application the latest message names, else of all the citizen's."""
    language = tracker.get_slot("language") or "en"
    application_id = next(tracker.get_latest_entity_values("application_id"), None)
    client = client_for(tracker)
    try:
        if application_id:
            return [status_reply(client.get_application(application_id), language)]
        applications = client.list_applications(citizen_id(tracker))
    except EDistrictError as error:
        return [gateway_error_reply(error, application_id)]
    if not applications:
        return [Reply("utter_no_applications")]
    return [status_reply(application, language) for application in applications[:5]]


class ActionCheckStatus(Action):
    """Tells the status of the application named, or lists the citizen's applications."""

    def name(self) -> str:
        return "action_check_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        for reply in status_replies(tracker):
            send(dispatcher, reply)
        return []


class ActionDownloadCertificate(Action):
    """Sends the issued certificate of an application as a PDF link/document."""

    def name(self) -> str:
        return "action_download_certificate"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        application_id = next(
            tracker.get_latest_entity_values("application_id"), None
        ) or tracker.get_slot("last_application_id")
        client = client_for(tracker)
        try:
            if not application_id:
                latest = latest_issued(client, citizen_id(tracker))
                application_id = latest.application_id if latest else None
            if not application_id:
                send(dispatcher, Reply("utter_no_certificate"))
                return []
            application = client.get_application(application_id)
        except EDistrictError as error:
            send(dispatcher, gateway_error_reply(error, application_id))
            return []
        if application.status != "issued":
            send(
                dispatcher,
                status_reply(application, tracker.get_slot("language") or "en"),
            )
            return []
        send_certificate(dispatcher, application)
        return []


def latest_issued(
    client: EDistrictClient, citizen: str, service_id: Optional[str] = None
) -> Optional[Application]:
    """The citizen's first listed issued application, of ``service_id`` when given."""
    return next(
        (
            a
            for a in client.list_applications(citizen)
            if a.status == "issued" and service_id in (None, a.service_id)
        ),
        None,
    )


# How likely "send my certificate" must be, as the second reading, to ask the gateway.
DOWNLOAD_READING = 0.25


def issued_certificate_asked(
    tracker: Tracker, message: Dict[str, Any], service_id: Optional[str] = None
) -> Optional[Application]:
    """The issued certificate a message may ask for, when the citizen holds one.

    "Yay! Can we get the marriage certificate please?" after the approval reads as
    eligibility (or applying) and download nearly alike. When downloading is one of the
    two closest meanings (at least ``DOWNLOAD_READING``) and the citizen holds an issued
    certificate (of ``service_id``, else of the service the message names, if any), the
    certificate is the answer. A gateway error means no: the question is answered as
    it was read.
    """
    ranking = [
        r
        for r in message.get("intent_ranking") or []
        if r.get("name") != "nlu_fallback"
    ]
    if not any(
        r.get("name") == "download_certificate"
        and (r.get("confidence") or 0) >= DOWNLOAD_READING
        for r in ranking[:2]
    ):
        return None
    service = service_id or next(tracker.get_latest_entity_values("service"), None)
    try:
        return latest_issued(client_for(tracker), citizen_id(tracker), service)
    except EDistrictError:
        return None


def send_certificate(
    dispatcher: CollectingDispatcher, application: Application
) -> None:
    """Sends the certificate PDF as a document message every channel can render.

    The link is the gateway's short-lived signed download link of this application,
    fetched with the owner's id; never a URL from a message or a notification.
    """
    url = application.certificate_download_url or ""
    application_id = application.application_id
    if not url:
        logger.warning("Certificate of %s has no download link", application_id)
        send(dispatcher, Reply("utter_gateway_unavailable", {"application_id": ""}))
        return
    send(
        dispatcher,
        Reply("utter_certificate_ready", {"application_id": application_id}),
    )
    dispatcher.utter_message(
        json_message={
            "document": {
                "url": url,
                "filename": f"{application_id}.pdf",
                "caption": application_id,
            }
        },
    )


# Serial: six digits (early certificates) or eight unguessable characters.
_CERTIFICATE_NUMBER = re.compile(
    r"\bDLC[\s-]*([A-Z]{3})[\s-]*(\d{4})[\s-]*(\d{6}|[2-9A-HJ-NP-Z]{8})\b", re.I
)


def certificate_number_in(text: str) -> Optional[str]:
    """Finds a certificate number ("DLC-BIR-2026-K7M2Q9XT", loosely typed) in a message."""
    match = _CERTIFICATE_NUMBER.search(text)
    if not match:
        return None
    code, year, serial = match.groups()
    return f"DLC-{code.upper()}-{year}-{serial.upper()}"


class ActionVerifyCertificate(Action):
    """Checks a certificate number (or QR token) with the gateway's public verifier."""

    def name(self) -> str:
        return "action_verify_certificate"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        number = (
            next(tracker.get_latest_entity_values("certificate_number"), None)
            or certificate_number_in(tracker.latest_message.get("text") or "")
            or next(tracker.get_latest_entity_values("application_id"), None)
        )
        if not number:
            send(dispatcher, Reply("utter_ask_certificate_number"))
            return []
        try:
            result = client_for(tracker).verify(number)
        except EDistrictError as error:
            if error.status in (400, 404):
                send(
                    dispatcher, Reply("utter_certificate_not_valid", {"number": number})
                )
            else:
                send(
                    dispatcher,
                    Reply("utter_gateway_unavailable", {"application_id": ""}),
                )
            return []
        if not result.valid:
            send(dispatcher, Reply("utter_certificate_not_valid", {"number": number}))
            return []
        send(
            dispatcher,
            Reply(
                "utter_certificate_valid",
                {
                    "number": result.certificate_number or number,
                    # The gateway masks the holder's name on its public verifier.
                    "name": result.citizen_name or "-",
                    "service": _service_name(result, tracker.get_slot("language")),
                    "issued_on": shown_date(result.issued_on),
                },
            ),
        )
        return []


def _service_name(result: Verification, language: Optional[str]) -> str:
    """The verified certificate's service in the citizen's language."""
    catalog = get_catalog()
    service_id = result.service_id or ""
    if service_id in catalog:
        return localize(catalog[service_id].names, language or "en")
    return str(result.service_name.get("en") or service_id or "-")


class ActionNotifyStatus(Action):
    """Tells the citizen about a status change pushed by the gateway (trigger_intent).

    Only ``application_id`` and ``status`` are read from the notification; everything
    shown or sent comes from the gateway, asked on behalf of this conversation, so a
    notification about someone else's application (or a forged one) tells nothing.
    """

    def name(self) -> str:
        return "action_notify_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        message = tracker.latest_message or {}
        if not (message.get("metadata") or {}).get("is_external"):
            # Rasa marks what arrives through trigger_intent; anything typed is not it.
            logger.warning(
                "Ignored a status notification %s did not get from Rasa's API",
                tracker.sender_id,
            )
            return []
        application_id = next(tracker.get_latest_entity_values("application_id"), None)
        notified = next(tracker.get_latest_entity_values("status"), None)
        if not application_id:
            return []
        if notified == "submitted" and application_id == tracker.get_slot(
            "last_application_id"
        ):
            return []  # the form confirmed this submission in the conversation already
        try:
            application = client_for(tracker).get_application(application_id)
        except EDistrictError as error:
            if error.status == 404:
                logger.warning(
                    "Notification about %s is not for conversation %s: ignored",
                    application_id,
                    tracker.sender_id,
                )
                return []
            logger.warning("Status of %s unavailable: %s", application_id, error)
            send(
                dispatcher,
                Reply(
                    "utter_status_update_unreadable", {"application_id": application_id}
                ),
            )
            return []
        # The change being notified, not the current status: "approved" is delivered
        # after the same transaction already made it "issued".
        status = notified if notified in STATUSES else application.status
        send(dispatcher, status_reply(application, language, status))
        if status == "issued" and application.certificate_download_url:
            send_certificate(dispatcher, application)
        return []
