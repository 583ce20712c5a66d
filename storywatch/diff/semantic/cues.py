"""Negation, polarity and modality cues: single words or short phrases, keyed by meaning.

Negations are all keyed "neg" because only their count matters ("did not respond" and
"failed to respond" both deny once). Polarity words carry their group and sign
("direction:+1" for "rose"). Modal cues carry their class ("possible" for may/might/could).
"""

from __future__ import annotations

from collections.abc import Sequence

from .lexicon import (
    MODAL_PHRASES,
    MODAL_WORDS,
    NEGATING_BEFORE_TO,
    NEGATING_VERBS,
    NEGATION_WORDS,
    POLARITY_GROUPS,
    PROGRESSIVE_AUXILIARIES,
)
from .mention import Mention
from .normalise import Token

_POLARITY = {
    word: f"{group}:{sign:+d}"
    for group, signs in POLARITY_GROUPS.items()
    for sign, words in signs.items()
    for word in words
}
_LONGEST_PHRASE = max(len(phrase) for phrase in MODAL_PHRASES)
_PARTICIPLE_ENDINGS = ("ed", "en", "wn", "ne", "lt", "pt")
_SHORTEST_PARTICIPLE = 3
_PHRASE_STARTS = frozenset(phrase[0] for phrase in MODAL_PHRASES)


def _mention(tokens: Sequence[Token], sentence: str, i: int, size: int, key: str) -> Mention:
    text = sentence[tokens[i].start : tokens[i + size - 1].end]
    return Mention(text, key, i, size)


def _is_negation(tokens: Sequence[Token], i: int) -> bool:
    lower = tokens[i].lower
    following = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    if lower.endswith("n't"):
        return True
    if lower == "not" and following == "only":  # "not only X but Y" affirms both
        return False
    if lower == "no" and following == ".":  # "No. 3"
        return False
    if lower in NEGATING_BEFORE_TO:
        return following == "to"
    return lower in NEGATION_WORDS or lower in NEGATING_VERBS


def find_negations(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    return [
        _mention(tokens, sentence, i, 1, "neg")
        for i in range(len(tokens))
        if _is_negation(tokens, i)
    ]


def find_polarity(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    return [
        _mention(tokens, sentence, i, 1, _POLARITY[token.lower])
        for i, token in enumerate(tokens)
        if token.lower in _POLARITY
    ]


def _modal_word(token: Token) -> str | None:
    lower = token.lower
    if lower in MODAL_WORDS:
        # A capital "May" inside a sentence is the month or a name, not the verb.
        if lower == "may" and token.text == "May":
            return None
        return MODAL_WORDS[lower]
    if "'" in lower:  # "I'll", "she'd"
        suffix = lower[lower.index("'") :]
        return MODAL_WORDS.get(suffix)
    return None


def find_modals(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    mentions: list[Mention] = []
    lowers = [t.lower for t in tokens]
    i = 0
    while i < len(tokens):
        sizes = range(_LONGEST_PHRASE, 0, -1) if lowers[i] in _PHRASE_STARTS else range(0)
        for size in sizes:
            phrase = tuple(lowers[i : i + size])
            if len(phrase) == size and phrase in MODAL_PHRASES:
                mentions.append(_mention(tokens, sentence, i, size, MODAL_PHRASES[phrase]))
                i += size
                break
        else:
            if _in_progress(lowers, i):
                mentions.append(_mention(tokens, sentence, i, 2, "ongoing"))
                i += 2
                continue
            modal = _modal_word(tokens[i])
            if modal is not None:
                mentions.append(_mention(tokens, sentence, i, 1, modal))
            i += 1
    return mentions


def _in_progress(lowers: Sequence[str], i: int) -> bool:
    """ "are being updated": an auxiliary, "being", then a participle."""
    return (
        lowers[i] in PROGRESSIVE_AUXILIARIES
        and i + 2 < len(lowers)
        and lowers[i + 1] == "being"
        and len(lowers[i + 2]) > _SHORTEST_PARTICIPLE
        and lowers[i + 2].endswith(_PARTICIPLE_ENDINGS)
    )
