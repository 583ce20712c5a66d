"""Readable word-level diff on top of diff-match-patch.

Paragraphs are diffed first (one token a paragraph), then each block of replaced
paragraphs is diffed word by word. Both steps map tokens to single characters, the trick
diff-match-patch uses in its line mode, so an edit reads "three -> four" and never
"th[ree->four]".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from diff_match_patch import diff_match_patch

Op = Literal["equal", "insert", "delete"]
_OPS: dict[int, Op] = {0: "equal", 1: "insert", -1: "delete"}
_TOKEN = re.compile(r"\w+(?:['\u2019.-]\w+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w")


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
    hunks: tuple[Hunk, ...] = field(default_factory=tuple)
    words_added: int = 0
    words_removed: int = 0

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


def _token_diff(
    tokens_a: list[str], tokens_b: list[str], *, semantic_cleanup: bool
) -> list[tuple[Op, list[str]]]:
    chars_a, chars_b, table = _encode(tokens_a, tokens_b)
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # deterministic: no time-boxed partial diffs
    diffs = engine.diff_main(chars_a, chars_b, False)
    if semantic_cleanup:
        # Folds stray one-word equalities into the edit around them, so a rewritten clause
        # reads as one replacement rather than a comb of tiny edits.
        engine.diff_cleanupSemantic(diffs)
    return [(_OPS[op], [table[_decode_char(c)] for c in chars]) for op, chars in diffs]


def _count_words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if _WORD.match(token))


def _word_segments(old: str, new: str) -> tuple[list[Segment], int, int]:
    segments: list[Segment] = []
    added = removed = 0
    for op, tokens in _token_diff(_TOKEN.findall(old), _TOKEN.findall(new), semantic_cleanup=True):
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


def word_diff(old_text: str, new_text: str) -> TextDiff:
    """Diff two article bodies (one paragraph a line)."""
    old_paras = [p for p in old_text.split("\n") if p.strip()]
    new_paras = [p for p in new_text.split("\n") if p.strip()]
    hunks: list[Hunk] = []
    added = removed = 0
    old_pos = new_pos = 0
    pending_old: list[str] = []
    pending_new: list[str] = []

    def flush() -> None:
        nonlocal added, removed
        if not pending_old and not pending_new:
            return
        segments, plus, minus = _word_segments("\n".join(pending_old), "\n".join(pending_new))
        added += plus
        removed += minus
        hunks.append(
            Hunk(
                old_start=old_pos - len(pending_old),
                old_count=len(pending_old),
                new_start=new_pos - len(pending_new),
                new_count=len(pending_new),
                segments=tuple(segments),
            )
        )
        pending_old.clear()
        pending_new.clear()

    for op, paras in _token_diff(old_paras, new_paras, semantic_cleanup=False):
        if op == "equal":
            flush()
            old_pos += len(paras)
            new_pos += len(paras)
        elif op == "delete":
            pending_old.extend(paras)
            old_pos += len(paras)
        else:
            pending_new.extend(paras)
            new_pos += len(paras)
    flush()
    return TextDiff(tuple(hunks), added, removed)
