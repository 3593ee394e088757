"""Reads and checks the service catalog files into the model of :mod:`catalog.model`.

Files: ``departments.yml`` and ``services/*.yml`` (format: ``catalog/README.md``).

Only PyYAML and the standard library. Nothing is read at import time; call
:func:`load_catalog`. Every problem in a file raises :class:`CatalogError` naming the file
and the key, so officials editing the data get a precise message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional

import yaml

from catalog.model import (
    FIELD_TYPES,
    LANGUAGES,
    SUBJECTS,
    Catalog,
    CatalogError,
    Choice,
    Condition,
    Department,
    Document,
    EligibilityRule,
    Fee,
    Field,
    Service,
    Source,
    Text,
)

DEFAULT_DIR = Path(__file__).resolve().parent
"""The catalog folder shipped with the package."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class _Reader:
    """Checks one YAML file's raw data and turns it into dataclasses."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> CatalogError:
        return CatalogError(self.path, key, message)

    def load(self) -> Any:
        try:
            return yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise self.fail("(file)", f"not valid YAML: {error}") from error
        except OSError as error:
            raise self.fail("(file)", f"cannot be read: {error}") from error

    def mapping(self, raw: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.fail(key, "must be a mapping")
        return raw

    def required(self, raw: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in raw or raw[name] is None:
            raise self.fail(f"{key}.{name}" if key else name, "is missing")
        return raw[name]

    def string(self, raw: Any, key: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(key, "must be a non-empty string")
        return raw

    def identifier(self, raw: Any, key: str) -> str:
        value = self.string(raw, key)
        if not _ID.match(value):
            raise self.fail(key, f"{value!r} must be snake_case (a-z, 0-9, _)")
        return value

    def boolean(self, raw: Any, key: str) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(key, "must be true or false")
        return raw

    def text(self, raw: Any, key: str) -> Text:
        values = self.mapping(raw, key)
        for language in LANGUAGES:
            if language not in values:
                raise self.fail(f"{key}.{language}", "missing language key")
            self.string(values[language], f"{key}.{language}")
        extra = set(values) - set(LANGUAGES)
        if extra:
            raise self.fail(key, f"unknown language keys {sorted(extra)}")
        return Text(
            en=str(values["en"]), hi=str(values["hi"]), hinglish=str(values["hinglish"])
        )

    def optional_text(
        self, raw: Mapping[str, Any], name: str, key: str
    ) -> Optional[Text]:
        if raw.get(name) is None:
            return None
        return self.text(raw[name], f"{key}.{name}")

    def condition(self, raw: Any, key: str, earlier: Mapping[str, Field]) -> Condition:
        values = self.mapping(raw, key)
        target = self.string(self.required(values, "field", key), f"{key}.field")
        if target not in earlier:
            raise self.fail(
                f"{key}.field", f"refers to {target!r}, which is not an earlier field"
            )
        options = self.required(values, "in", key)
        if not isinstance(options, list) or not options:
            raise self.fail(f"{key}.in", "must be a non-empty list")
        for index, option in enumerate(options):
            if not isinstance(option, (str, int, float, bool)):
                raise self.fail(f"{key}.in[{index}]", "must be a plain value")
        source = earlier[target]
        allowed = {c.value for c in source.choices}
        if source.type == "choice":
            unknown = [o for o in options if o not in allowed]
            if unknown:
                raise self.fail(
                    f"{key}.in", f"{unknown} are not choices of field {target!r}"
                )
        if source.type == "yes_no" and not all(isinstance(o, bool) for o in options):
            raise self.fail(f"{key}.in", f"field {target!r} is yes_no: use true/false")
        return Condition(field=target, values=tuple(options))


MAIN_MENU_MAX = 8  # a WhatsApp list holds 10 rows: these, "All services", "Status"


def _read_main_menu(path: Path, services: Mapping[str, Service]) -> tuple[str, ...]:
    """The ``main_menu`` of ``departments.yml``: service ids offered after a greeting."""
    reader = _Reader(path)
    items = reader.mapping(reader.load(), "(file)").get("main_menu") or []
    if not isinstance(items, list) or len(items) > MAIN_MENU_MAX:
        raise reader.fail("main_menu", f"must be a list of at most {MAIN_MENU_MAX} ids")
    menu: list[str] = []
    for index, item in enumerate(items):
        service_id = reader.identifier(item, f"main_menu[{index}]")
        if service_id not in services:
            raise reader.fail(f"main_menu[{index}]", f"unknown service {service_id!r}")
        if service_id in menu:
            raise reader.fail(f"main_menu[{index}]", f"{service_id!r} listed twice")
        menu.append(service_id)
    return tuple(menu)


def _read_departments(path: Path) -> dict[str, Department]:
    reader = _Reader(path)
    raw = reader.mapping(reader.load(), "(file)")
    items = reader.required(raw, "departments", "")
    if not isinstance(items, list) or not items:
        raise reader.fail("departments", "must be a non-empty list")
    departments: dict[str, Department] = {}
    for index, item in enumerate(items):
        key = f"departments[{index}]"
        entry = reader.mapping(item, key)
        department_id = reader.identifier(
            reader.required(entry, "id", key), f"{key}.id"
        )
        if department_id in departments:
            raise reader.fail(f"{key}.id", f"duplicate department id {department_id!r}")
        names = reader.text(reader.required(entry, "names", key), f"{key}.names")
        departments[department_id] = Department(id=department_id, names=names)
    return departments


_SERVICE_KEYS = frozenset(
    {
        "id",
        "code",
        "department",
        "names",
        "synonyms",
        "how_it_works",
        "eligibility",
        "fee",
        "sla_days",
        "fields",
        "documents",
        "source",
    }
)
_FIELD_KEYS = frozenset(
    {
        "name",
        "type",
        "required",
        "label",
        "prompt",
        "example",
        "choices",
        "when",
        "constraints",
        "subject",
    }
)


def _read_field(
    reader: _Reader, raw: Any, key: str, earlier: Mapping[str, Field]
) -> Field:
    entry = reader.mapping(raw, key)
    unknown = set(entry) - _FIELD_KEYS
    if unknown:
        raise reader.fail(key, f"unknown keys {sorted(unknown)}")
    name = reader.identifier(reader.required(entry, "name", key), f"{key}.name")
    if name in earlier:
        raise reader.fail(f"{key}.name", f"duplicate field name {name!r}")
    field_type = reader.string(reader.required(entry, "type", key), f"{key}.type")
    if field_type not in FIELD_TYPES:
        raise reader.fail(
            f"{key}.type",
            f"unknown field type {field_type!r} (allowed: {', '.join(sorted(FIELD_TYPES))})",
        )
    choices: list[Choice] = []
    if field_type == "choice":
        raw_choices = entry.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            raise reader.fail(
                f"{key}.choices", "a choice field needs a list of choices"
            )
        for index, item in enumerate(raw_choices):
            choice_key = f"{key}.choices[{index}]"
            choice = reader.mapping(item, choice_key)
            value = reader.identifier(
                reader.required(choice, "value", choice_key), f"{choice_key}.value"
            )
            if any(c.value == value for c in choices):
                raise reader.fail(f"{choice_key}.value", f"duplicate choice {value!r}")
            label = reader.text(
                reader.required(choice, "label", choice_key), f"{choice_key}.label"
            )
            aliases = choice.get("aliases") or []
            if not isinstance(aliases, list) or not all(
                isinstance(a, str) for a in aliases
            ):
                raise reader.fail(
                    f"{choice_key}.aliases", "aliases must be a list of words"
                )
            choices.append(Choice(value=value, label=label, aliases=tuple(aliases)))
    elif entry.get("choices"):
        raise reader.fail(f"{key}.choices", "only choice fields have choices")
    constraints = entry.get("constraints") or {}
    reader.mapping(constraints, f"{key}.constraints")
    subject = reader.string(entry.get("subject", "applicant"), f"{key}.subject")
    if subject not in SUBJECTS:
        raise reader.fail(
            f"{key}.subject",
            f"unknown subject {subject!r} (allowed: {', '.join(SUBJECTS)})",
        )
    when = (
        reader.condition(entry["when"], f"{key}.when", earlier)
        if entry.get("when") is not None
        else None
    )
    return Field(
        name=name,
        type=field_type,
        required=reader.boolean(entry.get("required", True), f"{key}.required"),
        prompt=reader.text(reader.required(entry, "prompt", key), f"{key}.prompt"),
        label=reader.optional_text(entry, "label", key),
        example=reader.optional_text(entry, "example", key),
        choices=tuple(choices),
        when=when,
        constraints=MappingProxyType(dict(constraints)),
        subject=subject,
    )


def _read_service(
    path: Path, departments: Mapping[str, Department], seen: Mapping[str, Path]
) -> Service:
    reader = _Reader(path)
    raw = reader.mapping(reader.load(), "(file)")
    unknown = set(raw) - _SERVICE_KEYS
    if unknown:
        raise reader.fail("(file)", f"unknown keys {sorted(unknown)}")
    service_id = reader.identifier(reader.required(raw, "id", ""), "id")
    if service_id in seen:
        raise reader.fail(
            "id", f"duplicate service id {service_id!r} (also in {seen[service_id]})"
        )
    if path.stem != service_id:
        raise reader.fail(
            "id", f"{service_id!r} must match the file name {path.stem!r}"
        )
    code = reader.string(reader.required(raw, "code", ""), "code")
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise reader.fail("code", f"{code!r} must be three capital letters, e.g. BIR")
    department = reader.string(reader.required(raw, "department", ""), "department")
    if department not in departments:
        raise reader.fail(
            "department",
            f"unknown department {department!r} (known: {', '.join(departments)})",
        )
    raw_synonyms = reader.mapping(reader.required(raw, "synonyms", ""), "synonyms")
    synonyms: dict[str, tuple[str, ...]] = {}
    for language in LANGUAGES:
        values = raw_synonyms.get(language)
        if not isinstance(values, list) or not values:
            raise reader.fail(
                f"synonyms.{language}", "missing language key or empty list"
            )
        synonyms[language] = tuple(
            reader.string(v, f"synonyms.{language}[{i}]") for i, v in enumerate(values)
        )
    if set(raw_synonyms) - set(LANGUAGES):
        raise reader.fail("synonyms", "unknown language keys")

    eligibility: list[EligibilityRule] = []
    raw_rules = raw.get("eligibility") or []
    if not isinstance(raw_rules, list):
        raise reader.fail("eligibility", "must be a list")
    for index, item in enumerate(raw_rules):
        key = f"eligibility[{index}]"
        rule = reader.mapping(item, key)
        eligibility.append(
            EligibilityRule(
                text=reader.text(reader.required(rule, "text", key), f"{key}.text"),
            )
        )

    raw_fee = reader.mapping(reader.required(raw, "fee", ""), "fee")
    amount = reader.required(raw_fee, "amount_inr", "fee")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise reader.fail("fee.amount_inr", "must be a whole number of rupees >= 0")
    fee = Fee(amount_inr=amount, note=reader.optional_text(raw_fee, "note", "fee"))

    sla_days = reader.required(raw, "sla_days", "")
    if isinstance(sla_days, bool) or not isinstance(sla_days, int) or sla_days < 1:
        raise reader.fail("sla_days", "must be a whole number of days >= 1")

    raw_fields = reader.required(raw, "fields", "")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise reader.fail("fields", "must be a non-empty list")
    earlier: dict[str, Field] = {}
    for index, item in enumerate(raw_fields):
        parsed = _read_field(reader, item, f"fields[{index}]", earlier)
        earlier[parsed.name] = parsed

    documents: list[Document] = []
    raw_documents = raw.get("documents") or []
    if not isinstance(raw_documents, list):
        raise reader.fail("documents", "must be a list")
    for index, item in enumerate(raw_documents):
        key = f"documents[{index}]"
        entry = reader.mapping(item, key)
        doc_type = reader.identifier(reader.required(entry, "type", key), f"{key}.type")
        if doc_type in earlier:
            raise reader.fail(f"{key}.type", f"{doc_type!r} is also a field name")
        if any(d.type == doc_type for d in documents):
            raise reader.fail(f"{key}.type", f"duplicate document type {doc_type!r}")
        documents.append(
            Document(
                type=doc_type,
                name=reader.text(reader.required(entry, "name", key), f"{key}.name"),
                required=reader.boolean(entry.get("required", True), f"{key}.required"),
                when=reader.condition(entry["when"], f"{key}.when", earlier)
                if entry.get("when") is not None
                else None,
            )
        )

    raw_source = reader.mapping(reader.required(raw, "source", ""), "source")
    checked = reader.required(raw_source, "checked", "source")
    if not isinstance(checked, date):
        raise reader.fail("source.checked", "must be a date (YYYY-MM-DD)")
    note = raw_source.get("note")
    source = Source(
        url=reader.string(reader.required(raw_source, "url", "source"), "source.url"),
        checked=checked,
        note=reader.string(note, "source.note") if note is not None else None,
    )

    return Service(
        id=service_id,
        code=code,
        department=department,
        names=reader.text(reader.required(raw, "names", ""), "names"),
        synonyms=MappingProxyType(synonyms),
        how_it_works=reader.text(
            reader.required(raw, "how_it_works", ""), "how_it_works"
        ),
        eligibility=tuple(eligibility),
        fee=fee,
        sla_days=sla_days,
        fields=tuple(earlier.values()),
        documents=tuple(documents),
        source=source,
    )


def load_catalog(path: Path | None = None) -> Catalog:
    """Reads and checks a catalog folder.

    Services are ordered by department (the order of ``departments.yml``), then by file
    name.

    Args:
        path: Folder holding ``departments.yml`` and ``services/``; the package folder
            when None.

    Returns:
        The catalog.

    Raises:
        CatalogError: A file is missing or invalid (the message names file and key).
    """
    folder = Path(path) if path is not None else DEFAULT_DIR
    departments_file = folder / "departments.yml"
    if not departments_file.is_file():
        raise CatalogError(departments_file, "(file)", "missing")
    departments = _read_departments(departments_file)
    files = sorted((folder / "services").glob("*.yml"))
    if not files:
        raise CatalogError(folder / "services", "(folder)", "holds no service files")
    services: dict[str, Service] = {}
    seen: dict[str, Path] = {}
    codes: dict[str, Path] = {}
    for file in files:
        service = _read_service(file, departments, seen)
        if service.code in codes:
            raise CatalogError(
                file,
                "code",
                f"{service.code!r} is also the code of {codes[service.code]}",
            )
        services[service.id] = service
        seen[service.id] = file
        codes[service.code] = file
    order = {department: index for index, department in enumerate(departments)}
    ordered = sorted(services.values(), key=lambda s: (order[s.department], s.id))
    return Catalog(
        departments=MappingProxyType(departments),
        services=tuple(ordered),
        main_menu=_read_main_menu(departments_file, services),
    )
