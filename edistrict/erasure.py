"""Erasure on the citizen's request (DPDP Act s. 12): what the gateway forgets, and keeps.

A citizen who asks the assistant to delete their data (or withdraws consent) is erased
here by their conversation id, the id every lookup checks:

- applications not yet decided are **withdrawn**: their answers and documents are
  deleted, nobody will decide on them;
- decided applications (approved, issued, rejected) keep their answers, documents and
  certificate, which the department must keep under its records rules (a certificate is a
  public record and stays verifiable), but lose every link to the citizen's conversation
  and contact: WhatsApp id, mobile, profile name, conversation id, and the answers that
  were only a way to reach them (mobile number and e-mail fields);
- uploads not attached to an application, daily upload counts and notifications not yet
  delivered are deleted; files nothing else refers to leave the document store.

What remains of an application (its number, service, dates and status history) says
that an application existed and how it ended, not who made it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from edistrict import audit
from edistrict.applications import change_status
from edistrict.catalog import CatalogLike
from edistrict.db import utcnow
from edistrict.models import (
    PENDING_STATUSES,
    Application,
    Handoff,
    OutboxMessage,
    Upload,
    UploadQuota,
)
from edistrict.storage import BlobStore
from edistrict.uploads import content_in_use

WITHDRAWN_REASON = "Withdrawn by the citizen: personal data erased on request."
# Answers that only say how to reach the citizen: no record needs them after erasure.
CONTACT_FIELD_TYPES = frozenset({"mobile", "email"})

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did (counts only: the report names no one)."""

    withdrawn: int
    unlinked: int
    documents_deleted: int
    uploads_deleted: int
    notifications_deleted: int

    def as_dict(self) -> dict[str, int]:
        """The counts, by name."""
        return asdict(self)


def citizen_reference(citizen_id: str) -> str:
    """How the audit log names an erased citizen: a hash, not the number."""
    return "citizen:" + hashlib.sha256(citizen_id.encode()).hexdigest()[:16]


def contact_fields(catalog: CatalogLike, service_id: str) -> set[str]:
    """Names of the service's fields that are only contact details."""
    service = catalog.get(service_id)
    if service is None:
        return set()
    return {item.name for item in service.fields if item.type in CONTACT_FIELD_TYPES}


def erase_citizen(
    session: Session,
    store: BlobStore,
    catalog: CatalogLike,
    citizen_id: str,
    actor: str,
) -> ErasureReport:
    """Erases what the gateway holds about the citizen with this conversation id.

    Args:
        session: Open session (committed here).
        store: The document store (unreferenced files are deleted).
        catalog: The service catalog (which answers are contact details).
        citizen_id: The citizen's conversation id (or WhatsApp id).
        actor: Who asked (``service`` for the assistant, an operator's name).

    Returns:
        The counts of what was withdrawn, unlinked and deleted.
    """
    applications = session.scalars(
        select(Application)
        .where(
            or_(
                Application.sender_id == citizen_id,
                Application.citizen_whatsapp_id == citizen_id,
            )
        )
        .options(selectinload(Application.documents))
    ).all()
    now = utcnow()
    withdrawn = documents = 0
    hashes: set[str] = set()
    for application in applications:
        if application.status in PENDING_STATUSES:
            change_status(
                session,
                application,
                "withdrawn",
                "citizen",
                reason=WITHDRAWN_REASON,
                notify=False,
            )
            application.fields = {}
            for document in application.documents:
                hashes.add(document.sha256)
                session.delete(document)
                documents += 1
            withdrawn += 1
        else:
            contact = contact_fields(catalog, application.service_id)
            application.fields = {
                name: value
                for name, value in application.fields.items()
                if name not in contact
            }
        application.citizen_whatsapp_id = None
        application.citizen_mobile = None
        application.citizen_name = None
        application.sender_id = None
        application.erased_at = now
        application.updated_at = now
    uploads = session.scalars(
        select(Upload).where(Upload.citizen_id == citizen_id)
    ).all()
    hashes |= {upload.sha256 for upload in uploads}
    for upload in uploads:
        session.delete(upload)
    session.execute(delete(UploadQuota).where(UploadQuota.citizen_id == citizen_id))
    notifications = session.execute(
        delete(OutboxMessage).where(OutboxMessage.sender_id == citizen_id)
    ).rowcount
    session.execute(delete(Handoff).where(Handoff.sender_id == citizen_id))
    report = ErasureReport(
        withdrawn=withdrawn,
        unlinked=len(applications),
        documents_deleted=documents,
        uploads_deleted=len(uploads),
        notifications_deleted=int(notifications or 0),
    )
    audit.record(
        session,
        actor,
        "citizen.erased",
        "citizen",
        citizen_reference(citizen_id),
        **report.as_dict(),
    )
    session.commit()
    for sha256 in hashes:
        if not content_in_use(session, sha256):
            store.delete(sha256)
    logger.info("erased a citizen's data: %s", report.as_dict())
    return report
