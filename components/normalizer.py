"""Text normalisation for English, Hindi (Devanagari) and Hinglish, run first in the pipeline.

Rewrites the message text that later components see:

- Unicode NFC; zero-width characters, soft hyphens and byte-order marks removed;
- Devanagari words through indic-nlp-library's Hindi normaliser (nukta composites decomposed
  and, by default, nuktas dropped so "ज़मीन" = "जमीन"; chandrabindu -> anusvara so "हँस" = "हंस");
- Devanagari digits to ASCII ("११०००१" -> "110001");
- Roman words lowercased and de-elongated ("Pleaseeee" -> "please", "hiiii" -> "hi");
- emojis mapped to a word ("🙏" -> "namaste", "👍" -> "ok") or removed;
- runs of whitespace collapsed.

The text is rewritten piece by piece (a word, a digit run, an emoji, a space run), so every
offset in the original text maps onto the normalised text: training examples keep their entity
annotations on the right characters (:meth:`NormalisedText.map_span`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from delhi.digits import DEVANAGARI_DIGITS

ORIGINAL_TEXT = "original_text"


# Emojis that carry meaning for the assistant; every other emoji is removed.
DEFAULT_EMOJI_WORDS: Dict[str, str] = {
    "🙏": "namaste",
    "👍": "ok",
    "👌": "ok",
    "✅": "yes",
    "✔": "yes",
    "☑": "yes",
    "👎": "no",
    "❌": "no",
    "✖": "no",
}

# Words whose double letters are real ("goooood" -> "good", not "god").
DEFAULT_DOUBLE_LETTER_WORDS: FrozenSet[str] = frozenset(
    """
    good need needed feel free see seen soon too book booked look looking all call tell
    well will still full hello sorry address apply applied off office offline committee
    fee fees agree three week weekly keep sleep took school issue issued allow allowed
    letter better correct current different possible process passport pass password
    aadhaar aadhar aap aapka aapki aapke haan jee theek thik accha achha acchha baccha
    bachcha bachche bachchon pakka sakka nikkah shaadi patta chutti kitte mujhee dijiyee
    """.split()
)

_DEVANAGARI_RUN = "\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff"
_LATIN_RUN = "A-Za-z\u00c0-\u024f\u0300-\u036f"
_ZERO_WIDTH = "\u200c\u200d\u2060\ufeff\u00ad"  # removed; U+200B becomes a space
_EMOJI_CHAR = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff"
    "\u3030\u303d\u00a9\u00ae\u2122\u203c\u2049"
)
_EMOJI_TAIL = "\ufe0f\u200d\U0001f3fb-\U0001f3ff\u20e3"

_PIECES = re.compile(
    rf"(?P<deva>[{_DEVANAGARI_RUN}][{_DEVANAGARI_RUN}{_ZERO_WIDTH}]*)"
    rf"|(?P<latin>[{_LATIN_RUN}][{_LATIN_RUN}{_ZERO_WIDTH}]*)"
    rf"|(?P<emoji>[{_EMOJI_CHAR}][{_EMOJI_CHAR}{_EMOJI_TAIL}]*)"
    rf"|(?P<space>[\s\u200b]+)"
    rf"|(?P<invisible>[{_ZERO_WIDTH}]+)"
    rf"|(?P<other>.)",
    re.DOTALL,
)
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_ZERO_WIDTH_CHARS = re.compile(f"[{_ZERO_WIDTH}]")
_WHITESPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4)
def _indic_normalizer(remove_nuktas: bool) -> Any:
    from indicnlp.normalize.indic_normalize import IndicNormalizerFactory

    return IndicNormalizerFactory().get_normalizer(
        "hi", remove_nuktas=remove_nuktas, do_normalize_chandras=True
    )


def de_elongate(word: str, keep_double: FrozenSet[str]) -> str:
    """Collapses letters repeated three or more times ("pleaseeee" -> "please").

    Args:
        word: A lowercase Roman word.
        keep_double: Words whose doubled letters are real ("good", "aap").

    Returns:
        The word with each run collapsed to one letter, or to two when that gives a word
        from ``keep_double``.
    """
    if not _ELONGATED.search(word):
        return word
    single = _ELONGATED.sub(r"\1", word)
    double = _ELONGATED.sub(r"\1\1", word)
    if double in keep_double and single not in keep_double:
        return double
    return single


@dataclass(frozen=True)
class Piece:
    """One rewritten piece: ``original[start:end]`` became ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class NormalisedText:
    """A normalised text and how its pieces line up with the original text."""

    original: str
    text: str
    pieces: Tuple[Piece, ...]
    new_starts: Tuple[int, ...]

    def map_offset(self, offset: int, is_end: bool) -> int:
        """Maps a character offset in the original text to the normalised text.

        Args:
            offset: Offset into the original text.
            is_end: Whether the offset ends a span (then it belongs to the piece before).

        Returns:
            The corresponding offset in the normalised text.
        """
        for piece, new_start in zip(self.pieces, self.new_starts, strict=False):
            inside = (
                piece.start < offset <= piece.end
                if is_end
                else piece.start <= offset < piece.end
            )
            if inside:
                if offset == piece.end:
                    return new_start + len(piece.text)
                return new_start + min(offset - piece.start, len(piece.text))
        return len(self.text) if offset > 0 else 0

    def map_span(self, start: int, end: int) -> Tuple[int, int]:
        """Maps a span of the original text to the normalised text, trimmed of spaces.

        Args:
            start: Start offset in the original text.
            end: End offset in the original text.

        Returns:
            ``(start, end)`` in the normalised text.
        """
        new_start = self.map_offset(start, is_end=False)
        new_end = max(new_start, self.map_offset(end, is_end=True))
        while new_start < new_end and self.text[new_start].isspace():
            new_start += 1
        while new_end > new_start and self.text[new_end - 1].isspace():
            new_end -= 1
        return new_start, new_end


