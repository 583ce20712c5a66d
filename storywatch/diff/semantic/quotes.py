"""Direct quotations: the words between double quotes (straight, curly or ``LaTeX'') or
single quotes ('...' or curly), so a change of quotation style changes nothing.

A single quote opens only after a space or an opening mark and before a word, and closes
only after a word or punctuation and before a space or punctuation, so the apostrophes of
"don't", "Putin's" or "the workers' union" are never read as quotation marks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .mention import Mention
from .normalise import Token, plain

_QUOTED = re.compile(
    r'"([^"]+)"'
    r"|``(.+?)''"
    r"|(?<![\w'])'(?=\w)((?:[^'\"]|(?<=\w)'(?=\w))+?[\w.,!?])'(?![\w'])"
)
_NOT_WORD = re.compile(r"[^\w]+")


def quote_key(text: str) -> str:
    """Words of a quotation, lowercase, apostrophes and punctuation dropped."""
    return " ".join(_NOT_WORD.sub(" ", plain(text).replace("'", "").lower()).split())


def find_quotes(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    mentions: list[Mention] = []
    for match in _QUOTED.finditer(plain(sentence)):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        start, end = match.start(group), match.end(group)
        text = sentence[start:end].strip().rstrip(",.;:")
        key = quote_key(text)
        if not key:
            continue
        first = next((k for k, t in enumerate(tokens) if t.start >= start), 0)
        size = sum(1 for t in tokens if start <= t.start < end)
        mentions.append(Mention(text, key, first, max(size, 1)))
    return mentions
