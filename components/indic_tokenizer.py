"""Tokeniser for English, Hindi (Devanagari) and Hinglish text.

A token is a maximal run of Devanagari letters and signs (so matras, virama, nukta, anusvara
and conjuncts always stay with their consonant: "क्षत्रिय" is one token), a run of Roman
letters, or a run of digits. A change of script starts a new token ("certificateचाहिए" is two
tokens). The danda (।, ॥), punctuation and emojis separate tokens and are dropped, like Rasa's
WhitespaceTokenizer drops punctuation; set ``keep_punctuation`` to keep them as tokens.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

_DEVANAGARI = "\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff\u200c\u200d"
_LATIN = "A-Za-z\u00c0-\u024f\u0300-\u036f"
_WORD = re.compile(
    rf"[{_DEVANAGARI}]+"  # Devanagari run: never split inside (no danda)
    rf"|[{_LATIN}]+(?:['’][{_LATIN}]+)*"  # Roman word, with inner apostrophes (don't)
    r"|[0-9]+"  # ASCII digits
    r"|[०-९]+"  # Devanagari digits (when the normaliser did not run)
)
_PUNCTUATION = re.compile(r"[^\s\w]|_", re.UNICODE)
DANDAS = frozenset("।॥")


def split_words(text: str, keep_punctuation: bool = False) -> List[re.Match[str]]:
    """Returns the token matches of ``text`` (see the module docstring).

    Args:
        text: Text to split.
        keep_punctuation: Also return dandas and punctuation marks as tokens.

    Returns:
        Regex matches with the token text and its offsets.
    """
    if not keep_punctuation:
        return list(_WORD.finditer(text))
    pattern = re.compile(f"{_WORD.pattern}|[।॥]|{_PUNCTUATION.pattern}")
    return [m for m in pattern.finditer(text) if not m.group().isspace()]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class IndicTokenizer(Tokenizer):
    """Splits text into words without breaking Devanagari syllables."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config (Rasa's tokenizer options plus ``keep_punctuation``)."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "keep_punctuation": False,
        }

    @staticmethod
    def not_supported_languages() -> Optional[List[str]]:
        """Languages without word separators are not supported."""
        return ["zh", "ja", "th"]

    def __init__(self, config: Dict[str, Any]) -> None:
        """Creates the tokenizer from its config."""
        super().__init__(config)
        self._keep_punctuation = bool(config.get("keep_punctuation", False))

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IndicTokenizer:
        """Creates the component (see parent class for the arguments)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokenizes one attribute of a message.

        Args:
            message: The message.
            attribute: Which attribute to tokenize (usually ``text``).

        Returns:
            Tokens with their character offsets in the attribute's text.
        """
        text = message.get(attribute)
        matches = split_words(text, self._keep_punctuation)
        if not matches:
            # Only punctuation or emojis: keep the whole text as one token, like Rasa does.
            return self._apply_token_pattern([Token(text, 0, end=len(text))])
        tokens = [Token(m.group(), m.start(), end=m.end()) for m in matches]
        return self._apply_token_pattern(tokens)
