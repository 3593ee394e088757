"""Erasure API (service token): forget a citizen, on their request or an operator's.

The assistant calls it when a citizen says "delete my data" in the chat; the operator's
``python -m infra.retention erase <conversation id>`` calls it for a request received
another way (a letter to the department's Data Protection Officer). What is erased and
what the department keeps: :mod:`edistrict.erasure` and ``docs/privacy.md``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy.orm import Session

from edistrict.api.deps import ERRORS, get_session, required_citizen_id
from edistrict.auth import Caller, require_service
from edistrict.erasure import erase_citizen
from edistrict.schemas import ErasureOut

CitizenToErase = required_citizen_id(
    "Conversation (or WhatsApp) id of the citizen to erase."
)

router = APIRouter(prefix="/api/v1/erasure", tags=["privacy"], responses=ERRORS)


@router.post("", response_model=ErasureOut)
def erase(
    request: Request,
    caller: Annotated[Caller, Depends(require_service)],
    session: Annotated[Session, Depends(get_session)],
    citizen_id: CitizenToErase,
    requested_by: Annotated[
        str | None,
        Header(
            alias="X-Requested-By",
            max_length=120,
            description="Who asked, for the audit log (an operator's name); "
            "default: the citizen, through the assistant.",
        ),
    ] = None,
) -> ErasureOut:
    """Withdraws the citizen's undecided applications and erases their personal data.

    Idempotent: erasing again finds nothing more and answers with zero counts.
    """
    actor = f"{caller.actor}:{requested_by}" if requested_by else caller.actor
    state = request.app.state
    report = erase_citizen(session, state.store, state.catalog, citizen_id, actor)
    return ErasureOut(**report.as_dict())
