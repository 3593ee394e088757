"""Answers shaped like the real gateway's (``edistrict/schemas.py``), for the fakes here.

``tests/integration/test_gateway_contract.py`` checks that the real gateway answers the
shape ``actions/gateway_models.py`` reads, so fakes built from these stay honest.
"""

from __future__ import annotations

from typing import Any, Dict

# A consent record as the form keeps it in a draft (actions/consent.py).
CONSENT = {
    "given_at": "2026-12-03T10:00:00+00:00",
    "version": "2026-12-03-en",
    "method": "chat",
}


def application(
    application_id: str = "DL-BIR-2026-000001", **overrides: Any
) -> Dict[str, Any]:
    """An ``ApplicationOut``: a submitted birth certificate unless ``overrides`` say else."""
    answer: Dict[str, Any] = {
        "application_id": application_id,
        "service_id": "birth_certificate",
        "department": "mcd",
        "channel": "whatsapp",
        "language": "en",
        "citizen": {"whatsapp_id": None, "mobile": None, "name": None},
        "fields": {},
        "status": "submitted",
        "status_reason": None,
        "requested_documents": None,
        "fee_inr": 0,
        "sla_days": 7,
        "submitted_at": "2026-12-02T10:00:00+05:30",
        "due_date": "2026-12-09",
        "overdue": False,
        "days_late": 0,
        "compensation_inr": 0,
        "history": [],
        "documents": [],
        "certificate": None,
        "certificate_download_url": None,
    }
    answer.update(overrides)
    return answer


def issued(link: str, **overrides: Any) -> Dict[str, Any]:
    """An issued application with its certificate and signed download link."""
    number = "DLC-BIR-2026-7KQ2MZ9D"
    certificate = {
        "number": number,
        "issued_at": "2026-12-05T11:00:00+05:30",
        "url": "http://127.0.0.1:8001/api/v1/applications/x/certificate",
        "verify_url": f"http://127.0.0.1:8001/v/{number}",
        "token": "token",
    }
    return application(
        **{
            "status": "issued",
            "certificate": certificate,
            "certificate_download_url": link,
            **overrides,
        }
    )


def stored_document(sha256: str, document_type: str = "photo") -> Dict[str, Any]:
    """A ``DocumentOut``: what the gateway answers to an accepted upload."""
    return {
        "id": 1,
        "document_type": document_type,
        "mime_type": "image/png",
        "size_bytes": 100,
        "sha256": sha256,
        "original_filename": "scan.png",
        "uploaded_at": "2026-12-02T10:00:00+05:30",
    }


def handoff(**overrides: Any) -> Dict[str, Any]:
    """A ``HandoffOut``: the conversation's helpdesk ticket."""
    return {
        "ticket": "HD-000007",
        "status": "waiting",
        "new": True,
        "waiting_before": 2,
        "opens_at": None,
        **overrides,
    }
