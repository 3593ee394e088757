"""Shared FastAPI dependencies, error helpers and the access checks on one application.

An application that exists but is not the caller's (another citizen's, another
department's) is answered exactly like an application that does not exist, so ids cannot
be probed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Header, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edistrict import audit
from edistrict.applications import approve_and_issue
from edistrict.auth import Caller
from edistrict.models import Application
from edistrict.schemas import ApplicationOut

_APPLICATION_ID = re.compile(r"[A-Za-z0-9-]{1,32}")

CitizenId = Annotated[
    str | None,
    Header(
        alias="X-Citizen-Id",
        max_length=200,
        description="Rasa conversation id of the citizen asking; must be the "
        "application's sender_id or citizen WhatsApp id, else 404 unknown_application.",
    ),
]


def required_citizen_id(description: str) -> Any:
    """An ``X-Citizen-Id`` header that must be present (no control characters)."""
    return Annotated[
        str,
        Header(
            alias="X-Citizen-Id",
            min_length=1,
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description=description,
        ),
    ]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid bearer token"},
    404: {"description": "Not found"},
    409: {"description": "Conflicts with the current state or idempotency key"},
    422: {"description": "Invalid input"},
}


def get_session(request: Request) -> Iterator[Session]:
    """Yields a database session for one request."""
    with request.app.state.session_factory() as session:
        yield session


def error(status_code: int, code: str, message: str, **extra: Any) -> HTTPException:
    """An HTTP error with the gateway's error body.

    Args:
        status_code: HTTP status.
        code: Stable machine-readable reason.
        message: Human-readable reason.
        **extra: Further fields (e.g. ``field``).

    Returns:
        The exception to raise.
    """
    return HTTPException(
        status_code, detail={"error": code, "message": message, **extra}
    )


def load_application(
    session: Session, application_id: str, *, for_update: bool = False
) -> Application:
    """Loads an application with its history, documents and certificate.

    Args:
        session: The open session.
        application_id: Human-friendly id.
        for_update: Lock the row (PostgreSQL) for a state change.

    Returns:
        The application.

    Raises:
        HTTPException: 404 when there is no such application.
    """
    if not _APPLICATION_ID.fullmatch(application_id):
        raise unknown_application(application_id[:40])
    query = (
        select(Application)
        .where(Application.application_id == application_id)
        .options(
            selectinload(Application.events),
            selectinload(Application.documents),
            selectinload(Application.certificate),
        )
    )
    if for_update:
        query = query.with_for_update(of=Application)
    application = session.scalar(query)
    if application is None:
        raise unknown_application(application_id)
    return application


def unknown_application(application_id: str) -> HTTPException:
    """The one answer for an application that is unknown or not the caller's."""
    return error(404, "unknown_application", f"No application {application_id}.")


def is_owner(application: Application, citizen_id: str | None) -> bool:
    """Whether ``citizen_id`` is the application's conversation or WhatsApp id.

    Args:
        application: The application.
        citizen_id: The ``X-Citizen-Id`` header (None or empty: nobody).

    Returns:
        True for the owner.
    """
    if not citizen_id:
        return False
    return citizen_id in {
        application.sender_id,
        application.citizen_whatsapp_id,
    } - {None, ""}


def load_owned_application(
    session: Session,
    application_id: str,
    citizen_id: str | None,
    *,
    for_update: bool = False,
) -> Application:
    """Loads an application of the citizen asking (service API).

    Args:
        session: The open session.
        application_id: Human-friendly id.
        citizen_id: The ``X-Citizen-Id`` header.
        for_update: Lock the row for a change.

    Returns:
        The application.

    Raises:
        HTTPException: 404 ``unknown_application`` when it does not exist or is not
            the citizen's (the same answer).
    """
    application = load_application(session, application_id, for_update=for_update)
    if not is_owner(application, citizen_id):
        raise unknown_application(application_id)
    return application


def load_for_officer(
    session: Session,
    application_id: str,
    officer: Caller,
    *,
    for_update: bool = False,
) -> Application:
    """Loads an application of one of the officer's departments.

    Args:
        session: The open session.
        application_id: Human-friendly id.
        officer: The authenticated officer.
        for_update: Lock the row for a decision.

    Returns:
        The application.

    Raises:
        HTTPException: 404 ``unknown_application`` when it does not exist or belongs
            to another department (the same answer).
    """
    application = load_application(session, application_id, for_update=for_update)
    if not officer.may_see(application.department):
        raise unknown_application(application_id)
    return application


def application_out(request: Request, application: Application) -> ApplicationOut:
    """The response model of an application, with a fresh certificate download link."""
    state = request.app.state
    return ApplicationOut.build(application, state.settings, state.links)


def approve_as(
    request: Request, session: Session, application: Application, actor: str
) -> None:
    """Approves and issues the certificate with the app's catalog, signer, store, settings."""
    state = request.app.state
    approve_and_issue(
        session,
        application,
        actor,
        catalog=state.catalog,
        signer=state.signer,
        store=state.store,
        settings=state.settings,
    )


def officer_document(
    request: Request,
    session: Session,
    officer: Caller,
    application_id: str,
    document_id: int,
    **via: str,
) -> Response:
    """One document of an application of the officer's departments, the view audited.

    Raises:
        HTTPException: 404 when the application is not theirs or has no such document.
    """
    application = load_for_officer(session, application_id, officer)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise error(
            404, "unknown_document", f"No document {document_id} on {application_id}."
        )
    audit.record(
        session,
        officer.actor,
        "document.viewed",
        "application",
        application_id,
        document_id=document_id,
        **via,
    )
    session.commit()
    return Response(
        request.app.state.store.get(document.sha256),
        media_type=document.mime_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Disposition": "inline",
        },
    )
