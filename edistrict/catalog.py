"""Access to the shared service catalog (repository-root ``catalog/`` package).

The gateway reads the same catalog as the assistant through ``catalog.loader``. Until that
package exists (or when it cannot be imported), a small reader of the documented YAML format
(catalog/README.md) is used instead, with the same interface.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from edistrict.settings import REPO_ROOT

log = logging.getLogger(__name__)


class FieldLike(Protocol):
    """What the gateway needs of a catalog field."""

    name: str
    type: str
    required: bool

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether the field is asked, given the earlier answers."""
        ...


class ServiceLike(Protocol):
    """What the gateway needs of a catalog service."""

    id: str
    department: str
    sla_days: int

    @property
    def fields(self) -> Iterable[Any]:
        """The service's fields, in order."""
        ...

    def required_documents(self, answers: Mapping[str, Any]) -> Iterable[Any]:
        """The documents required for these answers."""
        ...


class CatalogLike(Protocol):
    """What the gateway needs of the catalog."""

    def get(self, service_id: str) -> Any:
        """The service with this id, or None."""
        ...


def _when_applies(when: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    if not when:
        return True
    value = answers.get(str(when.get("field")))
    if "in" in when:
        return value in list(when["in"])
    if "equals" in when:
        return bool(value == when["equals"])
    return value not in (None, "", False)


@dataclass(frozen=True)
class _Field:
    name: str
    type: str
    required: bool = True
    when: Mapping[str, Any] | None = None
    choices: tuple[Any, ...] = ()
    constraints: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return _when_applies(self.when, answers)


@dataclass(frozen=True)
class _DocumentSpec:
    type: str
    required: bool = True
    when: Mapping[str, Any] | None = None
    name: Mapping[str, str] = field(default_factory=dict)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return _when_applies(self.when, answers)


@dataclass(frozen=True)
class _Service:
    id: str
    department: str
    sla_days: int
    fee: Mapping[str, Any]
    names: Mapping[str, str]
    fields: tuple[_Field, ...]
    documents: tuple[_DocumentSpec, ...]

    def required_documents(self, answers: Mapping[str, Any]) -> list[_DocumentSpec]:
        return [d for d in self.documents if d.required and d.applies(answers)]


@dataclass(frozen=True)
class FallbackCatalog:
    """Minimal reader of catalog/services/*.yml, used when catalog.loader is absent."""

    services: Mapping[str, _Service]
    departments: Mapping[str, Any] | None = None

    def get(self, service_id: str) -> _Service | None:
        """Returns the service with this id, or None.

        Args:
            service_id: Catalog id such as ``birth_certificate``.

        Returns:
            The service or None.
        """
        return self.services.get(service_id)


def load_fallback(path: Path) -> FallbackCatalog:
    """Reads a catalog folder laid out as documented in catalog/README.md.

    Args:
        path: The catalog folder (holding ``services/``).

    Returns:
        The catalog.
    """
    services: dict[str, _Service] = {}
    for file in sorted((path / "services").glob("*.y*ml")):
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        services[raw["id"]] = _Service(
            id=raw["id"],
            department=raw["department"],
            sla_days=int(raw["sla_days"]),
            fee=raw.get("fee") or {"amount_inr": 0},
            names=raw.get("names") or {},
            fields=tuple(
                _Field(
                    name=f["name"],
                    type=f.get("type", "text"),
                    required=bool(f.get("required", True)),
                    when=f.get("when"),
                    choices=tuple(f.get("choices") or ()),
                    constraints=f.get("constraints") or {},
                )
                for f in raw.get("fields") or ()
            ),
            documents=tuple(
                _DocumentSpec(
                    type=d["type"],
                    required=bool(d.get("required", True)),
                    when=d.get("when"),
                    name=d.get("name") or {},
                )
                for d in raw.get("documents") or ()
            ),
        )
    departments_file = path / "departments.yml"
    departments = None
    if departments_file.is_file():
        raw = yaml.safe_load(departments_file.read_text(encoding="utf-8")) or {}
        departments = {str(d["id"]): d for d in raw.get("departments") or ()}
    return FallbackCatalog(services, departments)


def load(path: Path | None = None) -> CatalogLike:
    """Loads the service catalog, preferring the shared ``catalog.loader``.

    Args:
        path: Catalog folder; the repository's ``catalog/`` when None.

    Returns:
        The catalog.
    """
    try:
        from catalog.loader import load_catalog  # type: ignore[import-not-found]
    except ImportError:
        log.info("catalog.loader not importable; using the gateway's YAML reader")
        return load_fallback(path or REPO_ROOT / "catalog")
    return load_catalog(path) if path is not None else load_catalog()


def department_ids(catalog: Any) -> set[str] | None:
    """The catalog's department ids, or None when the catalog does not list them.

    Args:
        catalog: A loaded catalog (``catalog.loader``'s has ``departments``).

    Returns:
        The ids, or None.
    """
    departments = getattr(catalog, "departments", None)
    if departments is None:
        return None
    if isinstance(departments, Mapping):
        return {str(key) for key in departments}
    return {str(getattr(d, "id", d)) for d in departments}


def fee_inr(service: Any) -> int:
    """The service fee in rupees, whatever shape the catalog gives it.

    Args:
        service: A catalog service.

    Returns:
        The fee in whole rupees.
    """
    fee = getattr(service, "fee", 0)
    if isinstance(fee, Mapping):
        return int(fee.get("amount_inr", 0) or 0)
    if hasattr(fee, "amount_inr"):
        return int(fee.amount_inr or 0)
    return int(fee or 0)


def service_name(service: Any, language: str) -> str:
    """The service's name in a language (``en``/``hi``), falling back to its id.

    Args:
        service: A catalog service.
        language: ``en`` or ``hi``.

    Returns:
        The display name.
    """
    names = getattr(service, "names", None) or getattr(service, "name", None)
    if isinstance(names, Mapping):
        return str(names.get(language) or names.get("en") or service.id)
    value = getattr(names, language, None) if names is not None else None
    return str(value or service.id.replace("_", " ").title())


def choice_values(field_spec: Any) -> list[str]:
    """The allowed values of a ``choice`` field.

    Args:
        field_spec: A catalog field.

    Returns:
        The values (empty when the field lists none).
    """
    values = []
    for choice in getattr(field_spec, "choices", None) or ():
        value = choice.get("value") if isinstance(choice, Mapping) else None
        value = value if value is not None else getattr(choice, "value", choice)
        values.append(str(value))
    return values


def id_prefix(service: Any) -> str:
    """Three-letter code of a service for application ids (``birth_certificate`` -> BIR).

    A catalog ``code`` attribute wins when present.

    Args:
        service: A catalog service.

    Returns:
        Upper-case letters.
    """
    code = getattr(service, "code", None)
    if code:
        return re.sub(r"[^A-Z0-9]", "", str(code).upper())[:6]
    return re.sub(r"[^A-Z]", "", service.id.upper())[:3] or "GEN"
