"""Access to the shared service catalog (repository-root ``catalog/`` package).

The gateway reads the same catalog as the assistant, through ``catalog.loader``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol


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


def load(path: Path | None = None) -> CatalogLike:
    """Loads the shared service catalog (``catalog.loader``).

    Args:
        path: Catalog folder; the repository's ``catalog/`` when None.

    Returns:
        The catalog.
    """
    from catalog.loader import load_catalog

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
    """The service's three-letter code in application ids (catalog ``code``, unique).

    Args:
        service: A catalog service.

    Returns:
        Upper-case letters, e.g. ``BIR``.
    """
    return str(service.code)
