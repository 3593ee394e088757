"""Words with a fixed meaning inside the application form, in one place per language.

The form reads every message first as the answer to its question; these lists say which
short messages are not answers (greetings, thanks, "ok"), which skip an optional field or
mean "none", which put a document off, and which wording is an explicit request to cancel.
A skip word is never a cancel word (tests/actions/test_answer_words.py checks it), so the
word the assistant tells the citizen to write to skip can never cancel an application.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, Iterable, Tuple

Words = Dict[str, Tuple[str, ...]]

# Skips an optional field. The first word per language is the one the assistant offers.
SKIP: Words = {
    "en": ("skip", "none", "not applicable", "n/a", "na", "nil", "-"),
    "hi": ("छोड़ें", "छोड़ो", "छोड़ दें", "लागू नहीं", "कोई नहीं"),
    "hinglish": ("chhodiye", "chhodo", "chodo", "skip karo", "koi nahi", "lagu nahi"),
}

# "No" to an optional field means it does not apply ("spouse's name?" - "not married").
NONE_ANSWERS: Words = {
    "en": ("no", "nope", "nothing", "not married", "unmarried", "i am not married"),
    "hi": ("नहीं", "नही", "नहीं है", "शादी नहीं हुई", "अविवाहित", "कोई नहीं है"),
    "hinglish": (
        "nahi",
        "nahin",
        "nhi",
        "nai",
        "nahi hai",
        "nhi hai",
        "shaadi nahi hui",
        "shadi nahi hui",
        "unmarried hoon",
    ),
}

# Puts a document off ("I will send it later").
# A day named ("I will send it tomorrow", "कल भेजूंगा") puts it off too: at a document
# step a text message is never the document itself.
LATER: Words = {
    "en": (
        "later",
        "send later",
        "i will send later",
        "not now",
        "afterwards",
        "tomorrow",
    ),
    "hi": ("बाद में", "बाद में भेजूंगा", "बाद में भेजूँगी", "अभी नहीं", "कल", "परसों"),
    "hinglish": (
        "baad mein",
        "baad me",
        "bad me",
        "baad mai",
        "baad mein bhejunga",
        "kal",
        "parso",
        "parson",
    ),
}

# "Everything is right" at the summary.
CONFIRM: Words = {
    "en": (
        "looks good",
        "all good",
        "all correct",
        "all fine",
        "everything is correct",
        "correct",
        "perfect",
        "fine",
        "submit",
        "please submit",
        "confirm",
    ),
    "hi": ("सब सही है", "सब ठीक है", "सही है", "ठीक है", "जमा करें", "जमा कर दो"),
    "hinglish": (
        "sab sahi hai",
        "sab theek hai",
        "sahi hai",
        "jama karo",
        "submit karo",
    ),
}

# After a document pre-check's advice: keep the document as sent, or correct the answer
# it differs from. The first word per language is the button's.
KEEP_DOCUMENT: Words = {
    "en": (
        "continue anyway",
        "continue",
        "proceed",
        "go ahead",
        "keep it",
        "it is fine",
    ),
    "hi": ("फिर भी आगे बढ़ें", "आगे बढ़ें", "आगे बढ़ो", "आगे", "ठीक है", "यही रखें"),
    "hinglish": (
        "phir bhi aage",
        "aage badho",
        "aage badhiye",
        "aage",
        "theek hai",
        "chalega",
    ),
}
CORRECT_ANSWER: Words = {
    "en": ("correct my answer", "correct it", "correct", "change it", "edit", "fix it"),
    "hi": ("जवाब सुधारें", "सुधारें", "सुधार करें", "बदलें", "बदलो", "ठीक करें"),
    "hinglish": (
        "jawab sudharo",
        "sudharo",
        "sudhaaro",
        "badlo",
        "theek karo",
        "change karo",
    ),
}
# Explicit cancel wording: a stop intent interrupts the form only with one of these.
STOP: Words = {
    "en": ("cancel", "stop", "quit", "exit", "abort", "don't want", "do not want"),
    "hi": ("रद्द", "कैंसल", "बंद करो", "बंद करें", "बंद कर दो", "नहीं चाहिए", "नहीं करना"),
    "hinglish": (
        "cancel",
        "radd",
        "band karo",
        "band kar do",
        "band karein",
        "nahi chahiye",
        "nahi karna",
        "rehne do",
        "rahne do",
    ),
}

# At "cancel?" or "switch?" these mean: no, keep my application.
# What "delete my data" / "I withdraw my consent" is about (``form_steps.asks_to_erase``).
PERSONAL_DATA: Words = {
    "en": ("data", "details", "information", "info", "consent", "personal"),
    "hi": ("डेटा", "डाटा", "सहमति", "जानकारी", "निजी"),
    "hinglish": ("data", "details", "sahmati", "consent", "jaankari", "jankari"),
}
ERASE_VERBS: Words = {
    "en": ("delete", "erase", "remove", "wipe", "purge", "forget"),
    "hi": ("मिटा", "मिटाओ", "मिटाएँ", "मिटाइए", "हटा", "हटाओ", "हटाएँ", "हटाइए", "डिलीट"),
    "hinglish": ("mita", "mitao", "mitado", "hata", "hatao", "hatado", "delete"),
}
# "Don't delete", "मत हटाओ", "mat mitao": not a request to erase.
_DO_NOT = frozenset({"don't", "dont", "not", "मत", "mat", "na"})

KEEP: Words = {
    "en": ("continue", "go on", "keep it", "keep", "carry on", "don't cancel"),
    "hi": ("जारी रखें", "जारी रखो", "आगे बढ़ें", "रखें", "रद्द मत करो"),
    "hinglish": ("jaari rakho", "jari rakho", "aage badho", "rakho", "cancel mat karo"),
}

# Messages that are never the answer to a name or free-text question.
NOT_ANSWERS: Words = {
    "en": (
        "hi",
        "hii",
        "hello",
        "hey",
        "good morning",
        "ok",
        "okay",
        "k",
        "thanks",
        "thank you",
        "yes",
        "no",
        "hmm",
        "what",
        "why",
        "help",
        "continue",
        "next",
    ),
    "hi": (
        "नमस्ते",
        "नमस्कार",
        "हेलो",
        "हैलो",
        "हलो",
        "हेल्लो",
        "हाय",
        "हाई",
        "ठीक है",
        "धन्यवाद",
        "हाँ",
        "हां",
        "जी",
        "क्या",
        "नहीं",
    ),
    "hinglish": (
        "namaste",
        "namaskar",
        "ram ram",
        "theek hai",
        "thik hai",
        "shukriya",
        "dhanyavad",
        "haan",
        "han",
        "ji",
        "haan ji",
        "kya",
        "nahi",
        "nhi",
    ),
}

# Words no person's name contains: commands, questions, greetings.
NOT_IN_NAMES = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "namaste",
        "नमस्ते",
        "हैलो",
        "हेलो",
        "ok",
        "okay",
        "thanks",
        "yes",
        "no",
        "cancel",
        "stop",
        "fee",
        "fees",
        "help",
        "document",
        "documents",
        "certificate",
        "application",
        "status",
        "talk",
        "person",
        "human",
        "agent",
        # asking for a person: "mujhe kisi insaan se baat karni hai" is no name (words of
        # real names stay out: Adhikari, Insan, Bande, Karni)
        "speak",
        "someone",
        "somebody",
        "officer",
        "mujhe",
        "kisi",
        "baat",
        "krni",
        "bnde",
        "मुझे",
        "किसी",
        "बात",
        "करना",
        "व्यक्ति",
        "kitna",
        "kitni",
        "kya",
        "kaise",
        "kab",
        "chahiye",
        "karna",
        "karo",
        "hai",
        "नहीं",
        "क्या",
        "कितना",
        "कितनी",
        "चाहिए",
        "शुल्क",
        "रद्द",
        "nahi",
        "nhi",
        "skip",
        "naam",
        "नाम",
        # possessives: "my wife", "मेरी पत्नी" is who, not the name
        "my",
        "meri",
        "mera",
        "मेरी",
        "मेरा",
        "मेरे",
    }
)


def normalise(text: str) -> str:
    """Lower-cased NFC text without punctuation at the ends and with single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[\u200b-\u200d\ufeff]", "", text)
    text = re.sub(r"\s+", " ", text).strip(" .!?,;:'\"।")
    return text


