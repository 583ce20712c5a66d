"""Readable word-level diff on top of diff-match-patch.

Paragraphs are diffed first (one token a paragraph), then each block of replaced
paragraphs is diffed word by word. Both steps map tokens to single characters, the trick
diff-match-patch uses in its line mode, so an edit reads "three -> four" and never
"th[ree->four]".

diff-match-patch has no bound on its work (a rewritten 16,000-word page took minutes), so
every diff is paid for from a budget proportional to the size of the two texts (see
:class:`_Budget`). When the paragraphs cost too much to align, the whole changed middle is
one block. A block the budget cannot pay for is aligned sentence by sentence instead: alike
sentences are paired and diffed word by word while the budget lasts, the rest is removed
and added whole. A text mostly rewritten says so (``TextDiff.rewritten``).
"""

from __future__ import annotations

import itertools
import math
import re
import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel
from rapidfuzz.fuzz import ratio

Op = Literal["equal", "insert", "delete"]
_OPS: dict[int, Op] = {0: "equal", 1: "insert", -1: "delete"}
_TOKEN = re.compile(r"\w+(?:['\u2019.-]\w+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w")
_SENTENCE_END = frozenset('.!?"\u201d')

# The diff-match-patch budget: some 700,000 bisection steps (0.15 s) for a 20,000-word
# page; a short article gets more than its size would allow, so its diff stays exact.
_STEPS_PER_CHAR = 2
_BASE_STEPS = 200_000
_SAFETY_SECONDS = 30.0
# Sentence pairing when a block is too costly to diff in one piece: rapidfuzz ratios
# (0-100); unrelated news paragraphs score about 50 and rarely pass 70.
_PAIR_MIN = 70.0
_PAIR_WINDOW = 6
_UNIT_TOKENS = 400
_PAIR_MAX_CHARS = 4_000  # a ratio costs the product of the lengths: no giant tokens
# A diff removing or adding at least this share of the text says the text was rewritten.
_REWRITTEN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class Hunk:
    """One changed stretch of the article: old/new paragraph indexes (0-based) and the
    word-level segments across it; unchanged paragraphs between hunks are left out."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    segments: tuple[Segment, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON counts paragraphs from 1, as the text views do; an empty span (count 0)
        sits just before paragraph ``start``."""
        return {
            "old_start": self.old_start + 1,
            "old_count": self.old_count,
            "new_start": self.new_start + 1,
            "new_count": self.new_count,
            "segments": [{"op": s.op, "text": s.text} for s in self.segments],
        }


@dataclass(frozen=True, slots=True)
class TextDiff:
    """``rewritten`` is set when most of the text was rewritten: the share of it (0-1, in
    characters of both versions) that the diff removes or adds."""

    hunks: tuple[Hunk, ...] = field(default_factory=tuple)
    words_added: int = 0
    words_removed: int = 0
    rewritten: float | None = None

    @property
    def changed(self) -> bool:
        return bool(self.hunks)

    def to_list(self) -> list[dict[str, Any]]:
        return [hunk.to_dict() for hunk in self.hunks]


def _encode(tokens_a: list[str], tokens_b: list[str]) -> tuple[str, str, list[str]]:
    index: dict[str, int] = {}
    table: list[str] = []

    def encode(tokens: list[str]) -> str:
        chars = []
        for token in tokens:
            code = index.get(token)
            if code is None:
                code = index[token] = len(table)
                table.append(token)
            # Skip the surrogate range so every code point is a valid str character.
            chars.append(chr(code + 0x100 if code + 0x100 < 0xD800 else code + 0x900))
        return "".join(chars)

    return encode(tokens_a), encode(tokens_b), table


def _decode_char(char: str) -> int:
    point = ord(char)
    return point - 0x100 if point < 0xD800 else point - 0x900


def _diff_match_patch() -> diff_match_patch:
    engine = diff_match_patch()
    # No timeout keeps the diffs minimal (a timeout also turns on a half-match shortcut);
    # the budget bounds the work, and its deadline is only a safety net.
    engine.Diff_Timeout = 0
    return engine


_ENGINE = _diff_match_patch()


