"""Every example the form shows a citizen must itself be a valid answer."""

from datetime import date

import pytest

from actions.reading import field_constraints
from actions.validators import Choice, Valid, validate
from catalog.loader import load_catalog

CATALOG = load_catalog()
FIELDS = [
    (service.id, item)
    for service in CATALOG
    for item in service.fields
    if item.example is not None
    and item.type not in ("choice", "yes_no")
    # mobile examples are shown masked (98XXXXXX10) on purpose
    and not (item.type == "mobile" and "X" in item.example["en"].upper())
]


@pytest.mark.parametrize(
    ("service_id", "item"), FIELDS, ids=[f"{s}.{f.name}" for s, f in FIELDS]
)
@pytest.mark.parametrize("language", ["en", "hi", "hinglish"])
def test_catalog_examples_pass_their_own_validator(service_id, item, language):
    example = item.example[language]
    result = validate(
        item.type,
        example,
        language=language,
        today=date(2026, 11, 28),
        constraints=field_constraints(item),
        choices=[Choice(c.value, c.label, c.aliases) for c in item.choices],
    )
    assert isinstance(result, Valid), (
        f"{service_id}.{item.name} example {example!r}: {result}"
    )
