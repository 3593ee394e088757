"""The service catalog's model: departments, services, fields and documents.

:mod:`catalog.loader` builds it from ``departments.yml`` and ``services/*.yml``.

Immutable dataclasses and the catalog's lookups (``Catalog.get``, ``Catalog.match``);
standard library only, so the action server (Python 3.10) and the e-District gateway (a
newer Python) both import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional, Union

LANGUAGES: tuple[str, ...] = ("en", "hi", "hinglish")
"""Keys of every citizen-facing text."""

FIELD_TYPES: frozenset[str] = frozenset(
    {
        "name",
        "date",
        "aadhaar",
        "mobile",
        "pincode",
        "district",
        "choice",
        "yes_no",
        "text",
        "number",
        "email",
    }
)
"""Allowed ``type`` values of a field (documents are not fields)."""

SUBJECTS: tuple[str, ...] = (
    "applicant",
    "child",
    "deceased",
    "spouse",
    "daughter",
    "father",
    "mother",
    "groom",
    "bride",
    "person",
)
"""Allowed ``subject`` values of a field: whose details it asks for (default applicant)."""

Scalar = Union[str, int, float, bool]
_SPACES = re.compile(r"\s+")


class CatalogError(ValueError):
    """A catalog file is invalid.

    Attributes:
        file: The offending file.
        key: Dotted path of the offending key inside the file (``fields[2].when``).
    """

    def __init__(self, file: Path | str, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        super().__init__(f"{self.file}: {key}: {message}")


@dataclass(frozen=True)
class Text(Mapping[str, str]):
    """A citizen-facing text in the three languages; also usable as a mapping."""

    en: str
    hi: str
    hinglish: str

    def __getitem__(self, language: str) -> str:
        if language not in LANGUAGES:
            raise KeyError(language)
        return str(getattr(self, language))

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


@dataclass(frozen=True)
class Condition:
    """A ``when`` condition: the earlier field ``field`` has one of ``values``."""

    field: str
    values: tuple[Scalar, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers.

        Args:
            answers: Field name -> answer given so far.

        Returns:
            True when the named field was answered with one of the values.
        """
        if self.field not in answers:
            return False
        value = answers[self.field]
        for option in self.values:
            if isinstance(option, bool) or isinstance(value, bool):
                if (
                    isinstance(option, bool)
                    and isinstance(value, bool)
                    and option == value
                ):
                    return True
            elif option == value:
                return True
        return False


@dataclass(frozen=True)
class Choice:
    """One option of a ``choice`` field."""

    value: str
    label: Text
    aliases: tuple[
        str, ...
    ] = ()  # other words citizens use ("ladki", "girl" for female)

    @property
    def labels(self) -> Text:
        """The label (alias used by the validators)."""
        return self.label


@dataclass(frozen=True)
class Field:
    """One question of a service's form."""

    name: str
    type: str
    required: bool
    prompt: Text
    label: Optional[Text] = None
    example: Optional[Text] = None
    choices: tuple[Choice, ...] = ()
    when: Optional[Condition] = None
    constraints: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), hash=False, compare=False
    )
    subject: str = "applicant"  # whose details: one of _SUBJECTS

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether this field is asked, given the earlier answers.

        Args:
            answers: Field name -> answer given so far.

        Returns:
            True when the field has no ``when`` condition or the condition holds.
        """
        return self.when is None or self.when.holds(answers)


@dataclass(frozen=True)
class Document:
    """A document the citizen uploads."""

    type: str
    name: Text
    required: bool = True
    when: Optional[Condition] = None

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether this document is asked for, given the answers.

        Args:
            answers: Field name -> answer.

        Returns:
            True when the document has no ``when`` condition or the condition holds.
        """
        return self.when is None or self.when.holds(answers)


@dataclass(frozen=True)
class EligibilityRule:
    """A condition shown before applying; the form asks whether the citizen meets them."""

    text: Text


@dataclass(frozen=True)
class Fee:
    """The government fee (0 when free) with an optional explanation."""

    amount_inr: int
    note: Optional[Text] = None


@dataclass(frozen=True)
class Source:
    """Where the facts come from; ``note`` says what is unverified."""

    url: str
    checked: date
    note: Optional[str] = None


@dataclass(frozen=True)
class Department:
    """A government department that owns services."""

    id: str
    names: Text