class _Budget:
    """The diff-match-patch work one word diff may do, in bisection steps.

    For D tokens inserted or deleted among S, its bisection takes about D² + D·S/16 steps
    of some 0.2 µs each (measured on news text, 1,000 to 20,000 words). A diff is charged
    that before it runs; D comes from rapidfuzz's bit-parallel Indel distance, stopped at the
    largest distance the budget can pay for, so asking costs little even for a rewritten
    page. Counting work, not time, keeps the result independent of the machine's load.
    """

    def __init__(self, old_text: str, new_text: str) -> None:
        self.steps = _STEPS_PER_CHAR * (len(old_text) + len(new_text)) + _BASE_STEPS
        self.deadline = time.time() + _SAFETY_SECONDS

    def admits(self, chars_a: str, chars_b: str) -> bool:
        """Charge a diff of the two encoded texts, or refuse it when it does not fit."""
        prefix = _ENGINE.diff_commonPrefix(chars_a, chars_b)
        chars_a, chars_b = chars_a[prefix:], chars_b[prefix:]
        suffix = _ENGINE.diff_commonSuffix(chars_a, chars_b)
        chars_a, chars_b = chars_a[: len(chars_a) - suffix], chars_b[: len(chars_b) - suffix]
        short, long = sorted((chars_a, chars_b), key=len)
        if len(short) <= 1 or short in long:  # diff-match-patch needs no bisection here
            return True
        size = len(chars_a) + len(chars_b)
        # The largest distance whose cost fits: the root of d² + d * size / 16 = steps.
        limit = int((math.sqrt(size * size / 256 + 4 * self.steps) - size / 16) / 2)
        distance = Indel.distance(chars_a, chars_b, score_cutoff=limit)
        if distance > limit:
            return False
        self.steps -= distance * distance + distance * size // 16
        return True

    def diff(self, chars_a: str, chars_b: str) -> list[tuple[int, str]] | None:
        """diff-match-patch's diff of two encoded texts, or None when it does not fit."""
        if not self.admits(chars_a, chars_b):
            return None
        diffs: list[tuple[int, str]] = _ENGINE.diff_main(chars_a, chars_b, False, self.deadline)
        return diffs


def _decode(diffs: list[tuple[int, str]], table: list[str]) -> list[tuple[Op, list[str]]]:
    return [(_OPS[op], [table[_decode_char(c)] for c in chars]) for op, chars in diffs]


def _count_words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if _WORD.match(token))


def _unit_bounds(tokens: list[str]) -> list[int]:
    """Where each sentence starts (a paragraph break ends one too), plus the end. A run of
    text without sentence breaks is cut every _UNIT_TOKENS tokens."""
    bounds = [0]
    for k, token in enumerate(tokens):
        if k + 1 - bounds[-1] >= _UNIT_TOKENS or (
            token.isspace() and ("\n" in token or (k > 0 and tokens[k - 1] in _SENTENCE_END))
        ):
            bounds.append(k + 1)
    if bounds[-1] < len(tokens):
        bounds.append(len(tokens))
    return bounds


