"""Per-message language detection: ``en``, ``hi`` (Devanagari) or ``hinglish`` (Roman Hindi).

The result is written to the parse data as ``detected_language``; it is None when the
message is language-neutral ("ok", "hi", "thanks", a number, an id, a button payload
"/intent"), so the ``language`` slot does not flip on it (actions/language.py).

Method: Devanagari letters mean ``hi``. Otherwise every Roman word is scored against two
weighted lexicons (frequent Hindi words in Roman spelling, English function words); words in
neither get a small score from Hindi/English spelling patterns (endings like "-iye", "-enge";
"-tion", "-ing"). Domain words used in both languages ("certificate", "status", "form") and
courtesy words ("ok", "thanks", "please") are neutral.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DETECTED_LANGUAGE = "detected_language"

_DEVANAGARI_LETTER = re.compile(r"[\u0904-\u0939\u0958-\u0961\u0972-\u097f]")
_LATIN_WORD = re.compile(r"[a-zA-Z]+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_NEUTRAL_PHRASES = re.compile(
    r"\b(?:thank\s*you|see\s*you|love\s*you)\b", re.IGNORECASE
)

# Roman-script Hindi words that are not English words (weight 1).
HINGLISH_MARKERS = frozenset(
    """
    aap aapka aapki aapke aapko apna apni apne mera meri mere mujhe muje mjhe mujhko hume
    humko hamara hamari hamare hum tum tera teri tumhara unka unki uska uski iska iski
    hai hain hei hoga hogi honge tha thi kya kyaa kia kaise kese kaisay kaisey kaisa kahan
    kab kitna kitni kitne kitna kaun kon kyu kyun kyon chahiye chahie chaiye chaahiye chahiya
    chahte chahti karna karni karne karo karu karun kijiye kariye krna krni krne kro
    banwana banvana banana banwani bnwana banwane banega banegi bana bane dena dijiye dijie
    dedo de do nahi nahin nhi nai haan han haa namaste namaskar namste namastey
    pranam shukriya dhanyavad dhanyawad dhanyavaad alvida phir fir milenge accha acha achha
    theek thik thick bhai bhaiya didi madad sahayata jankari batao bataiye btao bataye bata
    batana bataye praman pramaan patra patr janam janm mrityu jati jaati aay aaye niwas nivas
    vivah shadi shaadi naam ghar paisa paise rupaye rupay lagega lagegi lagenge lagta lagti
    chalo abhi kal aaj ke ka ki ko se mein mai hu hoon hun bhi sirf wala wali wale liye
    lie kar raha rahi rahe gaya gayi gaye aur ya par pe tak kuch kuchh koi sab sabhi kaam
    samay din mahine saal wapas vapas dobara jaldi zaroor jarur bilkul galat sahi matlab
    kripya krupya baat bolo boliye likho chaliye hota hoti hote sakta sakti sakte milega
    milegi milta milti kidhar idhar udhar yahan wahan waha yaha kaunsa konsa kaunse kagaz
    kagzat dastavez dastavej patta bachche bacche bachcha beta beti pita mata pati patni
    budhapa buzurg vridha vidhwa viklang rashan raashan kendra sewa seva sarkar sarkari
    jila zila kendriya uttar dakshin purv paschim purani dilli nayi nai bahri kripa
    """.split()
)

# Hindi in Roman spelling that is also an English word or a common abbreviation (low weight).
AMBIGUOUS_HINGLISH = {
    "me": 0.3,
    "main": 0.3,
    "he": 0.3,
    "the": 0.2,
    "to": 0.2,
    "ho": 0.5,
    "h": 0.5,
    "na": 0.5,
    "ab": 0.5,
    "bas": 0.5,
    "pata": 0.5,
    "jab": 0.5,
    "tab": 0.3,
    "hi": 0.0,
    "ji": 0.5,
    "jee": 0.5,
}

# English function words and verbs that Hinglish writers rarely use (weight 1).
ENGLISH_MARKERS = frozenset(
    """
    the a an is are am was were be been being i my me mine you your yours we our us it its
    this that these those what which who whom whose how when where why want wants wanted
    need needs needed would could should can will shall may might must do does did done
    for of to from with about into after before on in at by have has had get got getting
    tell know show give take takes took there their them they he she his her him if or
    and but not any some much many long how apply applied applying make made find send
    sent receive received issued still yet already just also again only very more most
    than then so because while where which whether instead without within until till
    """.split()
)
_LOW_ENGLISH = {"please": 0.3, "check": 0.3, "status": 0.0, "apply": 0.3, "plz": 0.0}

# Words that carry no language signal: greetings, courtesy, yes/no, domain words that
# Hinglish and English share.
NEUTRAL = frozenset(
    """
    ok okay okk k kk hi hii hello helo hey hlo yes no yeah yep nope ya yup thanks thank
    thanku thankyou thx ty bye byee goodbye please plz pls sir madam mam maam sorry
    good morning evening night afternoon welcome done fine sure cool great nice
    certificate certificates cert birth death caste income domicile marriage ration card
    pension licence license driving learner status form application id number mobile
    phone aadhaar aadhar adhar pan otp fee fees document documents online office csc
    delhi new old north south east west central outer district pin pincode code dl
    obc sc st ews bpl apl old age widow disability
    """.split()
)

_HINGLISH_SUFFIXES: Tuple[str, ...] = (
    "iye",
    "iyega",
    "enge",
    "engi",
    "ega",
    "egi",
    "ogi",
    "oge",
    "wana",
    "wani",
    "wane",
    "kar",
    "na",
    "ni",
)
_ENGLISH_SUFFIXES: Tuple[str, ...] = (
    "tion",
    "sion",
    "ing",
    "ed",
    "ly",
    "ment",
    "ness",
    "ous",
    "ful",
)


def _clean(word: str) -> str:
    return _ELONGATED.sub(r"\1", word.lower())


def _word_scores(word: str) -> Tuple[float, float]:
    """Returns (hinglish, english) evidence for one lowercase Roman word."""
    if word in NEUTRAL:
        return 0.0, 0.0
    hinglish = 1.0 if word in HINGLISH_MARKERS else AMBIGUOUS_HINGLISH.get(word, 0.0)
    english = 1.0 if word in ENGLISH_MARKERS else _LOW_ENGLISH.get(word, 0.0)
    if hinglish or english or len(word) < 4:
        return hinglish, english
    if word.endswith(_ENGLISH_SUFFIXES):
        return 0.0, 0.4
    if word.endswith(_HINGLISH_SUFFIXES):
        return 0.4, 0.0
    return 0.0, 0.0


def language_scores(text: str) -> Dict[str, float]:
    """Returns the evidence for each language in ``text`` (see the module docstring).

    Args:
        text: The message as typed.

    Returns:
        Scores for ``hi``, ``hinglish`` and ``en``; all zero for neutral text.
    """
    devanagari = len(_DEVANAGARI_LETTER.findall(text))
    hinglish = english = 0.0
    for raw in _LATIN_WORD.findall(_NEUTRAL_PHRASES.sub(" ", text)):
        word_hinglish, word_english = _word_scores(_clean(raw))
        hinglish += word_hinglish
        english += word_english
    return {"hi": float(devanagari), "hinglish": hinglish, "en": english}


def detect_language(text: str) -> Optional[str]:
    """Returns ``hi``, ``hinglish``, ``en``, or None when the text carries no signal.

    Args:
        text: The user's message as typed.

    Returns:
        The detected language code, or None for language-neutral text.
    """
    if not text or text.lstrip().startswith("/"):
        return None
    scores = language_scores(text)
    if scores["hi"] >= 2:
        return "hi"
    hinglish, english = scores["hinglish"], scores["en"]
    if hinglish == 0 and english == 0:
        return None
    # Hinglish writers use English words freely, English writers rarely use Hindi ones.
    if hinglish >= 1 and hinglish >= 0.5 * english:
        return "hinglish"
    if english > hinglish:
        return "en"
    return "hinglish" if hinglish >= 1 else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Adds ``detected_language`` to every message's parse data."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config (it has no options)."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Creates the component (see parent class for the arguments)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Detects the language of each message.

        Args:
            messages: Messages to annotate.

        Returns:
            The same messages with ``detected_language`` set.
        """
        for message in messages:
            text = message.get("original_text") or message.get("text")
            if isinstance(text, str) and text:
                message.set(
                    DETECTED_LANGUAGE, detect_language(text), add_to_output=True
                )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data needs no language annotation; returned unchanged."""
        return training_data
