"""Officer API: pending work, documents, and decisions, within the officer's departments.

An application of another department is answered exactly like an unknown one (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edistrict.api.deps import (
    ERRORS,
    application_out,
    approve_as,
    error,
    get_session,
    load_application,
    load_for_officer,
    officer_document,
)
from edistrict.applications import change_status
from edistrict.auth import Caller, require_officer
from edistrict.models import PENDING_STATUSES, Application
from edistrict.schemas import ApplicationList, ApplicationOut, Reject, RequestDocuments
from edistrict.settings import ALL_DEPARTMENTS

router = APIRouter(prefix="/api/v1/officer", tags=["officer"], responses=ERRORS)

OfficerCaller = Annotated[Caller, Depends(require_officer)]
DbSession = Annotated[Session, Depends(get_session)]


@router.get("/applications", response_model=ApplicationList)
def pending_applications(
    request: Request,
    officer: OfficerCaller,
    session: DbSession,
    service_id: str | None = None,
    status: Annotated[str | None, Query(pattern="^[a-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ApplicationList:
    """Lists pending applications of the officer's departments (oldest due first).

    Filter by service or status.
    """
    statuses = [status] if status else list(PENDING_STATUSES)
    query = (
        select(Application)
        .where(Application.status.in_(statuses))
        .options(
            selectinload(Application.events),
            selectinload(Application.documents),
            selectinload(Application.certificate),
        )
        .order_by(Application.due_date, Application.id)
        .limit(limit)
    )
    if service_id:
        query = query.where(Application.service_id == service_id)
    if ALL_DEPARTMENTS not in officer.departments:
        query = query.where(Application.department.in_(sorted(officer.departments)))
    return ApplicationList(
        items=[application_out(request, a) for a in session.scalars(query).all()]
    )


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def view_application(
    application_id: str, request: Request, officer: OfficerCaller, session: DbSession
) -> ApplicationOut:
    """Shows one application of the officer's departments."""
    return application_out(request, load_for_officer(session, application_id, officer))


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "application/pdf": {}}}
    },
)
def view_document(
    application_id: str,
    document_id: int,
    request: Request,
    officer: OfficerCaller,
    session: DbSession,
) -> Response:
    """Returns a document's content with its detected MIME type (access is audited)."""
    return officer_document(request, session, officer, application_id, document_id)


@router.post(
    "/applications/{application_id}/start-verification", response_model=ApplicationOut
)
def start_verification(
    application_id: str, request: Request, officer: OfficerCaller, session: DbSession
) -> ApplicationOut:
    """Marks an application as under verification."""
    application = load_for_officer(session, application_id, officer, for_update=True)
    change_status(session, application, "under_verification", officer.actor)
    session.commit()
    return application_out(request, application)


@router.post(
    "/applications/{application_id}/request-documents", response_model=ApplicationOut
)
def request_documents(
    application_id: str,
    body: RequestDocuments,
    request: Request,
    officer: OfficerCaller,
    session: DbSession,
) -> ApplicationOut:
    """Asks the citizen for documents, with a reason they can act on."""
    application = load_for_officer(session, application_id, officer, for_update=True)
    service = request.app.state.catalog.get(application.service_id)
    known = {d.type for d in getattr(service, "documents", ())} if service else set()
    unknown = [t for t in body.document_types if known and t not in known]
    if unknown:
        raise error(
            422,
            "unknown_document_type",
            f"Not documents of {application.service_id}: {', '.join(unknown)}.",
            field="document_types",
        )
    change_status(
        session,
        application,
        "documents_requested",
        officer.actor,
        reason=body.reason,
        requested_documents=body.document_types,
    )
    session.commit()
    return application_out(request, application)


@router.post("/applications/{application_id}/approve", response_model=ApplicationOut)
def approve(
    application_id: str, request: Request, officer: OfficerCaller, session: DbSession
) -> ApplicationOut:
    """Approves the application and issues its signed certificate."""
    application = load_for_officer(session, application_id, officer, for_update=True)
    approve_as(request, session, application, officer.actor)
    return application_out(request, load_application(session, application_id))


@router.post("/applications/{application_id}/reject", response_model=ApplicationOut)
def reject(
    application_id: str,
    body: Reject,
    request: Request,
    officer: OfficerCaller,
    session: DbSession,
) -> ApplicationOut:
    """Rejects the application with a reason."""
    application = load_for_officer(session, application_id, officer, for_update=True)
    change_status(session, application, "rejected", officer.actor, reason=body.reason)
    session.commit()
    return application_out(request, application)
