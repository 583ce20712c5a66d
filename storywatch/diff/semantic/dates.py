"""Dates and times: calendar dates, years, weekdays, relative dates, durations, clock times.

Each expression's key lists its parts ("month:8 day:8 year:2025", "weekday:friday",
"rel:next week", "time:10:30"), so "Aug. 8" and "August 8th" compare equal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from .lexicon import (
    DAY_WORDS,
    DURATION_UNITS,
    FREQUENCY_WORDS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    ORDINALS,
    PERIOD_WORDS,
    RELATIVE_DETERMINERS,
    TENS,
    TIME_WORDS,
    UNITS,
    WEEKDAYS,
    YEAR_PREPOSITIONS,
)
from .mention import Mention
from .normalise import Token
from .quantities import figure_value, word_value

_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")
_DECADE = re.compile(r"(1[89]\d0|20\d0)s")
_DAY = re.compile(r"([1-9]|[12]\d|3[01])(?:st|nd|rd|th)?")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DOTTED_CLOCK = re.compile(r"([01]?\d|2[0-3])\.([0-5]\d)")
_MERIDIEM = frozenset({"am", "pm", "a.m.", "p.m."})
# Month names that are also ordinary words; they need a day, a year or a date preposition.
_AMBIGUOUS_MONTHS = frozenset({"may", "march"})
_CURRENCY_OR_SCALE = frozenset(
    ["$", "€", "£", "¥", "%", "percent", "per", "million", "billion", "thousand", "bn"]
)
_FEW = frozenset({"few", "several", "couple"})
_QUARTER = re.compile(r"Q([1-4])")


def _is_day(token: Token) -> int | None:
    match = _DAY.fullmatch(token.lower)
    return int(match.group(1)) if match else None


def _is_year(tokens: Sequence[Token], i: int) -> bool:
    """A four-digit figure 1800-2099 read as a year: not money, not a percentage, and not a
    count of things ("2000 troops") unless a date word comes before it."""
    if not _YEAR.fullmatch(tokens[i].text):
        return False
    previous = tokens[i - 1].lower if i > 0 else ""
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if previous in _CURRENCY_OR_SCALE or (following and following.lower in _CURRENCY_OR_SCALE):
        return False
    if previous in YEAR_PREPOSITIONS or previous in MONTHS or previous in MONTH_ABBREVIATIONS:
        return True
    # "2000 troops": a plural noun straight after it makes it a count.
    return not (
        following is not None
        and following.text.islower()
        and following.lower.endswith("s")
        and len(following.lower) > 3
    )


@lru_cache(maxsize=16384)
def misspelt_month(lower: str) -> int | None:
    """'febuary' -> 2, 'ocotber' -> 10: a month name mistyped, or None.

    Long names (7+ letters) allow one slip, two from 8 letters. The short ones allow only
    a swapped or a dropped letter, so that "Marco", "Marsh" or "Augusta" stay names;
    "May", "June" and "July" are too short to guess at."""
    if len(lower) < 5 or lower in MONTHS or not lower.isalpha():
        return None
    for name, number in MONTHS.items():
        if name[0] != lower[0] or len(name) < 5 or abs(len(name) - len(lower)) > 2:
            continue
        if len(name) >= 7:
            limit = 2 if len(name) >= 8 else 1
            if DamerauLevenshtein.distance(name, lower, score_cutoff=limit) <= limit:
                return number
        elif DamerauLevenshtein.distance(name, lower, score_cutoff=1) <= 1 and (
            len(lower) == len(name) - 1 or Counter(lower) == Counter(name)
        ):
            return number
    return None


def _dated(tokens: Sequence[Token], i: int) -> bool:
    """A day or a year right after the word at i, or a day or date preposition before it."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    previous = tokens[i - 1] if i > 0 else None
    if nxt is not None and (_is_day(nxt) is not None or _YEAR.fullmatch(nxt.text)):
        return True
    return previous is not None and (
        _is_day(previous) is not None or previous.lower in YEAR_PREPOSITIONS
    )


