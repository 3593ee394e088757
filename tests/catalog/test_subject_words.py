"""Prompts and labels speak about the right person (the field's ``subject``), ages are
asked in years, examples fit their own field, and only certificates are called certificates.

Issue 10: the death certificate asked "What is the applicant's gender?" about the deceased,
a widow was asked for her "spouse (write skip if unmarried)", an age answered "40 years" was
refused. The examples of text-like fields are checked by
``tests/actions/test_catalog_examples.py``; the choice and yes/no examples it leaves out are
checked here, the same way the form checks an answer (``actions.form_steps._answer_field``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from actions.reading import field_constraints
from actions.validators import Choice, Valid, validate
from catalog.loader import load_catalog
from catalog.model import CatalogError
from tests.catalog.test_catalog import copy_catalog, edit, rejects

CATALOG = load_catalog()
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "catalog" / "schema.json").read_text(
        encoding="utf-8"
    )
)
SUBJECTS = SCHEMA["definitions"]["field"]["properties"]["subject"]["enum"]
LANGUAGES = ("en", "hi", "hinglish")
TODAY = date(2026, 11, 28)

# Words that name the applicant: wrong in a field about someone else.
APPLICANT_WORDS = {
    "en": ("applicant",),
    "hi": ("आवेदक",),
    "hinglish": ("aavedak", "avedak"),
}

# One of these must begin a word of the prompt of a field about that subject.
SUBJECT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "child": {
        "en": ("child", "baby", "girl", "boy"),
        "hi": ("बच्च", "शिशु", "बालिका"),
        "hinglish": ("bachch", "shishu"),
    },
    "deceased": {
        "en": ("died", "die", "deceased", "late"),
        "hi": ("मृतक", "स्वर्गीय", "दिवंगत"),
        "hinglish": ("guzarne", "guzre", "mrit", "swargiya", "late"),
    },
    "spouse": {
        "en": ("husband", "wife", "spouse"),
        "hi": ("पति", "पत्नी"),
        "hinglish": ("pati", "patni"),
    },
    "daughter": {
        "en": ("daughter",),
        "hi": ("बेटी", "पुत्री"),
        "hinglish": ("beti",),
    },
    "father": {"en": ("father",), "hi": ("पिता",), "hinglish": ("pita",)},
    "mother": {
        "en": ("mother",),
        "hi": ("माता", "माँ", "मां"),
        "hinglish": ("mata", "maa"),
    },
    "groom": {
        "en": ("groom", "husband"),
        "hi": ("पति", "दूल्ह"),
        "hinglish": ("dulh", "pati"),
    },
    "bride": {
        "en": ("bride", "wife"),
        "hi": ("पत्नी", "वधू", "दुल्हन"),
        "hinglish": ("dulhan", "patni", "vadhu"),
    },
    "person": {"en": ("person",), "hi": ("व्यक्ति",), "hinglish": ("vyakti",)},
}

# Service ids of things that are not certificates, and how a certificate is called.
NOT_A_CERTIFICATE = re.compile(r"pension|card|licence|scheme|registration|noc")
CERTIFICATE_WORDS = (
    "certificate",
    "praman patra",
    "praman patr",
    "प्रमाण पत्र",
    "प्रमाणपत्र",
    "सर्टिफिकेट",
)

AGE_OR_YEARS = re.compile(r"(^|_)(age|years?)(_|$)")
YEAR_WORDS = {"en": ("year",), "hi": ("वर्ष", "साल"), "hinglish": ("saal", "varsh")}


def starts_a_word(text: str, word: str) -> bool:
    """Whether ``word`` begins a word of ``text`` (case-insensitive; Devanagari aware)."""
    return bool(
        re.search(rf"(?<![\w\u0900-\u097F]){re.escape(word)}", text, re.IGNORECASE)
    )


FIELDS = [(service.id, item) for service in CATALOG for item in service.fields]
OTHERS = [(s, f) for s, f in FIELDS if f.subject != "applicant"]


def ids(pairs):
    return [f"{s}.{f.name}" for s, f in pairs]


# ---------- the format ----------


def test_the_schema_and_the_tests_know_the_same_subjects():
    assert SUBJECTS[0] == "applicant"
    assert set(SUBJECT_WORDS) == set(SUBJECTS) - {"applicant"}


def test_subject_defaults_to_the_applicant():
    death = CATALOG["death_certificate"]
    assert death.field_named("mobile").subject == "applicant"
    assert death.field_named("deceased_gender").subject == "deceased"
    assert CATALOG["birth_certificate"].field_named("child_gender").subject == "child"


def test_every_subject_is_used_somewhere():
    assert {f.subject for _, f in FIELDS} == set(SUBJECTS)


def test_the_loader_rejects_an_unknown_subject(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(folder, "birth_certificate", lambda d: d["fields"][1].update(subject="baby"))
    with pytest.raises(CatalogError):
        load_catalog(folder)
    rejects(
        folder, "birth_certificate.yml", "fields[1].subject", "unknown subject 'baby'"
    )


# ---------- the words ----------


@pytest.mark.parametrize(("service_id", "item"), OTHERS, ids=ids(OTHERS))
def test_a_field_about_someone_else_does_not_name_the_applicant(service_id, item):
    for language in LANGUAGES:
        for text in (item.prompt[language], item.label[language] if item.label else ""):
            for words in APPLICANT_WORDS.values():
                for word in words:
                    assert word not in text.lower(), (
                        f"{service_id}.{item.name} ({item.subject}) {language}: {text!r}"
                    )


@pytest.mark.parametrize(("service_id", "item"), OTHERS, ids=ids(OTHERS))
def test_a_field_about_someone_else_names_that_person(service_id, item):
    for language in LANGUAGES:
        prompt = item.prompt[language]
        words = SUBJECT_WORDS[item.subject][language]
        assert any(starts_a_word(prompt, word) for word in words), (
            f"{service_id}.{item.name} ({item.subject}) {language} prompt {prompt!r} "
            f"names none of {words}"
        )


@pytest.mark.parametrize(
    ("service_id", "item"),
    [(s, f) for s, f in FIELDS if f.subject == "spouse"],
    ids=ids([(s, f) for s, f in FIELDS if f.subject == "spouse"]),
)
def test_a_spouse_is_asked_only_of_those_who_have_one(service_id, item):
    """A husband's or wife's name needs a `when` on an earlier answer (married, widow...)."""
    assert item.when is not None, f"{service_id}.{item.name} is asked of everyone"
    assert item.required, f"{service_id}.{item.name}: asked only when it applies"


@pytest.mark.parametrize(("service_id", "item"), FIELDS, ids=ids(FIELDS))
def test_no_prompt_asks_the_unmarried_to_skip(service_id, item):
    """'Write skip if not married' does not fit a widow: use a `when` condition instead."""
    prompt = " ".join(item.prompt[language].lower() for language in LANGUAGES)
    for words in ("not married", "अविवाहित", "shaadi nahi hui"):
        assert words not in prompt, f"{service_id}.{item.name}"


YEARS = [
    (s, f) for s, f in FIELDS if f.type == "number" and AGE_OR_YEARS.search(f.name)
]


def test_there_are_fields_counted_in_years():
    assert YEARS


@pytest.mark.parametrize(("service_id", "item"), YEARS, ids=ids(YEARS))
def test_an_age_or_a_count_of_years_is_asked_in_years_with_a_plain_number(
    service_id, item
):
    assert item.example is not None
    for language in LANGUAGES:
        example, prompt = item.example[language], item.prompt[language]
        assert re.fullmatch(r"\d+", example), f"{service_id}.{item.name}: {example!r}"
        assert example in prompt, f"{service_id}.{item.name} {language}: no example"
        assert any(w in prompt.lower() for w in YEAR_WORDS[language]), (
            f"{service_id}.{item.name} {language}: {prompt!r} does not say years"
        )


@pytest.mark.parametrize("service", CATALOG.services, ids=lambda s: s.id)
def test_only_a_certificate_is_named_certificate(service):
    if not NOT_A_CERTIFICATE.search(service.id) or "certificate" in service.id:
        return
    for language in LANGUAGES:
        name = service.names[language].lower()
        assert not any(word in name for word in CERTIFICATE_WORDS), (
            f"{service.id} {language}: {service.names[language]!r}"
        )


# ---------- the examples the action test leaves out ----------

PICKED = [
    (s, f)
    for s, f in FIELDS
    if f.example is not None and f.type in ("choice", "yes_no")
]


@pytest.mark.parametrize(("service_id", "item"), PICKED, ids=ids(PICKED))
@pytest.mark.parametrize("language", LANGUAGES)
def test_choice_and_yes_no_examples_pass_their_own_validator(
    service_id, item, language
):
    example = item.example[language]
    result = validate(
        item.type,
        example,
        language=language,
        today=TODAY,
        constraints=field_constraints(item),
        choices=[Choice(c.value, c.label, c.aliases) for c in item.choices],
    )
    assert isinstance(result, Valid), (
        f"{service_id}.{item.name} example {example!r}: {result}"
    )


def test_examples_fit_the_person():
    """A new-born's birth date is recent; a girl child has a girl's name."""
    birth = CATALOG["birth_certificate"].field_named("child_date_of_birth")
    assert birth.example is not None
    day, month, year = map(int, birth.example["en"].split("/"))
    assert (TODAY - date(year, month, day)).days < 365
    ladli = CATALOG["ladli_scheme"].field_named("child_name")
    assert ladli.example is not None and ladli.example["en"] != "Aarav Sharma"
    couple = CATALOG["marriage_registration"]
    dates = {
        name: couple.field_named(name).example["en"]  # type: ignore[index]
        for name in ("husband_date_of_birth", "wife_date_of_birth", "marriage_date")
    }
    assert len(set(dates.values())) == 3, dates
