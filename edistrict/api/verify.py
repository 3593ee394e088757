"""Public certificate verification (anonymous), JSON and HTML.

Built so it cannot be used to enumerate certificates or harvest names: numbers are random
(:mod:`edistrict.certificate_numbers`), the holder's name is masked, each client IP gets a
limited number of lookups per window (:mod:`edistrict.ratelimit`), and unknown, altered,
malformed and revoked references all get one identical answer.
"""

from __future__ import annotations

import html
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edistrict.api.deps import get_session
from edistrict.applications import citizen_display_name
from edistrict.catalog import service_name
from edistrict.masking import mask_name
from edistrict.models import Certificate
from edistrict.ratelimit import limit_verification
from edistrict.schemas import VerifyResult
from edistrict.signing import InvalidToken

router = APIRouter(tags=["verify"])
limited = APIRouter(
    tags=["verify"],
    dependencies=[Depends(limit_verification)],
    responses={429: {"description": "Too many lookups from this client (Retry-After)"}},
)

DbSession = Annotated[Session, Depends(get_session)]
NOT_VALID = "This certificate is not valid: unknown number or altered code."
MAX_REFERENCE_CHARS = 1024
_REFERENCE = re.compile(r"[A-Za-z0-9_.\-]+")


def verify_reference(
    request: Request, session: Session, reference: str
) -> VerifyResult:
    """Verifies a signed token or a certificate number against the records.

    Args:
        request: The request (signer and catalog on the app state).
        session: An open session.
        reference: A token from the QR code, or a certificate number.

    Returns:
        The result; ``valid`` is False, with the same reason, for tampered, unknown,
        malformed or revoked references. The holder's name is masked.
    """
    reference = reference.strip()
    if len(reference) > MAX_REFERENCE_CHARS or not _REFERENCE.fullmatch(reference):
        return VerifyResult(valid=False, reason=NOT_VALID)
    number = reference.upper()
    if "." in reference:
        try:
            payload = request.app.state.signer.verify(reference)
        except InvalidToken:
            return VerifyResult(valid=False, reason=NOT_VALID)
        number = str(payload.get("n", ""))
    certificate = session.scalar(
        select(Certificate)
        .where(Certificate.number == number)
        .options(selectinload(Certificate.application))
    )
    if certificate is None or certificate.application.status != "issued":
        return VerifyResult(valid=False, reason=NOT_VALID)
    if "." in reference and reference != certificate.token:
        return VerifyResult(valid=False, reason=NOT_VALID)
    application = certificate.application
    service = request.app.state.catalog.get(application.service_id)
    return VerifyResult(
        valid=True,
        certificate_number=certificate.number,
        application_id=application.application_id,
        service_id=application.service_id,
        service_name={
            "en": service_name(service, "en") if service else application.service_id,
            "hi": service_name(service, "hi") if service else application.service_id,
        },
        department=application.department,
        citizen_name=mask_name(citizen_display_name(application)),
        issued_at=certificate.issued_at,
    )


@limited.get(
    "/verify/{reference}",
    response_model=VerifyResult,
    responses={404: {"model": VerifyResult, "description": "Not valid"}},
)
def verify_json(reference: str, request: Request, session: DbSession) -> JSONResponse:
    """Verifies a QR token or certificate number (JSON; 404 with valid=false if not)."""
    result = verify_reference(request, session, reference)
    return JSONResponse(
        result.model_dump(mode="json"), status_code=200 if result.valid else 404
    )


@limited.get("/v/{reference}", response_class=HTMLResponse)
def verify_page(reference: str, request: Request, session: DbSession) -> HTMLResponse:
    """A small HTML page for people who scan the QR code or type the number."""
    result = verify_reference(request, session, reference)
    if result.valid:
        rows = [
            ("प्रमाण पत्र संख्या / Certificate No.", result.certificate_number),
            ("सेवा / Service", " / ".join((result.service_name or {}).values())),
            ("नाम / Name", result.citizen_name),
            ("आवेदन संख्या / Application No.", result.application_id),
            ("विभाग / Department", result.department),
            (
                "जारी / Issued",
                result.issued_at.date().isoformat() if result.issued_at else "",
            ),
        ]
        table = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v or ''))}</td></tr>"
            for k, v in rows
        )
        body = f'<h1 class="ok">✔ मान्य / Valid certificate</h1><table>{table}</table>'
        status = 200
    else:
        body = (
            '<h1 class="bad">✘ अमान्य / Not valid</h1>'
            f"<p>यह प्रमाण पत्र मान्य नहीं है। {html.escape(result.reason or NOT_VALID)}</p>"
        )
        status = 404
    page = (
        '<!doctype html><html lang="hi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<title>Certificate verification - e-District Delhi</title><style>"
        "body{font-family:'Noto Sans Devanagari','Noto Sans',sans-serif;max-width:40rem;"
        "margin:2rem auto;padding:0 1rem}.ok{color:#116611}.bad{color:#aa1111}"
        "th{text-align:left;padding:.3rem 1rem .3rem 0}td{padding:.3rem 0}"
        "</style></head><body><p>राष्ट्रीय राजधानी क्षेत्र दिल्ली सरकार · Government "
        f"of NCT of Delhi · e-District</p>{body}</body></html>"
    )
    return HTMLResponse(page, status_code=status)


@router.get("/verify-key", response_class=PlainTextResponse)
def verify_key(request: Request) -> PlainTextResponse:
    """The Ed25519 public key (PEM) that signs certificate tokens."""
    return PlainTextResponse(request.app.state.signer.public_key_pem())
