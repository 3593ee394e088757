"""Public certificate download through a short-lived signed link (no other credential)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edistrict.api.deps import error, get_session
from edistrict.links import InvalidLink
from edistrict.models import Certificate

router = APIRouter(tags=["certificates"])

DbSession = Annotated[Session, Depends(get_session)]
NOT_AVAILABLE = "This download link is not valid or has expired."


@router.head("/certificates/{token}", include_in_schema=False)
@router.get(
    "/certificates/{token}",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The PDF"},
        404: {"description": "Altered, expired or unknown link (one answer)"},
    },
)
def download_by_link(token: str, request: Request, session: DbSession) -> Response:
    """Returns the certificate PDF a signed link (``certificate_download_url``) names.

    The link is the credential: it binds the application id, the certificate number
    and an expiry. Altered, expired and unknown links, and certificates no longer
    issued, all answer 404 ``unknown_certificate_link``.
    """
    try:
        target = request.app.state.links.open(token)
    except InvalidLink:
        raise error(404, "unknown_certificate_link", NOT_AVAILABLE) from None
    certificate = session.scalar(
        select(Certificate)
        .where(Certificate.number == target.certificate_number)
        .options(selectinload(Certificate.application))
    )
    if (
        certificate is None
        or certificate.application.application_id != target.application_id
        or certificate.application.status != "issued"
    ):
        raise error(404, "unknown_certificate_link", NOT_AVAILABLE)
    pdf = request.app.state.store.get(certificate.sha256)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{certificate.number}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
