"""The helpdesk pages: conversations handed to a person, taken over, answered, handed back.

An agent is an officer account granted ``helpdesk`` (or ``*``) in
``EDISTRICT_OFFICER_TOKENS``. What each step does in the chat: :mod:`edistrict.helpdesk`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from edistrict import conversations, helpdesk
from edistrict.applications import IST
from edistrict.auth import Caller
from edistrict.console import sessions
from edistrict.console.views import (
    DbSession,
    _key,
    _officer,
    _page,
    _redirect,
    _text,
    may_help,
)
from edistrict.models import Handoff

router = APIRouter(prefix="/console/helpdesk", include_in_schema=False)
RECENTLY_CLOSED = 20


def _agent(request: Request, session: DbSession) -> sessions.ConsoleOfficer:
    console = _officer(request, session)
    if not may_help(console.caller):
        raise HTTPException(404)
    return console


def _row(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "ticket": handoff.ticket,
        "status": handoff.status,
        "reason": handoff.reason,
        "language": handoff.language,
        "agent": handoff.agent or "",
        "application": handoff.application_id or "",
        "since": handoff.created_at.astimezone(IST).strftime("%d/%m/%Y %H:%M"),
    }


@router.get("", response_class=HTMLResponse)
def helpdesk_queue(request: Request, session: DbSession) -> Response:
    """Open tickets, the longest waiting first, then the latest closed."""
    agent = _agent(request, session).caller
    open_ = session.scalars(
        select(Handoff).where(Handoff.status.in_(helpdesk.OPEN)).order_by(Handoff.id)
    ).all()
    closed = session.scalars(
        select(Handoff)
        .where(Handoff.status == "closed")
        .order_by(Handoff.id.desc())
        .limit(RECENTLY_CLOSED)
    ).all()
    return _page(
        request,
        "helpdesk_queue.html",
        officer=agent.name,
        helpdesk_agent=True,
        rows=[_row(h) for h in open_],
        closed=[_row(h) for h in closed],
    )


def _labels(request: Request, service_id: str | None, language: str) -> dict[str, str]:
    service = request.app.state.catalog.get(service_id) if service_id else None
    return {
        item.name: _text(item.label or item.prompt, language, item.name)
        for item in getattr(service, "fields", ())
    }


def _left(left: timedelta) -> str:
    minutes = int(left.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _load(session: DbSession, handoff_id: int, *, for_update: bool = False) -> Handoff:
    query = select(Handoff).where(Handoff.id == handoff_id)
    if for_update:
        query = query.with_for_update()
    handoff = session.scalar(query)
    if handoff is None:
        raise HTTPException(404)
    return handoff


@router.get("/{handoff_id}", response_class=HTMLResponse)
def ticket_page(handoff_id: int, request: Request, session: DbSession) -> Response:
    """One conversation: its history and draft (masked), the window, the agent's steps."""
    console = _agent(request, session)
    handoff = _load(session, handoff_id)
    settings = request.app.state.settings
    conversation = conversations.fetch(settings, handoff.sender_id)
    language = "hi" if request.cookies.get(sessions.LANGUAGE_COOKIE) == "hi" else "en"
    left = helpdesk.window_left(conversation.last_citizen_at) if conversation else None
    window_closed = bool(conversation and conversation.whatsapp and not left)
    labels = _labels(request, conversation and conversation.service, language)
    return _page(
        request,
        "helpdesk_ticket.html",
        officer=console.caller.name,
        helpdesk_agent=True,
        handoff=_row(handoff),
        conversation=conversation,
        lines=[
            (line.at.astimezone(IST).strftime("%d/%m %H:%M"), line.who, line.text)
            for line in (conversation.lines if conversation else ())
            if handoff.closed_at is None or line.at <= handoff.closed_at
        ],
        # After the hand-back the conversation is the citizen's again: no live draft.
        draft=[(labels.get(k, k), v) for k, v in conversation.draft]
        if conversation and handoff.closed_at is None
        else [],
        service_name=_text(
            getattr(
                request.app.state.catalog.get(conversation.service or ""), "names", None
            ),
            language,
            conversation.service or "",
        )
        if conversation
        else "",
        whatsapp=bool(conversation and conversation.whatsapp),
        window_left=_left(left) if left else "",
        window_closed=window_closed,
        flash=request.query_params.get("done"),
        problem=request.query_params.get("problem"),
        csrf=sessions.csrf_token(_key(request), console.cookie),
    )


def _step(
    request: Request, session: DbSession, handoff_id: int, csrf: str
) -> tuple[Caller, Handoff]:
    console = _agent(request, session)
    if not sessions.csrf_ok(_key(request), console.cookie, csrf):
        raise HTTPException(403, "The form expired; reload the page and try again.")
    return console.caller, _load(session, handoff_id, for_update=True)


def _back(handoff_id: int, **query: str) -> RedirectResponse:
    return _redirect(f"/console/helpdesk/{handoff_id}?{urlencode(query)}")


def _run(
    session: DbSession, handoff_id: int, step: Any, done: str = "1"
) -> RedirectResponse:
    try:
        step()
    except helpdesk.HelpdeskError as refused:
        session.rollback()
        return _back(handoff_id, problem=refused.code)
    session.commit()
    return _back(handoff_id, done=done)


@router.post("/{handoff_id}/take")
def take(
    handoff_id: int,
    request: Request,
    session: DbSession,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Takes the conversation over: the assistant pauses; the citizen is told."""
    agent, handoff = _step(request, session, handoff_id, csrf)
    return _run(
        session, handoff_id, lambda: helpdesk.take(session, handoff, agent.actor)
    )


@router.post("/{handoff_id}/reply")
def reply(
    handoff_id: int,
    request: Request,
    session: DbSession,
    text: Annotated[str, Form(max_length=helpdesk.MAX_REPLY_CHARS * 2)],
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Sends the agent's message to the citizen's chat (inside WhatsApp's window)."""
    agent, handoff = _step(request, session, handoff_id, csrf)
    conversation = conversations.fetch(request.app.state.settings, handoff.sender_id)
    if conversation is None:  # the window cannot be checked
        return _back(handoff_id, problem="unavailable")
    if conversation.whatsapp and not helpdesk.window_left(conversation.last_citizen_at):
        return _back(handoff_id, problem="window")
    return _run(
        session,
        handoff_id,
        lambda: helpdesk.reply(session, handoff, agent.actor, text),
        done="sent",
    )


@router.post("/{handoff_id}/hand-back")
def hand_back(
    handoff_id: int,
    request: Request,
    session: DbSession,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Closes the ticket; a taken conversation goes back to the assistant."""
    agent, handoff = _step(request, session, handoff_id, csrf)
    return _run(
        session, handoff_id, lambda: helpdesk.hand_back(session, handoff, agent.actor)
    )
