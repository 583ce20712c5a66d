"""Names of people, places and organisations, without an NER model.

A name is a run of capitalised words (with "of", "de", "al"... allowed inside), minus
function words, titles, months and weekdays. A capital at the start of a sentence or quote
proves nothing, so such a first word is kept only when the documents confirm it (see
`NameContext`).

Two names are the same when every word of the shorter matches a word of the longer, exactly
or as a spelling variant: transliterations (Gaddafi/Qaddafi/Kadhafi, Zelensky/Zelenskyy)
share a phonetic key or a consonant skeleton, typos are one edit apart in a long word.
"Paris"/"Lyon" and "Iran"/"Iraq" are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.fuzz import ratio

from .lexicon import (
    MONTHS,
    NAME_ABBREVIATIONS,
    NAME_ALIASES,
    NAME_CONNECTORS,
    NOT_NAMES,
    TITLES,
    WEEKDAYS,
)
from .normalise import Token, stem

_POSSESSIVE = re.compile(r"'s?$")
_OPENERS = frozenset({'"', "'", "(", "[", ":", "-", "--", ";", "`"})
_PHONETIC_STEPS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"([bcdgkpstz])h"), r"\1"),
    (re.compile(r"[cgq]"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)
_VOWELS_AFTER_FIRST = re.compile(r"(?<=.)[aeiou]")
_LOWER_PREFIX = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True, slots=True)
class NameCandidate:
    words: tuple[str, ...]  # the words as written
    text: str  # the span as written in the sentence
    token: int  # index of its first token
    at_start: bool  # its first word opens a sentence or a quote: needs confirmation


def _name_like(token: Token) -> bool:
    """A capitalised word, or a hyphenated one with a capital inside ("anti-Kremlin")."""
    text = token.text
    if not (text[0].isupper() or ("-" in text and text != token.lower)) or not token.is_word:
        return False
    bare = _POSSESSIVE.sub("", token.lower)
    return bare not in NOT_NAMES and bare not in MONTHS and bare not in WEEKDAYS


def find_names(tokens: Sequence[Token], claimed: set[int], sentence: str) -> list[NameCandidate]:
    """Capitalised spans in a sentence (token indexes in `claimed` belong to dates)."""
    names: list[NameCandidate] = []
    n = len(tokens)
    i = 0
    while i < n:
        if i in claimed or not _name_like(tokens[i]):
            i += 1
            continue
        start = i
        previous = tokens[i - 1].text if i > 0 else ""
        at_start = i == 0 or previous in _OPENERS or (i == 1 and not tokens[0].is_word)
        j = i + 1
        while not tokens[j - 1].lower.endswith(("'s", "'")) and j < n:
            if j not in claimed and _name_like(tokens[j]):
                j += 1
            elif (
                tokens[j].text == "."
                and tokens[j - 1].lower in NAME_ABBREVIATIONS
                and j + 1 < n
                and j + 1 not in claimed
                and _name_like(tokens[j + 1])
            ):
                j += 2  # "Mt. Etna", "Gen. Smith": the dot belongs to the name
            elif (
                tokens[j].lower in NAME_CONNECTORS
                and j + 1 < n
                and j + 1 not in claimed
                and _name_like(tokens[j + 1])
            ):
                j += 2
            else:
                break
        words = tuple(t.text for t in tokens[start:j])
        text = sentence[tokens[start].start : tokens[j - 1].end]
        names.append(NameCandidate(words, text, start, at_start))
        i = j
    return names


@lru_cache(maxsize=16384)
def name_key(words: tuple[str, ...]) -> str:
    """'President Donald Trump's' -> 'donald trump'; 'U.S.' -> 'us'; 'Mt. Etna' -> 'mount
    etna'; '' when only titles."""
    lowered = [_POSSESSIVE.sub("", w.lower()).replace(".", "") for w in words]
    lowered = [NAME_ABBREVIATIONS.get(w, w) for w in lowered if w]
    while lowered and (
        lowered[0] in TITLES or lowered[0] in NAME_CONNECTORS or lowered[0] == "the"
    ):
        lowered.pop(0)
    key = " ".join(w for w in lowered if w)
    return NAME_ALIASES.get(key, NAME_ALIASES.get(key.replace(" ", "."), key))


@lru_cache(maxsize=16384)
def phonetic(word: str) -> str:
    key = word.lower()
    for pattern, replacement in _PHONETIC_STEPS:
        key = pattern.sub(replacement, key)
    return key


_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "ese", "ish", "i", "s")
_TRAILING_VOWELS = re.compile(r"[aeiouy]+$")


def _demonym_root(word: str) -> str:
    """'ukrainian'/'ukraine' -> 'ukrain', 'russian'/'russia' -> 'russ', 'iraqi' -> 'iraq'."""
    for suffix in _DEMONYM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return _TRAILING_VOWELS.sub("", word)


def _first_class(key: str) -> str:
    return "v" if key[:1] in "aeiou" else key[:1]


