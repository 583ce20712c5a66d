"""Who a claim is attributed to: "police said", "according to Reuters", "said Peskov".

The speaker phrase is the run of words before a speech verb (skipping auxiliaries such as
"has" or "also"), back to a comma, quote or clause word; or, when nothing precedes the verb
("..., said the ministry."), the words after it. Its key drops determiners and
possessives and maps a few synonyms, so "the agency's sources" and "agency sources" are one
speaker; pronouns are keyed "*" and match any speaker.
"""

from __future__ import annotations

from collections.abc import Sequence

from .lexicon import (
    CLAUSE_BOUNDARIES,
    MONTHS,
    PASSIVE_MARKERS,
    PRONOUNS,
    SPEAKER_FILLERS,
    SPEAKER_SYNONYMS,
    SPEECH_AUXILIARIES,
    SPEECH_VERBS,
    WEEKDAYS,
)
from .mention import Mention
from .normalise import Token

_MAX_SPEAKER_WORDS = 6


def _transpositions(word: str) -> set[str]:
    return {word[:k] + word[k + 1] + word[k] + word[k + 2 :] for k in range(len(word) - 1)}


# "siad", "tlod": swapped letters are the commonest typo; for these verbs no swap is a word.
_SPEECH_VERB_TYPOS = frozenset(
    typo
    for verb in ("said", "says", "told", "added", "stated", "reported")
    for typo in _transpositions(verb)
)
_DATE_WORDS = WEEKDAYS | frozenset(MONTHS) | {"today", "yesterday", "on", "last", "this"}


def speaker_key(words: Sequence[str]) -> str:
    kept: list[str] = []
    for word in words:
        lower = word.lower().replace("'s", "").replace("'", "").replace(".", "")
        if lower in SPEAKER_FILLERS or not lower:
            continue
        kept.append(SPEAKER_SYNONYMS.get(lower, lower))
    if len(kept) == 1 and kept[0] in PRONOUNS:
        return "*"
    return " ".join(kept)


def _speaker(tokens: Sequence[Token], indexes: list[int], sentence: str) -> Mention | None:
    if not indexes:
        return None
    words = [tokens[k].text for k in indexes]
    key = speaker_key(words)
    if not key:
        return None
    text = sentence[tokens[indexes[0]].start : tokens[indexes[-1]].end]
    return Mention(text, key, indexes[0], len(indexes))


def _is_passive(tokens: Sequence[Token], verb: int) -> bool:
    k = verb - 1
    while k >= 0 and tokens[k].lower in SPEECH_AUXILIARIES:
        k -= 1
    return k >= 0 and tokens[k].lower in PASSIVE_MARKERS


def _joins_names(tokens: Sequence[Token], k: int, in_list: bool) -> bool:
    """Is token k the "and" of a list of names ("the leaders of the UK, France and Italy
    said"), or, once that "and" is behind the walk, one of the list's commas? A clause
    boundary otherwise ("from Tuesday, the union said")."""
    joiner = tokens[k].lower
    if k == 0 or k + 1 >= len(tokens) or joiner not in ("and", ","):
        return False
    before, after = tokens[k - 1], tokens[k + 1]
    if not before.text[0].isupper() or before.lower in _DATE_WORDS:
        return False
    if joiner == ",":
        return in_list and after.text[0].isupper()
    return after.text[0].isupper() or after.lower == "the"


_RELATIVE_PRONOUNS = frozenset({"that", "which", "who"})


def _words_before(tokens: Sequence[Token], verb: int) -> list[int]:
    k = verb - 1
    while k >= 0 and tokens[k].lower in SPEECH_AUXILIARIES:
        k -= 1
    # "We have published research that shows": the speaker is the noun the clause is on.
    if k > 0 and tokens[k].lower in _RELATIVE_PRONOUNS and tokens[k - 1].is_word:
        k -= 1
    indexes: list[int] = []
    in_list = False
    listed = 0  # the names of a list after its first do not count towards the limit
    while k >= 0 and len(indexes) - listed < _MAX_SPEAKER_WORDS:
        token = tokens[k]
        if _joins_names(tokens, k, in_list):
            in_list = True
            listed = sum(1 for i in indexes if tokens[i].text[0].isupper())
            k -= 1
            continue
        if not token.is_word or token.lower in CLAUSE_BOUNDARIES:
            break
        indexes.append(k)
        k -= 1
    return indexes[::-1]


def _words_after(tokens: Sequence[Token], start: int) -> list[int]:
    indexes: list[int] = []
    k = start
    while k < len(tokens) and len(indexes) < _MAX_SPEAKER_WORDS:
        token = tokens[k]
        if not token.is_word or token.lower in CLAUSE_BOUNDARIES:
            break
        indexes.append(k)
        k += 1
    return indexes


def find_speakers(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    speakers: list[Mention] = []
    for i, token in enumerate(tokens):
        lower = token.lower
        if lower == "according" and i + 1 < len(tokens) and tokens[i + 1].lower == "to":
            found = _speaker(tokens, _words_after(tokens, i + 2), sentence)
        elif lower in SPEECH_VERBS or lower in _SPEECH_VERB_TYPOS:
            if _is_passive(tokens, i):
                continue
            found = _speaker(tokens, _words_before(tokens, i), sentence)
            after = i + 1
            if found is None and after < len(tokens) and tokens[after].lower not in _DATE_WORDS:
                found = _speaker(tokens, _words_after(tokens, after), sentence)
        else:
            continue
        if found is not None:
            speakers.append(found)
    return speakers
