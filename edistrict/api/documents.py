"""Document store (service API): a citizen's uploads, kept until they are attached.

A channel hands a received photo or PDF straight here and passes only the answer's
``document_id`` on to the assistant, which attaches it to an application with
``POST /api/v1/applications/{id}/documents`` (form field ``document_id``). The header
``X-Citizen-Id`` (the citizen's conversation id) is required: an upload is the citizen's
own, and another citizen's upload is answered exactly like an unknown one (404
``unknown_document``).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edistrict import audit
from edistrict.api.deps import ERRORS, error, get_session, required_citizen_id
from edistrict.auth import Caller, require_service
from edistrict.db import utcnow
from edistrict.documents import check_document
from edistrict.models import Upload
from edistrict.precheck import precheck
from edistrict.schemas import PrecheckIn, PrecheckOut, UploadOut
from edistrict.storage import BlobStore
from edistrict.uploads import (
    charge_quota,
    content_in_use,
    find_upload,
    sanitize_filename,
)

router = APIRouter(prefix="/api/v1/documents", tags=["documents"], responses=ERRORS)

ServiceCaller = Annotated[Caller, Depends(require_service)]
DbSession = Annotated[Session, Depends(get_session)]
UploaderId = required_citizen_id(
    "Rasa conversation id of the citizen uploading (required): the "
    "owner of the upload and whose daily quota it counts against."
)


def unknown_document(document_id: str) -> HTTPException:
    """The one answer for an upload that is unknown or not the citizen's."""
    return error(404, "unknown_document", f"No document {document_id[:64]}.")


def read_upload(
    session: Session, store: BlobStore, citizen_id: str | None, document_id: str
) -> tuple[bytes, str | None]:
    """The content and file name of one of the citizen's uploads.

    Raises:
        HTTPException: 404 ``unknown_document`` when the citizen has no such upload.
    """
    upload = find_upload(session, citizen_id, document_id)
    if upload is None:
        raise unknown_document(document_id)
    try:
        return store.get(upload.sha256), upload.original_filename
    except KeyError:
        raise unknown_document(document_id) from None


def _upload_out(upload: Upload) -> dict[str, object]:
    return UploadOut(
        document_id=upload.sha256,
        sha256=upload.sha256,
        mime_type=upload.mime_type,
        size_bytes=upload.size_bytes,
        original_filename=upload.original_filename,
        uploaded_at=upload.uploaded_at,
    ).model_dump(mode="json")


@router.post(
    "",
    response_model=UploadOut,
    status_code=201,
    responses={
        200: {"model": UploadOut, "description": "The citizen already uploaded it"},
        413: {"description": "File too large"},
        415: {"description": "Not a JPEG, PNG or PDF (by content)"},
        429: {"description": "Daily upload quota used up (quota_exceeded)"},
    },
)
async def upload_document(
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: UploaderId,
    file: Annotated[UploadFile, File()],
) -> JSONResponse:
    """Checks and stores a citizen's file; answers the reference to attach it with.

    Every attempt counts against the citizen's daily quota (files and bytes per day,
    India time), also a refused file: 429 ``quota_exceeded`` once it is used up. The
    same checks as an application upload, with the same codes (413, 415, 422). Content
    is stored once by sha256; 200 with the same body when this citizen already sent
    the same content.
    """
    state = request.app.state
    limit = state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    charge_quota(session, citizen_id, len(data), state.settings)
    checked = check_document(data, limit)
    digest = hashlib.sha256(data).hexdigest()
    state.store.put(data)  # also for a repeat: idempotent, and restores a lost blob
    existing = find_upload(session, citizen_id, digest)
    if existing is not None:
        return JSONResponse(_upload_out(existing), status_code=200)
    upload = Upload(
        citizen_id=citizen_id,
        sha256=digest,
        mime_type=checked.mime_type,
        size_bytes=checked.size_bytes,
        original_filename=sanitize_filename(file.filename),
        uploaded_at=utcnow(),
    )
    session.add(upload)
    audit.record(
        session,
        caller.actor,
        "document.stored",
        "upload",
        digest,
        citizen_id=citizen_id,
        mime_type=checked.mime_type,
        size_bytes=checked.size_bytes,
    )
    try:
        session.commit()
    except IntegrityError:  # the same citizen sent it twice at once
        session.rollback()
        existing = find_upload(session, citizen_id, digest)
        if existing is None:
            raise
        return JSONResponse(_upload_out(existing), status_code=200)
    return JSONResponse(_upload_out(upload), status_code=201)


@router.delete(
    "/{document_id}",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Removed"}},
)
def discard_document(
    document_id: str,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: UploaderId,
) -> Response:
    """Removes the citizen's upload (one no application needs).

    The content itself is deleted only when no other citizen uploaded it and no
    application document or certificate has it. 404 ``unknown_document`` when the
    citizen has no such upload.
    """
    upload = find_upload(session, citizen_id, document_id)
    if upload is None:
        raise unknown_document(document_id)
    session.delete(upload)
    audit.record(
        session,
        caller.actor,
        "document.discarded",
        "upload",
        upload.sha256,
        citizen_id=citizen_id,
    )
    session.commit()
    if not content_in_use(session, upload.sha256):
        request.app.state.store.delete(upload.sha256)
    return Response(status_code=204)


@router.post(
    "/{document_id}/precheck",
    response_model=PrecheckOut,
    responses={200: {"description": "The advice (also when not checked)"}},
)
async def precheck_document(
    document_id: str,
    body: PrecheckIn,
    request: Request,
    caller: ServiceCaller,
    session: DbSession,
    citizen_id: UploaderId,
) -> JSONResponse:
    """Checks the citizen's upload: readable, the right kind, agreeing with the form.

    Advice only: the verdict is ``ok``, ``advice`` (another kind of document, or a name,
    date of birth, Aadhaar number or PIN that differs; what was read is given, Aadhaar
    masked), ``unreadable`` or ``not_checked`` (no OCR engine: never ``ok``). The
    result, with the text read, is kept sealed with the upload and goes with it to the
    application, for the officer; this answer leaves the text out. 404
    ``unknown_document`` when the citizen has no such upload.
    """
    upload = find_upload(session, citizen_id, document_id)
    if upload is None:
        raise unknown_document(document_id)
    data, _ = read_upload(session, request.app.state.store, citizen_id, document_id)
    expected = body.expected.model_dump(mode="json", exclude_none=True)
    result = await run_in_threadpool(
        precheck,
        data,
        upload.mime_type,
        body.document_type,
        expected,
        None,
        upload.precheck,
    )
    upload.precheck = result
    audit.record(
        session,
        caller.actor,
        "document.prechecked",
        "upload",
        upload.sha256,
        citizen_id=citizen_id,
        document_type=body.document_type,
        verdict=result["verdict"],
    )
    session.commit()
    return JSONResponse(PrecheckOut.model_validate(result).model_dump(mode="json"))
