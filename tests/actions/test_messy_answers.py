"""Answers as citizens type them: the value wrapped in words, in any order, with a unit.

Each kind was seen in conversations written by people who never read the code; the value
inside must be found, and a message with two candidate values must not be guessed.
"""

from datetime import date

import pytest

from actions import validators as v

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Her Name Is Kamla Malhotra", "Kamla Malhotra"),
        ("जी, मेरा नाम रामस्वरूप गुप्ता है", "रामस्वरूप गुप्ता"),
        ("wife - Poonam Kushwaha", "Poonam Kushwaha"),
        ("papa ka naam ramesh kumar tha", "Ramesh Kumar"),
        ("my father Mahesh Yadav", "Mahesh Yadav"),
        ("मैं सुनीता हूँ", "सुनीता"),
        ("khud ka hi hai, sushila rani", "Sushila Rani"),
        # Names that begin like a prefix keep it.
        ("Mainak Das", "Mainak Das"),
        ("Naman Gupta", "Naman Gupta"),
        ("नामदेव पाटिल", "नामदेव पाटिल"),
    ],
)
def test_names_lose_their_wrapping(text, name):
    assert v.validate_name(text) == v.Valid(name, name)


def test_a_comma_alone_does_not_cut_a_name():
    assert isinstance(v.validate_name("Sharma, Ravi Kumar"), v.Invalid)


@pytest.mark.parametrize(
    "text, code",
    [
        ("sorry ji, 110085", "110085"),
        ("गलती हो गई, ११००८०", "110080"),
        ("110 092", "110092"),
    ],
)
def test_a_pin_code_inside_a_sentence(text, code):
    assert v.validate_pincode(text) == v.Valid(code, code)


def test_two_pin_codes_are_not_guessed():
    assert isinstance(v.validate_pincode("110085 or 110086"), v.Invalid)


@pytest.mark.parametrize(
    "text", ["sorry, 4991 1866 5246", "aadhar 4991-1866-5246", "यह है 499118665246"]
)
def test_an_aadhaar_inside_a_sentence(text):
    assert v.validate_aadhaar(text) == v.Valid("499118665246", "XXXX XXXX 5246")


def test_a_wrong_aadhaar_inside_a_sentence_is_still_wrong():
    assert v.validate_aadhaar("sorry, 1234 5678 9012") == v.Invalid("aadhaar")


@pytest.mark.parametrize(
    "text, iso",
    [
        ("माफ़ कीजिए, 18/11/2026", "2026-11-18"),
        ("sorry it was 5 March 1961", "1961-03-05"),
        ("date of death: 03-10-2026", "2026-10-03"),
        ("born on 2nd Jan 2002", "2002-01-02"),
        ("he was born 3rd of June 1980", "1980-06-03"),
        ("21st March 1990", "1990-03-21"),
        ("2nd अगस्त 2002", "2002-08-02"),
    ],
)
def test_a_date_inside_a_sentence(text, iso):
    result = v.validate_date(text, TODAY)
    assert isinstance(result, v.Valid) and result.value == iso


@pytest.mark.parametrize(
    "example, text, value",
    [
        ("SBIN0001234", "SBIN0001707 जी", "SBIN0001707"),
        ("50100234567890", "khata number 50100234567890 hai", "50100234567890"),
        ("45//12", "खसरा नंबर 45//12", "45//12"),
        ("DL0420190012345", "mera DL 0420190012345 hai", "DL 0420190012345"),
    ],
)
def test_the_identifier_in_an_answer(example, text, value):
    from actions.reading import field_constraints
    from catalog.model import Field

    said = {"en": example, "hi": example, "hinglish": example}
    item = Field(name="code", type="text", required=True, prompt=said, example=said)
    limits = field_constraints(item)
    assert v.validate_text(text, min_letters=limits["min_letters"]).value == value


def test_a_mobile_inside_a_sentence_is_kept_whole_and_echoed_masked():
    assert v.validate_mobile("mera number 98765 43210 hai") == v.Valid(
        "+919876543210", "+91 XXXXXX3210"
    )


@pytest.mark.parametrize(
    "text, value",
    [
        ("24 years, since birth", 24),
        ("40 saal se", 40),
        ("5 लोग", 5),
        ("about 2.5 lakh a year", 250000),
        ("Rs 1,20,000", 120000),
    ],
)
def test_numbers_with_words_around_them(text, value):
    assert v.validate_number(text).value == value


def test_two_numbers_are_not_guessed():
    assert v.validate_number("2 or 3 lakh") == v.Invalid("number")


CHOICES = [
    v.Choice("lmv", {"en": "Car", "hi": "कार", "hinglish": "Car"}),
    v.Choice(
        "mcwg",
        {"en": "Gear wali bike", "hi": "गियर वाली बाइक", "hinglish": "Gear wali bike"},
    ),
    v.Choice(
        "both",
        {"en": "Bike and car", "hi": "बाइक और कार", "hinglish": "Bike aur car dono"},
    ),
]


@pytest.mark.parametrize(
    "text, value",
    [("bike gear wali", "mcwg"), ("car chahiye", "lmv"), ("bike aur car dono", "both")],
)
def test_a_choice_by_its_words_in_any_order(text, value):
    assert v.validate_choice(text, CHOICES, "hinglish").value == value


