"""Helpdesk API (service token): the assistant hands a conversation to a person.

Agents take, answer and hand back conversations in the console (``/console/helpdesk``);
see :mod:`edistrict.helpdesk`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from edistrict.api.deps import ERRORS, get_session, required_citizen_id
from edistrict.auth import Caller, require_service
from edistrict.db import utcnow
from edistrict.helpdesk import Hours, open_ticket, waiting_before
from edistrict.schemas import HandoffIn, HandoffOut

Conversation = required_citizen_id("Rasa conversation id of the citizen.")

router = APIRouter(prefix="/api/v1/handoffs", tags=["helpdesk"], responses=ERRORS)


@router.post("", response_model=HandoffOut)
def hand_off(
    body: HandoffIn,
    request: Request,
    caller: Annotated[Caller, Depends(require_service)],
    session: Annotated[Session, Depends(get_session)],
    sender_id: Conversation,
) -> HandoffOut:
    """Queues the conversation for the helpdesk (its open ticket if it has one)."""
    handoff, new = open_ticket(
        session,
        sender_id=sender_id,
        language=body.language,
        reason=body.reason,
        actor=caller.actor,
    )
    session.commit()
    hours = Hours.parse(request.app.state.settings.helpdesk_hours)
    return HandoffOut(
        ticket=handoff.ticket,
        status=handoff.status,  # type: ignore[arg-type]
        new=new,
        waiting_before=waiting_before(session, handoff),
        opens_at=hours.next_opening(utcnow()),
    )
