from datetime import date

import pytest

from actions import validators
from actions.validators import Choice, Invalid, Valid, validate

TODAY = date(2026, 11, 28)


def check(field_type, text, **kwargs):
    kwargs.setdefault("language", "en")
    kwargs.setdefault("today", TODAY)
    return validate(field_type, text, **kwargs)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ramesh kumar sharma", "Ramesh Kumar Sharma"),
        ("रमेश कुमार", "रमेश कुमार"),
        ("mera naam Sita Devi hai", "Sita Devi"),
        ("my name is Anil D'Souza", "Anil D'souza"),
        ("मेरा नाम प्रिया गुप्ता", "प्रिया गुप्ता"),
    ],
)
def test_names_in_either_script(text, value):
    assert check("name", text) == Valid(value, value)


@pytest.mark.parametrize("text", ["12345", "a", "ram@123", "x" * 61, "!!"])
def test_not_names(text):
    assert check("name", text) == Invalid("name")


@pytest.mark.parametrize(
    "text",
    [
        "15/08/2020",
        "15-08-2020",
        "15.08.2020",
        "15 aug 2020",
        "15 August 2020",
        "15 अगस्त 2020",
        "१५/०८/२०२०",
        "2020-08-15",
    ],
)
def test_dates_in_common_formats_and_hindi(text):
    assert check("date", text) == Valid("2020-08-15", "15/08/2020")


def test_future_birth_date_is_refused():
    assert check("date", "01/01/2030", constraints={"past_only": True}) == Invalid(
        "date_in_future"
    )
    assert isinstance(check("date", "01/01/2030"), Valid)


@pytest.mark.parametrize("text", ["kal", "not a date", "32/13/2020", "15 aug"])
def test_unreadable_dates(text):
    assert check("date", text) == Invalid("date")


def test_too_old_date():
    assert check("date", "01/01/1850") == Invalid("date_too_old")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("haan", True),
        ("yes", True),
        ("हाँ", True),
        ("ji haan", True),
        ("/affirm", True),
        ("nahi", False),
        ("no", False),
        ("नहीं", False),
        ("/deny", False),
    ],
)
def test_yes_no_in_three_languages(text, expected):
    result = check("yes_no", text)
    assert isinstance(result, Valid) and result.value is expected


def test_yes_no_rejects_other_text():
    assert check("yes_no", "maybe tomorrow") == Invalid("yes_no")


GENDER = [
    Choice("male", {"en": "Male", "hi": "पुरुष", "hinglish": "Purush"}),
    Choice("female", {"en": "Female", "hi": "महिला", "hinglish": "Mahila"}),
    Choice("other", {"en": "Other", "hi": "अन्य", "hinglish": "Anya"}),
]


@pytest.mark.parametrize(
    ("text", "language", "value", "display"),
    [
        ("female", "en", "female", "Female"),
        ("महिला", "hi", "female", "महिला"),
        ("mahila", "hinglish", "female", "Mahila"),
        ("2", "en", "female", "Female"),
        ("femal", "en", "female", "Female"),
        ("male", "hi", "male", "पुरुष"),
    ],
)
def test_choices_by_label_number_or_payload(text, language, value, display):
    assert check("choice", text, choices=GENDER, language=language) == Valid(
        value, display
    )


def test_unknown_choice_lists_options_in_language():
    result = check("choice", "xyz", choices=GENDER, language="hi")
    assert result == Invalid("choice", {"options": "पुरुष, महिला, अन्य"})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250000", 250000),
        ("2,50,000", 250000),
        ("2.5 lakh", 250000),
        ("Rs 80000", 80000),
        ("₹ 1.2 लाख", 120000),
        ("५००००", 50000),
    ],
)
def test_amounts(text, value):
    result = check("number", text)
    assert isinstance(result, Valid) and result.value == value


def test_amount_range_and_garbage():
    assert check("number", "abc") == Invalid("number")
    assert check("number", "900000", constraints={"max": 800000}).code == "number_range"


def test_email_and_text():
    assert check("email", "Ram@Example.com") == Valid(
        "ram@example.com", "ram@example.com"
    )
    assert check("email", "ram at example") == Invalid("email")
    assert isinstance(check("text", "H.No 12, Gali 4, Laxmi Nagar"), Valid)
    assert check("text", "12") == Invalid("text")


def test_clean_removes_zero_width_and_devanagari_digits():
    assert validators.clean("११००\u200d९२  ") == "110092"


def test_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError):
        check("colour", "red")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("is DLC-BIR-2026-000123 real?", "DLC-BIR-2026-000123"),
        ("प्रमाण पत्र dlc bir 2026 000123 असली है?", "DLC-BIR-2026-000123"),
        ("verify DL-BIR-2026-000123", None),
    ],
)
def test_certificate_numbers_are_found_in_messages(text, number):
    from actions.tracking import certificate_number_in

    assert certificate_number_in(text) == number


@pytest.mark.parametrize(
    ("text", "language", "value", "shown"),
    [
        ("uttar purv", "hinglish", "north_east", "Uttar Purv"),
        ("Shahdara", "en", "north_east", "North East"),
        ("दक्षिण पूर्व", "hi", "south_east", "दक्षिण पूर्व"),
    ],
)
def test_districts_are_echoed_in_the_citizens_language(text, language, value, shown):
    assert check("district", text, language=language) == Valid(value, shown)
