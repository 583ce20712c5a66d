"""Word-level diff of two aligned stretches, to show the words around a changed cue."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import cached_property

from .mention import Mention
from .normalise import Token

# Edits longer than this (in tokens) are rewrites; a span from them would not help a reader.
_MAX_CONTEXT_TOKENS = 8
# Longer stretches are not diffed word by word (see TokenDiff.opcodes).
MAX_TOKENS = 600
_NO_SPACE_BEFORE = frozenset(",.;:!?%)]'\"")


def join_tokens(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if parts and token.text not in _NO_SPACE_BEFORE:
            parts.append(" ")
        parts.append(token.text)
    return "".join(parts)


class TokenDiff:
    """Word-level alignment of the two sides, to show the words around a changed cue."""

    def __init__(self, old: Sequence[Token], new: Sequence[Token]) -> None:
        self.old = old
        self.new = new

    @cached_property
    def opcodes(self) -> Sequence[tuple[str, int, int, int, int]]:
        if len(self.old) > MAX_TOKENS or len(self.new) > MAX_TOKENS:
            # difflib is quadratic, far worse on repeated tokens: a "sentence" this long
            # (a page without punctuation, a list flattened into one line) is compared
            # by its facts only, as one replaced stretch.
            return [("replace", 0, len(self.old), 0, len(self.new))]
        matcher = difflib.SequenceMatcher(
            None, [t.lower for t in self.old], [t.lower for t in self.new], autojunk=False
        )
        return matcher.get_opcodes()

    def _context(self, tokens: Sequence[Token], lo: int, hi: int) -> str | None:
        if hi - lo > _MAX_CONTEXT_TOKENS:
            return None
        return join_tokens(tokens[max(0, lo - 1) : min(len(tokens), hi + 1)]) or None

    def changed(self, mention: Mention, on_old_side: bool) -> bool:
        """Is the mention inside an inserted, deleted or replaced stretch?"""
        for tag, i1, i2, j1, j2 in self.opcodes:
            lo, hi = (i1, i2) if on_old_side else (j1, j2)
            if lo <= mention.token < hi:
                return tag != "equal"
        return False

    def replaced_span(self, token: int, on_old_side: bool) -> tuple[int, str, str] | None:
        """When `token` sits in a short stretch written over other words: (the stretch's
        index, its old words, its new words). None when it was inserted or deleted."""
        for index, (tag, i1, i2, j1, j2) in enumerate(self.opcodes):
            lo, hi = (i1, i2) if on_old_side else (j1, j2)
            if lo <= token < hi:
                if tag != "replace" or hi - lo > _MAX_CONTEXT_TOKENS:
                    return None
                return index, join_tokens(self.old[i1:i2]), join_tokens(self.new[j1:j2])
        return None

    def spans(self, mention: Mention, on_old_side: bool) -> tuple[str | None, str | None]:
        """(old span, new span) around a cue found on one side."""
        for _tag, i1, i2, j1, j2 in self.opcodes:
            lo, hi = (i1, i2) if on_old_side else (j1, j2)
            if lo <= mention.token < hi:
                own_tokens, other_tokens = (
                    (self.old, self.new) if on_old_side else (self.new, self.old)
                )
                other_lo, other_hi = (j1, j2) if on_old_side else (i1, i2)
                own = self._context(own_tokens, lo, hi) or mention.text
                other = self._context(other_tokens, other_lo, other_hi)
                return (own, other) if on_old_side else (other, own)
        return (mention.text, None) if on_old_side else (None, mention.text)