@pytest.mark.parametrize(
    "text, value",
    [("एक लाख", 100000), ("dhai lakh", 250000), ("5 (me, husband and 3 children)", 5)],
)
def test_spelled_amounts_and_explained_numbers(text, value):
    assert v.validate_number(text).value == value


def test_a_distinctive_word_of_one_choice_picks_it():
    choices = [
        v.Choice("mcwog", {"en": "Motorcycle without gear (scooty)", "hi": "स्कूटी"}),
        v.Choice("mcwg", {"en": "Motorcycle with gear", "hi": "गियर वाली मोटरसाइकिल"}),
    ]
    assert v.validate_choice("scooty", choices, "en").value == "mcwog"
    assert isinstance(v.validate_choice("gear", choices, "en"), v.Invalid)  # both


@pytest.mark.parametrize("text", ["not married", "unmarried", "No, I am not married"])
def test_not_married_is_no(text):
    assert v.validate_yes_no(text) == v.Valid(False, "✗")


def test_a_district_with_a_polite_word():
    assert v.validate_district("जी दक्षिण पूर्वी दिल्ली", "hi").value == "south_east"


@pytest.mark.parametrize(
    "text, number",
    [("mobile 8826 123 456", "+918826123456"), ("+91 98765-43210", "+919876543210")],
)
def test_mobile_numbers_grouped_any_way(text, number):
    assert v.validate_mobile(text).value == number


def test_two_mobile_numbers_are_not_guessed():
    assert isinstance(v.validate_mobile("98765 43210 or 98765 43211"), v.Invalid)


@pytest.mark.parametrize(
    "text, value", [("1 lakh 20 thousand", 120000), ("2 lakh 50 hazaar", 250000)]
)
def test_amounts_in_parts(text, value):
    assert v.validate_number(text).value == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("60000 per year, he says about 5000 a month from odd jobs", 60000),
        ("1.2 लाख सालाना, महीने के 10 हज़ार", 120000),
        ("monthly 8000, so 96000 yearly", 96000),
        ("2 lakh 50 hazar saalana, mahine ke 20 hazar", 250000),
        ("1 lakh 20 thousand per year, 10 thousand a month", 120000),
    ],
)
def test_the_yearly_amount_among_several(text, value):
    assert v.validate_number(text).value == value


@pytest.mark.parametrize(
    "text, name",
    [
        ("दादी का नाम शकुंतला अरोड़ा", "शकुंतला अरोड़ा"),
        ("nani ka naam kamla devi", "Kamla Devi"),
        ("पति का नाम राज कुमार था, पिछले साल गुज़र गए", "राज कुमार"),
        # The name after the relation, whatever comes before it.
        ("परिवार की मुखिया मेरी माँ शांति देवी हैं", "शांति देवी"),
        ("head of the family is my husband Suresh Pal", "Suresh Pal"),
        ("ghar ke mukhiya mere pitaji ram lal hain", "Ram Lal"),
        ("The applicant says her name is Shanno Begum", "Shanno Begum"),
        ("he told me his father's name was Mool Chand", "Mool Chand"),
        ("mere papa ji ka naam Ram Lal hai", "Ram Lal"),
    ],
)
def test_anyones_name_said_as_a_sentence(text, name):
    assert v.validate_name(text) == v.Valid(name, name)


@pytest.mark.parametrize("text", ["मेरी पत्नी", "my wife", "meri mummy"])
def test_a_relation_alone_is_not_a_name(text):
    assert isinstance(v.validate_name(text), v.Invalid)


def test_consent_in_words():
    assert v.validate_yes_no("I give my consent.") == v.Valid(True, "✓")
    assert isinstance(v.validate_yes_no("I do not consent"), v.Invalid)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Mr. Devender Singh Rawat", "Devender Singh Rawat"),
        ("Smt. Kamla Devi", "Kamla Devi"),
        ("उनके पिताजी का नाम हरबंस लाल", "हरबंस लाल"),
        ("naam aarav rakha hai", "Aarav"),
    ],
)
def test_titles_and_naming_words_are_not_the_name(text, name):
    assert v.validate_name(text) == v.Valid(name, name)


@pytest.mark.parametrize(
    "text, value",
    [
        ("mera bank khata 50100234567890", "50100234567890"),
        ("खसरा नंबर 45//12", "45//12"),
        ("DL 5S AB 1234", "DL 5S AB 1234"),  # a number plate is one identifier
    ],
)
def test_an_identifier_inside_a_sentence(text, value):
    assert v.validate_text(text, min_letters=0).value == value


@pytest.mark.parametrize(
    "text, district",
    [
        ("साउथ वेस्ट", "south_west"),
        ("nort west", "north_west"),
        ("नॉर्थ ईस्ट", "north_east"),
    ],
)
def test_districts_as_citizens_spell_them(text, district):
    assert v.validate_district(text, "hi").value == district


def test_a_choice_label_with_a_filler_word_in_another_order():
    choices = [
        v.Choice("mcwog", {"hinglish": "Bina gear bike (scooty)"}),
        v.Choice("mcwg", {"hinglish": "Gear wali bike"}),
    ]
    assert v.validate_choice("bike gear wali", choices, "hinglish").value == "mcwg"


def test_nam_is_naam():
    assert v.validate_name("Pita Ji Ka Nam Mangal Ram") == v.Valid(
        "Mangal Ram", "Mangal Ram"
    )
