"""Text normalisation and tokenising shared by the splitter, the aligner and the extractors.

Two forms of a sentence are used:
- `plain(text)` keeps every character offset (each character maps to exactly one), so spans
  found in it can be cut from the original sentence for reporting;
- `sentence_key(text)` is lossy: two sentences with the same key differ only by whitespace,
  quote style, abbreviation dots, "%"/"percent" or thousands separators, never by a fact.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from storywatch.diff.model import HeadlineChange
from storywatch.diff.typography import INVISIBLE, TYPOGRAPHY

# One character for one character, so offsets stay valid. A regex finds the few characters
# to replace: str.translate with a mapping looks up every character of the text, which made
# `plain` the semantic diff's costliest step on text with curly quotes.
_PLAIN = {**TYPOGRAPHY, "\t": " "}
_NOT_PLAIN = re.compile("|".join(map(re.escape, _PLAIN)))
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_ACRONYM_DOTS = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_TITLES = r"(Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Jr|Sr|Inc|Ltd|Co|Corp)\."
_TITLE_DOT = re.compile(rf"\b{_TITLES}")
# Patterns opening on "\b" are scanned slowly; these hints, opening on a literal or a few
# letters, tell first whether the slow scan can find anything.
_ACRONYM_HINT = re.compile(r"\.[A-Za-z]\.")
_TITLE_HINT = re.compile(_TITLES)
_PERCENT = re.compile(r"\s*(?:\bper\s*cent\b|\bpercent\b|\bpct\b|%)", re.IGNORECASE)
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")  # the comma first: a fast literal scan
_LATEX_QUOTES = re.compile(r"``|''")
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:!?%)\]'\"])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[]) ")
# A list or heading marker opening a line: "- item", "• item", "2. item", "## Heading".
LIST_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|[-*•▪◦>]\s+|\d{1,2}[.)]\s+)")
_NON_WORD = re.compile(r"[^\w%$€£ ]+")

# Words, figures (with decimals, thousands separators, times, ordinal suffixes), acronyms
# with dots, and single punctuation marks.
TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"
    r"|\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?"
    r"|\w+(?:'\w+)*(?:-\w+)*"
    r"|'\w+"
    r"|[^\w\s]"
)


def plain(text: str) -> str:
    """Straight quotes, ASCII dashes and plain spaces; same length as `text`."""
    return _NOT_PLAIN.sub(lambda match: _PLAIN[match.group(0)], text)


def acronym_key(token: str) -> str:
    """'U.S.' -> 'US', 'a.m.' -> 'am'."""
    return token.replace(".", "")


@lru_cache(maxsize=65536)
def sentence_key(text: str) -> str:
    """Lossy canonical form: equal keys never differ by a fact (see module docstring)."""
    # The cheap `in` tests skip the substitutions that rarely apply: every sentence of a
    # story gets a key, so this is on the semantic diff's hot path.
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = plain(text)
    text = " ".join(LIST_MARKER.sub("", text).split())  # "- item", "## Heading": layout
    if "``" in text or "''" in text:
        text = _LATEX_QUOTES.sub('"', text)
    if _ACRONYM_HINT.search(text):
        text = _ACRONYM_DOTS.sub(lambda match: acronym_key(match.group(0)), text)
    if _TITLE_HINT.search(text):
        text = _TITLE_DOT.sub(r"\1", text)
    lowered = text.lower()
    if "%" in text or "per" in lowered or "pct" in lowered:
        text = _PERCENT.sub("%", text)
    text = _THOUSANDS.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    if "( " in text or "[ " in text:
        text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    return text.casefold()


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """`sentence_key` without punctuation: what the fuzzy aligner compares."""
    return " ".join(_NON_WORD.sub(" ", sentence_key(text)).split())


class Token(NamedTuple):
    """A word, figure or punctuation mark and its offsets in the sentence. A NamedTuple
    because sentences are tokenised by the thousand and tuples build fastest."""

    text: str
    lower: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum() or (self.text[0] == "'" and len(self.text) > 1)

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper()


_new_tuple = tuple.__new__


@lru_cache(maxsize=65536)
def tokenise(text: str) -> tuple[Token, ...]:
    """Tokens of `plain(text)` with offsets into `text`."""
    tokens = []
    for match in TOKEN.finditer(plain(text)):
        word = match.group(0)
        # tuple.__new__ skips the Python-level NamedTuple constructor: a quarter of the
        # tokeniser's time, and every changed sentence is tokenised.
        tokens.append(_new_tuple(Token, (word, word.lower(), *match.span())))
    return tuple(tokens)


_STEM_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """A crude English stem, enough to see "floods"/"flooding" or "Russia's"/"Russia" as one
    word: lowercase, possessive and one inflection suffix dropped."""
    word = word.lower().removesuffix("'s").removesuffix("'")
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def headline_change(old: str | None, new: str | None) -> HeadlineChange | None:
    """The headline rewrite between two versions, if any: a headline missing on either
    side (not found on the page) is no rewrite, nor is a change of quote marks or spaces."""
    if not old or not new or sentence_key(old) == sentence_key(new):
        return None
    return HeadlineChange(old, new)