def every(words: Words) -> frozenset:
    """All words of a list, in every language (citizens mix languages)."""
    return frozenset(normalise(word) for group in words.values() for word in group)


# Politeness around a short message: "ok sir", "haan ji", "thank you madam".
_POLITE = re.compile(r"^(?:sir|madam|ji|जी)\s+|\s+(?:sir|madam|ji|जी|please|plz)$")


def is_one_of(text: str, words: Words) -> bool:
    """True when the whole message, polite words aside, is one of ``words``."""
    message = normalise(text)
    return message in every(words) or _POLITE.sub("", message) in every(words)


# "छोड़ दीजिए", "isko chhod do", "chodiye na": the verb "leave it" in any politeness.
_LEAVE_IT = re.compile(
    r"^(?:(?:please|plz|kripya|कृपया|isko|ise|इसे|इसको|ye|yeh|ये)\s+)*"
    r"(?:(?:chh?od|chhor)(?:o|iye|ie|iyega|e|en|ein|na)?|(?:छोड़|छोड)(?:ें|ो|िए|िये|ना|े)?)"
    r"(?:\s+(?:do|de|den|dein|dijiye|dijie|दो|दें|दीजिए|दीजिये|दिजिए|na|ना|ji|जी))*$"
)


def is_skip(text: str) -> bool:
    """True when the whole message says to skip the question (a skip word or "leave it")."""
    message = _POLITE.sub("", normalise(text))
    return is_one_of(text, SKIP) or bool(_LEAVE_IT.match(message))


