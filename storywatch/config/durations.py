"""Human durations ("90s", "15m", "2h", "3d", "1w") in settings and on the command line.

Every duration has a range, checked here when it is parsed. Nothing storywatch waits for or
looks back over is longer than :data:`MAX_DURATION`, ten years: far beyond any useful
interval or ``--since``, and far inside what date arithmetic can reach (year 9999), so
``now + interval`` cannot overflow. A timeout is a wait on one network peer, and one that
may hold up a check or a delivery; :data:`MAX_TIMEOUT` is an hour.
"""

from __future__ import annotations

import math
import re

MAX_DURATION = 3650 * 86400.0
MAX_TIMEOUT = 3600.0

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ASCII only: a Unicode-aware \d or case folding would let digits and letters through
# that float() and _UNITS then do not know.
_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smhdw]?)\s*", re.ASCII | re.IGNORECASE)


def parse_duration(
    value: object, *, maximum: float = MAX_DURATION, positive: bool = False
) -> float:
    """Return seconds: from 0 (more than 0 when ``positive``) up to ``maximum``.

    A bare number is seconds. Anything else, a value out of range included, raises
    ValueError with a one-line message."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"not a duration: {short_repr(value)} (use e.g. 90s, 15m, 2h, 3d)")
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if not match:
            raise ValueError(f"not a duration: {short_repr(value)} (use e.g. 90s, 15m, 2h, 3d)")
        seconds = float(match.group(1)) * _UNITS[match.group(2).lower() or "s"]
    else:
        try:
            seconds = float(value)
        except OverflowError:  # an int beyond any float: out of range like infinity
            seconds = math.inf
        if math.isnan(seconds):
            raise ValueError(f"not a duration: {short_repr(value)} (use e.g. 90s, 15m, 2h, 3d)")
    if seconds > maximum or seconds < 0 or (positive and seconds == 0):
        raise ValueError(
            f"duration {short_repr(value)} is out of range: {duration_range(maximum, positive)}"
        )
    return seconds


def duration_range(maximum: float = MAX_DURATION, positive: bool = False) -> str:
    """The range ``parse_duration`` accepts with these bounds, in words."""
    low = "more than 0s" if positive else "0s or more"
    return f"{low}, at most {format_duration(maximum)}"


def format_duration(seconds: float) -> str:
    """The largest whole unit, else seconds to the millisecond: what parse_duration reads."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"  # never 1e+06s


def short_repr(value: object) -> str:
    """repr() clipped to 40 characters: whatever came in, a message stays one short line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
