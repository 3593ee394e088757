"""Officer console sessions: a signed cookie naming the officer, and CSRF tokens.

The cookie holds the officer id, the first characters of their token's SHA-256 and an
expiry, signed with HMAC-SHA256 under a key derived from the gateway's link key. Every
request looks the officer up again: a deactivated officer, a changed token or the
officer logging out (every session begun before) ends the session at once. Forms
carry a CSRF token bound to the session cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from edistrict.auth import Caller
from edistrict.models import Officer

COOKIE = "console_session"
LANGUAGE_COOKIE = "console_lang"
SESSION_SECONDS = 8 * 3600  # one working day
TOKEN_PREFIX = 16  # characters of the token hash bound into the cookie
LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS = 10, 300.0  # per client address
_LABEL = b"officer-console-session"


def session_key(link_key: bytes) -> bytes:
    """The cookie's HMAC key, derived so it differs from every other key's use."""
    return hmac.new(link_key, _LABEL, hashlib.sha256).digest()


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def issue(key: bytes, officer: Officer, now: float | None = None) -> str:
    """A cookie value for a logged-in officer."""
    issued = time.time() if now is None else now
    payload = {
        "o": officer.officer_id,
        "t": officer.token_sha256[:TOKEN_PREFIX],
        "i": issued,
        "e": int(issued + SESSION_SECONDS),
    }
    # No "=" padding: a cookie value with "=" is sent back quoted by some clients.
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{body}.{_sign(key, body.encode())}"


@dataclass(frozen=True)
class ConsoleOfficer:
    """The officer of a valid session."""

    caller: Caller
    cookie: str


def officer_of(
    key: bytes, cookie: str | None, session: Session, now: float | None = None
) -> ConsoleOfficer | None:
    """The active officer a cookie names, or None (bad signature, expired, revoked)."""
    if not cookie or "." not in cookie:
        return None
    body, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature.encode(), _sign(key, body.encode()).encode()):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        officer_id, token_prefix, expiry = payload["o"], payload["t"], int(payload["e"])
        issued = float(payload["i"])
    except (ValueError, KeyError, TypeError):
        return None
    if expiry < (time.time() if now is None else now):
        return None
    officer = session.scalar(
        select(Officer).where(
            Officer.officer_id == officer_id, Officer.active.is_(True)
        )
    )
    if officer is None or not officer.token_sha256.startswith(token_prefix):
        return None
    ended = officer.console_sessions_after
    if ended is not None and issued <= ended.timestamp():  # logged out since
        return None
    caller = Caller("officer", officer.officer_id, frozenset(officer.departments or ()))
    return ConsoleOfficer(caller, cookie)


def csrf_token(key: bytes, cookie: str) -> str:
    """The token a console form must send back (bound to this session)."""
    return _sign(key, f"csrf:{cookie}".encode())[:32]


def csrf_ok(key: bytes, cookie: str, presented: str | None) -> bool:
    """True when a form's CSRF token belongs to this session."""
    return bool(presented) and hmac.compare_digest(
        csrf_token(key, cookie).encode(), (presented or "").encode()
    )
