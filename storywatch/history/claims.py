"""The claim timeline: every claim that ever shifted, with its value at each version.

The semantic diff only compares neighbouring versions, so one claim edited twice shows
up as two unrelated shifts. They are linked here: a later shift continues an earlier
claim when it is of the same kind, its old value equals the claim's current value, and
its old sentence is similar to the claim's latest sentence (so "six" in one sentence
does not continue "six" in another). Added and removed sentences are claims too, whose
values are "present" and "absent".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from storywatch.diff.model import Shift
from storywatch.diff.report import ARROW, CLAIM_NAMES, shorten
from storywatch.history import times
from storywatch.history.labels import first_words, subject_label
from storywatch.history.search import phrase_pattern
from storywatch.storage.queries import VersionRow

PRESENT = "(present)"
ABSENT = "absent"
# token_set_ratio of two sentences: a claim's sentence keeps most of its words between
# edits, while two different sentences sharing a value rarely reach this.
SIMILAR = 70.0
LABEL_WORDS = 3
_PRESENCE_TYPES = ("claim_added", "claim_removed")
_TOKEN = re.compile(r"\w+(?:['\u2019.,%-]\w+)*%?")
# Words that say nothing about which claim a sentence makes.
_STOPWORDS = frozenset(
    """
    a an the of to in on at by for from with and or but as is are was were be been being
    has have had do does did would will could should can may might must shall that this
    these those which who whom whose it its his her their they them he she we i you not no
    than then there here into onto over under about after before since until while during
    also said says say told according very just so if any all some more most such
    """.split()  # noqa: SIM905  (a word list reads better as text)
)


@dataclass(frozen=True, slots=True)
class ClaimState:
    """The claim's value from ``version`` on (None: the version's time is unknown). A
    sentence added or removed has the value PRESENT or None, and its ``text``."""

    value: str | None
    version: int
    at: datetime | None
    text: str | None = None

    @property
    def shown(self) -> str:
        """The value as a person reads it: 'six', 'absent', or the sentence's text."""
        if self.value is None:
            return ABSENT
        if self.value == PRESENT and self.text:
            return f"“{shorten(self.text, 80)}”"
        return self.value

    def describe(self, until: int | None = None) -> str:
        """'50% (v1, Aug 08 21:10)'; with ``until``, the versions it held: '(v1-2, …)'."""
        return f"{self.shown} ({self.when(until)})"

    def when(self, until: int | None = None) -> str:
        """'v1, Aug 08 21:10', or 'v1-2, Aug 08 21:10' (an en dash) up to ``until``."""
        span = f"{self.version}"
        if until is not None and until > self.version:
            span += f"\u2013{until}"
        return f"v{span}, {times.short(self.at)}" if self.at else f"v{span}"

    def to_dict(self) -> dict[str, Any]:
        value = self.text if self.value == PRESENT else self.value
        return {
            "value": value,
            "version": self.version,
            "fetched_at": times.iso(self.at) if self.at else None,
        }


@dataclass(slots=True)
class Claim:
    type: str
    label: str
    sentence: str | None
    states: list[ClaimState] = field(default_factory=list)
    latest: int = 0  # the story's latest version: the last state holds until then

    @property
    def current(self) -> str | None:
        return self.states[-1].value

    @property
    def last_version(self) -> int:
        return self.states[-1].version

    @property
    def kind(self) -> str:
        """'number', 'claim added'."""
        return CLAIM_NAMES.get(self.type, self.type)

    def held(self) -> list[tuple[ClaimState, int]]:
        """Each value with the last version that still had it."""
        ends = [state.version - 1 for state in self.states[1:]] + [self.latest]
        return list(zip(self.states, ends, strict=True))

    def values(self) -> str:
        """Its value at every version: '50% (v1-2, Aug 08 21:10) → 25% (v3, …)'."""
        return ARROW.join(state.describe(until) for state, until in self.held())

    def line(self) -> str:
        """'tariffs on Indian products (number): 50% (v1-2, Aug 08 21:10) → 25% (v3, …)'"""
        return f"{self.label} ({self.kind}): {self.values()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "type": self.type,
            "sentence": self.sentence,
            "states": [state.to_dict() for state in self.states],
        }


