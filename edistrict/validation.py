"""Checks an application's answers against its catalog service's fields.

Identifiers (Aadhaar, mobile, PIN code, district) follow the same rules as the assistant's
validators: the shared ``delhi/`` package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from delhi import aadhaar, districts, mobile, pincode
from edistrict.catalog import choice_values


class FieldError(ValueError):
    """An answer is missing, unknown or malformed.

    Attributes:
        field: The field's name.
        message: What is wrong, for the caller.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[\s.'\-\u0900-\u097F])*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(name, "must be a non-empty text")
    if len(value) > 500:
        raise FieldError(name, "is longer than 500 characters")
    return value.strip()


def _digits(name: str, value: Any, count: int, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(name, f"must be a {what} ({count} digits)")
    digits = re.sub(r"[\s-]", "", str(value))
    if not digits.isdigit() or len(digits) != count:
        raise FieldError(name, f"must be a {what} ({count} digits)")
    return digits


def check_value(field_type: str, name: str, value: Any, spec: Any = None) -> Any:
    """Validates and normalises one answer.

    Args:
        field_type: Catalog field type (name, date, aadhaar, mobile, ...).
        name: Field name, for messages.
        value: The answer.
        spec: The catalog field (for choices and constraints).

    Returns:
        The normalised value.

    Raises:
        FieldError: When the value does not fit the type.
    """
    if field_type == "name":
        text = _text(name, value)
        if not _NAME.match(text) or len(text) > 100:
            raise FieldError(name, "must be a person's name (letters and spaces)")
        return text
    if field_type == "date":
        if not isinstance(value, str):
            raise FieldError(name, "must be a date as YYYY-MM-DD")
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(name, "must be a date as YYYY-MM-DD") from None
        constraints = getattr(spec, "constraints", None) or {}
        if isinstance(constraints, Mapping) and constraints.get("past_only"):
            if parsed > date.today():
                raise FieldError(name, "must not be in the future")
        return parsed.isoformat()
    if field_type == "aadhaar":
        digits = _digits(name, value, 12, "Aadhaar number")
        if not aadhaar.is_valid(digits):
            raise FieldError(name, "must be a valid Aadhaar number (checksum)")
        return digits
    if field_type == "mobile":
        number = mobile.normalise(str(value)) if isinstance(value, str | int) else None
        if isinstance(value, bool) or number is None:
            raise FieldError(
                name, "must be an Indian mobile number (10 digits, 6-9 first)"
            )
        return number[3:]  # stored as 10 digits
    if field_type == "pincode":
        digits = _digits(name, value, 6, "PIN code")
        if not pincode.is_delhi_pincode(digits):
            raise FieldError(name, "must be a Delhi PIN code (110001-110097)")
        return digits
    if field_type == "district":
        if not isinstance(value, str) or not districts.is_district_id(value.strip()):
            raise FieldError(name, "must be a Delhi district id, e.g. south_east")
        return value.strip()
    if field_type == "choice":
        allowed = choice_values(spec)
        if not isinstance(value, str) or (allowed and value not in allowed):
            raise FieldError(name, f"must be one of: {', '.join(allowed)}")
        return value
    if field_type == "yes_no":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"yes", "no"}:
            return value.lower() == "yes"
        raise FieldError(name, "must be yes or no (true/false)")
    if field_type == "number":
        if isinstance(value, bool):
            raise FieldError(name, "must be a number")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
            text = value.strip()
            return float(text) if "." in text else int(text)
        raise FieldError(name, "must be a number")
    if field_type == "email":
        text = _text(name, value)
        if not _EMAIL.match(text):
            raise FieldError(name, "must be an e-mail address")
        return text
    return _text(name, value)


def validate_answers(service: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validates all answers of an application against the service's fields.

    Fields whose ``when`` condition does not hold are not required and are dropped.

    Args:
        service: The catalog service.
        answers: The submitted field values by name.

    Returns:
        The normalised answers of the fields that apply.

    Raises:
        FieldError: For the first unknown, missing or malformed field.
    """
    specs = {f.name: f for f in service.fields}
    for name in answers:
        if name not in specs:
            raise FieldError(name, f"is not a field of service '{service.id}'")
    cleaned: dict[str, Any] = {}
    for name, spec in specs.items():
        if not spec.applies({**answers, **cleaned}):
            continue
        value = answers.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                raise FieldError(name, "is required")
            continue
        cleaned[name] = check_value(spec.type, name, value, spec)
    return cleaned
