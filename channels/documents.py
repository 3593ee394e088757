"""Citizens' documents: every channel hands them to the e-District gateway's store.

A channel that receives a photo or a PDF calls :func:`store_document` with the bytes and
the citizen's id. They go straight to the gateway (``POST /api/v1/documents`` with the
service token and ``X-Citizen-Id``), which checks the whole content (:mod:`filecheck`:
type by magic bytes, never by name or declared type; images decoded under a pixel cap;
nothing hidden after the end, no executable or script inside; PDFs without encryption or
active content), counts it against the citizen's daily quota (every attempt, a refused
file too), stores it once by sha256 and answers a reference. Only that reference travels
in Rasa's metadata (:meth:`StoredDocument.to_metadata`): neither the channels nor the
action server keep a file. The action server attaches it to an application by reference;
:func:`discard_document` removes an upload nobody needs.

A refused file raises :class:`DocumentRejected` (the citizen is told why); a gateway that
cannot be reached or fails raises :class:`DocumentStoreUnavailable` (the citizen is asked
to send it again shortly). The channel tells Rasa which (``/document_rejected``,
:func:`channels.media.problem_reason`) and the assistant answers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

import requests

from channels.settings import DocumentSettings
from filecheck import sniff

DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")  # a stored document: its sha256
DOCUMENTS_PATH = "/api/v1/documents"
QUOTA_EXCEEDED = "quota_exceeded"
_FILENAME_MAX = 200
logger = logging.getLogger(__name__)

# The gateway's error code -> coarse reason (anything else refused: ``unsafe``)
_REASONS = {
    "empty_file": "empty",
    "file_too_large": "too_large",
    "image_too_large": "too_large",
    "unsupported_type": "unsupported_type",
    "image_corrupt": "corrupt",
    "pdf_corrupt": "corrupt",
    "pdf_no_pages": "corrupt",
    "unreadable": "corrupt",
    QUOTA_EXCEEDED: QUOTA_EXCEEDED,
}
_REFUSALS = frozenset({413, 415, 422, 429})  # the gateway's answers about the file


class DocumentRejected(ValueError):
    """The file cannot be stored; ``reason`` says why, ``code`` says exactly why.

    Attributes:
        reason: One of ``empty``, ``too_large``, ``unsupported_type``, ``corrupt``,
            ``unsafe`` (hidden content, active PDF, encrypted PDF) or
            ``quota_exceeded``.
        code: The precise code: the gateway's (a :mod:`filecheck` code,
            ``pdf_no_pages`` ...) or ``quota_exceeded``.
    """

    def __init__(self, reason: str, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code or reason

    @classmethod
    def from_gateway(cls, code: str, message: str) -> DocumentRejected:
        """The refusal the gateway answered with ``code``."""
        return cls(_REASONS.get(code, "unsafe"), message, code)


class DocumentStoreUnavailable(Exception):
    """The gateway's document store cannot take the file now; try again shortly.

    Raised when the gateway cannot be reached, times out, answers a 5xx, or answers
    something unexpected (such as a refused service token). Not the citizen's fault:
    the assistant asks them to send the file again in a few minutes.
    """


@dataclass(frozen=True)
class StoredDocument:
    """A document in the gateway's store.

    Attributes:
        id: The gateway's reference (``document_id``: the sha256 of the content).
        mime_type: Detected type: ``image/jpeg``, ``image/png`` or ``application/pdf``.
        size: Size in bytes.
        sha256: Hex SHA-256 of the content.
        filename: Original file name (the gateway's sanitised base name), if any.
    """

    id: str
    mime_type: str
    size: int
    sha256: str
    filename: Optional[str]

    def to_metadata(self) -> Dict[str, Any]:
        """Returns the reference handed to Rasa in the user message's metadata."""
        return {
            "id": self.id,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "filename": self.filename,
        }


def detect_mime_type(data: bytes) -> Optional[str]:
    """Returns the MIME type given by the magic bytes, or None when unsupported."""
    return sniff(data)


def sanitize_filename(filename: Optional[str]) -> Optional[str]:
    """Keeps only the base name, without control characters, at most 200 characters.

    The gateway does the same; doing it here keeps control characters out of the
    multipart header (where they would arrive percent-encoded).
    """
    if not filename:
        return None
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:_FILENAME_MAX] or None


def _headers(settings: DocumentSettings, sender_id: str) -> Dict[str, str]:
    return {
        "Authorization": f"Bearer {settings.gateway.token}",
        "X-Citizen-Id": sender_id,
    }


