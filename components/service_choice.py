"""Which of the services a message names is the one the citizen wants.

Citizens often name two services in one message: "not the learner one, the permanent
licence", "I already have the learner's licence, now I need the pakka DL", "मृत्यु प्रमाण पत्र
बन गया है, अब विधवा पेंशन चाहिए". The NLU finds both; this module keeps the wanted one.

The message is cut into clauses (at punctuation and at words such as "but", "now", "अब",
"lekin"). A service whose clause negates it ("not", "नहीं", "nahi") or says the citizen already
has it ("have", "already", "बन गया", "mil gaya") is set aside when another service in the
message is not. A message that names one service keeps it whatever the wording ("ration card
nahi hai, banwana hai" is a request for a ration card). Cue words are compared by their
cross-script loose keys, so "nahi", "nahin" and "नहीं" are one word.
"""

from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, List, Sequence, Tuple

from components.cross_script import loose_key
from components.indic_tokenizer import split_words

SERVICE = "service"

# Words that start a new clause (besides punctuation).
_CLAUSE_WORDS = (
    "but now instead rather then so however "
    "lekin magar par pr balki ab aur isliye "
    "लेकिन मगर पर बल्कि अब इसलिए"
)
# A service right after (or, in Hindi word order, right before) one of these is not wanted.
_NEGATIONS = "not no nor never dont don't nahi nahin nhi na mat नहीं नही ना मत"
# The citizen already has the service this clause names.
_HAVE = (
    "have has had already got made issued done "
    "hai paas pas gaya gya chuka chuki mil mila bana bani ban "
    "है पास गया चुका चुकी मिल मिला बना बनी बन"
)
# The clause asks for the service.
_WANT = (
    "need want apply require needed wanted make get "
    "chahiye chaiye chahie banwana banvana banana karwana lagwani lagwana "
    "चाहिए चाहिये बनवाना बनाना करवाना लगवाना"
)
_AFTER = 2  # words after a service that still speak of it ("learner wala nahi")
_PUNCTUATION = re.compile(r"[,.;:!?।|()\-\u2013\u2014/]")


def _keys(words: str) -> FrozenSet[str]:
    return frozenset(k for k in (loose_key(w) for w in words.split()) if k)


CLAUSE_WORDS = _keys(_CLAUSE_WORDS)
NEGATIONS = _keys(_NEGATIONS)
WANT = _keys(_WANT)
# Loose keys may make a having word and an asking word one ("ban" of "banana"): a word
# that asks is never read as having.
HAVE = _keys(_HAVE) - WANT


def clauses(text: str) -> List[Tuple[int, int]]:
    """Returns the (start, end) offsets of the clauses of ``text``."""
    bounds = [0]
    for match in _PUNCTUATION.finditer(text):
        bounds.append(match.start())
    for word in split_words(text):
        if loose_key(word.group()) in CLAUSE_WORDS:
            bounds.append(word.start())
    bounds = sorted(set(bounds)) + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _clause_of(spans: Sequence[Tuple[int, int]], start: int) -> Tuple[int, int]:
    return next((s for s in spans if s[0] <= start < s[1]), (0, 0))


def _words(text: str, start: int, end: int) -> List[Tuple[int, int, str]]:
    return [
        (m.start() + start, m.end() + start, loose_key(m.group()))
        for m in split_words(text[start:end])
    ]


def set_aside(
    text: str,
    entity: Dict[str, Any],
    others: Sequence[Dict[str, Any]],
    spans: Sequence[Tuple[int, int]],
) -> bool:
    """True when the clause of this service mention negates it or says it is already had.

    The clause stops at the other services named in it: in "learner wala nahi pakka
    licence chahiye" the "nahi" is the learner's, not the permanent licence's.
    """
    clause_start, clause_end = _clause_of(spans, entity["start"])
    after_another = False
    for other in others:
        if clause_start < other["end"] <= entity["start"]:
            clause_start, after_another = other["end"], True
        if entity["end"] <= other["start"] < clause_end:
            clause_end = other["start"]
    words = _words(text, clause_start, clause_end)
    before = [k for s, _, k in words if s < entity["start"]]
    after = [k for s, _, k in words if s >= entity["end"]]
    # The first words after another service are its own ("learner wala nahi").
    own_before = before[_AFTER:] if after_another else before
    if NEGATIONS & set(own_before[-3:]) or NEGATIONS & set(after[:_AFTER]):
        return True
    keys = set(before) | set(after)
    return bool(keys & HAVE) and not keys & WANT


def _word_keys(text: str, entity: Dict[str, Any]) -> FrozenSet[str]:
    return frozenset(k for _, _, k in _words(text, entity["start"], entity["end"]) if k)


def _less_specific(
    text: str, wanted_ones: List[Dict[str, Any]], services: List[Dict[str, Any]]
) -> List[Dict[str, Any]]:
    """Mentions whose words all recur in a longer, wanted mention of another service.

    "dl was inside it, need a duplicate dl": "dl" is said again, more precisely, in
    "duplicate dl". Not so in "dl renewal nahi, naya dl chahiye": the renewal is refused.
    """
    keys = {id(e): _word_keys(text, e) for e in services}
    return [
        e
        for e in services
        if any(
            o.get("value") != e.get("value") and keys[id(e)] < keys[id(o)]
            for o in wanted_ones
        )
    ]


def all_set_aside(text: str, entities: List[Dict[str, Any]]) -> bool:
    """True when the message names services and sets every one of them aside.

    "I already got the death certificate, now I want the monthly pension for widows": the
    one service named is had; what is wanted is described (see the service classifier).
    """
    services = [e for e in entities if e.get("entity") == SERVICE and "start" in e]
    spans = clauses(text)
    return bool(services) and all(
        set_aside(text, e, [o for o in services if o is not e], spans) for e in services
    )


def wanted(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Returns ``entities`` without the service mentions the citizen does not want.

    Args:
        text: The message text.
        entities: The message's entities (any kind; only ``service`` ones are judged).

    Returns:
        The entities, minus ``service`` mentions said again more precisely for another
        service, and minus those set aside while another service of the message is kept.
    """
    services = [e for e in entities if e.get("entity") == SERVICE and "start" in e]
    if len({e.get("value") for e in services}) < 2:
        return entities
    spans = clauses(text)
    aside = [
        e
        for e in services
        if set_aside(text, e, [o for o in services if o is not e], spans)
    ]
    vague = _less_specific(text, [e for e in services if e not in aside], services)
    entities = [e for e in entities if e not in vague]
    services = [e for e in services if e not in vague]
    if len({e.get("value") for e in services}) < 2:
        return entities
    kept_values = {e.get("value") for e in services if e not in aside}
    if not kept_values:
        return entities
    dropped = [e for e in aside if e.get("value") not in kept_values]
    return [e for e in entities if e not in dropped]
