"""What the e-District gateway answers, as the actions read it.

Typed mirrors of the parts of ``edistrict/schemas.py`` the actions use (``ApplicationOut``,
``ApplicationList``, ``DocumentOut``, ``VerifyResult``), checked when parsed: a missing or
mistyped field raises ``ValueError`` (the client turns it into an ``EDistrictError``), so
a changed gateway never reaches a citizen as a "-" or a printed dict.
``tests/integration/test_gateway_contract.py`` runs the client against the real gateway for
every endpoint it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping, Optional, Tuple, Type, TypeVar

T = TypeVar("T")
# The gateway's id of a citizen's upload in its document store: the content's sha256.
DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")


def _get(
    data: Mapping[str, Any], name: str, kind: Type[T], optional: bool = False
) -> T:
    """``data[name]`` checked to be a ``kind`` (or None when ``optional``)."""
    if name not in data and not optional:
        raise ValueError(f"the gateway's answer has no {name!r}")
    value = data.get(name)
    if value is None and optional:
        return value  # type: ignore[return-value]
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise ValueError(f"{name!r} is {type(value).__name__}, not {kind.__name__}")
    return value


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"the gateway answered a {type(data).__name__}, not an object")
    return data


def _day(text: Optional[str]) -> Optional[date]:
    return date.fromisoformat(text[:10]) if text else None


@dataclass(frozen=True)
class Application:
    """One application, as ``GET /api/v1/applications/{id}`` and the list return it."""

    application_id: str
    service_id: str
    status: str
    status_reason: Optional[str]
    requested_documents: Tuple[str, ...]
    due_date: date
    certificate_number: Optional[str]
    certificate_download_url: Optional[str]
    fields: Mapping[str, Any] = field(default_factory=dict)  # the citizen's answers

    @classmethod
    def from_json(cls, data: Any) -> Application:
        data = _mapping(data)
        certificate = _get(data, "certificate", dict, optional=True)
        requested = _get(data, "requested_documents", list, optional=True) or []
        return cls(
            application_id=_get(data, "application_id", str),
            service_id=_get(data, "service_id", str),
            status=_get(data, "status", str),
            status_reason=_get(data, "status_reason", str, optional=True),
            requested_documents=tuple(str(kind) for kind in requested),
            due_date=date.fromisoformat(_get(data, "due_date", str)[:10]),
            certificate_number=_get(certificate, "number", str)
            if certificate
            else None,
            certificate_download_url=_get(
                data, "certificate_download_url", str, optional=True
            ),
            fields=_get(data, "fields", dict, optional=True) or {},
        )


def applications_from_json(data: Any) -> Tuple[Application, ...]:
    """``GET /api/v1/applications?citizen_id=`` (``ApplicationList``)."""
    return tuple(
        Application.from_json(item) for item in _get(_mapping(data), "items", list)
    )


@dataclass(frozen=True)
class StoredDocument:
    """A document the gateway accepted (``DocumentOut``)."""

    id: int
    document_type: str
    sha256: str
    precheck: Optional[Mapping[str, Any]] = None  # the gateway's pre-check (advice)

    @classmethod
    def from_json(cls, data: Any) -> StoredDocument:
        data = _mapping(data)
        return cls(
            id=_get(data, "id", int),
            document_type=_get(data, "document_type", str),
            sha256=_get(data, "sha256", str),
            precheck=_get(data, "precheck", dict, optional=True),
        )


@dataclass(frozen=True)
class Verification:
    """The public verifier's answer about a certificate (``VerifyResult``)."""

    valid: bool
    reason: Optional[str]
    certificate_number: Optional[str]
    service_id: Optional[str]
    service_name: Mapping[str, str]
    citizen_name: Optional[str]  # masked by the gateway
    issued_on: Optional[date]

    @classmethod
    def from_json(cls, data: Any) -> Verification:
        data = _mapping(data)
        return cls(
            valid=_get(data, "valid", bool),
            reason=_get(data, "reason", str, optional=True),
            certificate_number=_get(data, "certificate_number", str, optional=True),
            service_id=_get(data, "service_id", str, optional=True),
            service_name=_get(data, "service_name", dict, optional=True) or {},
            citizen_name=_get(data, "citizen_name", str, optional=True),
            issued_on=_day(_get(data, "issued_at", str, optional=True)),
        )


@dataclass(frozen=True)
class Handoff:
    """The conversation's helpdesk ticket (``HandoffOut``)."""

    ticket: str
    status: str
    new: bool
    waiting_before: int
    opens_at: Optional[datetime]  # None: the helpdesk is open now

    @classmethod
    def from_json(cls, data: Any) -> Handoff:
        data = _mapping(data)
        opens = _get(data, "opens_at", str, optional=True)
        return cls(
            ticket=_get(data, "ticket", str),
            status=_get(data, "status", str),
            new=_get(data, "new", bool),
            waiting_before=_get(data, "waiting_before", int),
            opens_at=datetime.fromisoformat(opens) if opens else None,
        )
