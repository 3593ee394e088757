"""Pure validators for form answers, one per catalog field type.

Each takes the citizen's raw text and returns ``Valid`` (the value to store and how to echo
it back) or ``Invalid`` (an error code that names a ``utter_invalid_<code>`` response, plus
its parameters). They never log what they validate: answers include Aadhaar numbers.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from actions.answer_words import NOT_IN_NAMES
from delhi import aadhaar, districts, mobile, pincode
from delhi.digits import DEVANAGARI_DIGITS


@dataclass(frozen=True)
class Valid:
    """An accepted answer: ``value`` is stored, ``display`` is shown in the summary."""

    value: Any
    display: str


@dataclass(frozen=True)
class Invalid:
    """A rejected answer: ``code`` selects the ``utter_invalid_<code>`` response."""

    code: str
    params: Dict[str, str] = field(default_factory=dict)


Result = Union[Valid, Invalid]


@dataclass(frozen=True)
class Choice:
    """A selectable option with its labels in the three languages."""

    value: str
    labels: Mapping[str, str]
    aliases: Sequence[str] = ()


def clean(text: str) -> str:
    """NFC-normalises, maps Devanagari digits to ASCII and collapses whitespace."""
    text = unicodedata.normalize("NFC", text).translate(DEVANAGARI_DIGITS)
    text = re.sub(r"[\u200b-\u200d\ufeff]", "", text)
    return re.sub(r"\s+", " ", text).strip()


_NAME = re.compile(r"^[A-Za-z\u0900-\u097F][A-Za-z\u0900-\u097F .'\-]*$")
_RELATIVE = (
    r"(?:my|his|her|their|our|the|applicant'?s?|father'?s?|mother'?s?|husband'?s?|"
    r"wife'?s?|child'?s?|son'?s?|daughter'?s?|baby'?s?|full|late)"
)
_NAME_PREFIX = re.compile(
    r"^(?:(?:ji|जी|sir|madam|haan|हाँ)[,\s]+)?(?:"
    rf"(?:{_RELATIVE}\s+)*name\s*(?:is|was|=|:|-)?"
    r"|(?:wife|husband|father|mother|son|daughter|papa|mummy|pati|patni)\s*[:\-]"
    r"|(?:mera|meri|mere|uska|uski|unka|unki|iska|inka|(?:\S+\s+){1,2}(?:ka|ki|ke))?"
    r"\s*(?:poora\s+)?(?:naam|nam)\s*(?:hai|h|tha)?\s*[:\-]?"
    r"|(?:मेरा|मेरी|उसका|उनका|इसका|(?:\S+\s+){1,2}(?:का|की|के))?"
    r"\s*(?:पूरा\s+)?नाम\s*(?:है|था)?"
    r"\s*[:\-]?"
    r"|(?:my|his|her|our|the)\s+(?:late\s+)?(?:father|mother|husband|wife|son|daughter|"
    r"papa|dad|mom|mummy|grandfather|grandmother)(?:\s+(?:is|was))?\s*[,:\-]?"
    r"|i\s+am|i'm|main|मैं"
    r")(?![\w\u0900-\u097F])\s*",
    re.IGNORECASE,
)
# Titles are not part of the name on a certificate.
_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|shri|sri|smt|kumari|श्री|श्रीमती|सुश्री|कुमारी)\.?\s+",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(
    r"[\s,]+(hai|hain|he|h|है|हैं|ji|जी|tha|था|thi|थी|hoon|hu|हूँ|हूं|rakha|रखा|rakhi|रखी)$",
    re.I,
)
# "घर की मुखिया मेरी पत्नी अनीता देवी हैं", "head of family is my wife Anita Devi": the name
# follows the relation.
_AFTER_RELATION = re.compile(
    r"(?:^|\s)(?:my|meri|mera|mere|hamari|hamare|मेरी|मेरा|मेरे|हमारी|हमारे)\s+"
    r"(?:wife|husband|father|mother|son|daughter|patni|pati|pita|pitaji|mata|maa|beta|beti|"
    r"papa|mummy|पत्नी|पति|पिता|पिताजी|माता|माँ|बेटा|बेटी)\s+(?:is\s+|ji\s+|जी\s+)?"
    r"(?:(?:ka|ki|ke|का|की|के)\s+(?:naam|nam|नाम)\s+(?:hai\s+|h\s+|है\s+|tha\s+|था\s+)?)?"
    r"(?P<name>.+)$",
    re.IGNORECASE,
)


# "The applicant says his name is Ram Kishan": the name after "name is", said anywhere.
_NAME_IS = re.compile(r"\bname\s+(?:is|was)\s+(?P<name>.+)$", re.IGNORECASE)


def validate_name(text: str) -> Result:
    """A person's name in Roman or Devanagari script, 2-60 characters, no digits.

    "khud ka hi hai, sushila rani": a name after a remark is the answer.
    """
    for said in (_AFTER_RELATION, _NAME_IS):
        found = said.search(clean(text))
        if found and not _names_itself(text):
            after = _validate_name(found.group("name"))
            if isinstance(after, Valid):
                return after
    result = _validate_name(text)
    parts = [part for part in clean(text).split(",") if part.strip()]
    named = [part for part in parts if _names_itself(part)]
    if isinstance(result, Invalid) and len(parts) >= 2 and len(named) == 1:
        # "पति का नाम राज कुमार था, पिछले साल गुज़र गए": the part that says "name".
        first = _validate_name(named[0])
        if isinstance(first, Valid):
            return first
    if isinstance(result, Invalid) and len(parts) >= 2:
        remark = {word.lower() for part in parts[:-1] for word in part.split()}
        if remark & (NOT_IN_NAMES | _SELF_WORDS):
            last = _validate_name(parts[-1])
            return last if isinstance(last, Valid) else result
        # "Suresh Kumar, surname pata nahi": the name, then a remark.
        remark_after = {word.lower() for part in parts[1:] for word in part.split()}
        if remark_after & NOT_IN_NAMES:
            first = _validate_name(parts[0])
            return first if isinstance(first, Valid) else result
    return result


def _names_itself(part: str) -> bool:
    """True when the text opens with "... name is" / "... का नाम" / "... ka naam"."""
    found = _NAME_PREFIX.match(part.strip())
    return bool(found and found.group(0).strip())


_SELF_WORDS = frozenset({"khud", "self", "myself", "apna", "apni", "मेरा", "खुद", "स्वयं"})


def _validate_name(text: str) -> Result:
    name = _NAME_PREFIX.sub("", clean(text)).strip(" .,")
    name = _NAME_SUFFIX.sub("", _NAME_SUFFIX.sub("", name)).strip(" .,")
    name = _HONORIFIC.sub("", name)
    if {word.lower() for word in name.split()} & NOT_IN_NAMES:
        return Invalid("not_an_answer")
    letters = sum(ch.isalpha() or "\u0900" <= ch <= "\u097f" for ch in name)
    if not _NAME.match(name) or letters < 2 or len(name) > 60:
        return Invalid("name")
    if name.isascii():
        name = " ".join(part.capitalize() for part in name.split())
    return Valid(name, name)


_MONTH_WORD = r"[A-Za-z\u0900-\u097F]{3,}"
_DATE_IN_TEXT = re.compile(
    rf"\b\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{4}}\b|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\b\d{{1,2}}\s+{_MONTH_WORD},?\s+\d{{4}}\b|\b{_MONTH_WORD}\s+\d{{1,2}},?\s+\d{{4}}\b"
)


_ORDINAL = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\b(?=\s+[A-Za-z\u0900-\u097F])", re.I
)


def one_match(pattern: re.Pattern[str], text: str) -> Optional[str]:
    """The only match of ``pattern`` in ``text`` (None when there are none or several)."""
    found = pattern.findall(text)
    return found[0] if len(found) == 1 else None


def validate_date(
    text: str, today: date, past_only: bool = False, min_year: int = 1900
) -> Result:
    """A date in any common format or in Hindi ("15 अगस्त 2020", "15/08/2020")."""
    import dateparser

    raw = _ORDINAL.sub(r"\1", clean(text))  # "2nd Jan 2002", "3rd of June 1980"
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if iso:
        raw = f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}"
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": True,
    }
    parsed = dateparser.parse(raw, languages=["en", "hi"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        # "sorry, 18/11/2026": the one date in a longer answer.
        found = _DATE_IN_TEXT.findall(raw)
        if len(found) == 1 and found[0] != raw:
            return validate_date(found[0], today, past_only, min_year)
    if parsed is None:
        parsed = dateparser.parse(
            raw, languages=["en", "hi"], settings={"DATE_ORDER": "DMY"}
        )  # type: ignore[arg-type]
        if parsed is None or not re.search(r"\d{4}", raw):
            return Invalid("date")
    value = parsed.date()
    if past_only and value > today:
        return Invalid("date_in_future")
    if value.year < min_year:
        return Invalid("date_too_old")
    return Valid(value.isoformat(), value.strftime("%d/%m/%Y"))


_AADHAAR_IN_TEXT = re.compile(r"(?<![\d])\d{4}[\s-]?\d{4}[\s-]?\d{4}(?![\d])")


def validate_aadhaar(text: str) -> Result:
    """A 12-digit Aadhaar number passing the Verhoeff checksum; echoed masked."""
    answer = clean(text)
    digits = re.sub(r"[\s-]", "", answer)
    if not re.fullmatch(r"\d{12}", digits):  # "sorry, 4991 1866 5246"
        digits = re.sub(r"[\s-]", "", one_match(_AADHAAR_IN_TEXT, answer) or "")
    if not re.fullmatch(r"\d{12}", digits) or not aadhaar.is_valid(digits):
        return Invalid("aadhaar")
    return Valid(digits, aadhaar.mask(digits))


_MOBILE_IN_TEXT = re.compile(r"(?<![\d+])\+?\d[\d\s-]{8,16}\d(?!\d)")


def validate_mobile(text: str) -> Result:
    """An Indian mobile number; stored as +91XXXXXXXXXX, echoed masked."""
    answer = clean(text)
    number = mobile.normalise(answer)
    if number is None:  # "mera number 98765 43210 hai"
        number = mobile.normalise(one_match(_MOBILE_IN_TEXT, answer) or "")
    if number is None:
        return Invalid("mobile")
    return Valid(number, mobile.mask(number))


def validate_pincode(text: str) -> Result:
    """A Delhi PIN code (1100xx)."""
    answer = clean(text)
    code = re.sub(r"\s", "", answer)
    if not re.fullmatch(r"\d{6}", code):  # "oops, that was my office. 110091"
        code = one_match(re.compile(r"(?<!\d)\d{3}\s?\d{3}(?!\d)"), answer) or ""
        code = code.replace(" ", "")
    if not re.fullmatch(r"\d{6}", code):
        return Invalid("pincode")
    if not pincode.is_delhi_pincode(code):
        return Invalid("pincode_not_delhi")
    return Valid(code, code)


# Politeness around an answer: "जी दक्षिण पूर्वी दिल्ली", "North West ji".
_FILLER = re.compile(
    r"^(?:ji|जी|sir|madam)[,\s]+|[,\s]+(?:ji|जी|hai|है)$", re.IGNORECASE
)


def validate_district(text: str, language: str) -> Result:
    """One of Delhi's 13 revenue districts, by current or old name, in any language."""
    answer = _FILLER.sub("", clean(text))
    district_id = districts.lookup(answer, fuzzy=True)
    if district_id is None and re.search(r"[()/]", answer):
        # "Dakshin Purv (South East)", the form of the catalog's Hinglish examples: the
        # parts must name one and the same district.
        found = {districts.lookup(part) for part in re.split(r"[()/]", answer)}
        found.discard(None)
        district_id = found.pop() if len(found) == 1 else None
    if district_id is None:
        return Invalid("district")
    district = next(d for d in districts.districts() if d.id == district_id)
    names = district.names.get(language) or district.names["en"]
    shown = names[0].title() if names[0].isascii() else names[0]
    return Valid(district_id, shown)