# "I don't know it": an optional answer that cannot be given.
UNKNOWN = frozenset(
    {
        "don't know",
        "dont know",
        "do not know",
        "not known",
        "nahi pata",
        "pata nahi",
        "nhi pata",
        "maloom nahi",
        "malum nahi",
        "पता नहीं",
        "नहीं पता",
        "मालूम नहीं",
        "ज्ञात नहीं",
    }
)


def skips_optional(text: str) -> bool:
    """True when a message that is no answer says to skip, in a sentence too.

    "dada ji ka naam nahi pata, skip": a skip word ending it, or "I don't know". Only
    asked of messages that did not read as the answer ("Suresh, surname pata nahi" is
    a name).
    """
    last = re.split(r"[,.;।]", normalise(text))[-1]
    return is_skip(text) or is_skip(last) or mentions(text, UNKNOWN)


def mentions(text: str, words: Iterable[str]) -> bool:
    """True when the message contains one of ``words`` as whole words."""
    message = f" {_words_only(text)} "
    return any(f" {_words_only(word)} " in message for word in words)


def _words_only(text: str) -> str:
    """The normalised text with punctuation between words turned into spaces."""
    return " ".join(
        re.sub(r"[^\w\u0900-\u0963\u0966-\u097F'/-]", " ", normalise(text)).split()
    )


# "cancel this application", "form band karo", "आवेदन रद्द कर दो": cancel wording about
# the application itself cancels whatever the NLU makes of the rest of the message.
_CANCEL = r"(?:cancel|radd|band|रद्द|बंद)"
_APPLICATION = r"(?:application|form|aavedan|आवेदन|फॉर्म|फार्म)"
_CANCEL_APPLICATION = re.compile(
    rf"\b{_CANCEL}\b.*\b{_APPLICATION}\b|\b{_APPLICATION}\b.*\b{_CANCEL}\b"
    # "cancel this", "ise radd karo", "इसे रद्द कर दो": "this" is the application asked
    r"|\bcancel (?:this|it|everything|all)\b"
    r"|(?:^|\s)(?:ise|isko|ye|yeh|sab|इसे|इसको|ये|सब) (?:cancel|radd|रद्द)(?:\s|$)"
)


