"""The FastAPI application: wiring of settings, database, catalog, storage and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from edistrict import __version__
from edistrict.api import (
    applications,
    documents,
    downloads,
    erasure,
    handoffs,
    officers,
    verify,
)
from edistrict.applications import LifecycleError
from edistrict.catalog import CatalogLike, department_ids
from edistrict.catalog import load as load_catalog
from edistrict.console import helpdesk_views
from edistrict.console import sessions as console_sessions
from edistrict.console import views as console_views
from edistrict.db import make_engine, make_session_factory
from edistrict.documents import DocumentRejected
from edistrict.links import DownloadLinks, derive_link_key
from edistrict.migrate import upgrade
from edistrict.officers import check_departments, sync_officers
from edistrict.outbox import OutboxWorker
from edistrict.ratelimit import SlidingWindowLimiter
from edistrict.request_guard import RequestGuard
from edistrict.sealing import bind_seal, field_seal
from edistrict.settings import Settings
from edistrict.signing import Signer, load_or_create_key
from edistrict.storage import BlobStore, make_store
from edistrict.validation import FieldError

log = logging.getLogger(__name__)

DESCRIPTION = """Reference implementation of the Delhi e-District gateway used by the
WhatsApp assistant: applications validated against the service catalog, documents,
officer decisions, QR-verifiable certificates and status notifications.

Auth: `Authorization: Bearer <token>`, checked before any body byte is read; the service
token for `/api/v1/applications` (plus `X-Citizen-Id`, the citizen asking, for one
application) and `/api/v1/documents` (the citizens' uploads; `X-Citizen-Id` required),
officer tokens for `/api/v1/officer` (limited to the officer's departments);
`/verify`, `/v` (rate-limited, holder masked), `/certificates/{token}` (signed, expiring
link) and `/verify-key` are public."""


def _error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **{k: v for k, v in extra.items() if v}}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LifecycleError)
    async def _lifecycle(_: Request, exc: LifecycleError) -> JSONResponse:
        return JSONResponse(
            _error_body(exc.code, exc.message, **exc.extra), status_code=exc.status_code
        )

    @app.exception_handler(FieldError)
    async def _field(_: Request, exc: FieldError) -> JSONResponse:
        return JSONResponse(
            _error_body(
                "invalid_field", f"Field '{exc.field}' {exc.message}.", field=exc.field
            ),
            status_code=422,
        )

    @app.exception_handler(DocumentRejected)
    async def _document(_: Request, exc: DocumentRejected) -> JSONResponse:
        return JSONResponse(
            _error_body(exc.code, exc.message), status_code=exc.status_code
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        body = (
            detail
            if isinstance(detail, dict) and "error" in detail
            else {"error": "http_error", "message": str(detail)}
        )
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def create_app(
    settings: Settings | None = None,
    *,
    catalog: CatalogLike | None = None,
    store: BlobStore | None = None,
    migrate: bool = True,
    run_worker: bool | None = None,
) -> FastAPI:
    """Builds the gateway application.

    Args:
        settings: Configuration; read from the environment when None.
        catalog: Service catalog; loaded from ``EDISTRICT_CATALOG_PATH`` or the
            repository's ``catalog/`` when None.
        store: Blob store; chosen by ``EDISTRICT_STORAGE`` when None.
        migrate: Bring the database schema up to date first.
        run_worker: Run the outbox worker in this process while serving; defaults to
            ``EDISTRICT_OUTBOX_WORKER``.

    Returns:
        The FastAPI app; its ``state`` holds settings, session factory, catalog, store,
        signer, download links and the verification rate limiter.

    Raises:
        ConfigError: When the settings are unsafe (:meth:`Settings.check`) or an
            officer is granted a department the catalog does not have.
    """
    settings = settings or Settings.from_env()
    settings.check()
    catalog = catalog or load_catalog(settings.catalog_path)
    check_departments(settings.officer_tokens, department_ids(catalog))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    session_factory = make_session_factory(engine)
    with session_factory() as session:
        sync_officers(session, settings.officer_tokens, production=settings.production)
    worker_enabled = settings.run_worker if run_worker is None else run_worker
    blobs = store or make_store(settings)
    worker = OutboxWorker(session_factory, settings, blobs)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if worker_enabled:
            worker.start()
            log.info("outbox worker started (Rasa at %s)", settings.rasa_url)
        try:
            yield
        finally:
            worker.stop()

    app = FastAPI(
        title="Delhi e-District gateway",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.catalog = catalog
    app.state.store = blobs
    signing_key = load_or_create_key(settings)
    bind_seal(engine, field_seal(settings.data_key, signing_key))
    app.state.signer = Signer(signing_key)
    app.state.links = DownloadLinks(
        derive_link_key(settings.link_key, signing_key),
        settings.public_base_url,
        settings.download_link_ttl_seconds,
    )
    app.state.verify_limiter = SlidingWindowLimiter(
        settings.verify_rate_limit, settings.verify_rate_window_seconds
    )
    app.state.worker = worker
    _install_error_handlers(app)
    app.add_middleware(RequestGuard, settings=settings, session_factory=session_factory)
    app.include_router(applications.router)
    app.include_router(documents.router)
    app.include_router(officers.router)
    app.include_router(erasure.router)
    app.include_router(handoffs.router)
    app.include_router(verify.router)
    app.include_router(verify.limited)
    app.include_router(downloads.router)
    app.state.console_key = console_sessions.session_key(app.state.links.key)
    app.state.console_logins = SlidingWindowLimiter(
        console_sessions.LOGIN_ATTEMPTS, console_sessions.LOGIN_WINDOW_SECONDS
    )
    app.include_router(console_views.router)
    app.include_router(helpdesk_views.router)
    app.add_exception_handler(console_views.LoginRequired, console_views.login_redirect)

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    return app


__all__ = ["create_app", "HTTPException"]