_YES = {
    "yes",
    "y",
    "haan",
    "han",
    "ha",
    "haa",
    "ji",
    "ji haan",
    "hanji",
    "haanji",
    "sahi",
    "ok",
    "okay",
    "theek hai",
    "thik hai",
    "हाँ",
    "हां",
    "जी",
    "जी हाँ",
    "जी हां",
    "सही",
    "ठीक है",
    "/affirm",
}
_NO = {
    "no",
    "n",
    "nahi",
    "nahin",
    "nhi",
    "na",
    "nope",
    "नहीं",
    "नही",
    "ना",
    "जी नहीं",
    "/deny",
}


def validate_yes_no(text: str, intent: Optional[str] = None) -> Result:
    """A yes/no answer in any of the three languages (or an affirm/deny intent)."""
    answer = clean(text).lower().strip(" .!")
    if answer in _YES or (intent == "affirm" and answer not in _NO):
        return Valid(True, "✓")
    if answer in _NO or intent == "deny":
        return Valid(False, "✗")
    # "जी हाँ, विवाहित हूँ", "nahi, unmarried": a yes or no opening a longer answer.
    words = [word for word in re.split(r"[\s,.!।]+", answer) if word]
    for opening in (" ".join(words[:2]), words[0] if words else ""):
        if opening in _YES - {"ok", "okay", "sahi", "सही"}:
            return Valid(True, "✓")
        if opening in _NO:
            return Valid(False, "✗")
    # "Very well. Yes, I am eligible.": one explicit yes (or no) word in a statement.
    said = set(words)
    yes, no = bool(said & _YES_WORDS), bool(said & _NO_WORDS)
    if "?" not in answer and yes != no:
        return Valid(yes, "✓" if yes else "✗")
    return Invalid("yes_no")


