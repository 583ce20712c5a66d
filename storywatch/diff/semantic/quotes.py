"""Direct quotations: the words between double quotes (straight, curly or ``LaTeX'')."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .mention import Mention
from .normalise import Token, plain

_QUOTED = re.compile(r'"([^"]+)"|``(.+?)\'\'')
_NOT_WORD = re.compile(r"[^\w]+")


def quote_key(text: str) -> str:
    """Words of a quotation, lowercase, apostrophes and punctuation dropped."""
    return " ".join(_NOT_WORD.sub(" ", plain(text).replace("'", "").lower()).split())


def find_quotes(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    mentions: list[Mention] = []
    for match in _QUOTED.finditer(plain(sentence)):
        group = 1 if match.group(1) is not None else 2
        start, end = match.start(group), match.end(group)
        text = sentence[start:end].strip().rstrip(",.;:")
        key = quote_key(text)
        if not key:
            continue
        first = next((k for k, t in enumerate(tokens) if t.start >= start), 0)
        size = sum(1 for t in tokens if start <= t.start < end)
        mentions.append(Mention(text, key, first, max(size, 1)))
    return mentions