def _digits(word: str) -> str:
    return "".join(ch for ch in word if ch.isdigit())


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Spelling variants of one name word (lowercase)."""
    if a == b:
        return True
    digits_a, digits_b = _digits(a), _digits(b)
    if digits_a and digits_b and digits_a != digits_b:
        return False  # codes and models: "TS7"/"TS8", "A350"/"A380" are two things
    pa, pb = phonetic(a), phonetic(b)
    if not pa or not pb:
        return False
    if pa == pb and len(pa) >= 4:
        return True
    root = _demonym_root(a)
    if len(root) >= 4 and root == _demonym_root(b):
        return True
    if _first_class(pa) != _first_class(pb):
        return False
    # Spelling variants keep the length; "Austria"/"Australia" are alike but two places.
    if abs(len(pa) - len(pb)) <= 1 and ratio(pa, pb) >= 84:
        return True
    # Same consonants, other vowels (Mohammed/Muhammad, Hosni/Husni): a transliteration.
    skeleton_a = _VOWELS_AFTER_FIRST.sub("", pa)
    if len(skeleton_a) >= 3 and skeleton_a == _VOWELS_AFTER_FIRST.sub("", pb):
        return True
    return min(len(a), len(b)) >= 6 and DamerauLevenshtein.distance(a, b) <= 1


def same_name(a: str, b: str) -> bool:
    """Two name keys refer to the same name (see module docstring)."""
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    return bool(words_a) and all(any(same_word(x, y) for y in words_b) for x in words_a)


def capital_initials(words: Iterable[str]) -> str:
    """ "Trade and Cooperation Agreement" -> "tca": what the name's abbreviation would be,
    from the first letters of its capitalised words."""
    return "".join(word[0] for word in words if word[:1].isupper()).lower()


_ACRONYM_MAX = 6


def describes(phrase: str, name: str) -> bool:
    """Does a lowercase phrase describe an abbreviation, its initials read in it ("LFDs"
    -> "rapid lateral flow tests", "PPE" -> "protective equipment")? A description in
    common nouns names no other thing; all but one initial must be there, in order."""
    letters = name[:-1] if name.endswith("s") and name[:-1].isupper() else name
    if not (letters.isupper() and letters.isalpha() and 2 <= len(letters) <= _ACRONYM_MAX):
        return False
    words = [w for w in phrase.split() if w.isalpha()]
    if not words or not all(w.islower() for w in words):
        return False
    initials = "".join(w[0] for w in words)
    found, at = 0, 0
    for letter in letters.lower():
        position = initials.find(letter, at)
        if position >= 0:
            found, at = found + 1, position + 1
    return found >= max(2, len(letters) - 1)


_SHARED_PREFIX = 3


class NameContext:
    """What the two documents say about capitalised words, for names at a sentence start.

    Asked word by word: a comparison asks about a few words, so each question is a search
    of the texts for that word (twice as fast on a seed-sized pair, compiling included)
    rather than an index of every word in them."""

    def __init__(self, *texts: str) -> None:
        self._texts = [text.replace("\u2019", "'") for text in texts]
        self._forms: dict[str, list[str]] = {}

    def _capitalised(self, lower: str) -> bool:
        """Is the word written capitalised inside a sentence ("... said Putin")?"""
        if not lower[:1].isascii() or not lower[:1].isalpha():
            return False
        written = re.compile(
            rf"(?<=[a-z0-9,;] ){lower[0].upper()}(?i:{re.escape(lower[1:])})(?:'s?)?(?![\w'.-])"
        )
        return any(written.search(text) for text in self._texts)

    def _lowercase_forms(self, prefix: str) -> list[str]:
        """The words written lowercase that open on `prefix`."""
        if prefix not in self._forms:
            words = re.compile(rf"\b{re.escape(prefix)}[a-z'-]*")
            self._forms[prefix] = [w for text in self._texts for w in words.findall(text)]
        return self._forms[prefix]

    def _used_lowercase(self, word: str) -> bool:
        """Is the word, or another form of it ("flooding" for "floods"), used lowercase?"""
        target = stem(word)
        if not _LOWER_PREFIX.match(target):
            return False
        forms = self._lowercase_forms(target[:_SHARED_PREFIX])
        return word in forms or any(stem(form) == target for form in forms)

    def confirms(self, word: str) -> bool:
        """Is `word`, seen capitalised at a sentence start, a name?"""
        lower = _POSSESSIVE.sub("", word.lower())
        if self._capitalised(lower):
            return True
        # The same word used lowercase elsewhere ("floods"/"flooding") means the capital
        # was only grammar.
        if self._used_lowercase(lower):
            return False
        return not (len(lower) > 5 and lower.endswith(("ly", "ing", "ed")))


def resolve(candidates: Iterable[NameCandidate], context: NameContext) -> list[tuple[str, str]]:
    """(key, text) of the candidates that are names, dropping an unconfirmed first word."""
    resolved: list[tuple[str, str]] = []
    for candidate in candidates:
        words, text = candidate.words, candidate.text
        if candidate.at_start and not context.confirms(words[0]):
            rest = list(words[1:])
            while rest and rest[0].lower() in NAME_CONNECTORS:
                rest.pop(0)
            if not rest:
                continue
            words = tuple(rest)
            text = text[text.find(rest[0]) :]
        key = name_key(words)
        if key:
            resolved.append((key, text))
    return resolved
