"""Times as the history views print them: local time, short."""

from __future__ import annotations

from datetime import UTC, datetime


def local(moment: datetime) -> datetime:
    # Naive datetimes come from SQLite and are UTC, never local time.
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone()


def short(moment: datetime) -> str:
    """'Nov 24 10:02': enough to tell versions of one story apart."""
    return local(moment).strftime("%b %d %H:%M")


def full(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def zoned(moment: datetime) -> str:
    """For reports read elsewhere: the zone makes the time unambiguous."""
    return local(moment).strftime("%Y-%m-%d %H:%M %Z")


def iso(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).isoformat()
