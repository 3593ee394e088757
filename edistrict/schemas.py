"""Request and response models of the HTTP API (the OpenAPI contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from edistrict.applications import certificate_url, lateness
from edistrict.links import DownloadLinks
from edistrict.models import Application
from edistrict.settings import Settings


class Citizen(BaseModel):
    """Who applies; at least a WhatsApp id, a mobile number or a conversation id."""

    model_config = ConfigDict(extra="forbid")

    whatsapp_id: str | None = Field(
        default=None, pattern=r"^\+?\d{6,20}$", examples=["919876543210"]
    )
    mobile: str | None = Field(default=None, pattern=r"^\+?\d{10,13}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    sender_id: str | None = Field(
        default=None,
        max_length=200,
        description="Rasa conversation id, if not the WhatsApp id",
    )
    language: Literal["en", "hi", "hinglish"] | None = None

    @model_validator(mode="after")
    def _one_contact(self) -> Citizen:
        if not (self.whatsapp_id or self.mobile or self.sender_id):
            raise ValueError(
                "citizen needs a whatsapp_id, a mobile number or a sender_id"
            )
        return self


class Consent(BaseModel):
    """The citizen's consent to process their data for this application (DPDP Act s. 6)."""

    model_config = ConfigDict(extra="forbid")

    given_at: datetime = Field(description="When the citizen agreed (with time zone).")
    version: str = Field(
        min_length=1,
        max_length=80,
        description="Which consent wording was shown (its language and text hash).",
        examples=["hi-3f9a2c71d0"],
    )
    method: Literal["chat", "in_person"] = Field(
        default="chat",
        description="Agreed in the chat, or in person before a CSC operator.",
    )


class ApplicationCreate(BaseModel):
    """A new application, validated against the catalog service's fields."""

    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(min_length=1, max_length=80, examples=["birth_certificate"])
    channel: Literal["whatsapp", "csc", "web"]
    citizen: Citizen
    fields: dict[str, Any]
    language: Literal["en", "hi", "hinglish"] | None = None
    sender_id: str | None = Field(
        default=None,
        max_length=200,
        description="Rasa conversation id for notifications; defaults to the WhatsApp id.",
    )
    consent: Consent


class StatusEventOut(BaseModel):
    """One status history entry."""

    status: str
    reason: str | None
    actor: str
    at: datetime


class PrecheckExpected(BaseModel):
    """The applicant's answers to compare a document with (only those given are checked)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    aadhaar_last4: str | None = Field(default=None, pattern=r"^\d{4}$")
    pincode: str | None = Field(default=None, pattern=r"^\d{6}$")


class PrecheckIn(BaseModel):
    """What an upload was sent as, and the form's answers to check it against."""

    model_config = ConfigDict(extra="forbid")

    document_type: str = Field(min_length=1, max_length=80)
    expected: PrecheckExpected = Field(default_factory=PrecheckExpected)


class PrecheckCheck(BaseModel):
    """One cross-check of the document against the form."""

    field: Literal["name", "date_of_birth", "aadhaar_last4", "pincode"]
    status: Literal["matched", "mismatch", "not_found"]
    read: str | None = Field(description="What the document says (Aadhaar masked)")
    score: float | None = None


class PrecheckKind(BaseModel):
    """The kind of document it looks like, against the kinds the type may be."""

    read: str | None
    expected: list[str]
    status: Literal["matched", "mismatch", "not_found", "not_checked"]
    names: dict[str, str] | None = Field(
        description="The kind read, named in en, hi and hinglish"
    )


class PrecheckOut(BaseModel):
    """The pre-check's advice: the officer decides, the citizen may always continue."""

    verdict: Literal["ok", "advice", "unreadable", "not_checked"]
    document_type: str
    engine: str | None = Field(description="OCR engine and version; null: not read")
    source: str = Field(description="ocr, pdf_text, or none")
    confidence: float
    problems: list[str] = Field(
        description="blank, too_dark, blurred, low_resolution, no_text"
    )
    kind: PrecheckKind
    checks: list[PrecheckCheck]
    checked_at: datetime


def precheck_out(result: dict[str, Any] | None) -> PrecheckOut | None:
    """A stored pre-check as the API shows it; one of an older shape is left out."""
    if not result:
        return None
    try:
        return PrecheckOut.model_validate(result)
    except ValueError:  # pydantic's ValidationError: never a 500 for old advice
        return None


class DocumentOut(BaseModel):
    """A stored document (content-addressed by sha256)."""

    id: int
    document_type: str
    mime_type: str
    size_bytes: int
    sha256: str
    original_filename: str | None
    uploaded_at: datetime
    precheck: PrecheckOut | None = None

    @classmethod
    def of(cls, document: Any) -> DocumentOut:
        """The answer for a stored :class:`~edistrict.models.Document`."""
        return cls(
            id=document.id,
            document_type=document.document_type,
            mime_type=document.mime_type,
            size_bytes=document.size_bytes,
            sha256=document.sha256,
            original_filename=document.original_filename,
            uploaded_at=document.uploaded_at,
            precheck=precheck_out(document.precheck),
        )


class UploadOut(BaseModel):
    """A file in the document store, uploaded by the citizen asking."""

    document_id: str = Field(
        description="The reference to attach it with: the content's sha256 (hex)"
    )
    sha256: str
    mime_type: str
    size_bytes: int
    original_filename: str | None
    uploaded_at: datetime


