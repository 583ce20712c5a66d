"""Everything the comparison needs from one sentence, extracted once and cached.

Extraction is a pure function of the sentence string, and most sentences of a new version
are unchanged, so an LRU cache makes repeated comparisons of a story nearly free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .attribution import find_speakers
from .cues import find_modals, find_negations, find_polarity
from .dates import find_dates
from .lexicon import NUMBER_WORDS, STOP_WORDS
from .mention import Mention
from .names import NameCandidate, find_names
from .normalise import Token, stem, tokenise
from .quantities import find_numbers
from .quotes import find_quotes


@dataclass(frozen=True, slots=True)
class Features:
    tokens: tuple[Token, ...]
    numbers: tuple[Mention, ...]
    dates: tuple[Mention, ...]
    names: tuple[NameCandidate, ...]
    negations: tuple[Mention, ...]
    polarity: tuple[Mention, ...]
    modals: tuple[Mention, ...]
    speakers: tuple[Mention, ...]
    quotes: tuple[Mention, ...]
    words: frozenset[str]  # lowercase words, possessive dropped

    @property
    def word_count(self) -> int:
        return sum(1 for token in self.tokens if token.is_word)


# Two words are forms of one when they share this many first letters ("repeated" and
# "repeatedly", "nominations" and "nominees"): a crude stem for comparing whole stories.
WORD_PREFIX = 6
# Number words are values, read as numbers: their stems are no content word of a sentence.
NUMBER_WORD_STEMS = frozenset(stem(word) for word in NUMBER_WORDS)


def content_stems(tokens: Sequence[Token]) -> frozenset[str]:
    """Stems of the content words (no stop words, three letters or more)."""
    return frozenset(
        stem(t.lower)
        for t in tokens
        if t.is_word and len(t.lower) > 2 and t.lower not in STOP_WORDS
    )


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def text_stems(text: str) -> frozenset[str]:
    """`content_stems` of a whole text, without tokenising (and caching) it as a
    sentence: for a headline checked against the article around it."""
    return frozenset(
        stem(word)
        for word in _WORD.findall(text.lower())
        if len(word) > 2 and word not in STOP_WORDS
    )


@lru_cache(maxsize=32768)
def sentence_features(sentence: str) -> Features:
    tokens = tokenise(sentence)
    dates, claimed = find_dates(tokens, sentence)
    return Features(
        tokens=tokens,
        numbers=tuple(find_numbers(tokens, claimed, sentence)),
        dates=tuple(dates),
        names=tuple(find_names(tokens, claimed, sentence)),
        negations=tuple(find_negations(tokens, sentence)),
        polarity=tuple(find_polarity(tokens, sentence)),
        modals=tuple(find_modals(tokens, sentence)),
        speakers=tuple(find_speakers(tokens, sentence)),
        quotes=tuple(find_quotes(tokens, sentence)),
        words=frozenset(t.lower.removesuffix("'s") for t in tokens if t.is_word),
    )


def _shift_names(names: tuple[NameCandidate, ...], offset: int) -> tuple[NameCandidate, ...]:
    return tuple(NameCandidate(n.words, n.text, n.token + offset, n.at_start) for n in names)


def _shift(mentions: tuple[Mention, ...], offset: int) -> tuple[Mention, ...]:
    return tuple(m.shifted(offset) for m in mentions) if offset else mentions


def group_features(sentences: Sequence[str]) -> Features:
    """Features of consecutive sentences read as one (a split or merged sentence)."""
    if len(sentences) == 1:
        return sentence_features(sentences[0])
    parts = [sentence_features(s) for s in sentences]
    offsets = []
    total = 0
    for part in parts:
        offsets.append(total)
        total += len(part.tokens)
    return Features(
        tokens=tuple(t for p in parts for t in p.tokens),
        numbers=tuple(m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.numbers, o)),
        dates=tuple(m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.dates, o)),
        names=tuple(
            n for p, o in zip(parts, offsets, strict=True) for n in _shift_names(p.names, o)
        ),
        negations=tuple(
            m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.negations, o)
        ),
        polarity=tuple(
            m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.polarity, o)
        ),
        modals=tuple(m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.modals, o)),
        speakers=tuple(
            m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.speakers, o)
        ),
        quotes=tuple(m for p, o in zip(parts, offsets, strict=True) for m in _shift(p.quotes, o)),
        words=frozenset().union(*(p.words for p in parts)),
    )
