"""HTTP client of the e-District gateway (``edistrict/``), used by the action server.

One ``requests.Session``, explicit timeouts, bounded retries with exponential backoff on
connection errors and 5xx/429, idempotency keys on submissions, and one exception type,
``EDistrictError``: callers never see raw ``requests`` errors.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar
from urllib.parse import quote

import requests

from actions.gateway_models import (
    DOCUMENT_ID,
    Application,
    Handoff,
    StoredDocument,
    Verification,
    applications_from_json,
)
from delhi import application_id as application_ids
from infra.settings import DEFAULT_EDISTRICT_URL, DEV_SERVICE_TOKEN, edistrict_gateway

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
PRECHECK_TIMEOUT_SECONDS = 30.0
T = TypeVar("T")


class EDistrictError(Exception):
    """The gateway could not be reached or refused the request.

    Attributes:
        retryable: True when trying again later may succeed (outage, overload).
        status: The HTTP status, when there was a response.
    """

    def __init__(
        self, message: str, retryable: bool, status: Optional[int] = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class ClientSettings:
    """Where the gateway is and how patiently to talk to it."""

    base_url: str = DEFAULT_EDISTRICT_URL
    token: str = DEV_SERVICE_TOKEN
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5

    @classmethod
    def from_env(cls) -> ClientSettings:
        """Reads ``EDISTRICT_URL``, ``EDISTRICT_SERVICE_TOKEN``, ``EDISTRICT_TIMEOUT``."""
        gateway = edistrict_gateway()
        return cls(base_url=gateway.url, token=gateway.token, timeout=gateway.timeout)


class EDistrictClient:
    """Client of the gateway's service API.

    Every request about one application names the citizen asking (``X-Citizen-Id``, the
    conversation id from the authenticated channel); the gateway answers 404 for an
    application of anyone else, exactly as for an unknown id.

    Args:
        settings: Connection settings; read from the environment when omitted.
        session: A session to reuse (tests may pass one with their own adapters).
        citizen_id: The conversation id of the citizen this client acts for.
    """

    def __init__(
        self,
        settings: Optional[ClientSettings] = None,
        session: Optional[requests.Session] = None,
        citizen_id: Optional[str] = None,
    ) -> None:
        self.settings = settings or ClientSettings.from_env()
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.settings.token}"
        if citizen_id:
            self.session.headers["X-Citizen-Id"] = citizen_id

    def submit_application(
        self,
        idempotency_key: str,
        service_id: str,
        fields: Dict[str, Any],
        citizen: Dict[str, Any],
        consent: Dict[str, Any],
        channel: str = "whatsapp",
    ) -> Application:
        """Creates an application; retrying with the same key never creates a second one.

        Args:
            idempotency_key: Stable key of this draft.
            service_id: Catalog id of the service.
            fields: The answers, by field name.
            citizen: ``whatsapp_id``/``sender_id``, ``mobile``, ``language``.
            consent: ``given_at`` (ISO time), ``version`` of the wording, ``method``.
            channel: whatsapp, csc or web.

        Returns:
            The created application.
        """
        body = {
            "service_id": service_id,
            "fields": fields,
            "citizen": citizen,
            "consent": consent,
            "channel": channel,
        }
        return self._request(
            Application.from_json,
            "POST",
            "/api/v1/applications",
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )

    def attach_document(
        self,
        application_id: str,
        document_type: str,
        document_id: str,
        citizen_id: Optional[str] = None,
    ) -> StoredDocument:
        """Attaches a document the citizen uploaded to the gateway's document store.

        The channel handed the file to the gateway (``POST /api/v1/documents``); the
        action server only passes the reference on, it never holds the bytes.
        ``citizen_id`` names the owner when this client acts for no single citizen.
        """
        headers = {"X-Citizen-Id": citizen_id} if citizen_id else {}
        return self._request(
            StoredDocument.from_json,
            "POST",
            f"{_application_path(application_id)}/documents",
            data={"document_type": document_type, "document_id": document_id},
            headers=headers,
        )

    def precheck_document(
        self, document_id: str, document_type: str, expected: Dict[str, str]
    ) -> Dict[str, Any]:
        """The gateway's pre-check of an upload: readable, right kind, as in the form.

        ``expected`` holds the applicant's answers to compare (``name``,
        ``date_of_birth``, ``aadhaar_last4``, ``pincode``); only the last four digits of
        an Aadhaar number leave the form.
        """
        return self._request(
            _json_object,
            "POST",
            f"/api/v1/documents/{document_id}/precheck",
            attempts=1,  # OCR takes seconds: one patient try, never a second OCR
            timeout=PRECHECK_TIMEOUT_SECONDS,
            json={"document_type": document_type, "expected": expected},
        )

    def discard_document(self, document_id: str) -> bool:
        """Deletes an upload of this client's citizen that no application uses.

        Returns:
            True when it was removed; False when the gateway does not know it as theirs.
        """
        if not DOCUMENT_ID.fullmatch(document_id or ""):
            return False
        try:
            self._send("DELETE", f"/api/v1/documents/{document_id}")
        except EDistrictError as error:
            if error.status == 404:
                return False
            raise
        return True

    def erase_citizen(self, requested_by: Optional[str] = None) -> Dict[str, int]:
        """Erases this client's citizen at the gateway (DPDP Act s. 12).

        Undecided applications are withdrawn and emptied, decided ones unlinked from
        the citizen, uploads and pending notifications deleted.

        Args:
            requested_by: Who asked, for the gateway's audit (default: the citizen).

        Returns:
            The gateway's counts (``withdrawn``, ``unlinked``, ``documents_deleted``,
            ``uploads_deleted``, ``notifications_deleted``).
        """
        headers = {"X-Requested-By": requested_by} if requested_by else {}
        return self._request(erasure_counts, "POST", "/api/v1/erasure", headers=headers)

    def hand_off(self, reason: str, language: str) -> Handoff:
        """Queues this client's conversation for the helpdesk (its open ticket if any).

        Args:
            reason: ``asked`` (the citizen asked for a person) or ``not_understood``.
            language: The citizen's language.
        """
        return self._request(
            Handoff.from_json,
            "POST",
            "/api/v1/handoffs",
            json={"reason": reason, "language": language},
            attempts=1,
        )

    def get_application(self, application_id: str) -> Application:
        """Returns one application of the citizen this client acts for."""
        return self._request(
            Application.from_json, "GET", _application_path(application_id)
        )

    def list_applications(self, citizen_id: str) -> Tuple[Application, ...]:
        """Returns the applications of one citizen (WhatsApp id or sender id)."""
        return self._request(
            applications_from_json,
            "GET",
            "/api/v1/applications",
            params={"citizen_id": citizen_id},
        )

    def certificate_pdf(self, application_id: str) -> bytes:
        """Returns the issued certificate of an application as PDF bytes."""
        response = self._send("GET", f"{_application_path(application_id)}/certificate")
        return response.content

    def verify(self, token_or_number: str) -> Verification:
        """Verifies a certificate by its number or QR token."""
        return self._request(
            Verification.from_json,
            "GET",
            f"/verify/{quote(token_or_number, safe='')}",
        )

    def _request(
        self, parse: Callable[[Any], T], method: str, path: str, **kwargs: Any
    ) -> T:
        """Sends the request and parses its JSON answer into the typed model."""
        response = self._send(method, path, **kwargs)
        try:
            return parse(response.json())
        except ValueError as error:  # not JSON, or not the gateway's schema
            raise EDistrictError(
                f"{method} {path}: unexpected answer: {error}", retryable=False
            ) from error

    def _send(
        self,
        method: str,
        path: str,
        attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> requests.Response:
        url = f"{self.settings.base_url}{path}"
        last: Optional[EDistrictError] = None
        attempts = attempts or self.settings.attempts
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method, url, timeout=timeout or self.settings.timeout, **kwargs
                )
            except requests.RequestException as error:
                last = EDistrictError(
                    f"{method} {path}: {type(error).__name__}", retryable=True
                )
            else:
                if response.status_code < 400:
                    return response
                detail = response.text[:300]
                last = EDistrictError(
                    f"{method} {path}: HTTP {response.status_code} {detail}",
                    retryable=response.status_code in RETRYABLE_STATUS,
                    status=response.status_code,
                )
                if not last.retryable:
                    raise last
            if attempt < attempts:
                time.sleep(self.settings.backoff * 2 ** (attempt - 1))
        assert last is not None
        logger.warning("e-District gateway unavailable: %s", last)
        raise last


def _json_object(data: Any) -> Dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def erasure_counts(data: Any) -> Dict[str, int]:
    """The gateway's erasure answer, as counts by name."""
    if not isinstance(data, dict) or "withdrawn" not in data:
        raise ValueError("not an erasure report")
    return {str(name): int(count) for name, count in data.items()}


def _application_path(application_id: str) -> str:
    """The gateway path of an application; anything but a well-formed id is unknown.

    Raises:
        EDistrictError: 404 for a malformed id (never sent, so no path tricks).
    """
    canonical = application_ids.normalise(application_id or "")
    if canonical is None:
        raise EDistrictError(
            f"not an application id: {application_id[:40]!r}",
            retryable=False,
            status=404,
        )
    return f"/api/v1/applications/{canonical}"
