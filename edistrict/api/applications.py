"""Service API (action server): submit, track, upload documents, fetch certificates.

Every endpoint about one application needs ``X-Citizen-Id``, the conversation id of the
citizen asking; anyone else's application is answered as unknown (404).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from edistrict import audit
from edistrict.api.deps import (
    ERRORS,
    CitizenId,
    application_out,
    error,
    get_session,
    load_application,
    load_owned_application,
)
from edistrict.api.documents import read_upload
from edistrict.applications import change_status, create_application
from edistrict.auth import Caller, require_service
from edistrict.db import utcnow
from edistrict.documents import check_document
from edistrict.models import Application, Document
from edistrict.precheck import precheck
from edistrict.schemas import (
    ApplicationCreate,
    ApplicationList,
    ApplicationOut,
    DocumentOut,
)
from edistrict.uploads import earlier_precheck, still_valid

router = APIRouter(
    prefix="/api/v1/applications", tags=["applications"], responses=ERRORS
)

ServiceCaller = Annotated[Caller, Depends(require_service)]
DbSession = Annotated[Session, Depends(get_session)]


@router.post(
    "",
    response_model=ApplicationOut,
    status_code=201,
    responses={200: {"model": ApplicationOut, "description": "Replayed retry"}},
)
def submit_application(
    body: ApplicationCreate,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=200)],
) -> JSONResponse:
    """Submits an application; a retry with the same Idempotency-Key returns it again.

    Returns 201 when created, 200 when the key was already used for the same body, 409
    when it was used for a different body, 404 for an unknown service and 422 naming
    the field for a missing, unknown or malformed answer.
    """
    state = request.app.state
    application, created = create_application(
        session,
        state.catalog,
        body.model_dump(mode="json"),
        idempotency_key,
        caller.actor,
        state.settings,
    )
    application = load_application(session, application.application_id)
    out = application_out(request, application)
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=201 if created else 200,
        headers={} if created else {"Idempotent-Replayed": "true"},
    )


@router.get("", response_model=ApplicationList)
def list_applications(
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The citizen's Rasa conversation id (sender_id) or WhatsApp id",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ApplicationList:
    """Lists a citizen's applications ("my applications"), newest first.

    Only by the citizen's own conversation or WhatsApp id: a mobile number, which
    anyone could type, is not a way to list applications.
    """
    if not citizen_id:
        raise error(422, "missing_citizen", "Give citizen_id.")
    if "\x00" in citizen_id:  # no stored id has one (and PostgreSQL refuses it)
        return ApplicationList(items=[])
    rows = session.scalars(
        select(Application)
        .where(
            or_(
                Application.citizen_whatsapp_id == citizen_id,
                Application.sender_id == citizen_id,
            )
        )
        .options(
            selectinload(Application.events),
            selectinload(Application.documents),
            selectinload(Application.certificate),
        )
        .order_by(Application.id.desc())
        .limit(limit)
    ).all()
    return ApplicationList(items=[application_out(request, a) for a in rows])


@router.get("/{application_id}", response_model=ApplicationOut)
def get_application(
    application_id: str,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: CitizenId = None,
) -> ApplicationOut:
    """Returns the citizen's application with its history, SLA position and certificate.

    404 ``unknown_application`` when it does not exist or is not the citizen's.
    """
    application = load_owned_application(session, application_id, citizen_id)
    return application_out(request, application)


@router.post(
    "/{application_id}/documents",
    response_model=DocumentOut,
    status_code=201,
    responses={
        200: {"model": DocumentOut, "description": "Same content already attached"},
        413: {"description": "File too large"},
        415: {"description": "Not a JPEG, PNG or PDF (by content)"},
    },
)
async def upload_document(
    application_id: str,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    document_type: Annotated[str, Form(min_length=1, max_length=80)],
    file: Annotated[
        UploadFile | None, File(description="The file; or give document_id")
    ] = None,
    document_id: Annotated[
        str | None,
        Form(
            max_length=64,
            description="Or: the document_id of the citizen's upload "
            "(POST /api/v1/documents)",
        ),
    ] = None,
    citizen_id: CitizenId = None,
) -> JSONResponse:
    """Attaches a document to the citizen's application, typed by content, not name.

    Either the multipart ``file`` or ``document_id``, a file the same citizen uploaded
    to the document store (exactly one; 422 ``file_or_document_id`` otherwise; 404
    ``unknown_document`` when the citizen has no such upload). JPEG, PNG and PDF only,
    up to the configured size; corrupt, encrypted or empty PDFs and undecodable images
    are rejected with the reason. Content is stored once by sha256. Uploading while
    documents are requested resumes verification. 404 ``unknown_application`` when it
    does not exist or is not the citizen's.
    """
    state = request.app.state
    application = load_owned_application(session, application_id, citizen_id)
    if (file is None) == (document_id is None):
        raise error(
            422,
            "file_or_document_id",
            "Send either a file or the document_id of an upload, not both.",
        )
    if file is not None:
        data = await file.read(state.settings.max_upload_bytes + 1)
        filename = (file.filename or None) and file.filename[:255]
    else:
        data, filename = read_upload(session, state.store, citizen_id, str(document_id))
    checked = check_document(data, state.settings.max_upload_bytes)
    service = state.catalog.get(application.service_id)
    facts = service.applicant_facts(application.fields or {}) if service else {}
    digest = _digest(data)
    result = earlier_precheck(session, citizen_id, digest)
    attached = any(
        d.document_type == document_type and d.sha256 == digest
        for d in application.documents
    )
    if not attached and not still_valid(result, document_type, facts):
        # Sent after the form, or answers corrected since: the text read is reused.
        result = await run_in_threadpool(
            precheck, data, checked.mime_type, document_type, facts, None, result
        )
    return _attach(
        request,
        caller,
        session,
        application_id,
        citizen_id,
        document_type,
        data,
        filename,
        result,
    )


def _attach(
    request: Request,
    caller: Caller,
    session: Session,
    application_id: str,
    citizen_id: str | None,
    document_type: str,
    data: bytes,
    filename: str | None,
    prechecked: dict[str, Any] | None,
) -> JSONResponse:
    """Checks ``data`` and attaches it to the citizen's application (201, or 200)."""
    state = request.app.state
    checked = check_document(data, state.settings.max_upload_bytes)
    application = load_owned_application(
        session, application_id, citizen_id, for_update=True
    )
    service = state.catalog.get(application.service_id)
    allowed = {d.type for d in getattr(service, "documents", ())} if service else set()
    if allowed and document_type not in allowed:
        raise error(
            422,
            "unknown_document_type",
            f"'{document_type}' is not a document of {application.service_id}; "
            f"expected one of: {', '.join(sorted(allowed))}.",
            field="document_type",
        )
    if application.status not in {
        "submitted",
        "under_verification",
        "documents_requested",
    }:
        raise error(
            409,
            "application_closed",
            f"Application {application_id} is '{application.status}'; "
            "documents can no longer be added.",
        )
    existing = next(
        (
            d
            for d in application.documents
            if d.document_type == document_type and d.sha256 == _digest(data)
        ),
        None,
    )
    if existing is not None:
        return JSONResponse(
            DocumentOut.of(existing).model_dump(mode="json"), status_code=200
        )
    digest = state.store.put(data)
    document = Document(
        document_type=document_type,
        mime_type=checked.mime_type,
        size_bytes=checked.size_bytes,
        sha256=digest,
        original_filename=filename,
        uploaded_by=caller.actor,
        uploaded_at=utcnow(),
        precheck=prechecked,
    )
    application.documents.append(document)
    audit.record(
        session,
        caller.actor,
        "document.uploaded",
        "application",
        application_id,
        document_type=document_type,
        sha256=digest,
        mime_type=checked.mime_type,
        size_bytes=checked.size_bytes,
    )
    if application.status == "documents_requested":
        change_status(
            session,
            application,
            "under_verification",
            "citizen",
            reason="Requested documents received",
        )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise error(
            409, "duplicate_document", "This document is already attached."
        ) from None
    return JSONResponse(
        DocumentOut.of(document).model_dump(mode="json"), status_code=201
    )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@router.get(
    "/{application_id}/certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The PDF"}},
)
def download_certificate(
    application_id: str,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: CitizenId = None,
) -> Response:
    """Returns the citizen's issued certificate PDF.

    Channels that cannot send the service token use ``certificate_download_url``
    instead. 404 ``unknown_application`` when it does not exist or is not the citizen's.
    """
    application = load_owned_application(session, application_id, citizen_id)
    if application.certificate is None:
        raise error(
            404,
            "no_certificate",
            f"Application {application_id} has no certificate yet.",
        )
    pdf = request.app.state.store.get(application.certificate.sha256)
    filename = f"{application.certificate.number}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
