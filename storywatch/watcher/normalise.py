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


def normalise_text(text: str) -> str:
    """Canonical form of an article body: NFC, plain quotes/dashes, single spaces,
    one paragraph per line, no blank lines. Used for hashing and for storage."""
    text = _SPECIAL.sub(_replacement, unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Each regex only where a substring search (many times faster than the regex's own
    # scan) finds something for it to do: most extracted text needs neither. Neither
    # pattern crosses a newline, so one pass does every line.
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    if any(" " + mark in text for mark in ",.;:!?"):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return "\n".join(filter(None, (line.strip() for line in text.split("\n"))))


def _replacement(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


def content_hash(normalised_text: str) -> str:
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


def same_headline(stored: str | None, extracted: str | None) -> bool:
    """Is the page's headline the one stored? A headline that could not be found this
    time is not a rewrite: a missing side never makes a new version."""
    if not stored or not extracted:
        return True
    return normalise_text(stored) == normalise_text(extracted)