class CertificateOut(BaseModel):
    """An issued certificate."""

    number: str
    issued_at: datetime
    url: str
    verify_url: str
    token: str


class CitizenOut(BaseModel):
    """The applicant's contact."""

    whatsapp_id: str | None
    mobile: str | None
    name: str | None


class ApplicationOut(BaseModel):
    """An application with its history, SLA position and certificate."""

    application_id: str
    service_id: str
    department: str
    channel: str
    language: str
    citizen: CitizenOut
    fields: dict[str, Any]
    status: str
    status_reason: str | None
    requested_documents: list[str] | None
    fee_inr: int
    sla_days: int
    submitted_at: datetime
    due_date: date
    overdue: bool
    days_late: int
    compensation_inr: int = Field(
        description="Due under the Delhi time-bound delivery act: Rs 10/day late, max 200."
    )
    history: list[StatusEventOut]
    consent: Consent | None = Field(
        description="None only for applications before 0004."
    )
    erased_at: datetime | None = Field(
        description="When the citizen's personal data was erased on their request."
    )
    documents: list[DocumentOut]
    certificate: CertificateOut | None
    certificate_download_url: str | None = Field(
        default=None,
        description="Present when a certificate exists: a signed link "
        "({public_base_url}/certificates/{token}) that downloads the PDF without "
        "any other credential until it expires (EDISTRICT_DOWNLOAD_LINK_TTL_SECONDS).",
    )

    @classmethod
    def build(
        cls, application: Application, settings: Settings, links: DownloadLinks
    ) -> ApplicationOut:
        """Builds the output model of an application.

        Args:
            application: The ORM object.
            settings: Gateway settings (public URLs).
            links: Signs the certificate download link.

        Returns:
            The model.
        """
        late = lateness(application)
        cert = application.certificate
        return cls(
            application_id=application.application_id,
            service_id=application.service_id,
            department=application.department,
            channel=application.channel,
            language=application.language,
            citizen=CitizenOut(
                whatsapp_id=application.citizen_whatsapp_id,
                mobile=application.citizen_mobile,
                name=application.citizen_name,
            ),
            fields=application.fields,
            status=application.status,
            status_reason=application.status_reason,
            requested_documents=application.requested_documents,
            fee_inr=application.fee_inr,
            sla_days=application.sla_days,
            submitted_at=application.submitted_at,
            due_date=application.due_date,
            overdue=late.overdue,
            days_late=late.days_late,
            compensation_inr=late.compensation_inr,
            history=[
                StatusEventOut(status=e.status, reason=e.reason, actor=e.actor, at=e.at)
                for e in application.events
            ],
            consent=Consent(
                given_at=application.consent_given_at,
                version=application.consent_version,
                method=application.consent_method,
            )
            if application.consent_given_at and application.consent_version
            else None,
            erased_at=application.erased_at,
            documents=[DocumentOut.of(d) for d in application.documents],
            certificate=CertificateOut(
                number=cert.number,
                issued_at=cert.issued_at,
                url=certificate_url(settings, application.application_id),
                verify_url=f"{settings.public_base_url}/v/{cert.number}",
                token=cert.token,
            )
            if cert
            else None,
            certificate_download_url=links.url(application.application_id, cert.number)
            if cert
            else None,
        )


class ApplicationList(BaseModel):
    """A page of applications."""

    items: list[ApplicationOut]


class RequestDocuments(BaseModel):
    """An officer asks the citizen for documents."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)
    document_types: list[str] = Field(default_factory=list)


class Reject(BaseModel):
    """An officer rejects, with a reason the citizen can understand."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)


class VerifyResult(BaseModel):
    """Outcome of verifying a certificate token or number."""

    valid: bool
    reason: str | None = None
    certificate_number: str | None = None
    application_id: str | None = None
    service_id: str | None = None
    service_name: dict[str, str] | None = None
    department: str | None = None
    citizen_name: str | None = Field(
        default=None,
        description="The holder's name, masked: first character of each word, then "
        "asterisks (e.g. 'S**** K****').",
    )
    issued_at: datetime | None = None


class ErrorOut(BaseModel):
    """Error body of every 4xx answered by the gateway's own checks."""

    error: str
    message: str
    field: str | None = None


class ErasureOut(BaseModel):
    """What an erasure did: counts only."""

    withdrawn: int = Field(
        description="Undecided applications withdrawn, answers deleted."
    )
    unlinked: int = Field(description="Applications no longer linked to the citizen.")
    documents_deleted: int
    uploads_deleted: int
    notifications_deleted: int


class HandoffIn(BaseModel):
    """The assistant hands the conversation to the helpdesk."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["asked", "not_understood"] = Field(
        description="The citizen asked for a person, or two answers in a row failed."
    )
    language: Literal["en", "hi", "hinglish"] = "en"


class HandoffOut(BaseModel):
    """The conversation's helpdesk ticket and when a person will answer."""

    ticket: str = Field(examples=["HD-000042"])
    status: Literal["waiting", "active", "closed"]
    new: bool = Field(description="False: the conversation already had an open ticket.")
    waiting_before: int = Field(description="Waiting tickets opened before this one.")
    opens_at: datetime | None = Field(
        description="When the helpdesk opens next (India's time); null while it is open."
    )
