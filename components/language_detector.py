"""Per-message language detection: ``en``, ``hi`` (Devanagari) or ``hinglish`` (Roman Hindi).

The result is written to the parse data as ``detected_language`` (None when the message is
language-neutral, e.g. "ok", "hi", a number), so the ``language`` slot does not flip on it.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DETECTED_LANGUAGE = "detected_language"

_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097F]+")
_LATIN_WORD = re.compile(r"[a-zA-Z]+")

# Frequent Roman-script Hindi words that are not English words.
HINGLISH_MARKERS = frozenset(
    """
    aap aapka aapki aapke apna apni apne mera meri mere mujhe muje mjhe hume humko hamara
    hai hain he h tha thi the ho hoga hogi kya kyaa kaise kese kaisay kaisey kahan kaha kab
    kitna kitni kitne kaun kyu kyun kyon chahiye chahie chaiye chaahiye karna karni karne
    karo kijiye kariye krna krni banwana banvana banana banwani bnwana dena dijiye do
    nahi nahin nhi haan han ha ji jee namaste namaskar pranam shukriya dhanyavad dhanyawad
    alvida phir milenge accha acha theek thik bhai bhaiya didi madad sahayata jankari
    batao bataiye btao bataye bata praman patra patr pramaan janam janm mrityu jati aay
    niwas vivah shadi pension naam ghar paisa paise rupaye lagega lagegi lagenge chalo
    abhi kal aaj ke ka ki ko se mein me main hu hoon bhi sirf wala wali wale liye
    """.split()
)

# Frequent English function words and verbs that Hinglish writers rarely use on their own.
ENGLISH_MARKERS = frozenset(
    """
    the a an is are am was were be been i my me you your we our it this that these those
    what which who how when where why want need would could should can will do does did
    please for of to from with about have has had get got apply applying status check
    tell know show give help there their them any some much many long take takes
    """.split()
)


def detect_language(text: str) -> Optional[str]:
    """Returns ``hi``, ``hinglish``, ``en``, or None when the text carries no signal.

    Args:
        text: The user's message as typed.

    Returns:
        The detected language code, or None for language-neutral text.
    """
    if _DEVANAGARI_WORD.search(text):
        return "hi"
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    hinglish = sum(w in HINGLISH_MARKERS for w in words)
    english = sum(w in ENGLISH_MARKERS for w in words)
    if hinglish and hinglish >= english:
        return "hinglish"
    if english:
        return "en"
    return None


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
            text = message.get("text")
            if text:
                message.set(
                    DETECTED_LANGUAGE, detect_language(text), add_to_output=True
                )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data needs no language annotation; returned unchanged."""
        return training_data
