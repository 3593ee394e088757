"""Bearer-token authentication: one service token, per-officer tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from edistrict import audit
from edistrict.db import utcnow
from edistrict.models import Officer

bearer = HTTPBearer(auto_error=False, description="Service or officer token")


def token_hash(token: str) -> str:
    """SHA-256 hex of a token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(32)


def upsert_officers(session: Session, officers: Mapping[str, str]) -> None:
    """Stores configured officers' token hashes (adds new ones, updates changed tokens).

    Args:
        session: Open session (committed here).
        officers: ``{officer_id: token}``.
    """
    for officer_id, token in officers.items():
        digest = token_hash(token)
        officer = session.scalar(
            select(Officer).where(Officer.officer_id == officer_id)
        )
        if officer is None:
            session.add(
                Officer(officer_id=officer_id, token_sha256=digest, created_at=utcnow())
            )
            audit.record(session, "system", "officer.created", "officer", officer_id)
        elif officer.token_sha256 != digest:
            officer.token_sha256 = digest
            audit.record(
                session, "system", "officer.token_changed", "officer", officer_id
            )
    session.commit()


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail={"error": "unauthorized", "message": message},
        headers={"WWW-Authenticate": "Bearer"},
    )


@dataclass(frozen=True)
class Caller:
    """An authenticated caller."""

    kind: str
    name: str

    @property
    def actor(self) -> str:
        """How the caller appears in history and audit."""
        return self.name if self.kind == "service" else f"officer:{self.name}"


def require_service(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
) -> Caller:
    """FastAPI dependency: the caller must present the service token.

    Args:
        request: The request (settings live on the app state).
        credentials: The bearer credentials.

    Returns:
        The service caller.

    Raises:
        HTTPException: 401 without a valid service token.
    """
    expected = request.app.state.settings.service_token
    if credentials is None:
        raise _unauthorized("A bearer token is required.")
    if not expected or not hmac.compare_digest(
        credentials.credentials.encode(), expected.encode()
    ):
        raise _unauthorized("The service token is not valid.")
    return Caller("service", "service")


def require_officer(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
) -> Caller:
    """FastAPI dependency: the caller must present an active officer's token.

    Args:
        request: The request (the session factory lives on the app state).
        credentials: The bearer credentials.

    Returns:
        The officer caller.

    Raises:
        HTTPException: 401 without a valid officer token.
    """
    if credentials is None:
        raise _unauthorized("A bearer token is required.")
    digest = token_hash(credentials.credentials)
    with request.app.state.session_factory() as session:
        officer = session.scalar(
            select(Officer).where(Officer.token_sha256 == digest, Officer.active)
        )
    if officer is None:
        raise _unauthorized("The officer token is not valid.")
    return Caller("officer", officer.officer_id)
