"""Shared FastAPI dependencies and error helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edistrict.models import Application

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
        raise error(404, "unknown_application", f"No application {application_id}.")
    return application