_YES_WORDS = frozenset(
    {"yes", "haan", "हाँ", "हां", "agree", "agreed", "consent", "सहमत", "sahmat"}
)
_NO_WORDS = frozenset(
    {"no", "not", "nahi", "nahin", "nhi", "नहीं", "नही", "unmarried", "अविवाहित"}
)


def validate_choice(text: str, choices: Sequence[Choice], language: str) -> Result:
    """One of the field's choices, by value, label in any language, or number."""
    answer = clean(text).lower().strip(" .")
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        picked = choices[int(answer) - 1]
        return Valid(picked.value, picked.labels.get(language, picked.value))
    names: Dict[str, Choice] = {}
    for choice in choices:
        names[choice.value.lower()] = choice
        names[choice.value.lower().replace("_", " ")] = choice
        for label in [*choice.labels.values(), *choice.aliases]:
            names[label.lower()] = choice
    if answer in names:
        picked = names[answer]
    elif _by_words(answer, names):
        picked = _by_words(answer, names)  # type: ignore[assignment]
    else:
        close = difflib.get_close_matches(answer, list(names), n=1, cutoff=0.75)
        if not close:
            options = ", ".join(c.labels.get(language, c.value) for c in choices)
            return Invalid("choice", {"options": options})
        picked = names[close[0]]
    return Valid(picked.value, picked.labels.get(language, picked.value))