def _month(tokens: Sequence[Token], i: int) -> int | None:
    token = tokens[i]
    if not token.is_capitalised:
        return None
    lower = token.lower
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if lower in MONTHS:
        if lower in _AMBIGUOUS_MONTHS and not _dated(tokens, i):
            return None
        return MONTHS[lower]
    if lower in MONTH_ABBREVIATIONS and (
        (nxt is not None and (nxt.text == "." or _is_day(nxt)))
        or (i > 0 and _is_day(tokens[i - 1]) is not None)  # "20 Jan"
    ):
        return MONTH_ABBREVIATIONS[lower]
    # A mistyped month ("Febuary 3") counts only where a date is expected.
    misspelt = misspelt_month(lower)
    if misspelt is not None and _dated(tokens, i):
        return misspelt
    return None


def _calendar(tokens: Sequence[Token], i: int, month: int) -> tuple[int, int, list[str]]:
    """Expand a month at i into '[day [of]] Month[.] [day][,] [year]'."""
    parts = [f"month:{month}"]
    start, end = i, i + 1
    if start >= 2 and tokens[start - 1].lower == "of" and _is_day(tokens[start - 2]):
        parts.append(f"day:{_is_day(tokens[start - 2])}")
        start -= 2
    elif start >= 1 and _is_day(tokens[start - 1]) is not None:
        parts.append(f"day:{_is_day(tokens[start - 1])}")
        start -= 1
    n = len(tokens)
    if end < n and tokens[end].text == ".":
        end += 1
    # "Aug. 8" but not "August 3 weeks ago"-style counts after a month.
    day_follows = end < n and len(parts) == 1 and _is_day(tokens[end]) is not None
    if day_follows and not (end + 1 < n and tokens[end + 1].lower in DURATION_UNITS):
        parts.append(f"day:{_is_day(tokens[end])}")
        end += 1
    comma = end < n and tokens[end].text == ","
    year_at = end + 1 if comma else end
    if year_at < n and _YEAR.fullmatch(tokens[year_at].text):
        parts.append(f"year:{tokens[year_at].text}")
        end = year_at + 1
    return start, end, parts


def _amount(token: Token) -> str | None:
    """How many of a duration: '2', 'two', 'a', 'few'."""
    if token.lower in ("a", "an"):
        return "1"
    if token.lower in _FEW:
        return "few"
    value = figure_value(token.text)
    if value is None:
        value = word_value(token.lower)
    return None if value is None else f"{value:g}"


def _relative(tokens: Sequence[Token], i: int) -> tuple[int, str] | None:
    """Relative dates starting at i. Returns (end, key part)."""
    n = len(tokens)
    lower = tokens[i].lower
    nxt = tokens[i + 1].lower if i + 1 < n else ""
    if lower in DAY_WORDS:
        return i + 1, f"rel:{lower}"
    if lower in FREQUENCY_WORDS:
        return i + 1, f"every:{FREQUENCY_WORDS[lower]}"
    if lower == "every" and nxt in DURATION_UNITS:
        return i + 2, f"every:{DURATION_UNITS[nxt]}"
    if lower in RELATIVE_DETERMINERS and (nxt in PERIOD_WORDS or nxt in WEEKDAYS or nxt in MONTHS):
        return i + 2, f"rel:{RELATIVE_DETERMINERS[lower]} {nxt}"
    # "in two weeks" is a point in time; "for 48 hours" is a length, left to the numbers.
    if lower in ("in", "within") and i + 2 < n:
        j = i + 1
        if tokens[j].lower in ("the", "a") and j + 1 < n and tokens[j + 1].lower in _FEW:
            j += 1
        amount = _amount(tokens[j])
        if amount is not None and j + 1 < n and tokens[j + 1].lower in DURATION_UNITS:
            return j + 2, f"rel:{lower} {amount} {DURATION_UNITS[tokens[j + 1].lower]}"
        if lower == "within" and tokens[i + 1].lower in DURATION_UNITS:
            return i + 2, f"rel:within {DURATION_UNITS[tokens[i + 1].lower]}"
    amount = _amount(tokens[i])
    if (
        amount is not None
        and i + 2 < n
        and tokens[i + 1].lower in DURATION_UNITS
        and tokens[i + 2].lower in ("ago", "earlier", "later")
    ):
        unit = DURATION_UNITS[tokens[i + 1].lower]
        return i + 3, f"rel:{amount} {unit} {tokens[i + 2].lower}"
    return None


