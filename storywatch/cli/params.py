"""Parameter types, one per kind of value a user types: a duration, a story reference, a
record id or version number, a count, text for the database. Each has a range; a value out
of it is a usage error naming the option and the range (one line, exit 2: see
``_Group.invoke``), caught here rather than met later as an overflow in the database or
in date arithmetic."""

from __future__ import annotations

import math
from typing import Any

import click

from storywatch.config.durations import MAX_DURATION, parse_duration, short_repr
from storywatch.storage.schema import MAX_ID, number_from_digits

#: At most this many rows a listing shows, or alerts one delivery pass sends.
MAX_LIMIT = 10_000
MAX_CONTEXT = 1000  # words of context around an edit


# Not subscripted: click's ParamType is generic only in its newest releases.
class Duration(click.ParamType):  # type: ignore[type-arg]
    """A duration: "15m" -> 900.0 seconds, within the range given (config/durations.py)."""

    name = "duration"

    def __init__(self, *, maximum: float = MAX_DURATION, positive: bool = False) -> None:
        self.maximum = maximum
        self.positive = positive

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_duration(value, maximum=self.maximum, positive=self.positive)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Text(click.ParamType):  # type: ignore[type-arg]
    """Text that is stored or looked up in the database: valid Unicode. Bytes in argv that
    are not UTF-8 reach Python as lone surrogates, which no database driver can encode."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail(f"{short_repr(text)} is not valid UTF-8", param, ctx)
        return text


class StoryRef(Text):
    """A story id, URL prefix or title words (resolved by ``Store.resolve_story``); an id
    must be one a story can have."""

    name = "story"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = super().convert(value, param, ctx).strip()
        if text.isascii() and text.isdigit() and not 1 <= number_from_digits(text) <= MAX_ID:
            self.fail(f"story id {short_repr(text)} is not in the range 1 to {MAX_ID}", param, ctx)
        return value


class Fraction(click.FloatRange):
    """A number from 0 to 1; click's FloatRange alone lets "nan" through."""

    def __init__(self) -> None:
        super().__init__(0, 1)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{short_repr(value)} is not a number from 0 to 1", param, ctx)
        return number


RECORD_ID = click.IntRange(1, MAX_ID)  # alert and feed ids
# Version numbers: negative ones count back from the latest (-1 is the latest).
VERSION = click.IntRange(-MAX_ID, MAX_ID)
LIMIT = click.IntRange(1, MAX_LIMIT)
CONTEXT = click.IntRange(0, MAX_CONTEXT)
TEXT = Text()

context_option = click.option(
    "--context",
    type=CONTEXT,
    default=8,
    show_default=True,
    help="Unchanged words shown around each edit.",
)