_CHOICE_FILLERS = frozenset(
    {
        "wala",
        "wali",
        "wale",
        "वाला",
        "वाली",
        "वाले",
        "hai",
        "है",
        "h",
        "ji",
        "जी",
        "chahiye",
    }
)


def _choice_words(text: str) -> set:
    """The words of a choice label or answer, without fillers ("wali", "वाला")."""
    return set(re.findall(r"[\w\u0900-\u097F]+", text)) - _CHOICE_FILLERS


def _by_words(answer: str, names: Dict[str, Choice]) -> Optional[Choice]:
    """The choice whose longest name has all its words in the answer, in any order.

    "bike gear wali" picks "Gear wali bike"; None when none fits or two choices tie.
    """
    words = _choice_words(answer)
    fits = sorted(
        (
            (len(_choice_words(name)), choice)
            for name, choice in names.items()
            if len(name) > 2 and _choice_words(name) <= words
        ),
        key=lambda pair: -pair[0],
    )
    if fits and not (
        len(fits) > 1
        and fits[1][0] == fits[0][0]
        and fits[1][1].value != fits[0][1].value
    ):
        return fits[0][1]
    # "scooty" for "Motorcycle without gear (scooty)": words of one choice only.
    owners = {
        choice.value: choice
        for name, choice in names.items()
        if words and words <= _choice_words(name)
    }
    return next(iter(owners.values())) if len(owners) == 1 else None


