"""ORM models: applications, documents, certificates, outbox, hand-offs, audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edistrict.db import Base, UTCDateTime
from edistrict.sealing import SealedJSON

PENDING_STATUSES = ("submitted", "under_verification", "documents_requested")
# "withdrawn": the citizen withdrew consent (erasure) before a decision.
STATUSES = (*PENDING_STATUSES, "approved", "rejected", "issued", "withdrawn")


class Application(Base):
    """A citizen's application for one catalog service."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(80), index=True)
    department: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(16))
    citizen_whatsapp_id: Mapped[str | None] = mapped_column(String(32), index=True)
    citizen_mobile: Mapped[str | None] = mapped_column(String(16), index=True)
    citizen_name: Mapped[str | None] = mapped_column(String(200))
    sender_id: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), default="en")
    fields: Mapped[dict[str, Any]] = mapped_column(SealedJSON)  # encrypted at rest
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    requested_documents: Mapped[list[str] | None] = mapped_column(JSON)
    fee_inr: Mapped[int] = mapped_column(Integer, default=0)
    sla_days: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The citizen's consent to process their data for this application (DPDP Act s. 6):
    # when, which wording (its version), and how (in the chat, or in person at a CSC).
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_version: Mapped[str | None] = mapped_column(String(80))
    consent_method: Mapped[str | None] = mapped_column(String(16))
    # When the citizen's personal data was erased on their request (edistrict/erasure.py).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="application", order_by="StatusEvent.id"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="application")


class StatusEvent(Base):
    """One entry of an application's status history."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_pk: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="events")


class Document(Base):
    """A document attached to an application; content lives in the blob store."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("application_pk", "document_type", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_pk: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    document_type: Mapped[str] = mapped_column(String(80))
    mime_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The pre-check's result (edistrict/precheck): what was read and matched, for the officer.
    precheck: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, nullable=True)

    application: Mapped[Application] = relationship(back_populates="documents")


class Upload(Base):
    """A file a citizen handed to the document store (``POST /api/v1/documents``).

    The content lives in the blob store under ``sha256``, shared by every citizen who
    sent the same bytes; the row says this citizen may attach it to an application.
    """

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("citizen_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    mime_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    original_filename: Mapped[str | None] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The latest pre-check of this upload (sealed: it holds the text read from it).
    precheck: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, nullable=True)


class UploadQuota(Base):
    """Files and bytes one citizen sent to the document store on one day (IST)."""

    __tablename__ = "upload_quotas"

    citizen_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    files: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class Certificate(Base):
    """The certificate issued for an approved application."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    application_pk: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(120))

    application: Mapped[Application] = relationship(back_populates="certificate")


class Officer(Base):
    """A department officer; only the SHA-256 of the bearer token is stored.

    ``departments`` lists the catalog department ids the officer decides for (``["*"]``:
    all). ``deactivated_reason`` says why an inactive officer was switched off:
    ``not_configured`` (reactivated when configured again), ``revoked`` (by the CLI; only
    a new token reactivates) or ``development_officer`` (production).
    """

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(120), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    deactivated_reason: Mapped[str | None] = mapped_column(String(40))
    # Console sessions begun before this (the officer logged out) are no longer valid.
    console_sessions_after: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A notification to the assistant, written in the transaction of its change."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), index=True)
    sender_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Handoff(Base):
    """A conversation handed to the helpdesk (``edistrict/helpdesk.py``).

    ``status``: ``waiting`` (queued; the assistant still answers), ``active`` (an agent took
    it over: Rasa's conversation is paused) or ``closed`` (handed back). ``reason``:
    ``asked`` (the citizen asked for a person), ``not_understood`` (two failed answers in a
    row) or ``officer`` (an officer asked the helpdesk to contact the citizen).
    """

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    reason: Mapped[str] = mapped_column(String(32))
    application_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    agent: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def ticket(self) -> str:
        """The id agents and citizens read."""
        return f"HD-{self.id:06d}"


class AuditEntry(Base):
    """One change, by whom and when (append-only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdSequence(Base):
    """Per prefix-and-year counter behind human-friendly application ids."""

    __tablename__ = "id_sequences"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
