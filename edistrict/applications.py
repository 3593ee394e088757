"""Application lifecycle: creation with idempotency, ids, status changes, SLA, approval."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edistrict import audit, outbox
from edistrict.catalog import CatalogLike, fee_inr, id_prefix, service_name
from edistrict.certificate_content import (
    certificate_rows,
    department_name,
    holder_name,
    holder_names,
)
from edistrict.certificate_numbers import new_certificate_number
from edistrict.certificates import CertificateFacts, render_certificate
from edistrict.db import utcnow
from edistrict.models import Application, Certificate, IdSequence, StatusEvent
from edistrict.settings import Settings
from edistrict.signing import Signer
from edistrict.storage import BlobStore
from edistrict.validation import validate_answers

IST = timezone(timedelta(hours=5, minutes=30), "IST")
COMPENSATION_PER_DAY_INR = 10
COMPENSATION_MAX_INR = 200

TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset(
        {
            "under_verification",
            "documents_requested",
            "approved",
            "rejected",
            "withdrawn",
        }
    ),
    "under_verification": frozenset(
        {"documents_requested", "approved", "rejected", "withdrawn"}
    ),
    "documents_requested": frozenset(
        {"under_verification", "approved", "rejected", "withdrawn"}
    ),
    "approved": frozenset({"issued"}),
    "rejected": frozenset(),
    "issued": frozenset(),
    "withdrawn": frozenset(),
}
FINAL = frozenset({"rejected", "issued", "withdrawn"})


class LifecycleError(Exception):
    """A request that conflicts with the application's state or the catalog.

    Attributes:
        status_code: HTTP status to answer with.
        code: Stable machine-readable reason.
        message: Human-readable reason.
    """

    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra


def request_hash(body: dict[str, Any]) -> str:
    """Canonical SHA-256 of a request body, to compare idempotent retries.

    Args:
        body: The JSON body.

    Returns:
        Hex digest.
    """
    canonical = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_application_id(session: Session, prefix: str, year: int) -> str:
    """Allocates the next human-friendly id, e.g. ``DL-BIR-2026-000123``.

    The counter row is updated in the caller's transaction, so ids are unique and gapless
    per service prefix and year (a rolled-back submission releases its number).

    Args:
        session: The open session.
        prefix: Service code such as ``BIR``.
        year: Calendar year (IST).

    Returns:
        The new id.
    """
    key = f"{prefix}-{year}"
    result = session.execute(
        update(IdSequence)
        .where(IdSequence.key == key)
        .values(value=IdSequence.value + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(IdSequence(key=key, value=1))
        except IntegrityError:
            session.execute(
                update(IdSequence)
                .where(IdSequence.key == key)
                .values(value=IdSequence.value + 1)
            )
    value = session.scalar(select(IdSequence.value).where(IdSequence.key == key))
    return f"DL-{prefix}-{year}-{value:06d}"


@dataclass(frozen=True)
class Lateness:
    """SLA position of an application under the Delhi time-bound delivery act."""

    overdue: bool
    days_late: int
    compensation_inr: int


def lateness(application: Application, today: date | None = None) -> Lateness:
    """Days late and compensation (Rs 10 per day, at most Rs 200).

    An open application is late when today (IST) is after its due date; a decided one
    when its decision came after the due date.

    Args:
        application: The application.
        today: The current date in IST (tests pass one).

    Returns:
        The lateness.
    """
    today = today or datetime.now(IST).date()
    if application.status in FINAL and application.decided_at is not None:
        end = application.decided_at.astimezone(IST).date()
        still_open = False
    else:
        end = today
        still_open = True
    days = max((end - application.due_date).days, 0)
    return Lateness(
        overdue=still_open and days > 0,
        days_late=days,
        compensation_inr=min(days * COMPENSATION_PER_DAY_INR, COMPENSATION_MAX_INR),
    )


def find_by_key(session: Session, idempotency_key: str) -> Application | None:
    """The application created with this idempotency key, if any."""
    return session.scalar(
        select(Application).where(Application.idempotency_key == idempotency_key)
    )


def create_application(
    session: Session,
    catalog: CatalogLike,
    body: dict[str, Any],
    idempotency_key: str,
    actor: str,
    settings: Settings,
) -> tuple[Application, bool]:
    """Creates an application, or returns the one created earlier with the same key.

    Args:
        session: The open session (committed here).
        catalog: The service catalog.
        body: The validated request body (``service_id``, ``channel``, ``citizen``,
            ``fields``, ``language``, ``sender_id``).
        idempotency_key: The client's key for this submission.
        actor: Who submits (for history and audit).
        settings: Gateway settings.

    Returns:
        ``(application, created)``; ``created`` is False for a replayed retry.

    Raises:
        LifecycleError: 409 when the key was used for a different body, 404 for an
            unknown service.
        FieldError: When a field is unknown, missing or malformed.
    """
    digest = request_hash(body)
    existing = find_by_key(session, idempotency_key)
    if existing is not None:
        return _replay(existing, digest), False
    service = catalog.get(body["service_id"])
    if service is None:
        raise LifecycleError(
            404,
            "unknown_service",
            f"Service '{body['service_id']}' is not in the catalog.",
            field="service_id",
        )
    answers = validate_answers(service, body["fields"])
    citizen = body["citizen"]
    now = utcnow()
    today = now.astimezone(IST).date()
    application = Application(
        application_id=next_application_id(session, id_prefix(service), today.year),
        idempotency_key=idempotency_key,
        request_hash=digest,
        service_id=service.id,
        department=str(service.department),
        channel=body["channel"],
        citizen_whatsapp_id=citizen.get("whatsapp_id"),
        citizen_mobile=citizen.get("mobile"),
        citizen_name=citizen.get("name"),
        sender_id=body.get("sender_id")
        or citizen.get("sender_id")
        or citizen.get("whatsapp_id")
        or citizen.get("mobile"),
        language=citizen.get("language") or body.get("language") or "en",
        consent_given_at=datetime.fromisoformat(
            body["consent"]["given_at"].replace("Z", "+00:00")
        ),
        consent_version=body["consent"]["version"],
        consent_method=body["consent"].get("method") or "chat",
        fields=answers,
        status="submitted",
        fee_inr=fee_inr(service),
        sla_days=int(service.sla_days),
        submitted_at=now,
        due_date=today + timedelta(days=int(service.sla_days)),
        updated_at=now,
    )
    session.add(application)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = find_by_key(session, idempotency_key)
        if existing is None:
            raise
        return _replay(existing, digest), False
    _add_event(session, application, "submitted", actor, None, now)
    audit.record(
        session,
        actor,
        "application.created",
        "application",
        application.application_id,
        service_id=service.id,
        channel=application.channel,
        idempotency_key=idempotency_key,
    )
    _notify(session, application, "submitted", None)
    session.commit()
    return application, True


def _replay(existing: Application, digest: str) -> Application:
    if existing.request_hash != digest:
        raise LifecycleError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different application.",
            application_id=existing.application_id,
        )
    return existing


def _add_event(
    session: Session,
    application: Application,
    status: str,
    actor: str,
    reason: str | None,
    at: datetime,
) -> StatusEvent:
    event = StatusEvent(status=status, reason=reason, actor=actor, at=at)
    application.events.append(event)
    session.add(event)
    return event


def _notify(
    session: Session, application: Application, status: str, reason: str | None
) -> None:
    if application.sender_id:
        outbox.enqueue(
            session,
            sender_id=application.sender_id,
            application_id=application.application_id,
            status=status,
            reason=reason,
        )


def change_status(
    session: Session,
    application: Application,
    status: str,
    actor: str,
    *,
    reason: str | None = None,
    requested_documents: list[str] | None = None,
    notify: bool = True,
) -> StatusEvent:
    """Moves an application to a new status, with history, audit and outbox rows.

    Does not commit: the caller commits the whole change at once.

    Args:
        session: The open session.
        application: The application.
        status: Target status.
        actor: Who decides.
        reason: Reason for the citizen (required for rejection and document requests).
        requested_documents: Document types asked for (``documents_requested``).
        notify: Whether the citizen is told (not when they withdrew it themselves).

    Returns:
        The new history entry.

    Raises:
        LifecycleError: 409 when the transition is not allowed from the current status.
    """
    if status not in TRANSITIONS[application.status]:
        raise LifecycleError(
            409,
            "invalid_transition",
            f"Application {application.application_id} is '{application.status}'; "
            f"it cannot become '{status}'.",
        )
    now = utcnow()
    previous = application.status
    application.status = status
    application.status_reason = reason
    application.updated_at = now
    if status == "documents_requested":
        application.requested_documents = requested_documents or []
    if status in FINAL or status == "approved":
        application.decided_at = now
    event = _add_event(session, application, status, actor, reason, now)
    audit.record(
        session,
        actor,
        "application.status_changed",
        "application",
        application.application_id,
        previous=previous,
        status=status,
        reason=reason,
        requested_documents=requested_documents,
    )
    if notify:
        _notify(session, application, status, reason)
    return event


def certificate_url(settings: Settings, application_id: str) -> str:
    """Where the service fetches an issued certificate PDF.

    Needs the service token and the owner's ``X-Citizen-Id``; citizens' channels use
    the signed ``certificate_download_url`` instead.
    """
    return (
        f"{settings.public_base_url}/api/v1/applications/{application_id}/certificate"
    )


def approve_and_issue(
    session: Session,
    application: Application,
    actor: str,
    *,
    catalog: CatalogLike,
    signer: Signer,
    store: BlobStore,
    settings: Settings,
) -> Certificate:
    """Approves an application and issues its signed certificate, in one transaction.

    Args:
        session: The open session (committed here).
        application: The application to approve.
        actor: The approving officer.
        catalog: The service catalog (names for the certificate).
        signer: Signs the verification token.
        store: Where the PDF is kept.
        settings: Gateway settings.

    Returns:
        The certificate.
    """
    change_status(session, application, "approved", actor)
    issued_at = utcnow()
    number = new_certificate_number(session, application.application_id)
    token = signer.sign(
        {
            "n": number,
            "a": application.application_id,
            "s": application.service_id,
            "d": issued_at.astimezone(IST).date().isoformat(),
        }
    )
    service = catalog.get(application.service_id)
    facts = CertificateFacts(
        number=number,
        application_id=application.application_id,
        service_name_en=service_name(service, "en")
        if service
        else application.service_id,
        service_name_hi=service_name(service, "hi") if service else "प्रमाण पत्र",
        department=department_name(catalog, application.department),
        holder_names=holder_names(
            application.service_id, application.fields or {}, service
        ),
        issued_on=issued_at.astimezone(IST).date(),
        issued_by=actor,
        rows=certificate_rows(application.fields or {}, service),
        verify_url=f"{settings.public_base_url}/v/{token}",
    )
    pdf = render_certificate(facts)
    digest = store.put(pdf)
    certificate = Certificate(
        number=number,
        token=token,
        sha256=digest,
        issued_at=issued_at,
        issued_by=actor,
    )
    application.certificate = certificate
    audit.record(
        session, actor, "certificate.issued", "certificate", number, sha256=digest
    )
    change_status(session, application, "issued", "system")
    session.commit()
    return certificate


def citizen_display_name(application: Application, service: Any = None) -> str:
    """The certificate holder's name, from the form's answers (``"-"`` if none).

    Never the citizen's WhatsApp profile name or a phone number: the rule is
    :func:`edistrict.certificate_content.holder_names` (two holders joined by a comma).

    Args:
        application: The application.
        service: Its catalog service, when at hand (its ``name``-typed fields).

    Returns:
        The name.
    """
    return holder_name(application.service_id, application.fields or {}, service)