_AMOUNT_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(lakh|lac|lakhs|thousand|hazar|hazaar|k|crore|लाख|हज़ार|हजार|करोड़)"
)

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ek": 1,
    "do": 2,
    "teen": 3,
    "char": 4,
    "paanch": 5,
    "panch": 5,
    "dedh": 1.5,
    "dhai": 2.5,
    "एक": 1,
    "दो": 2,
    "तीन": 3,
    "चार": 4,
    "पाँच": 5,
    "पांच": 5,
    "डेढ़": 1.5,
    "ढाई": 2.5,
}

# An amount said to be yearly: "60000 per year", "2 lakh 50 hazar saalana", "yearly 60000".
_AMOUNT = (
    r"(?:\d+(?:\.\d+)?\s*(?:lakh|lac|lakhs|thousand|hazar|hazaar|k|लाख|हज़ार|हजार)?\s*"
    r"(?:and\s+|aur\s+)?)+"
)
_END = r"(?![\w\u0900-\u097F])"
_YEARLY_WORD = r"(?:yearly|annually|annual|saalana|salana|सालाना|वार्षिक)"
_PER_YEAR = re.compile(
    rf"({_AMOUNT})(?:(?:per|a|an|every|/|prati|प्रति)\s*(?:year|annum|yr|saal|sal|वर्ष|साल)"
    rf"|{_YEARLY_WORD}){_END}"
    rf"|{_YEARLY_WORD}\s+(?:income\s+)?({_AMOUNT})"
)
# "monthly 5000 yearly 60000": an amount right after a month word is monthly.
_MONTHLY_BEFORE = re.compile(r"(?:monthly|month|mahina|mahine|महीना|महीने)\s*$")


def _yearly_amounts(answer: str) -> List[str]:
    """The amounts said to be yearly in ``answer`` (see ``_PER_YEAR``)."""
    found = []
    for match in _PER_YEAR.finditer(answer):
        if _MONTHLY_BEFORE.search(answer[: match.start()]):
            continue
        found.append((match.group(1) or match.group(2) or "").strip())
    return [amount for amount in found if amount]


_MULTIPLIERS = {
    "lakh": 100_000,
    "lac": 100_000,
    "lakhs": 100_000,
    "लाख": 100_000,
    "hazar": 1_000,
    "hazaar": 1_000,
    "thousand": 1_000,
    "k": 1_000,
    "हज़ार": 1_000,
    "हजार": 1_000,
    "crore": 10_000_000,
    "करोड़": 10_000_000,
}


def validate_number(
    text: str, minimum: Optional[float] = None, maximum: Optional[float] = None
) -> Result:
    """A non-negative amount: "250000", "2,50,000", "2.5 lakh", "ढाई लाख" is not parsed."""
    answer = clean(text).lower().replace(",", "")
    yearly = _yearly_amounts(answer)
    if len(yearly) == 1 and answer.strip() != yearly[0]:
        # "60000 per year, about 5000 a month from odd jobs": the yearly amount.
        return validate_number(yearly[0], minimum, maximum)
    answer = re.sub(r"(\b(years?|yrs?|saal|sal|varsh|baras)\b|वर्ष|साल)", " ", answer)
    answer = re.sub(r"(rs\.?|₹|रुपये|rupees?|rupaye)", " ", answer)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([^\d\s]+)?\s*", answer)
    parts = _AMOUNT_PART.findall(answer)
    rest = _AMOUNT_PART.sub("", answer).replace("and", "").replace("aur", "").strip()
    if not match and len(parts) >= 2 and not rest:
        # "1 lakh 20 thousand": parts that add up.
        total = sum(float(n) * _MULTIPLIERS.get(m, 1) for n, m in parts)
        return _number_in_range(total, minimum, maximum)
    spelled = re.fullmatch(r"\s*(\S+)\s+(\S+)\s*", answer)
    if not match and spelled and spelled.group(1) in _NUMBER_WORDS:
        # "एक लाख", "dhai lakh": a small number word and a multiplier.
        multiplier = _MULTIPLIERS.get(spelled.group(2))
        if multiplier:
            return _number_in_range(
                float(_NUMBER_WORDS[spelled.group(1)] * multiplier), minimum, maximum
            )
    leading = re.match(r"\s*(\d+(?:\.\d+)?)\s*[(,]", answer)
    if not match and leading:
        # "5 (me, husband and 3 children)": the answer first, then an explanation.
        return _number_in_range(float(leading.group(1)), minimum, maximum)
    if not match and len(re.findall(r"\d+(?:\.\d+)?", answer)) == 1:
        # "24, since birth", "about 2.5 lakh a year": the one number in the answer.
        match = re.search(r"(\d+(?:\.\d+)?)\s*([^\d\s,.]+)?", answer)
    if not match:
        return Invalid("number")
    amount = float(match.group(1))
    if match.group(2):
        # A multiplier ("2.5 lakh"), or a unit word that changes nothing ("5 लोग").
        amount *= _MULTIPLIERS.get(match.group(2), 1)
    return _number_in_range(amount, minimum, maximum)


