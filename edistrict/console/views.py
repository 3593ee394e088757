"""The console's pages and form posts (FastAPI routes rendering Jinja2 templates)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from delhi import aadhaar, districts, mobile
from edistrict import audit
from edistrict.api.deps import (
    approve_as,
    get_session,
    load_for_officer,
    officer_document,
)
from edistrict.applications import (
    IST,
    LifecycleError,
    change_status,
    lateness,
)
from edistrict.auth import find_active_officer
from edistrict.certificates import font_path
from edistrict.console import sessions
from edistrict.console.texts import UI_LANGUAGES, reason_for_citizen, reasons, ui
from edistrict.db import utcnow
from edistrict.helpdesk import open_ticket
from edistrict.models import PENDING_STATUSES, Application, Officer
from edistrict.precheck.kinds import kind_book
from edistrict.schemas import precheck_out
from edistrict.settings import ALL_DEPARTMENTS, HELPDESK

router = APIRouter(prefix="/console", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
DbSession = Annotated[Session, Depends(get_session)]
QUEUE_LIMIT = 200
MASKED_TYPES = {"aadhaar": aadhaar.mask, "mobile": mobile.mask}
# Why a decision was not made: a code in the address, its words from texts.yml.
PROBLEMS = {
    "choose_document": "choose_document",
    "reason": "choose_reason",
    "decided": "cannot",
    "no_citizen": "no_citizen",
}
logger = logging.getLogger(__name__)


def _key(request: Request) -> bytes:
    return request.app.state.console_key


def _language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(
        sessions.LANGUAGE_COOKIE
    )
    return chosen if chosen in UI_LANGUAGES else "en"


class LoginRequired(Exception):
    """Raised by :func:`_officer` when there is no valid session (answered by a redirect)."""


def _officer(request: Request, session: Session) -> sessions.ConsoleOfficer:
    found = sessions.officer_of(
        _key(request), request.cookies.get(sessions.COOKIE), session
    )
    if found is None:
        raise LoginRequired
    return found


def _page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> Response:
    language = _language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": ui(language),
            "lang": language,
            "other_lang": "hi" if language == "en" else "en",
            **context,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'self'; form-action 'self'"
    )
    if request.query_params.get("lang") in UI_LANGUAGES:
        response.set_cookie(
            sessions.LANGUAGE_COOKIE, language, samesite="strict", httponly=True
        )
    return response


def may_help(officer: Any) -> bool:
    """Whether the officer answers the helpdesk (granted ``helpdesk`` or ``*``)."""
    return bool({ALL_DEPARTMENTS, HELPDESK} & officer.departments)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    """The queue (or the login page)."""
    return _redirect("/console/queue")


@router.get("/font.ttf")
def font() -> FileResponse:
    """Noto Sans Devanagari (the certificates' font), so Hindi shows on any laptop."""
    return FileResponse(
        font_path(), media_type="font/ttf", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return _page(request, "login.html", failed=False)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    officer_id: Annotated[str, Form(max_length=120)],
    token: Annotated[str, Form(max_length=400)],
) -> Response:
    """Checks the officer id and token; starts a session (10 tries per 5 minutes)."""
    client = request.client.host if request.client else "unknown"
    if request.app.state.console_logins.hit(client):
        return _page(request, "login.html", status_code=429, failed=True)
    officer = find_active_officer(session, token.strip())
    if officer is None or officer.officer_id != officer_id.strip():
        audit.record(
            session,
            "console",
            "console.login_failed",
            "officer",
            officer_id.strip()[:64],
        )
        session.commit()
        return _page(request, "login.html", status_code=401, failed=True)
    audit.record(
        session,
        f"officer:{officer.officer_id}",
        "console.login",
        "officer",
        officer.officer_id,
    )
    session.commit()
    response = _redirect("/console/queue")
    secure = request.url.scheme == "https" or request.app.state.settings.production
    response.set_cookie(
        sessions.COOKIE,
        sessions.issue(_key(request), officer),
        max_age=sessions.SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/console",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> RedirectResponse:
    """Ends the officer's sessions (a copied cookie too) and forgets the cookie."""
    found = sessions.officer_of(
        _key(request), request.cookies.get(sessions.COOKIE), session
    )
    if found is not None:
        officer = session.scalar(
            select(Officer).where(Officer.officer_id == found.caller.name)
        )
        if officer is not None:
            officer.console_sessions_after = utcnow()
            audit.record(
                session,
                found.caller.actor,
                "console.logout",
                "officer",
                officer.officer_id,
            )
            session.commit()
    response = _redirect("/console/login")
    response.delete_cookie(sessions.COOKIE, path="/console")
    return response


def _district(application: Application) -> str | None:
    value = (application.fields or {}).get("district")
    return value if isinstance(value, str) else None


def _district_names(language: str) -> dict[str, str]:
    key = "hi" if language == "hi" else "en"
    return {d.id: (d.names.get(key) or d.names["en"])[0] for d in districts.districts()}


def _text(text: Any, language: str, default: str = "") -> str:
    """A catalog text in the console's language (Hindi or English)."""
    if not text:
        return default
    return text.get(language) or text.get("en") or default


def _service_name(request: Request, service_id: str, language: str) -> str:
    service = request.app.state.catalog.get(service_id)
    return _text(getattr(service, "names", None), language, service_id)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    service: str = "",
    status: str = "",
    district: str = "",
) -> Response:
    """Pending applications of the officer's departments, the nearest due date first."""
    officer = _officer(request, session).caller
    statuses = [status] if status in PENDING_STATUSES else list(PENDING_STATUSES)
    query = (
        select(Application)
        .where(Application.status.in_(statuses))
        .options(selectinload(Application.documents))
        .order_by(Application.due_date, Application.id)
    )
    if not district:  # the district is inside the sealed answers: filtered here
        query = query.limit(QUEUE_LIMIT + 1)
    if service:
        query = query.where(Application.service_id == service)
    if ALL_DEPARTMENTS not in officer.departments:
        query = query.where(Application.department.in_(sorted(officer.departments)))
    language = _language(request)
    district_names = _district_names(language)  # once, not per row
    rows = []
    found = [
        application
        for application in session.scalars(query).all()
        if not district or _district(application) == district
    ]
    for application in found[:QUEUE_LIMIT]:
        late = lateness(application)
        rows.append(
            {
                "id": application.application_id,
                "service": _service_name(request, application.service_id, language),
                "applicant": application.citizen_name or "-",
                "status": application.status,
                "district": district_names.get(_district(application) or "", "-"),
                "submitted": application.submitted_at.astimezone(IST).strftime(
                    "%d/%m/%Y"
                ),
                "due": application.due_date.strftime("%d/%m/%Y"),
                "overdue": late.overdue,
                "days_late": late.days_late,
                "advice": sum(
                    1
                    for d in application.documents
                    if (d.precheck or {}).get("verdict") in ("advice", "unreadable")
                ),
            }
        )
    catalog = request.app.state.catalog
    services = [
        (s.id, _service_name(request, s.id, language))
        for s in catalog
        if officer.may_see(s.department)
    ]
    return _page(
        request,
        "queue.html",
        helpdesk_agent=may_help(officer),
        rows=rows,
        more=len(found) > QUEUE_LIMIT,
        officer=officer.name,
        services=sorted(services, key=lambda pair: pair[1]),
        statuses=PENDING_STATUSES,
        districts=sorted(district_names.items(), key=lambda pair: pair[1]),
        chosen={"service": service, "status": status, "district": district},
        csrf=sessions.csrf_token(_key(request), request.cookies[sessions.COOKIE]),
    )


def _answers(
    request: Request, application: Application, language: str
) -> list[tuple[str, str]]:
    service = request.app.state.catalog.get(application.service_id)
    words = ui(language)
    rows = []
    for item in getattr(service, "fields", ()):
        if item.name not in (application.fields or {}):
            continue
        value = application.fields[item.name]
        shown = str(value)
        if isinstance(value, bool):
            shown = words["yes"] if value else words["no"]
        elif item.type in MASKED_TYPES:
            shown = MASKED_TYPES[item.type](shown)
        elif "account" in item.name:
            shown = "XXXX" + shown[-4:] if len(shown) > 4 else shown
        elif item.type == "district":
            shown = _district_names(language).get(shown, shown)
        rows.append((_text(item.label or item.prompt, language, item.name), shown))
    return rows


def _documents(
    request: Request, application: Application, language: str
) -> list[dict[str, Any]]:
    service = request.app.state.catalog.get(application.service_id)
    named = {d.type: d.name for d in getattr(service, "documents", ())}
    base = f"/console/applications/{application.application_id}"
    out = []
    for document in application.documents:
        out.append(
            {
                "id": document.id,
                "type": document.document_type,
                "name": _text(
                    named.get(document.document_type), language, document.document_type
                ),
                "mime": document.mime_type,
                "url": f"{base}/documents/{document.id}",
                "uploaded": document.uploaded_at.astimezone(IST).strftime(
                    "%d/%m/%Y %H:%M"
                ),
                # Shown only in the shape this release knows (an older one: "not checked").
                "precheck": document.precheck
                if precheck_out(document.precheck)
                else None,
            }
        )
    return out


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    application_id: str, request: Request, session: DbSession
) -> Response:
    """One application: answers (Aadhaar, phone, bank masked), documents, decisions.

    Each document is shown beside its pre-check; then the history.
    """
    officer = _officer(request, session).caller
    application = load_for_officer(session, application_id, officer)
    language = _language(request)
    service = request.app.state.catalog.get(application.service_id)
    late = lateness(application)
    return _page(
        request,
        "application.html",
        officer=officer.name,
        helpdesk_agent=may_help(officer),
        app=application,
        service_name=_service_name(request, application.service_id, language),
        late=late,
        answers=_answers(request, application, language),
        documents=_documents(request, application, language),
        history=[
            (
                e.at.astimezone(IST).strftime("%d/%m/%Y %H:%M"),
                e.status,
                e.actor,
                e.reason or "",
            )
            for e in application.events
        ],
        document_types=[
            (d.type, _text(d.name, language, d.type))
            for d in getattr(service, "documents", ())
        ],
        request_reasons={
            code: texts.get(language) or texts["en"]
            for code, texts in reasons("request").items()
        },
        reject_reasons={
            code: texts.get(language) or texts["en"]
            for code, texts in reasons("reject").items()
        },
        pending=application.status in PENDING_STATUSES,
        kind_names={
            kind.id: kind.names.get(language) or kind.names["en"]
            for kind in kind_book().kinds.values()
        },
        flash=request.query_params.get("done"),
        problem=PROBLEMS.get(request.query_params.get("problem") or ""),
        csrf=sessions.csrf_token(_key(request), request.cookies[sessions.COOKIE]),
    )


