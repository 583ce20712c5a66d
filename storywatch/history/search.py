"""Phrase search over a story's versions: which versions contained it, and when it
appeared or vanished.

Matching ignores case, runs of whitespace and the curly/straight quote and dash
variants newsrooms swap between edits, so "don't" finds "don\u2019t".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storywatch.history import times
from storywatch.storage.queries import VersionText

# Each group matches any of its members: straight and typographic quotes and dashes.
_VARIANTS = (
    "'\u2018\u2019\u201b\u2032",
    '"\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb',
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
)
_EQUIVALENT = {char: group for group in _VARIANTS for char in group}
SNIPPET_CHARS = 60


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A case-insensitive pattern for ``phrase`` with flexible whitespace and quotes."""
    words = phrase.split()
    if not words:
        raise ValueError("empty search phrase")

    def word_pattern(word: str) -> str:
        return "".join(
            f"[{re.escape(_EQUIVALENT[c])}]" if c in _EQUIVALENT else re.escape(c) for c in word
        )

    return re.compile(r"\s+".join(word_pattern(w) for w in words), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Presence:
    """A run of consecutive versions ``first``..``last`` containing the phrase."""

    first: int
    last: int
    appeared_at: datetime
    snippet: str
    # The version after ``last``, where the phrase was gone (None: still there).
    vanished_in: int | None = None
    vanished_at: datetime | None = None

    def describe(self) -> str:
        span = f"v{self.first}" if self.first == self.last else f"v{self.first}-v{self.last}"
        text = f"{span}: appeared in v{self.first} ({times.short(self.appeared_at)})"
        if self.vanished_in is not None and self.vanished_at is not None:
            return text + f", vanished in v{self.vanished_in} ({times.short(self.vanished_at)})"
        return text + ", still there"

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "appeared_at": times.iso(self.appeared_at),
            "vanished_in": self.vanished_in,
            "vanished_at": times.iso(self.vanished_at) if self.vanished_at else None,
            "snippet": self.snippet,
        }


def find_presence(pattern: re.Pattern[str], versions: Iterable[VersionText]) -> list[Presence]:
    """Runs of versions (oldest first) whose text matches ``pattern``."""
    runs: list[Presence] = []
    open_run: Presence | None = None
    for version in versions:
        match = pattern.search(version.text)
        if match and open_run is None:
            open_run = Presence(
                version.number, version.number, version.fetched_at, _snippet(version.text, match)
            )
        elif match and open_run is not None:
            open_run = _replace_last(open_run, version.number)
        elif open_run is not None:
            runs.append(_closed(open_run, version))
            open_run = None
    if open_run is not None:
        runs.append(open_run)
    return runs


def _replace_last(run: Presence, number: int) -> Presence:
    return Presence(run.first, number, run.appeared_at, run.snippet)


def _closed(run: Presence, gone: VersionText) -> Presence:
    return Presence(run.first, run.last, run.appeared_at, run.snippet, gone.number, gone.fetched_at)


def _snippet(text: str, match: re.Match[str]) -> str:
    start = max(0, match.start() - SNIPPET_CHARS)
    end = min(len(text), match.end() + SNIPPET_CHARS)
    # Widen to whole words so the snippet never starts mid-word.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    body = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