def build_claims(rows: Sequence[VersionRow]) -> list[Claim]:
    """Claims in the order they first changed; ``rows`` oldest first.

    A claim's first value is dated from the story's first version, or from the version
    that added its sentence when an added claim matches it: until its first shift the
    claim held whatever value the shift says it had."""
    timeline = _Timeline(rows)
    for row in rows:
        for shift in row.shifts:
            timeline.add(shift, row.number, row.fetched_at)
    for claim in timeline.claims:
        claim.latest = rows[-1].number
    return timeline.claims


def _values(shift: Shift) -> tuple[str | None, str | None]:
    # A sentence's presence is its value, so an added claim that is later removed links
    # up like a number that changes twice.
    if shift.type == "claim_added":
        return None, PRESENT
    if shift.type == "claim_removed":
        return PRESENT, None
    return shift.old, shift.new


def _key(shift_type: str, value: str | None) -> tuple[str, str | None]:
    """Claims that a shift may continue share this key: same kind, same current value."""
    kind = "presence" if shift_type in _PRESENCE_TYPES else shift_type
    return kind, " ".join(value.split()).casefold() if value is not None else None


def _similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return SIMILAR  # no sentence to compare: the values alone decide
    return float(fuzz.token_set_ratio(a.casefold(), b.casefold()))


class _Timeline:
    """The claims so far, indexed by (kind, current value) so that linking a shift looks
    at its few candidates, not at every claim of a long history."""

    def __init__(self, rows: Sequence[VersionRow]) -> None:
        self.claims: list[Claim] = []
        self._by_value: dict[tuple[str, str | None], list[Claim]] = {}
        self._moments = {row.number: row.fetched_at for row in rows}
        self._first_version = rows[0].number if rows else 1

    def add(self, shift: Shift, number: int, at: datetime) -> None:
        old, new = _values(shift)
        claim = self._continued(shift, old, number)
        if claim is None:
            since = self._introduced(shift.old_sentence, number) or self._first_version
            claim = Claim(
                type=shift.type,
                label=self._label(shift),
                sentence=shift.old_sentence,
                states=[ClaimState(old, since, self._moments.get(since), shift.old_sentence)],
            )
            self.claims.append(claim)
        else:
            self._by_value[_key(claim.type, claim.current)].remove(claim)
        claim.states.append(ClaimState(new, number, at, shift.new_sentence))
        claim.sentence = shift.new_sentence or claim.sentence
        self._by_value.setdefault(_key(claim.type, new), []).append(claim)

    def _label(self, shift: Shift) -> str:
        """The claim's label. Two claims of one subject ("The leaders have held six calls
        and met five times") are told apart by the words after each one's value."""
        sentence = shift.old_sentence or shift.new_sentence
        value = None if shift.type in _PRESENCE_TYPES else shift.old or shift.new
        label = claim_label(sentence, value, shift.type)
        twins = [claim for claim in self.claims if claim.label == label]
        if not twins or not sentence or not value:
            return label
        for twin in twins:
            twin.label = _with_words_after(label, twin.sentence, twin.current)
        return _with_words_after(label, sentence, value)

    def _continued(self, shift: Shift, old: str | None, number: int) -> Claim | None:
        best: tuple[float, int] | None = None
        candidates = self._by_value.get(_key(shift.type, old), [])
        for index, claim in enumerate(candidates):
            if claim.last_version >= number:
                continue  # a claim changes at most once per version
            score = _similarity(claim.sentence, shift.old_sentence)
            # Ties go to the most recently changed claim: the nearest edit is likelier kin.
            if score >= SIMILAR and (best is None or (score, index) > best):
                best = (score, index)
        return candidates[best[1]] if best else None

    def _introduced(self, sentence: str | None, number: int) -> int | None:
        """The version that added ``sentence``, when an added claim still present matches."""
        if not sentence:
            return None
        for claim in reversed(self._by_value.get(_key("claim_added", PRESENT), [])):
            if claim.last_version < number and _similarity(claim.sentence, sentence) >= SIMILAR:
                return claim.last_version
        return None