@router.get("/applications/{application_id}/documents/{document_id}")
def document(
    application_id: str, document_id: int, request: Request, session: DbSession
) -> Response:
    """A document's content, shown inline (the view is audited)."""
    officer = _officer(request, session).caller
    return officer_document(
        request, session, officer, application_id, document_id, via="console"
    )


def _decision(
    request: Request, session: Session, application_id: str, csrf: str
) -> tuple[Any, Application]:
    console = _officer(request, session)
    if not sessions.csrf_ok(_key(request), console.cookie, csrf):
        raise HTTPException(403, "The form expired; reload the page and try again.")
    return console.caller, load_for_officer(
        session, application_id, console.caller, for_update=True
    )


def _back(application_id: str, **query: str) -> RedirectResponse:
    return _redirect(f"/console/applications/{application_id}?{urlencode(query)}")


def _decide(application_id: str, action: Any) -> RedirectResponse:
    """Runs a decision; a refused one (a decided application, say) comes back as a message."""
    try:
        action()
    except LifecycleError as refused:
        logger.info("Console decision refused: %s", refused.code)
        return _back(application_id, problem="decided")
    return _back(application_id, done="1")


@router.post("/applications/{application_id}/start-verification")
def start_verification(
    application_id: str,
    request: Request,
    session: DbSession,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Marks the application as under verification."""
    officer, application = _decision(request, session, application_id, csrf)

    def act() -> None:
        change_status(session, application, "under_verification", officer.actor)
        session.commit()

    return _decide(application_id, act)


@router.post("/applications/{application_id}/request-documents")
def request_documents(
    application_id: str,
    request: Request,
    session: DbSession,
    reason: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    document_types: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """Asks the citizen for documents; the reason reaches them in their language."""
    officer, application = _decision(request, session, application_id, csrf)
    service = request.app.state.catalog.get(application.service_id)
    known = {d.type for d in getattr(service, "documents", ())}
    chosen = [t for t in document_types or () if t in known]
    if not chosen or reason not in reasons("request"):
        return _back(application_id, problem="choose_document")

    def act() -> None:
        change_status(
            session,
            application,
            "documents_requested",
            officer.actor,
            reason=reason_for_citizen("request", reason, application.language, note),
            requested_documents=chosen,
        )
        session.commit()

    return _decide(application_id, act)


@router.post("/applications/{application_id}/approve")
def approve(
    application_id: str,
    request: Request,
    session: DbSession,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Approves: the certificate is issued and sent to the citizen."""
    officer, application = _decision(request, session, application_id, csrf)

    def act() -> None:
        approve_as(request, session, application, officer.actor)

    return _decide(application_id, act)


@router.post("/applications/{application_id}/reject")
def reject(
    application_id: str,
    request: Request,
    session: DbSession,
    reason: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """Rejects with a reason from the list (in the citizen's language) and a note."""
    officer, application = _decision(request, session, application_id, csrf)
    if reason not in reasons("reject"):
        return _back(application_id, problem="reason")

    def act() -> None:
        change_status(
            session,
            application,
            "rejected",
            officer.actor,
            reason=reason_for_citizen("reject", reason, application.language, note),
        )
        session.commit()

    return _decide(application_id, act)


@router.post("/applications/{application_id}/helpdesk")
def ask_helpdesk(
    application_id: str,
    request: Request,
    session: DbSession,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Asks the helpdesk to contact the citizen about this application."""
    officer, application = _decision(request, session, application_id, csrf)
    if not application.sender_id:  # erased: nobody to contact
        return _back(application_id, problem="no_citizen")
    open_ticket(
        session,
        sender_id=application.sender_id,
        language=application.language,
        reason="officer",
        actor=officer.actor,
        application_id=application.application_id,
    )
    session.commit()
    return _back(application_id, done="helpdesk")


def login_redirect(request: Request, _: LoginRequired) -> RedirectResponse:
    """No valid session: to the login page (kept language)."""
    return _redirect("/console/login")