def _number_in_range(
    amount: float, minimum: Optional[float], maximum: Optional[float]
) -> Result:
    if (minimum is not None and amount < minimum) or (
        maximum is not None and amount > maximum
    ):
        return Invalid(
            "number_range",
            {"minimum": f"{minimum or 0:,.0f}", "maximum": f"{maximum or 0:,.0f}"},
        )
    value = int(amount) if amount.is_integer() else amount
    return Valid(value, f"{value:,}")


_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")


def validate_email(text: str) -> Result:
    """An e-mail address."""
    answer = clean(text)
    return (
        Valid(answer.lower(), answer.lower())
        if _EMAIL.match(answer)
        else Invalid("email")
    )


def validate_text(
    text: str, min_length: int = 3, max_length: int = 300, min_letters: int = 2
) -> Result:
    """Free text such as an address: 3-300 characters, not only digits or symbols.

    ``min_letters=0`` accepts identifiers such as account or chassis numbers.
    """
    answer = clean(text)
    if min_letters == 0:
        # "mera bank khata 50100234567890": the one identifier in the sentence.
        # A leading code in capitals stays with it ("DL 0420190012345").
        ids = re.findall(
            r"(?:\b[A-Z]{2,4}[\s-])?[A-Za-z0-9/-]*\d[A-Za-z0-9/-]*", answer
        )
        if len(ids) == 1 and ids[0] != answer:
            answer = ids[0]  # "खसरा नंबर 45//12"
    letters = sum(ch.isalpha() for ch in answer)
    if len(answer) < min_length or len(answer) > max_length or letters < min_letters:
        return Invalid("text")
    return Valid(answer, answer)


Validator = Callable[..., Result]


def validate(
    field_type: str,
    text: str,
    *,
    language: str,
    today: date,
    constraints: Optional[Mapping[str, Any]] = None,
    choices: Sequence[Choice] = (),
    intent: Optional[str] = None,
) -> Result:
    """Validates ``text`` as an answer of ``field_type`` (the catalog's field types).

    Args:
        field_type: One of name, date, aadhaar, mobile, pincode, district, choice, yes_no,
            text, number, email.
        text: What the citizen typed (or the payload of the button they pressed).
        language: The citizen's language, for echoing labels back.
        today: Today's date, for range checks on dates.
        constraints: Type-specific checks from the catalog (past_only, min, max ...).
        choices: The options of a choice field.
        intent: The NLU intent of the message (helps with yes/no).

    Returns:
        ``Valid`` or ``Invalid``.
    """
    limits = dict(constraints or {})
    if field_type == "name":
        return validate_name(text)
    if field_type == "date":
        return validate_date(
            text,
            today,
            past_only=bool(limits.get("past_only")),
            min_year=int(limits.get("min_year", 1900)),
        )
    if field_type == "aadhaar":
        return validate_aadhaar(text)
    if field_type == "mobile":
        return validate_mobile(text)
    if field_type == "pincode":
        return validate_pincode(text)
    if field_type == "district":
        return validate_district(text, language)
    if field_type == "choice":
        return validate_choice(text, choices, language)
    if field_type == "yes_no":
        return validate_yes_no(text, intent)
    if field_type == "number":
        return validate_number(text, limits.get("min"), limits.get("max"))
    if field_type == "email":
        return validate_email(text)
    if field_type == "text":
        return validate_text(text, min_letters=int(limits.get("min_letters", 2)))
    raise ValueError(f"unknown field type {field_type!r}")
