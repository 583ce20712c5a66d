"""A claim's label: who or what the claim is about, as a reader would name it.

"Trump's envoy Steve Witkoff", "tariffs on Indian products", "Kremlin foreign policy
adviser": the subject of the clause that holds the changed value; for a quotation, its
speaker; when the subject is a pronoun ("he doubled tariffs on Indian products to 50%"),
the words around the value; and failing all that, the sentence's first words.

No parser: clauses end at commas and semicolons, and a subject ends at the first word that
reads as a verb (an auxiliary, a speech verb, a common irregular past, or a lower-case word
in -ed). Good enough to name a claim; never used to decide one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_WORD = re.compile(r"[\w'\u2019.%-]+|[\u201c\u201d\"]")
_AUXILIARIES = frozenset(
    """
    is are was were be been being am has have had having do does did will would shall should
    can could may might must won't wouldn't can't couldn't isn't aren't wasn't weren't hasn't
    haven't hadn't doesn't don't didn't
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
_SPEECH = frozenset(
    """
    said says say told tells added adds stated states reported reports announced announces
    warned warns confirmed confirms
    """.split()  # noqa: SIM905
)
# Irregular pasts that often follow a subject; regular ones end in -ed.
_PASTS = frozenset(
    """
    met held made took gave won lost saw got left put set hit cut ran came went knew thought
    found began kept sent spent built paid rose fell struck sold bought brought led
    """.split()  # noqa: SIM905
)
_OPENERS = frozenset(
    """
    and but or though although while whereas as because since after before when if so yet
    however meanwhile also
    """.split()  # noqa: SIM905
)
_RELATIVES = frozenset({"which", "who", "whom", "whose", "that", "where"})
_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "this", "these", "those"})
_TIME_WORDS = frozenset(
    """
    this last next week weeks month months year years today yesterday tomorrow on in at
    monday tuesday wednesday thursday friday saturday sunday morning afternoon evening night
    earlier later now then recently
    """.split()  # noqa: SIM905
)
_MAX_WORDS = 7
_FIRST_WORDS = 5


def subject_label(
    sentence: str, span: tuple[int, int] | None = None, *, quote: bool = False
) -> tuple[str | None, bool]:
    """The subject (or, with ``quote``, the speaker) of the clause holding ``span``, and
    whether the clause reads as one (it has a verb). The label is None when the subject is
    a pronoun, missing, or the changed value itself."""
    if quote:
        speaker = _speaker(sentence)
        if speaker:
            return speaker, True
    clauses = _clauses(sentence)
    at = span[0] if span else 0
    start, end = next(((s, e) for s, e in clauses if s <= at < e), clauses[0])
    words = _words(sentence, start, end)
    subject, verb = _subject(words)
    relative = bool(words) and words[0][2].lower() in _RELATIVES
    if (relative or verb is None) and (start, end) != clauses[0]:
        # "…, which has not been finalized" or "…, according to Bloomberg sources": the
        # main clause's subject.
        words = _words(sentence, *clauses[0])
        subject, verb = _subject(words)
    if subject and span and subject[0][0] < span[1] and span[0] < subject[-1][1]:
        # The value is (in) the subject: "Kremlin adviser Yuri Ushakov said" changed to
        # "Kremlin spokesman Dmitry Peskov said".
        rest = [w for w in subject if w[1] <= span[0] or w[0] >= span[1]]
        if _content(rest):
            return _text(sentence, rest), True
        if verb is not None and words[verb][2].lower() in _SPEECH:
            # A speaker replaced: name the claim by what was said.
            reported, _ = _subject(_skip_time(words[verb + 1 :]))
            return (_text(sentence, reported) if _content(reported) else None), True
        return None, True
    return (_text(sentence, subject) if _content(subject) else None), verb is not None


def first_words(sentence: str, count: int = _FIRST_WORDS) -> str:
    words = sentence.split()
    text = " ".join(words[:count]).strip(' ,;:“”"')
    return text + ("…" if len(words) > count else "")


# -- pieces ---------------------------------------------------------------------------------

Word = tuple[int, int, str]  # start, end, text


def _words(sentence: str, start: int, end: int) -> list[Word]:
    return [
        (start + m.start(), start + m.end(), m.group()) for m in _WORD.finditer(sentence[start:end])
    ]


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Character ranges between commas, colons and semicolons."""
    bounds = [0] + [m.end() for m in re.finditer(r"[,;:]\s", sentence)] + [len(sentence)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if a < b] or [(0, len(sentence))]


def _is_verb(word: str) -> bool:
    lower = word.lower()
    if word[:1].isupper() or not word.replace("'", "").replace("\u2019", "").isalpha():
        return False
    return (
        lower in _AUXILIARIES
        or lower in _SPEECH
        or lower in _PASTS
        or (lower.endswith("ed") and len(lower) > 4)
    )


def _skip_time(words: Sequence[Word]) -> list[Word]:
    index = 0
    while index < len(words) and (
        words[index][2].lower() in _TIME_WORDS or words[index][2].lower() == "that"
    ):
        index += 1
    return list(words[index:])


def _subject(words: Sequence[Word]) -> tuple[list[Word], int | None]:
    """The words before the clause's first verb, without openers ("and", "though") and
    time phrases ("this week"), and the verb's index; ([], None) when there is no verb or
    the subject is a pronoun or too long to be one."""
    index = 0
    while index < len(words) and words[index][2].lower() in _OPENERS:
        index += 1
    rest = _skip_time(words[index:])
    offset = len(words) - len(rest)
    for position, word in enumerate(rest):
        if _is_verb(word[2]):
            subject = rest[:position]
            if not subject or len(subject) > _MAX_WORDS:
                return [], None
            if len(subject) == 1 and subject[0][2].lower() in _PRONOUNS:
                return [], offset + position
            return subject, offset + position
        if word[2] in '“”"':
            break  # a quotation opens before any verb: no subject to find here
    return [], None


def _speaker(sentence: str) -> str | None:
    """Who speaks a quotation: the words before a speech verb outside the quotation marks
    ("…," Trump told reporters), or after it ("…," said the minister)."""
    outside = re.sub(r"[“\"][^”\"]*[”\"]", lambda m: " " * len(m.group()), sentence)
    words = _words(outside, 0, len(outside))
    for position, word in enumerate(words):
        if word[2].lower() not in _SPEECH:
            continue
        before: list[Word] = []
        for candidate in reversed(words[:position]):
            following = before[0][0] if before else word[0]
            if (
                candidate[2].lower() in _OPENERS
                or len(before) == _MAX_WORDS
                or re.search(r"[,;:]", outside[candidate[1] : following])
            ):
                break
            before.insert(0, candidate)
        if before and not (len(before) == 1 and before[0][2].lower() in _PRONOUNS):
            return _text(sentence, before)
        after = words[position + 1 : position + 5]
        if after and (after[0][2][:1].isupper() or after[0][2].lower() == "the"):
            return _text(sentence, after).rstrip(".")
    return None


def _content(words: Sequence[Word]) -> bool:
    return any(w[2][:1].isalnum() and w[2].lower() not in _PRONOUNS for w in words)


def _text(sentence: str, words: Sequence[Word]) -> str:
    text = " ".join(sentence[words[0][0] : words[-1][1]].split()) if words else ""
    return text.strip(' ,;:“”"')
