"""Rule-based sentence splitter tuned for news copy.

A boundary is `.`, `!`, `?` or an ellipsis, optionally followed by closing quotes or
brackets, then whitespace, then something that can open a sentence (a capital, a digit or an
opening quote). It is vetoed when the period ends a title abbreviation ("Dr.", "Gen."), an
initial ("J. R. R. Tolkien") or an acronym ("U.S.") that is not followed by a usual sentence
opener, or when it falls inside a double quotation. Decimals ("1.5") never qualify because
a boundary needs whitespace after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import AMBIGUOUS_ABBREVIATIONS, SENTENCE_OPENERS, TITLE_ABBREVIATIONS
from .normalise import plain

_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"')\]]*\s+")
_OPENS_SENTENCE = re.compile(r"[\"'(\[]*[A-Z0-9À-Ý]")
_WORD_BEFORE = re.compile(r"([\w.'-]+)$")
_NEXT_WORD = re.compile(r"[\"'(\[]*([\w'-]+)")
_LONGEST_WORD = 200
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    paragraph: int  # 0-based index among non-blank paragraphs
    index: int  # 0-based position in the document


def _next_word(text: str, position: int) -> str:
    match = _NEXT_WORD.match(text, position)
    return match.group(1).lower() if match else ""


def _period_ends_sentence(text: str, period: int, next_start: int) -> bool:
    """Decide for a single '.' at `period` whether it ends the sentence."""
    # Only the last word matters: searching from the paragraph's start made a page with
    # no paragraph breaks quadratic.
    before = _WORD_BEFORE.search(text, max(0, period - _LONGEST_WORD), period)
    if before is None:
        return True
    word = before.group(1).lstrip("'\"(")
    lower = word.lower()
    opener_follows = _next_word(text, next_start) in SENTENCE_OPENERS
    if lower in TITLE_ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():  # an initial, unless a sentence plainly starts
        return opener_follows
    if _ACRONYM.fullmatch(word) or lower in AMBIGUOUS_ABBREVIATIONS:
        return opener_follows
    return True


def _split_paragraph(paragraph: str) -> list[str]:
    flat = plain(paragraph)
    # Quote parity only helps when the paragraph's quotes pair up; a quote left open by the
    # multi-paragraph quotation convention would otherwise glue the whole paragraph.
    track_quotes = flat.count('"') % 2 == 0
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(flat):
        end = match.end()
        if end >= len(flat) or not _OPENS_SENTENCE.match(flat, end):
            continue
        if track_quotes and flat.count('"', 0, end) % 2 == 1:
            continue
        marks = match.group(0).rstrip()
        if marks == "." and not _period_ends_sentence(flat, match.start(), end):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            pieces.append(piece)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


@lru_cache(maxsize=4096)
def _split_paragraph_cached(paragraph: str) -> tuple[str, ...]:
    return tuple(_split_paragraph(paragraph))


# A link left in markdown by a scraper or an editor ("[ETSI EN 303 645](https://...)",
# with a stray "{" for the "[" at times): its words are the sentence's, its address is not.
_MARKDOWN_LINK = re.compile(r"[\[{]([^\[\]{}\n]+)\]\((?:https?://|www\.|/)[^)\s]*\)")


def segment(text: str) -> list[Sentence]:
    """Sentences of an article body (one paragraph a line; blank lines ignored)."""
    sentences: list[Sentence] = []
    paragraph_index = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        if "](" in line:
            line = _MARKDOWN_LINK.sub(r"\1", line)
        for piece in _split_paragraph_cached(line):
            sentences.append(Sentence(piece, paragraph_index, len(sentences)))
        paragraph_index += 1
    return sentences


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, as they appear in it (stripped)."""
    return [sentence.text for sentence in segment(text)]
