"""Officer accounts: kept in line with the configuration, deactivated on demand.

The configuration (``EDISTRICT_OFFICER_TOKENS``) is the source of truth. At every start
:func:`sync_officers` adds configured officers, updates their token hash and departments,
and deactivates officers that are no longer configured, so a removed token stops working.
:func:`deactivate_officer` (``python -m edistrict deactivate-officer ID``) switches one off
at once, in every running process (tokens are checked against the database on each
request); only a new token in the configuration reactivates it. Every change is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from edistrict import audit
from edistrict.auth import token_hash
from edistrict.db import utcnow
from edistrict.models import Officer
from edistrict.settings import (
    ALL_DEPARTMENTS,
    DEV_OFFICER_ID,
    DEV_OFFICER_TOKEN,
    HELPDESK,
    ConfigError,
    OfficerGrant,
)

log = logging.getLogger(__name__)

NOT_CONFIGURED = "not_configured"
REVOKED = "revoked"
DEVELOPMENT_OFFICER = "development_officer"


def check_departments(
    officers: Mapping[str, OfficerGrant], known: Iterable[str] | None
) -> None:
    """Refuses officers granted departments the catalog does not have.

    Args:
        officers: Configured officers.
        known: Department ids of the catalog; None skips the check (a catalog that
            does not list its departments).

    Raises:
        ConfigError: Naming the officer and the unknown ids.
    """
    if known is None:
        return
    known_ids = set(known)
    for officer_id, grant in officers.items():
        unknown = sorted(grant.departments - known_ids - {ALL_DEPARTMENTS, HELPDESK})
        if unknown:
            raise ConfigError(
                f"officer {officer_id!r} has unknown departments {unknown}; "
                f"known: {', '.join(sorted(known_ids))}"
            )


def _deactivate(session: Session, officer: Officer, reason: str, actor: str) -> None:
    officer.active = False
    officer.deactivated_reason = reason
    audit.record(
        session,
        actor,
        "officer.deactivated",
        "officer",
        officer.officer_id,
        reason=reason,
    )
    log.warning("officer %s deactivated (%s)", officer.officer_id, reason)


def sync_officers(
    session: Session, officers: Mapping[str, OfficerGrant], *, production: bool
) -> None:
    """Makes the officers table follow the configuration (committed here).

    Configured officers are added or updated (token hash, departments); a changed token
    reactivates an officer, and so does configuring again one deactivated as
    ``not_configured``. Active officers missing from the configuration are deactivated;
    in production every ``dev-officer`` row, and any row holding the development
    officer token, is deactivated.

    Args:
        session: Open session.
        officers: ``{officer_id: grant}`` from the configuration.
        production: Whether the gateway runs with ``EDISTRICT_ENV=production``.
    """
    rows = {o.officer_id: o for o in session.scalars(select(Officer)).all()}
    for officer_id, grant in officers.items():
        _upsert(session, rows.get(officer_id), officer_id, grant)
    for officer_id, officer in rows.items():
        if (
            production
            and officer.active
            and (
                officer_id == DEV_OFFICER_ID
                or officer.token_sha256 == token_hash(DEV_OFFICER_TOKEN)
            )
        ):
            _deactivate(session, officer, DEVELOPMENT_OFFICER, "system")
        if officer.active and officer_id not in officers:
            _deactivate(session, officer, NOT_CONFIGURED, "system")
    session.commit()


def upsert_officer(session: Session, officer_id: str, grant: OfficerGrant) -> None:
    """Adds or updates one officer (committed here); for the CLI.

    A new token reactivates a deactivated officer.

    An officer added this way and not in ``EDISTRICT_OFFICER_TOKENS`` is deactivated
    at the next start of the gateway.

    Args:
        session: Open session.
        officer_id: The officer.
        grant: Token and departments.
    """
    officer = session.scalar(select(Officer).where(Officer.officer_id == officer_id))
    _upsert(session, officer, officer_id, grant)
    session.commit()


def _upsert(
    session: Session, officer: Officer | None, officer_id: str, grant: OfficerGrant
) -> None:
    digest = token_hash(grant.token)
    departments = sorted(grant.departments)
    if officer is None:
        session.add(
            Officer(
                officer_id=officer_id,
                token_sha256=digest,
                departments=departments,
                active=True,
                created_at=utcnow(),
            )
        )
        audit.record(
            session,
            "system",
            "officer.created",
            "officer",
            officer_id,
            departments=departments,
        )
        return
    if officer.token_sha256 != digest:
        officer.token_sha256 = digest
        audit.record(session, "system", "officer.token_changed", "officer", officer_id)
        _reactivate(session, officer)
    elif not officer.active and officer.deactivated_reason == NOT_CONFIGURED:
        _reactivate(session, officer)
    elif not officer.active:
        log.warning(
            "officer %s stays deactivated (%s); configure a new token to reactivate it",
            officer_id,
            officer.deactivated_reason,
        )
    if list(officer.departments or []) != departments:
        audit.record(
            session,
            "system",
            "officer.departments_changed",
            "officer",
            officer_id,
            previous=list(officer.departments or []),
            departments=departments,
        )
        officer.departments = departments


def _reactivate(session: Session, officer: Officer) -> None:
    if officer.active:
        return
    officer.active = True
    officer.deactivated_reason = None
    audit.record(
        session, "system", "officer.reactivated", "officer", officer.officer_id
    )


def deactivate_officer(session: Session, officer_id: str, actor: str = "cli") -> bool:
    """Deactivates one officer now (committed here); their token stops working.

    Args:
        session: Open session.
        officer_id: The officer.
        actor: Who asks, for the audit log.

    Returns:
        True when an active officer was deactivated, False when it was already inactive.

    Raises:
        LookupError: When there is no such officer.
    """
    officer = session.scalar(select(Officer).where(Officer.officer_id == officer_id))
    if officer is None:
        raise LookupError(officer_id)
    if not officer.active:
        return False
    _deactivate(session, officer, REVOKED, actor)
    session.commit()
    return True
