"""Bearer-token authentication: one service token, per-officer tokens (stored hashed).

The same checks run twice: in :mod:`edistrict.request_guard` before any body byte is read,
and in the route dependencies here, which also give the officer's departments.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from edistrict.models import Officer
from edistrict.settings import ALL_DEPARTMENTS

bearer = HTTPBearer(auto_error=False, description="Service or officer token")


def token_hash(token: str) -> str:
    """SHA-256 hex of a token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(32)


def find_active_officer(session: Session, token: str) -> Officer | None:
    """The active officer holding this bearer token, if any (one indexed lookup).

    Args:
        session: Open session.
        token: The presented bearer token.

    Returns:
        The officer, or None for an unknown or deactivated token.
    """
    return session.scalar(
        select(Officer).where(
            Officer.token_sha256 == token_hash(token), Officer.active.is_(True)
        )
    )


def service_token_matches(expected: str, presented: str) -> bool:
    """Constant-time comparison of a presented token with the service token.

    Args:
        expected: The configured service token (empty: none accepted).
        presented: The bearer token of the request.

    Returns:
        True when they are equal.
    """
    return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail={"error": "unauthorized", "message": message},
        headers={"WWW-Authenticate": "Bearer"},
    )


@dataclass(frozen=True)
class Caller:
    """An authenticated caller.

    Attributes:
        kind: ``service`` or ``officer``.
        name: Officer id (``service`` for the service).
        departments: Department ids an officer decides for; ``*`` means all.
    """

    kind: str
    name: str
    departments: frozenset[str] = frozenset()

    def may_see(self, department: str) -> bool:
        """Whether this officer may list, view and decide a department's applications."""
        return ALL_DEPARTMENTS in self.departments or department in self.departments

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
    if not service_token_matches(expected, credentials.credentials):
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
    with request.app.state.session_factory() as session:
        officer = find_active_officer(session, credentials.credentials)
    if officer is None:
        raise _unauthorized("The officer token is not valid.")
    return Caller("officer", officer.officer_id, frozenset(officer.departments or ()))