def _longest_in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of `pairs` (sorted by old index) whose new indexes rise too."""
    tails: list[int] = []  # tails[k]: smallest new index ending a run of k + 1 pairs
    ends: list[int] = []  # where in `pairs` that run ends
    back = [-1] * len(pairs)
    for at, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            ends.append(at)
        else:
            tails[k] = j
            ends[k] = at
        back[at] = ends[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    at = ends[-1] if ends else -1
    while at >= 0:
        run.append(pairs[at])
        at = back[at]
    return run[::-1]


def _pair_units(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """(old, new) indexes of alike sentences, in order on both sides.

    An old sentence's candidates are the new ones equal to it and those near where it
    should land: after the partner of the last old sentence found unchanged. The most alike
    pairs win, then the longest run keeping both orders; a sentence moved far reads as
    removed here and added there."""
    where: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(new):
        where[key].append(j)
    scored: list[tuple[float, int, int]] = []
    anchor: tuple[int, int] | None = None
    for i, key in enumerate(old):
        near = anchor[1] + i - anchor[0] if anchor else i * len(new) // len(old)
        candidates = set(range(max(0, near - _PAIR_WINDOW), near + _PAIR_WINDOW + 1))
        equal = where.get(key, [])
        if len(equal) <= _PAIR_WINDOW:  # a stock line ("Read more.") says nothing
            candidates.update(equal)
        if equal:
            anchor = (i, min(equal, key=lambda j: abs(j - near)))
        for j in sorted(candidates):
            if j < len(new) and max(len(key), len(new[j])) <= _PAIR_MAX_CHARS:
                score = ratio(key, new[j], score_cutoff=_PAIR_MIN)
                if score:
                    scored.append((score, i, j))
    pairs: list[tuple[int, int]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _score, i, j in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j))
    return _longest_in_order(sorted(pairs))


def _aligned_diff(
    tokens_a: list[str], tokens_b: list[str], chars_a: str, chars_b: str, budget: _Budget
) -> list[tuple[int, str]]:
    """A diff too costly to make in one piece, made sentence by sentence: alike sentences
    are paired and diffed when the budget allows, everything else is removed and added."""
    bounds_a, bounds_b = _unit_bounds(tokens_a), _unit_bounds(tokens_b)
    units_a = [chars_a[lo:hi] for lo, hi in itertools.pairwise(bounds_a)]
    units_b = [chars_b[lo:hi] for lo, hi in itertools.pairwise(bounds_b)]

    def key(tokens: list[str], lo: int, hi: int) -> str:
        return "".join(tokens[lo:hi]).strip()

    pairs = _pair_units(
        [key(tokens_a, lo, hi) for lo, hi in itertools.pairwise(bounds_a)],
        [key(tokens_b, lo, hi) for lo, hi in itertools.pairwise(bounds_b)],
    )
    diffs: list[tuple[int, str]] = []
    i0 = j0 = 0
    for i, j in [*pairs, (len(units_a), len(units_b))]:
        if i > i0:
            diffs.append((-1, chars_a[bounds_a[i0] : bounds_a[i]]))
        if j > j0:
            diffs.append((1, chars_b[bounds_b[j0] : bounds_b[j]]))
        if i < len(units_a):
            pair = budget.diff(units_a[i], units_b[j])
            diffs += pair if pair is not None else [(-1, units_a[i]), (1, units_b[j])]
        i0, j0 = i + 1, j + 1
    _ENGINE.diff_cleanupMerge(diffs)
    return diffs


def _word_segments(old: str, new: str, budget: _Budget) -> tuple[list[Segment], int, int]:
    tokens_a, tokens_b = _TOKEN.findall(old), _TOKEN.findall(new)
    chars_a, chars_b, table = _encode(tokens_a, tokens_b)
    diffs = budget.diff(chars_a, chars_b)
    if diffs is None:
        diffs = _aligned_diff(tokens_a, tokens_b, chars_a, chars_b, budget)
    # Folds stray one-word equalities into the edit around them, so a rewritten clause
    # reads as one replacement rather than a comb of tiny edits.
    _ENGINE.diff_cleanupSemantic(diffs)
    segments: list[Segment] = []
    added = removed = 0
    for op, tokens in _decode(diffs, table):
        if op == "insert":
            added += _count_words(tokens)
        elif op == "delete":
            removed += _count_words(tokens)
        text = "".join(tokens)
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))
    return segments, added, removed


_Block = tuple[int, list[str], int, list[str]]  # old start, old paragraphs, new start, new


def _changed_blocks(old_paras: list[str], new_paras: list[str], budget: _Budget) -> list[_Block]:
    """The stretches of replaced paragraphs, with where they start on each side."""
    chars_a, chars_b, table = _encode(old_paras, new_paras)
    diffs = budget.diff(chars_a, chars_b)
    if diffs is None:
        # Too many paragraphs changed to align them here: everything between the common
        # head and tail is one block, which the word diff aligns sentence by sentence.
        head = _ENGINE.diff_commonPrefix(chars_a, chars_b)
        tail = _ENGINE.diff_commonSuffix(chars_a[head:], chars_b[head:])
        old_end, new_end = len(old_paras) - tail, len(new_paras) - tail
        return [(head, old_paras[head:old_end], head, new_paras[head:new_end])]
    blocks: list[_Block] = []
    old_pos = new_pos = 0
    pending_old: list[str] = []
    pending_new: list[str] = []
    for op, paras in [*_decode(diffs, table), ("equal", [])]:
        if op == "equal":
            if pending_old or pending_new:
                blocks.append(
                    (
                        old_pos - len(pending_old),
                        pending_old,
                        new_pos - len(pending_new),
                        pending_new,
                    )
                )
                pending_old, pending_new = [], []
            old_pos += len(paras)
            new_pos += len(paras)
        elif op == "delete":
            pending_old.extend(paras)
            old_pos += len(paras)
        else:
            pending_new.extend(paras)
            new_pos += len(paras)
    return blocks


def word_diff(old_text: str, new_text: str) -> TextDiff:
    """Diff two article bodies (one paragraph a line)."""
    old_paras = [p for p in old_text.split("\n") if p.strip()]
    new_paras = [p for p in new_text.split("\n") if p.strip()]
    budget = _Budget(old_text, new_text)
    hunks: list[Hunk] = []
    added = removed = 0
    for old_start, old, new_start, new in _changed_blocks(old_paras, new_paras, budget):
        segments, plus, minus = _word_segments("\n".join(old), "\n".join(new), budget)
        added += plus
        removed += minus
        hunks.append(Hunk(old_start, len(old), new_start, len(new), tuple(segments)))
    changed = sum(len(s.text) for hunk in hunks for s in hunk.segments if s.op != "equal")
    share = changed / max(len(old_text) + len(new_text), 1)
    return TextDiff(tuple(hunks), added, removed, share if share >= _REWRITTEN_SHARE else None)