def asks_to_delete_data(text: str) -> bool:
    """True when the message asks, in so many words, to delete the citizen's data.

    "मेरा सारा डाटा मिटा दो", "please remove my data", "meri jankari hata do": a data
    or consent word and a delete verb, without "don't"/"मत".
    """
    return (
        mentions(text, every(PERSONAL_DATA))
        and mentions(text, every(ERASE_VERBS))
        and not mentions(text, _DO_NOT)
    )


def cancels_application(text: str) -> bool:
    """True when the message asks, in so many words, to cancel the application."""
    return not asks_something(text) and bool(
        _CANCEL_APPLICATION.search(normalise(text))
    )


# An optional field answered with a negation first: "not made yet", "नहीं बना".
NEGATIONS = frozenset({"no", "not", "nahi", "nahin", "nhi", "नहीं", "नही", "none"})


def starts_with_no(text: str) -> bool:
    """True when the message opens with a negation word."""
    words = re.findall(r"[\w\u0900-\u097F]+", normalise(text))
    return bool(words) and words[0] in NEGATIONS


# "wrong", "change": a message with one of these does not confirm, whatever else it says.
FAULT_WORDS = NEGATIONS | frozenset(
    {
        "wrong",
        "galat",
        "गलत",
        "change",
        "badlo",
        "badlav",
        "बदलो",
        "बदलना",
        "बदलाव",
        "sudhar",
        "सुधार",
        "sahi karna",
        "incorrect",
    }
)


# "nothing wrong", "no change", "kuch galat nahi", "कुछ गलत नहीं": no fault found.
_NO_FAULT = re.compile(
    r"\b(?:nothing|no)\s+(?:[\w\u0900-\u097F]+\s+)?(?:wrong|change|changes)\b"
    r"|(?:\b|^)(?:koi|kuch|कुछ|कोई)\s+(?:[\w\u0900-\u097F]+\s+)?"
    r"(?:galat|गलत|change|badlav|बदलाव)\s+(?:hi\s+|ही\s+)?(?:nahi|nahin|नहीं)"
    r"|(?:\b|^)(?:galat|गलत)\s+(?:nahi|nahin|नहीं)"
)


def finds_fault(text: str) -> bool:
    """True when the message says something is wrong or must change."""
    return mentions(_NO_FAULT.sub(" ", normalise(text)), FAULT_WORDS)


def confirms(text: str) -> bool:
    """True when the message says everything is right, and nothing is wrong."""
    return not finds_fault(text) and mentions(text, every(CONFIRM))


_QUESTION_WORDS = frozenset(
    "what wat wht whats what's how when where which who why kya kaise kitna kitni "
    "kitne kab kahan kaha kaun kyun kyon क्या कैसे कितना कितनी कितने कब कहाँ कहां कौन "
    "क्यों".split()
)


def is_question(text: str) -> bool:
    """True for a question: a question mark, or a question word among the first three."""
    words = normalise(text).split()
    opens = bool(words) and words[0] in {"can", "could", "is", "are", "do", "does"}
    return "?" in text or opens or bool(set(words[:3]) & _QUESTION_WORDS)


def asks_something(text: str) -> bool:
    """A stricter :func:`is_question`: ends with "?", or a question word opens it.

    English openers ("is", "do", "can") are left out: in Hinglish "is" means "this" and
    "do" "two" or "give", and "can you cancel this" is a request.
    """
    words = normalise(text).split()
    return text.rstrip().endswith("?") or bool(set(words[:3]) & _QUESTION_WORDS)


def says_stop(text: str) -> bool:
    """True when the message has explicit cancel wording (and is not a skip word)."""
    if is_skip(text):
        return False
    return mentions(text, every(STOP))


def first(words: Words, language: str) -> str:
    """The word the assistant offers in ``language`` (the first of its list)."""
    return (words.get(language) or words["en"])[0]