def normalise(
    text: str,
    *,
    remove_nuktas: bool = True,
    lowercase: bool = True,
    emoji_words: Optional[Dict[str, str]] = None,
    keep_double: FrozenSet[str] = DEFAULT_DOUBLE_LETTER_WORDS,
) -> NormalisedText:
    """Normalises a message and keeps the alignment with the original.

    Args:
        text: The message as typed.
        remove_nuktas: Drop the nukta so "ज़" and "ज" are the same letter.
        lowercase: Lowercase Roman letters.
        emoji_words: Emoji -> word; other emojis are removed. Defaults to
            :data:`DEFAULT_EMOJI_WORDS`.
        keep_double: Words whose double letters survive de-elongation.

    Returns:
        The normalised text with its alignment.
    """
    emoji_map = DEFAULT_EMOJI_WORDS if emoji_words is None else emoji_words
    raw: List[Piece] = []
    for match in _PIECES.finditer(text):
        kind, chunk = match.lastgroup, match.group()
        if kind == "deva":
            out = unicodedata.normalize("NFC", chunk)
            out = _indic_normalizer(remove_nuktas).normalize(out)
            out = _ZERO_WIDTH_CHARS.sub("", out).translate(DEVANAGARI_DIGITS)
        elif kind == "latin":
            out = _ZERO_WIDTH_CHARS.sub("", unicodedata.normalize("NFC", chunk))
            if lowercase:
                out = de_elongate(out.lower(), keep_double)
        elif kind == "emoji":
            words = [emoji_map[c] for c in chunk if c in emoji_map]
            out = f" {' '.join(dict.fromkeys(words))} " if words else " "
        elif kind == "space":
            out = " "
        elif kind == "invisible":
            out = ""
        else:
            out = unicodedata.normalize("NFC", chunk).translate(DEVANAGARI_DIGITS)
        raw.append(Piece(match.start(), match.end(), out))
    return _collapse_spaces(text, raw)


