"""What a certificate says: its holder and its rows, in Hindi and English.

The certificate PDF (:mod:`edistrict.certificates`) prints what this module builds from an
application's answers and its catalog service:

- the holder: the person the certificate is about, from the form (never the WhatsApp
  profile name or a phone number): the services in :data:`HOLDER_FIELDS` name theirs,
  every other service's holder is its first answered field of type ``name``;
- one row per answered field, labelled with the catalog label in Hindi and English
  (``पिता का नाम / Father's name``), the value made readable: a choice's label, yes/no
  as ``हाँ / Yes``, a date as DD-MM-YYYY, a district id as the district's names;
- the privacy policy (:data:`OMITTED_TYPES`, :data:`OMITTED_NAME_PARTS`,
  :data:`MASKED_TYPES`): mobile numbers, e-mail addresses and bank details (a field
  whose name contains ``bank``, ``account`` or ``ifsc``) are left out, an Aadhaar
  number is printed masked (``XXXX XXXX 1234``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from delhi import districts as delhi_districts

# The holder's name fields, by service, where the holder is not the first name-typed field
# of the form (the applicant of these services is someone else, or there are two holders).
HOLDER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "marriage_registration": ("husband_name", "wife_name"),
    "special_marriage_registration": ("husband_name", "wife_name"),
    "delayed_birth_registration": ("person_name",),
    "delayed_death_registration": ("person_name",),
    "non_availability_birth_certificate": ("person_name",),
}

# Privacy policy of the certificate (the one place it is decided).
# Field types never printed: contact details, not facts the certificate attests.
OMITTED_TYPES = frozenset({"mobile", "email"})
# Fields never printed whatever their type: a name containing one of these.
OMITTED_NAME_PARTS = ("bank", "account", "ifsc", "mobile", "phone", "email")
# Field types printed masked, only their last four digits shown.
MASKED_TYPES = frozenset({"aadhaar"})

# Text-typed fields whose name ends in ``_name`` but that do not name a person (used only
# when the catalog service is not at hand, e.g. on the public verification page).
_NOT_PERSON_NAMES = frozenset({"caste_name", "trade_name"})

YES = "हाँ / Yes"
NO = "नहीं / No"


@dataclass(frozen=True)
class CertificateRow:
    """One printed particular: bilingual label and readable value."""

    label: str
    value: str


def _text(value: Any, language: str) -> str | None:
    """The ``language`` entry of a catalog text (a mapping or an object), or None."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        text = value.get(language)
    else:
        text = getattr(value, language, None)
    return str(text).strip() if text else None


def _bilingual(hi: str | None, en: str | None) -> str | None:
    if hi and en and hi != en:
        return f"{hi} / {en}"
    return hi or en


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _fields(service: Any) -> list[Any]:
    return list(getattr(service, "fields", None) or ()) if service is not None else []


def _is_person_name(name: str, field_type: str | None) -> bool:
    if field_type is not None:
        return field_type == "name"
    return name == "head_of_family" or (
        name.endswith("_name") and name not in _NOT_PERSON_NAMES
    )


def holder_names(
    service_id: str, answers: Mapping[str, Any], service: Any = None
) -> tuple[str, ...]:
    """The names of the certificate's holder(s), from the form's answers.

    Args:
        service_id: The catalog service id.
        answers: The application's answers (stored in the catalog's field order).
        service: The catalog service, when at hand (its ``name``-typed fields); without
            it, answers named ``*_name`` (or ``head_of_family``) stand for them.

    Returns:
        One name, two for a marriage; empty when the form names nobody.
    """
    explicit = HOLDER_FIELDS.get(service_id)
    if explicit:
        names = tuple(
            str(answers[key]).strip()
            for key in explicit
            if isinstance(answers.get(key), str) and answers[key].strip()
        )
        if names:
            return names
    specs = _fields(service)
    if specs:
        candidates = [f.name for f in specs if _is_person_name(f.name, f.type)]
    else:
        candidates = [key for key in answers if _is_person_name(key, None)]
    for key in candidates:
        value = answers.get(key)
        if isinstance(value, str) and value.strip():
            return (value.strip(),)
    return ()


def holder_name(
    service_id: str, answers: Mapping[str, Any], service: Any = None
) -> str:
    """The holder's name as one text (two holders joined by a comma); ``-`` if none.

    Args:
        service_id: The catalog service id.
        answers: The application's answers.
        service: The catalog service, when at hand.

    Returns:
        The name.
    """
    return ", ".join(holder_names(service_id, answers, service)) or "-"


def mask_aadhaar(value: Any) -> str:
    """``XXXX XXXX 1234``: only the last four digits of an Aadhaar number.

    Args:
        value: The number, with or without spaces.

    Returns:
        The masked number (``XXXX XXXX XXXX`` when fewer than four digits are given).
    """
    digits = re.sub(r"\D", "", str(value))
    last = digits[-4:] if len(digits) >= 4 else "XXXX"
    return f"XXXX XXXX {last}"


