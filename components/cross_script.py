"""Cross-script spelling keys: one loose Roman form for Devanagari and Roman spellings.

``loose_key("प्रमाण")``, ``loose_key("praman")`` and ``loose_key("pramaan")`` are all
``"praman"``. Devanagari is transliterated with indic-transliteration (ITRANS), then both
scripts go through the same spelling folds: long vowels to short (aa -> a, ee -> i,
oo -> u), aspirates to plain consonants (bh -> b, kh -> k, ph -> f ...), sh/s, w/v, z/j,
doubled letters to single, a silent word-final "a" dropped ("patra" = "patr"), and "h"/"y"
glides between vowels dropped ("chahiye" = "chaiye" = "chahie").

Used by the cross-script featuriser and the service gazetteer (pure functions, no I/O).
"""

from __future__ import annotations

import functools
import re
from typing import List

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_ANUSVARA = re.compile("[\u0901\u0902]")

# Applied in order to lowercase Roman text.
_FOLDS = (
    (re.compile(r"chh|ch|c"), "c"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"q"), "k"),
    (re.compile(r"z"), "j"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ph|f"), "f"),
    (re.compile(r"sh|s"), "s"),
    (re.compile(r"([bdgjkpt])h"), r"\1"),
    (re.compile(r"aa+"), "a"),
    (re.compile(r"ee+|ii+"), "i"),
    (re.compile(r"oo+|uu+"), "u"),
    (re.compile(r"(?<=[aeiou])[hy](?=[aeiou])"), ""),
    (re.compile(r"(?<=[aeiou])h$"), ""),
    (re.compile(r"ie$"), "i"),
    (re.compile(r"ai(?!$)|ay$|ei"), "e"),
    (re.compile(r"au"), "o"),
    (re.compile(r"([a-z])\1+"), r"\1"),
)
_FINAL_A = re.compile(r"(?<=[bcdfgjklmnprstv])a$")


@functools.lru_cache(maxsize=8192)
def roman(word: str) -> str:
    """Returns a lowercase Roman spelling of ``word`` (Devanagari is transliterated).

    Args:
        word: One word in either script.

    Returns:
        The word in lowercase Roman letters.
    """
    if not _DEVANAGARI.search(word):
        return "".join(char for char in word.lower() if char.isalnum())
    from indic_transliteration import sanscript

    text = _ANUSVARA.sub("n", word)
    text = sanscript.transliterate(text, sanscript.DEVANAGARI, sanscript.ITRANS)
    text = text.replace("~N", "n").replace("~n", "n").replace(".N", "n")
    text = text.replace("R^i", "ri").replace("RRi", "ri").replace(".D", "r")
    text = text.replace(".h", "").replace(".a", "").replace("^", "")
    return re.sub(r"[^a-z]", "", text.lower())


@functools.lru_cache(maxsize=16384)
def loose_key(word: str) -> str:
    """Returns the loose spelling key of one word (see the module docstring).

    Args:
        word: One word in Devanagari or Roman script.

    Returns:
        Its key; "" for a word without letters.
    """
    text = roman(word)
    if not text.isascii():
        return text
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    if len(text) > 3:
        text = _FINAL_A.sub("", text)
    return text


def loose_phrase(words: List[str]) -> str:
    """Returns the keys of several words joined by single spaces."""
    return " ".join(key for key in (loose_key(w) for w in words) if key)