@dataclass(frozen=True)
class Service:
    """One government service, as read from ``services/<id>.yml``."""

    id: str
    code: str  # three letters in application ids, DL-<code>-YYYY-NNNNNN; unique
    department: str
    names: Text
    synonyms: Mapping[str, tuple[str, ...]] = field(hash=False, compare=False)
    how_it_works: Text
    eligibility: tuple[EligibilityRule, ...]
    fee: Fee
    sla_days: int
    fields: tuple[Field, ...]
    documents: tuple[Document, ...]
    source: Source

    def field_named(self, name: str) -> Field:
        """The field called ``name``.

        Args:
            name: Field name.

        Returns:
            The field.

        Raises:
            KeyError: No such field.
        """
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def applicable_fields(self, answers: Mapping[str, Any]) -> list[Field]:
        """The fields asked given these answers, in order.

        Args:
            answers: Field name -> answer.

        Returns:
            The fields whose ``when`` holds.
        """
        return [item for item in self.fields if item.applies(answers)]

    def required_documents(self, answers: Mapping[str, Any]) -> list[Document]:
        """The documents that must be uploaded given these answers.

        Args:
            answers: Field name -> answer.

        Returns:
            Required documents whose ``when`` holds, in catalog order.
        """
        return [d for d in self.documents if d.required and d.applies(answers)]

    def document_named(self, doc_type: str) -> Document:
        """The document of type ``doc_type`` (KeyError when the service has none)."""
        for document in self.documents:
            if document.type == doc_type:
                return document
        raise KeyError(doc_type)

    def applicant_facts(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """The applicant's answers a document can be checked against (the pre-check).

        ``name``, ``date_of_birth`` (ISO), ``aadhaar_last4`` (only the last four digits
        leave the form) and ``pincode``, from the first answered field of the applicant
        of each type; missing ones are left out.
        """
        facts: dict[str, str] = {}
        for item in self.fields:
            value = answers.get(item.name)
            if item.subject != "applicant" or not isinstance(value, str) or not value:
                continue
            if item.type == "name":
                facts.setdefault("name", value)
            elif item.type == "date" and "birth" in item.name:
                facts.setdefault("date_of_birth", value)
            elif item.type == "aadhaar":
                facts.setdefault("aadhaar_last4", value[-4:])
            elif item.type == "pincode":
                facts.setdefault("pincode", value)
        return facts

    def offered_documents(self, answers: Mapping[str, Any]) -> list[Document]:
        """The documents asked for given these answers, in catalog order.

        Required ones, and optional ones the citizen may send or skip, whose ``when``
        holds.
        """
        return [d for d in self.documents if d.applies(answers)]

    def all_names(self) -> list[str]:
        """Official names and synonyms in every language (lower-cased, de-duplicated).

        Returns:
            The names.
        """
        names: list[str] = []
        for text in [
            *self.names.values(),
            *(s for v in self.synonyms.values() for s in v),
        ]:
            key = normalize(text)
            if key and key not in names:
                names.append(key)
        return names


def normalize(text: str) -> str:
    """Lower-cases and collapses white space (for comparing names).

    Args:
        text: Any text.

    Returns:
        The normalised text.
    """
    return _SPACES.sub(" ", str(text)).strip().lower()


@dataclass(frozen=True)
class Catalog:
    """All departments and services, in catalog order."""

    departments: Mapping[str, Department] = field(hash=False, compare=False)
    services: tuple[Service, ...]
    main_menu: tuple[str, ...] = ()

    def get(self, service_id: str) -> Optional[Service]:
        """The service with this id, or None.

        Args:
            service_id: Catalog id such as ``birth_certificate``.

        Returns:
            The service, or None when the id is unknown.
        """
        for service in self.services:
            if service.id == service_id:
                return service
        return None

    def __getitem__(self, service_id: str) -> Service:
        service = self.get(service_id)
        if service is None:
            raise KeyError(service_id)
        return service

    def __contains__(self, service_id: object) -> bool:
        return isinstance(service_id, str) and self.get(service_id) is not None

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)

    def by_department(self) -> dict[str, list[Service]]:
        """Services grouped by department id, departments in catalog order.

        Returns:
            Department id -> its services (departments without services are left out).
        """
        groups: dict[str, list[Service]] = {}
        for department in self.departments:
            members = [s for s in self.services if s.department == department]
            if members:
                groups[department] = members
        return groups

    def match(self, text: str) -> Optional[str]:
        """Finds the service a text names, by its names and synonyms (any script).

        An exact match wins; otherwise the longest name found as whole words inside the
        text. Fuzzy matching is the NLU's job (components/service_gazetteer.py).

        Args:
            text: What the citizen typed, e.g. "mujhe janam praman patra chahiye".

        Returns:
            The service id, or None.
        """
        wanted = normalize(text)
        if not wanted:
            return None
        best: Optional[str] = None
        best_length = 0
        for service in self.services:
            for name in [service.id.replace("_", " "), *service.all_names()]:
                if name == wanted:
                    return service.id
                pattern = (
                    r"(?<![\w\u0900-\u097F])"
                    + re.escape(name)
                    + r"(?![\w\u0900-\u097F])"
                )
                if len(name) > best_length and re.search(pattern, wanted):
                    best, best_length = service.id, len(name)
        return best