def is_omitted(name: str, field_type: str | None) -> bool:
    """Whether the policy leaves this field out of the certificate.

    Args:
        name: The field's name.
        field_type: Its catalog type (None when unknown).

    Returns:
        True for contact details and bank details.
    """
    lowered = name.lower()
    return field_type in OMITTED_TYPES or any(
        part in lowered for part in OMITTED_NAME_PARTS
    )


def _effective_type(name: str, spec: Any) -> str | None:
    field_type = getattr(spec, "type", None) if spec is not None else None
    if field_type is None and "aadhaar" in name.lower():
        return "aadhaar"
    return str(field_type) if field_type is not None else None


def _choice_label(spec: Any, value: Any) -> str | None:
    for choice in getattr(spec, "choices", None) or ():
        if isinstance(choice, Mapping):
            choice_value, label = choice.get("value"), choice.get("label")
        else:
            choice_value = getattr(choice, "value", None)
            label = getattr(choice, "label", None)
        if str(choice_value) == str(value):
            return _bilingual(_text(label, "hi"), _text(label, "en"))
    return None


def district_name(value: Any) -> str | None:
    """``उत्तर पश्चिम / North West`` for a district id (or any known name of it).

    Args:
        value: A district id such as ``north_west``, or a name of a district.

    Returns:
        The district's Hindi and English names, or None for an unknown district.
    """
    text = str(value).strip()
    district_id = (
        text if delhi_districts.is_district_id(text) else delhi_districts.lookup(text)
    )
    for district in delhi_districts.districts():
        if district.id == district_id:
            hi = district.names.get("hi", ())
            en = district.names.get("en", ())
            return _bilingual(hi[0] if hi else None, en[0] if en else None)
    return None


def department_name(catalog: Any, department_id: str) -> str:
    """The department's Hindi and English names, from the catalog's departments.

    Args:
        catalog: The loaded catalog (its ``departments`` by id), or None.
        department_id: A department id such as ``social_welfare``.

    Returns:
        ``समाज कल्याण विभाग / Department of Social Welfare``; the id in words when the
        catalog does not list the department.
    """
    departments = getattr(catalog, "departments", None)
    entry = departments.get(department_id) if isinstance(departments, Mapping) else None
    if entry is not None:
        names = entry.get("names") if isinstance(entry, Mapping) else entry.names
        shown = _bilingual(_text(names, "hi"), _text(names, "en"))
        if shown:
            return shown
    return _humanise(department_id)


def _date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    try:
        return date.fromisoformat(str(value).strip()).strftime("%d-%m-%Y")
    except ValueError:
        return None


def _yes_no(value: Any) -> str | None:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, str) and value.strip().lower() in {
        "yes",
        "no",
        "true",
        "false",
    }:
        return YES if value.strip().lower() in {"yes", "true"} else NO
    return None


def display_value(name: str, value: Any, spec: Any = None) -> str:
    """An answer as printed on the certificate.

    Args:
        name: The field's name.
        value: The stored answer.
        spec: The catalog field (type, choices), when known.

    Returns:
        The readable value (masked for an Aadhaar number).
    """
    field_type = _effective_type(name, spec)
    shown: str | None = None
    if field_type in MASKED_TYPES:
        shown = mask_aadhaar(value)
    elif isinstance(value, bool) or field_type == "yes_no":
        shown = _yes_no(value)
    elif field_type == "choice":
        shown = _choice_label(spec, value)
    elif field_type == "date":
        shown = _date(value)
    elif field_type == "district":
        shown = district_name(value)
    if shown is None and field_type == "choice":
        # A value no longer among the catalog's choices: its code, in words.
        shown = _humanise(str(value))
    elif shown is None and field_type is None and isinstance(value, str):
        # A field no longer in the catalog: a code-like value, in words.
        if re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)+", value.strip()):
            shown = district_name(value) or _humanise(value)
    return shown if shown is not None else str(value).strip()


def field_label(name: str, spec: Any = None) -> str:
    """``पिता का नाम / Father's name``: the catalog label in Hindi and English.

    Args:
        name: The field's name.
        spec: The catalog field, when known.

    Returns:
        The label (the name in words when the catalog gives none).
    """
    label = getattr(spec, "label", None) if spec is not None else None
    return _bilingual(_text(label, "hi"), _text(label, "en")) or _humanise(name)


def certificate_rows(
    answers: Mapping[str, Any], service: Any = None
) -> list[CertificateRow]:
    """The certificate's particulars, in the catalog's field order.

    Skipped (None or empty) answers and the fields the policy omits are left out; answers
    to fields no longer in the catalog come last.

    Args:
        answers: The application's answers.
        service: The catalog service (labels, types, choices), when at hand.

    Returns:
        The rows to print.
    """
    specs = {f.name: f for f in _fields(service)}
    order: Iterable[str] = [*specs, *(key for key in answers if key not in specs)]
    rows: list[CertificateRow] = []
    for name in order:
        if name not in answers:
            continue
        value = answers[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        spec = specs.get(name)
        if is_omitted(name, _effective_type(name, spec)):
            continue
        rows.append(
            CertificateRow(field_label(name, spec), display_value(name, value, spec))
        )
    return rows
