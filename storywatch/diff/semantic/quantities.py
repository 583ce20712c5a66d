"""Numbers: figures, number words, money, percentages, ordinals and multiples.

Every number becomes a key `kind:value` ("USD:1.2e+09", "pct:50", "num:3", "ord:4",
"times:2"), so "3"/"three", "1,000"/"one thousand", "50%"/"50 percent" and "twice"/"two
times" compare equal while "3"/"5" do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import (
    BOUNDS,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    FRACTION_WORDS,
    MULTIPLES,
    ORDINALS,
    PERCENT_WORDS,
    SCALE_SUFFIXES,
    SCALES,
    TENS,
    UNITS,
    VAGUE_QUANTITIES,
)
from .mention import Mention
from .normalise import Token

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_ORDINAL_FIGURE = re.compile(r"(\d+)(?:st|nd|rd|th)")
_THOUSANDS_GROUP = re.compile(r",(?=\d{3}(?:\D|$))")
_WEAK_WORDS = frozenset({"one", "first", "second"})
# Words that can open a run of number words ("a million", "twenty-five").
_WORD_STARTS = frozenset([*UNITS, *TENS, "a", "an"])


_WORD_OPENERS = frozenset(
    [*CURRENCY_SYMBOLS, *ORDINALS, *MULTIPLES, *VAGUE_QUANTITIES, *_WORD_STARTS]
)


def _may_open_number(lower: str) -> bool:
    if lower in _WORD_OPENERS:
        return True
    first_part = lower.split("-", 1)[0]
    return first_part in TENS or first_part in UNITS


def figure_value(text: str) -> float | None:
    """'1,000' -> 1000, '1.5' -> 1.5, '2,5' -> 2.5 (a decimal comma)."""
    if not _FIGURE.fullmatch(text):
        return None
    text = _THOUSANDS_GROUP.sub("", text).replace(",", ".")
    if text.count(".") > 1:
        return None
    return float(text)


def word_value(word: str) -> float | None:
    """'three' -> 3, 'twenty-five' -> 25, 'five-year' -> 5; None for anything else."""
    parts = word.split("-")
    if len(parts) > 1 and parts[-1] not in UNITS and parts[-1] not in FRACTION_WORDS:
        # A compound adjective: "five-year", "twenty-five-day" count what they say.
        return word_value("-".join(parts[:-1]))
    if len(parts) == 2 and parts[0] in TENS and parts[1] in UNITS:
        return float(TENS[parts[0]] + UNITS[parts[1]])
    if len(parts) == 1:
        if word in UNITS:
            return float(UNITS[word])
        if word in TENS:
            return float(TENS[word])
    return None


def _format_key(kind: str, value: float) -> str:
    return f"{kind}:{value:.6g}"


def _read_words(tokens: Sequence[Token], i: int) -> tuple[float, int] | None:
    """A run of number words from token i ("two hundred and fifty thousand", "a million").
    Returns (value, tokens used)."""
    total = 0.0
    current = 0.0
    used = 0
    seen_number = False
    j = i
    if tokens[i].lower in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1].lower in SCALES:
        current = 1.0
        seen_number = True
        j = i + 1
    while j < len(tokens):
        lower = tokens[j].lower
        value = word_value(lower)
        if value is not None:
            current += value
        elif lower in SCALES and seen_number:
            scale = SCALES[lower]
            if scale == 100:
                current = (current or 1.0) * 100
            else:
                total += (current or 1.0) * scale
                current = 0.0
        elif lower == "dozen" and seen_number:
            current *= 12
        elif (
            lower == "and"
            and seen_number
            and j + 1 < len(tokens)
            and word_value(tokens[j + 1].lower) is not None
        ):
            pass
        else:
            break
        seen_number = True
        j += 1
        used = j - i
    if not used:
        return None
    return total + current, used


def _suffix(tokens: Sequence[Token], j: int, value: float, kind: str) -> tuple[float, str, int]:
    """Read what follows a number: scale, percent, 'times', currency. Returns the new
    value, kind and the index after the number expression."""
    n = len(tokens)
    if j < n and tokens[j].lower in SCALES and tokens[j].lower != "hundred":
        value *= SCALES[tokens[j].lower]
        j += 1
    elif (
        j < n
        and tokens[j].lower in SCALE_SUFFIXES
        and tokens[j].start == tokens[j - 1].end  # glued: "$5m", "1.2bn"
    ):
        value *= SCALE_SUFFIXES[tokens[j].lower]
        j += 1
    if j < n:
        lower = tokens[j].lower
        if lower == "%" or lower in PERCENT_WORDS:
            return value, "pct", j + 1
        if lower == "per" and j + 1 < n and tokens[j + 1].lower == "cent":
            return value, "pct", j + 2
        if lower == "times" and kind == "num":
            return value, "times", j + 1
        if lower in CURRENCY_WORDS and kind == "num":
            return value, CURRENCY_WORDS[lower], j + 1
        if lower == "percentage" and j + 1 < n and tokens[j + 1].lower.startswith("point"):
            return value, "pp", j + 2
    return value, kind, j


_LONGEST_BOUND = max(len(phrase) for phrase in BOUNDS)


def _bound_before(tokens: Sequence[Token], start: int) -> tuple[str, int] | None:
    """The bound word(s) just before a number ("at least", "up to", "almost"): (its
    class, how many tokens it takes)."""
    for size in range(_LONGEST_BOUND, 0, -1):
        if start - size < 0:
            continue
        phrase = tuple(t.lower for t in tokens[start - size : start])
        if phrase in BOUNDS:
            return BOUNDS[phrase], size
    return None


def find_numbers(tokens: Sequence[Token], claimed: set[int], sentence: str) -> list[Mention]:
    """Numbers in a sentence, skipping tokens already taken by dates (`claimed`)."""
    mentions: list[Mention] = []
    n = len(tokens)
    i = 0
    while i < n:
        if i in claimed:
            i += 1
            continue
        token = tokens[i]
        lower = token.lower
        if not lower[0].isdigit() and not _may_open_number(lower):
            i += 1  # most tokens: no figure, and no word a number can start with
            continue
        start = i
        kind = "num"
        weak = False
        if lower in CURRENCY_SYMBOLS and i + 1 < n and _FIGURE.fullmatch(tokens[i + 1].text):
            kind = CURRENCY_SYMBOLS[lower]
            i += 1
            token = tokens[i]
            lower = token.lower
        figure = figure_value(token.text)
        ordinal = _ORDINAL_FIGURE.fullmatch(lower)
        if figure is not None:
            value, kind, end = _suffix(tokens, i + 1, figure, kind)
        elif ordinal:
            value, kind, end = float(ordinal.group(1)), "ord", i + 1
        elif lower in ORDINALS:
            value, kind, end = float(ORDINALS[lower]), "ord", i + 1
            weak = lower in _WEAK_WORDS
        elif lower in MULTIPLES:
            value, kind, end = MULTIPLES[lower], "times", i + 1
        elif lower in VAGUE_QUANTITIES:
            value, kind, end = VAGUE_QUANTITIES[lower], "about", i + 1
        else:
            first_part = lower.split("-", 1)[0]
            starts = lower in _WORD_STARTS or first_part in TENS or first_part in UNITS
            words = _read_words(tokens, i) if starts else None
            if words is None:
                i = start + 1
                continue
            value, used = words
            weak = used == 1 and lower in _WEAK_WORDS
            value, kind, end = _suffix(tokens, i + used, value, kind)
        if any(k in claimed for k in range(start, end)):
            end = min(k for k in range(start, end) if k in claimed)
        key = _format_key(kind, value)
        bound = _bound_before(tokens, start)
        if bound is not None:
            # "£13.4 billion" -> "at least £13.4 billion" changes the claim; "over" for
            # "more than" does not.
            key = f"{key}{bound[0]}"
            start -= bound[1]
        text = sentence[tokens[start].start : tokens[end - 1].end]
        mentions.append(Mention(text, key, start, end - start, value=value, weak=weak))
        i = end
    return mentions
