"""Align the sentences of two versions: which old sentence became which new one.

1. Sentences with the same canonical key are matched first (a hash lookup; catches moved
   paragraphs and cosmetic edits).
2. The rest are matched fuzzily, but only against candidates: new sentences sharing a rare
   word (an inverted index) or sitting in the same gap between matched neighbours. Scores
   are rapidfuzz ratios; the best pairs above a threshold win. Work is linear in the text
   plus a small constant per edited sentence, never a full n*m matrix.
3. A sentence left over is glued to a neighbour's group when that makes the group's two
   sides more alike: that is a sentence split in two, or two merged into one.
Whatever is still unmatched was added or removed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio, token_sort_ratio

from .lexicon import STOP_WORDS

# Scores are 0-100. A pair anywhere needs more evidence than a pair between the same
# neighbours, where position already says they belong together.
_MATCH_ANYWHERE = 60.0
_MATCH_IN_GAP = 45.0
_GROUP_MINIMUM = 65.0
_GROUP_GAIN = 5.0
_CANDIDATES = 8
_COMMON_WORD_LIMIT = 40  # words in more sentences than this do not index
# A "sentence" longer than this (a page without sentence punctuation) only matches exactly:
# comparing two of them word by word costs the product of their lengths.
_MAX_FUZZY_CHARS = 5_000


@dataclass(frozen=True, slots=True)
class Group:
    old: tuple[int, ...]
    new: tuple[int, ...]


def similarity(a: str, b: str) -> float:
    """How alike two match keys are, 0-100; word order does not matter much."""
    if max(len(a), len(b)) > _MAX_FUZZY_CHARS:
        return 0.0
    return max(ratio(a, b), token_sort_ratio(a, b))


def _exact(old_keys: Sequence[str], new_keys: Sequence[str]) -> tuple[list[int], list[int]]:
    waiting: dict[str, deque[int]] = defaultdict(deque)
    for j, key in enumerate(new_keys):
        waiting[key].append(j)
    old_to_new = [-1] * len(old_keys)
    new_to_old = [-1] * len(new_keys)
    for i, key in enumerate(old_keys):
        queue = waiting.get(key)
        if queue:
            j = queue.popleft()
            old_to_new[i] = j
            new_to_old[j] = i
    return old_to_new, new_to_old


def _content_words(key: str) -> set[str]:
    return {w for w in key.split() if len(w) > 2 and w not in STOP_WORDS}


def _expected_positions(old_to_new: Sequence[int], n_new: int) -> list[float]:
    """Where each old sentence should land in the new version: just after the partner of
    its nearest matched predecessor, or proportionally when nothing before it matched."""
    n_old = len(old_to_new)
    expected = [0.0] * n_old
    anchor_old, anchor_new = -1, -1
    for i, j in enumerate(old_to_new):
        if j >= 0:
            anchor_old, anchor_new = i, j
            expected[i] = float(j)
        elif anchor_old < 0:
            expected[i] = i * n_new / max(n_old, 1)
        else:
            expected[i] = anchor_new + (i - anchor_old)
    return expected


def _gap_bounds(old_to_new: Sequence[int], n_new: int) -> tuple[list[int], list[int]]:
    """For each old sentence: the new indexes of the nearest matched old neighbours
    before and after it (the gap it should land in)."""
    before = [-1] * len(old_to_new)
    last = -1
    for i, j in enumerate(old_to_new):
        before[i] = last
        if j >= 0:
            last = j
    after = [n_new] * len(old_to_new)
    nxt = n_new
    for i in range(len(old_to_new) - 1, -1, -1):
        after[i] = nxt
        if old_to_new[i] >= 0:
            nxt = old_to_new[i]
    return before, after


def _fuzzy(
    old_match: Sequence[str],
    new_match: Sequence[str],
    old_to_new: list[int],
    new_to_old: list[int],
) -> None:
    old_left = [i for i, j in enumerate(old_to_new) if j < 0]
    new_left = [j for j, i in enumerate(new_to_old) if i < 0]
    if not old_left or not new_left:
        return
    index: dict[str, list[int]] = defaultdict(list)
    for j in new_left:
        for word in _content_words(new_match[j]):
            index[word].append(j)
    before, after = _gap_bounds(old_to_new, len(new_match))
    expected = _expected_positions(old_to_new, len(new_match))
    scored: list[tuple[float, int, int]] = []
    for i in old_left:
        shared: dict[int, int] = defaultdict(int)
        for word in _content_words(old_match[i]):
            postings = index.get(word, ())
            if len(postings) <= _COMMON_WORD_LIMIT:
                for j in postings:
                    shared[j] += 1
        # Candidates: the new leftovers nearest the expected position inside the gap, and
        # those sharing the most rare words (ties go to the nearer one).
        at = bisect_left(new_left, expected[i])
        window = new_left[max(0, at - _CANDIDATES // 2) : at + _CANDIDATES // 2]
        in_gap = [j for j in window if before[i] < j < after[i]]
        ranked = sorted(shared, key=lambda j: (-shared[j], abs(j - expected[i])))[:_CANDIDATES]
        for j in dict.fromkeys([*in_gap, *ranked]):
            score = similarity(old_match[i], new_match[j])
            threshold = _MATCH_IN_GAP if before[i] < j < after[i] else _MATCH_ANYWHERE
            if score >= threshold:
                scored.append((score, i, j))
    for _score, i, j in sorted(scored, key=lambda item: -item[0]):
        if old_to_new[i] < 0 and new_to_old[j] < 0:
            old_to_new[i] = j
            new_to_old[j] = i


def _joined(keys: Sequence[str], indexes: Sequence[int]) -> str:
    return " ".join(keys[k] for k in sorted(indexes))


@dataclass(slots=True)
class _Draft:
    old: list[int]
    new: list[int]


class _Grouper:
    """Turns 1:1 links into groups, gluing leftovers that complete a split or a merge."""

    def __init__(
        self,
        old_match: Sequence[str],
        new_match: Sequence[str],
        old_to_new: list[int],
        new_to_old: list[int],
    ) -> None:
        self.match = (old_match, new_match)
        self.drafts = [_Draft([i], [j]) for i, j in enumerate(old_to_new) if j >= 0]
        self.owner: tuple[dict[int, int], dict[int, int]] = (
            {d.old[0]: k for k, d in enumerate(self.drafts)},
            {d.new[0]: k for k, d in enumerate(self.drafts)},
        )
        self.leftovers = (
            [i for i, j in enumerate(old_to_new) if j < 0],
            [j for j, i in enumerate(new_to_old) if i < 0],
        )
        self.links = (old_to_new, new_to_old)

    def expected(self, side: int, u: int) -> int:
        """Where a leftover would sit on the other side: after its matched predecessor."""
        links = self.links[side]
        for k in range(u - 1, max(-1, u - 50), -1):
            if links[k] >= 0:
                return links[k] + 1
        return 0

    def score(self, old: Sequence[int], new: Sequence[int]) -> float:
        return similarity(_joined(self.match[0], old), _joined(self.match[1], new))

    def glue(self, side: int) -> None:
        """Attach each leftover on `side` to a neighbouring group if that fits better."""
        still: list[int] = []
        for u in self.leftovers[side]:
            best_gain, best = _GROUP_GAIN, -1
            for neighbour in (u - 1, u + 1):
                k = self.owner[side].get(neighbour)
                if k is None:
                    continue
                draft = self.drafts[k]
                old, new = (
                    ([*draft.old, u], draft.new) if side == 0 else (draft.old, [*draft.new, u])
                )
                extended = self.score(old, new)
                gain = extended - self.score(draft.old, draft.new)
                if extended >= _GROUP_MINIMUM and gain > best_gain:
                    best_gain, best = gain, k
            if best < 0:
                still.append(u)
                continue
            (self.drafts[best].old if side == 0 else self.drafts[best].new).append(u)
            self.owner[side][u] = best
        self.leftovers[side][:] = still

    def pair_with_two(self, side: int) -> None:
        """A leftover on `side` that became two adjacent leftovers on the other side."""
        other = 1 - side
        free = set(self.leftovers[other])
        ordered = sorted(free)
        for u in list(self.leftovers[side]):
            at = bisect_left(ordered, self.expected(side, u))
            for v in ordered[max(0, at - _CANDIDATES // 2) : at + _CANDIDATES // 2]:
                if v not in free or v + 1 not in free:
                    continue
                pair = [v, v + 1]
                old, new = ([u], pair) if side == 0 else (pair, [u])
                if self.score(old, new) >= _GROUP_MINIMUM:
                    self.drafts.append(_Draft(old, new))
                    self.leftovers[side].remove(u)
                    free -= {v, v + 1}
                    break
        self.leftovers[other][:] = sorted(free)

    def groups(self) -> list[Group]:
        self.glue(0)
        self.glue(1)
        if self.leftovers[0] and self.leftovers[1]:
            self.pair_with_two(0)
            self.pair_with_two(1)
        result = [Group(tuple(sorted(d.old)), tuple(sorted(d.new))) for d in self.drafts]
        result.extend(Group((i,), ()) for i in self.leftovers[0])
        result.extend(Group((), (j,)) for j in self.leftovers[1])
        return result


def align(
    old_keys: Sequence[str],
    new_keys: Sequence[str],
    old_match: Sequence[str],
    new_match: Sequence[str],
) -> list[Group]:
    """Groups of old and new sentence indexes; an empty side means added or removed.

    `*_keys` are canonical sentence keys (equal key = same sentence); `*_match` are the
    punctuation-free forms the fuzzy scores are computed on."""
    old_to_new, new_to_old = _exact(old_keys, new_keys)
    _fuzzy(old_match, new_match, old_to_new, new_to_old)
    return _Grouper(old_match, new_match, old_to_new, new_to_old).groups()
