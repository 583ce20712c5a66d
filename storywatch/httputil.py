"""HTTP helpers shared by the fetcher and the alert channels.

Every value here comes from a response header, that is from whoever runs the server:
each parser takes any string and returns a bounded value or None, never raises.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# A server asking for more than a day is not waited for longer: callers cap the wait
# further (the schedule's max_interval, alerts.retry_max).
MAX_RETRY_AFTER = 86400.0
# The sizes of the stories' and feeds' validator columns (storage/models.py uses these).
# A real ETag is a few dozen characters and an HTTP-date 29.
MAX_ETAG = 500
MAX_LAST_MODIFIED = 100
# A decimal header value longer than this is absurd (a body of an exabyte, a wait of 30
# billion years) and is judged by its length alone: int() refuses thousands of digits and
# float() turns 400 nines into infinity.
_MAX_LENGTH_DIGITS = 18


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), between 0
    and MAX_RETRY_AFTER, or None when it says neither."""
    if not value:
        return None
    value = value.strip()
    if _is_ascii_digits(value):
        if len(value) > _MAX_LENGTH_DIGITS:
            return MAX_RETRY_AFTER
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def parse_content_length(value: str | None) -> int | None:
    """The declared body size, or None when absent or not a plain decimal number.

    A number too long to be real counts as too large (sys.maxsize), not as absent."""
    if not value:
        return None
    value = value.strip()
    if not _is_ascii_digits(value):
        return None
    return int(value) if len(value) <= _MAX_LENGTH_DIGITS else sys.maxsize


def usable_validator(value: str | None, max_length: int) -> str | None:
    """An ETag or Last-Modified value exactly as served, if it can be stored and sent back
    as is: at most ``max_length`` printable ASCII characters. Otherwise None, which means
    the next request is a plain GET; a clipped or re-encoded validator would be a value
    the server never sent (and a non-ASCII one cannot even be put in a request header)."""
    if not value or len(value) > max_length:
        return None
    if not all(" " <= char <= "~" for char in value):
        return None
    return value


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone accepts "²" and other digits that int() and float() refuse.
    return text.isascii() and text.isdigit()