def _error(response: requests.Response) -> tuple[str, str]:
    """The gateway's ``error`` code and ``message`` (empty when the body has none)."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", str(body)[:200]
    return str(body.get("error") or ""), str(body.get("message") or body)[:500]


def _unavailable(action: str, response: requests.Response) -> DocumentStoreUnavailable:
    code, message = _error(response)
    log = logger.warning if response.status_code >= 500 else logger.error
    log(
        "Document store %s failed: HTTP %d %s %s",
        action,
        response.status_code,
        code,
        message,
    )
    return DocumentStoreUnavailable(
        f"{action}: HTTP {response.status_code} {code}".strip()
    )


def _stored(body: Any) -> StoredDocument:
    try:
        stored = StoredDocument(
            id=str(body["document_id"]),
            mime_type=str(body["mime_type"]),
            size=int(body["size_bytes"]),
            sha256=str(body["sha256"]),
            filename=body.get("original_filename") or None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DocumentStoreUnavailable(f"unexpected answer: {error!r}") from error
    if not DOCUMENT_ID.fullmatch(stored.id):
        raise DocumentStoreUnavailable(f"unexpected document_id {stored.id[:80]!r}")
    return stored


def store_document(
    data: bytes,
    filename: Optional[str],
    declared_mime: Optional[str],
    settings: Optional[DocumentSettings] = None,
    *,
    sender_id: Optional[str] = None,
) -> StoredDocument:
    """Hands a document to the gateway's document store.

    Args:
        data: The file's bytes.
        filename: Original file name, if the channel knows it.
        declared_mime: MIME type the sender declared (only logged when it differs).
        settings: Gateway and size limit; read from the environment when omitted.
        sender_id: The citizen (required): the upload is theirs and counts against
            their daily quota, also when the file is then refused.

    Returns:
        The stored document.

    Raises:
        DocumentRejected: The daily quota is used up, or the file is empty, too large,
            not a JPEG/PNG/PDF, corrupt or unsafe.
        DocumentStoreUnavailable: The gateway cannot be reached, timed out, answered a
            5xx or anything unexpected (such as a refused service token).
        ValueError: No ``sender_id``.
    """
    if not sender_id:
        raise ValueError("store_document needs the citizen's sender_id")
    settings = settings or DocumentSettings.from_env()
    if len(data) > settings.max_bytes:  # the gateway would refuse it too
        raise DocumentRejected(
            "too_large",
            f"{len(data)} bytes, limit {settings.max_bytes}",
            "file_too_large",
        )
    try:
        response = requests.post(
            settings.gateway.url + DOCUMENTS_PATH,
            headers=_headers(settings, sender_id),
            files={
                "file": (
                    sanitize_filename(filename) or "",
                    data,
                    "application/octet-stream",
                )
            },
            timeout=settings.gateway.timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        logger.warning("Document store unreachable: %s", error)
        raise DocumentStoreUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code in (200, 201):
        try:
            stored = _stored(response.json())
        except ValueError as error:  # not JSON
            raise DocumentStoreUnavailable("answer is not JSON") from error
        declared = (declared_mime or "").split(";")[0].strip().lower()
        if declared and declared != stored.mime_type:
            logger.info(
                "Declared type %s differs from content %s", declared, stored.mime_type
            )
        return stored
    code, message = _error(response)
    if response.status_code in _REFUSALS and code:
        logger.info("Document refused by the gateway: %s (%s)", code, message)
        raise DocumentRejected.from_gateway(code, message)
    raise _unavailable("upload", response)


def discard_document(
    document_id: str,
    sender_id: Optional[str] = None,
    settings: Optional[DocumentSettings] = None,
) -> bool:
    """Removes a citizen's upload nobody needs (``DELETE /api/v1/documents/{id}``).

    The gateway keeps the content while another citizen's upload, an application's
    document or a certificate has it.

    Args:
        document_id: The ``id`` from the document's metadata.
        sender_id: The citizen who sent it.
        settings: Gateway settings; read from the environment when omitted.

    Returns:
        True when the upload was removed; False when the citizen has no such upload.

    Raises:
        DocumentStoreUnavailable: The gateway cannot be reached or failed.
    """
    if not sender_id or not DOCUMENT_ID.fullmatch(document_id or ""):
        return False
    settings = settings or DocumentSettings.from_env()
    try:
        response = requests.delete(
            f"{settings.gateway.url}{DOCUMENTS_PATH}/{document_id}",
            headers=_headers(settings, sender_id),
            timeout=settings.gateway.timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        logger.warning("Document store unreachable: %s", error)
        raise DocumentStoreUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code == 204:
        logger.info("Discarded unexpected document %s", document_id)
        return True
    if response.status_code == 404:
        return False
    raise _unavailable("discard", response)
