"""Text normalisation before hashing, so cosmetic edits never become versions."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from storywatch.diff.typography import INVISIBLE, TYPOGRAPHY

_REPLACEMENTS = {**TYPOGRAPHY, "\u2026": "...", **dict.fromkeys(INVISIBLE, "")}
# A regex finds the few characters to replace faster than str.translate walks a dict
# table over every character of the text.
_SPECIAL = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")
_SPACES = re.compile(r"[ \t\f\v]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?])")
_BLANK_LINES = re.compile(r"\n{2,}")


def normalise_text(text: str) -> str:
    """Canonical form of an article body: NFC, plain quotes/dashes, single spaces,
    one paragraph per line, no blank lines. Used for hashing and for storage."""
    text = _SPECIAL.sub(_replacement, unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Neither pattern crosses a newline, so one pass over the text does every line.
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    lines = (line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line))


def _replacement(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


def content_hash(normalised_text: str) -> str:
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()