def _quarter(tokens: Sequence[Token], i: int) -> tuple[int, str] | None:
    """'third quarter', 'first half', 'Q3'."""
    token = tokens[i]
    named = _QUARTER.fullmatch(token.text)
    if named:
        return i + 1, f"quarter:{named.group(1)}"
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    if nxt in ("quarter", "half") and token.lower in ORDINALS and ORDINALS[token.lower] <= 4:
        return i + 2, f"{nxt}:{ORDINALS[token.lower]}"
    return None


def _clock(tokens: Sequence[Token], i: int) -> tuple[int, str] | None:
    n = len(tokens)
    token = tokens[i]
    if token.lower in TIME_WORDS:
        return i + 1, f"time:{token.lower}"
    nxt = tokens[i + 1].lower if i + 1 < n else ""
    meridiem = nxt.replace(".", "") if nxt in _MERIDIEM else ""
    # "6:30", or "6.30pm" in British style (a dot without am/pm is a decimal)
    clock = _CLOCK.fullmatch(token.text)
    if clock is None and meridiem:
        clock = _DOTTED_CLOCK.fullmatch(token.text)
    if clock:
        hour, minute = int(clock.group(1)), clock.group(2)
        end = i + 2 if meridiem else i + 1
        return end, f"time:{hour}:{minute}{meridiem}"
    if meridiem and token.text.isdigit() and 1 <= int(token.text) <= 12:
        return i + 2, f"time:{int(token.text)}:00{meridiem}"
    return None


# Words that can start a date expression; anything else (and not a figure) is skipped
# without running the individual readers.
_TRIGGERS = frozenset(
    [*MONTHS, *MONTH_ABBREVIATIONS, *WEEKDAYS, *DAY_WORDS, *RELATIVE_DETERMINERS, *TIME_WORDS]
) | frozenset(
    [*ORDINALS, *UNITS, *TENS, *_FEW, *FREQUENCY_WORDS, "in", "within", "a", "an", "every"]
)


def _may_start_date(token: Token) -> bool:
    first = token.text[0]
    return (
        first.isdigit()
        or token.lower in _TRIGGERS
        or (first == "Q" and len(token.text) == 2)
        or (first.isupper() and misspelt_month(token.lower) is not None)
    )


def find_dates(tokens: Sequence[Token], sentence: str) -> tuple[list[Mention], set[int]]:
    """Date expressions in a sentence, and the token indexes they use (so the number
    extractor leaves "2014" and "8" in "August 8, 2014" alone)."""
    mentions: list[Mention] = []
    claimed: set[int] = set()

    def add(start: int, end: int, key: str) -> None:
        text = sentence[tokens[start].start : tokens[end - 1].end]
        mentions.append(Mention(text, key, start, end - start))
        claimed.update(range(start, end))

    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        if not _may_start_date(token):
            i += 1
            continue
        month = _month(tokens, i)
        if month is not None:
            start, end, parts = _calendar(tokens, i, month)
            if mentions and start in claimed:  # a day taken by an earlier expression
                start = i
            add(start, end, " ".join(sorted(parts)))
            i = end
            continue
        if token.lower in WEEKDAYS and token.is_capitalised:
            add(i, i + 1, f"weekday:{token.lower}")
            i += 1
            continue
        found = _relative(tokens, i) or _clock(tokens, i) or _quarter(tokens, i)
        if found is not None:
            end, key = found
            add(i, end, key)
            i = end
            continue
        decade = _DECADE.fullmatch(token.lower)
        if decade:
            add(i, i + 1, f"decade:{decade.group(1)}")
        elif _is_year(tokens, i):
            add(i, i + 1, f"year:{token.text}")
        i += 1
    return mentions, claimed


def is_weekday(mention: Mention) -> bool:
    return mention.key.startswith("weekday:")


def whole_date(mention: Mention) -> tuple[int, int, int] | None:
    """(year, month, day) of a mention naming all three ("5 August 2019"), else None."""
    parts = dict(part.split(":", 1) for part in mention.key.split() if ":" in part)
    if not {"year", "month", "day"} <= parts.keys():
        return None
    try:
        return int(parts["year"]), int(parts["month"]), int(parts["day"])
    except ValueError:
        return None


def has_calendar_day(mentions: Sequence[Mention]) -> bool:
    """True when one of the mentions names a day of a month ("August 8")."""
    return any("day:" in m.key and "month:" in m.key for m in mentions)