def _collapse_spaces(original: str, raw: List[Piece]) -> NormalisedText:
    """Collapses spaces across pieces and computes where each piece starts."""
    pieces: List[Piece] = []
    last_is_space = True  # at the start of the text, leading spaces are dropped
    for piece in raw:
        out = _WHITESPACE.sub(" ", piece.text)
        if last_is_space and out.startswith(" "):
            out = out[1:]
        if out:
            last_is_space = out.endswith(" ")
        pieces.append(Piece(piece.start, piece.end, out))
    # Drop the trailing space, from the last pieces backwards.
    for index in range(len(pieces) - 1, -1, -1):
        if not pieces[index].text:
            continue
        if pieces[index].text.endswith(" "):
            piece = pieces[index]
            pieces[index] = Piece(piece.start, piece.end, piece.text[:-1])
        break
    text = "".join(piece.text for piece in pieces)
    starts: List[int] = []
    position = 0
    for piece in pieces:
        starts.append(position)
        position += len(piece.text)
    return NormalisedText(original, text, tuple(pieces), tuple(starts))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class IndicNormalizer(GraphComponent):
    """Rewrites each message's text into a normalised form (see module docstring).

    Runs before the tokenizer. In training data, entity offsets are moved onto the
    normalised text and entity synonyms are added for the normalised spellings.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the default config.

        Returns:
            ``remove_nuktas``: drop nuktas after normalising them;
            ``lowercase``: lowercase and de-elongate Roman words;
            ``emoji_words``: emoji -> word map (None: built-in map);
            ``keep_double``: extra words whose double letters are real.
        """
        return {
            "remove_nuktas": True,
            "lowercase": True,
            "emoji_words": None,
            "keep_double": [],
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Packages needed by this component."""
        return ["indicnlp"]

    def __init__(self, config: Dict[str, Any]) -> None:
        """Creates the normaliser from its config (see :meth:`get_default_config`)."""
        self._remove_nuktas = bool(config["remove_nuktas"])
        self._lowercase = bool(config["lowercase"])
        self._emoji_words = config.get("emoji_words")
        self._keep_double = DEFAULT_DOUBLE_LETTER_WORDS | frozenset(
            config.get("keep_double") or []
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IndicNormalizer:
        """Creates the component (see parent class for the arguments)."""
        return cls(config)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Checks the option types."""
        emoji_words = config.get("emoji_words")
        if emoji_words is not None and not isinstance(emoji_words, dict):
            raise ValueError("IndicNormalizer: 'emoji_words' must be a mapping or null")

    def normalise(self, text: str) -> NormalisedText:
        """Normalises one text with this component's settings.

        Args:
            text: Text as typed.

        Returns:
            The normalised text and its alignment to ``text``.
        """
        return normalise(
            text,
            remove_nuktas=self._remove_nuktas,
            lowercase=self._lowercase,
            emoji_words=self._emoji_words,
            keep_double=self._keep_double,
        )

    def _rewrite(self, message: Message) -> Optional[NormalisedText]:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or text.startswith("/"):
            return None
        result = self.normalise(text)
        if result.text != text:
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
            message.set(TEXT, result.text or text)
        return result

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises the text of incoming messages.

        Args:
            messages: Messages to normalise.

        Returns:
            The same messages, their text rewritten.
        """
        for message in messages:
            self._rewrite(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises training examples and moves entity annotations with the text.

        Args:
            training_data: The NLU training data.

        Returns:
            The same training data, normalised.
        """
        for example in training_data.training_examples:
            entities = example.get(ENTITIES) or []
            result = self._rewrite(example)
            if result is None or result.text == result.original or not entities:
                continue
            moved = []
            for entity in entities:
                start, end = result.map_span(entity["start"], entity["end"])
                old_span = result.original[entity["start"] : entity["end"]]
                new_span = result.text[start:end]
                updated = dict(entity, start=start, end=end)
                if entity.get("value") == old_span:
                    updated["value"] = new_span
                moved.append(updated)
            example.set(ENTITIES, moved)
        synonyms = training_data.entity_synonyms
        for key, value in list(synonyms.items()):
            normalised = self.normalise(key).text
            if normalised and normalised != key:
                synonyms.setdefault(normalised, value)
        return training_data