def claim_label(sentence: str | None, value: str | None, shift_type: str | None = None) -> str:
    """What a claim is about: the subject of the clause holding ``value`` ('Trump's envoy
    Steve Witkoff'), the speaker of a quotation, the words around the value when the
    subject is a pronoun ('tariffs on Indian products'), else the sentence's first words."""
    if not sentence:
        return value or "claim"
    span = find_value(sentence, value) if value and value != PRESENT else None
    label, clause = subject_label(sentence, span, quote=shift_type == "quote")
    if label:
        return _clip(label, 60)
    if span is not None and clause:
        tokens = list(_TOKEN.finditer(sentence))
        before = [t for t in tokens if t.end() <= span[0]]
        after = [t for t in tokens if t.start() >= span[1]]
        left = _window(sentence, before, LABEL_WORDS, reverse=True)
        found = _content_count(left)
        right = _window(sentence, after, LABEL_WORDS - found, reverse=False) if found < 2 else ""
        around = " … ".join(part for part in (left, right) if part)
        if around:
            return around
    # A line without a verb ("Search fee: £1,518"): the words before the value, if they
    # are a name for it, else the first words.
    name = sentence[: span[0]].strip(" :-\u2013") if span else ""
    return first_words(name if len(name.split()) >= 2 else sentence)


def _with_words_after(label: str, sentence: str | None, value: str | None) -> str:
    """'The leaders … phone conversations': the label and two content words after the
    value, when there are any."""
    span = find_value(sentence, value) if sentence and value and value != PRESENT else None
    if sentence is None or span is None:
        return label
    after = [token for token in _TOKEN.finditer(sentence) if token.start() >= span[1]]
    words = _window(sentence, after, 2, reverse=False)
    return f"{label} … {words}" if words else label


def find_value(sentence: str, value: str) -> tuple[int, int] | None:
    """Where ``value`` occurs in ``sentence`` as whole words, ignoring case, spacing and
    quote styles (the diff may report "don't" for a sentence spelling "don\u2019t")."""
    value = value.strip()
    if not value:
        return None
    pattern = phrase_pattern(value).pattern
    # Word boundaries where the value starts/ends with a word character: "six" must not
    # match inside "sixty".
    if value[0].isalnum():
        pattern = r"\b" + pattern
    if value[-1].isalnum():
        pattern += r"\b"
    match = re.search(pattern, sentence, re.IGNORECASE)
    return match.span() if match else None


def _window(sentence: str, tokens: list[re.Match[str]], words: int, *, reverse: bool) -> str:
    """The shortest run of ``tokens`` from the value outwards holding ``words`` content
    words, trimmed of stopwords at both ends."""
    if words <= 0:
        return ""
    ordered = list(reversed(tokens)) if reverse else tokens
    chosen: list[re.Match[str]] = []
    count = 0
    for token in ordered:
        chosen.append(token)
        if _is_content(token.group()):
            count += 1
            if count == words:
                break
    # Stopwords at either end ("to 50%", "the deal") carry nothing on their own.
    while chosen and not _is_content(chosen[-1].group()):
        chosen.pop()
    while chosen and not _is_content(chosen[0].group()):
        chosen.pop(0)
    if not chosen:
        return ""
    first, last = (chosen[-1], chosen[0]) if reverse else (chosen[0], chosen[-1])
    return " ".join(sentence[first.start() : last.end()].split())


def _is_content(word: str) -> bool:
    return word.casefold() not in _STOPWORDS and not word.isdigit()


def _content_count(text: str) -> int:
    return sum(1 for token in _TOKEN.findall(text) if _is_content(token))


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
