"""Times as the views print them (local time, short) and as JSON carries them (UTC)."""

from __future__ import annotations

from datetime import datetime

from storywatch.storage.schema import as_utc


def local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone()


def short(moment: datetime) -> str:
    """'Nov 24 10:02': enough to tell versions of one story apart."""
    return local(moment).strftime("%b %d %H:%M")


def full(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def zoned(moment: datetime) -> str:
    """For reports read elsewhere: the zone makes the time unambiguous."""
    return local(moment).strftime("%Y-%m-%d %H:%M %Z")


def iso(moment: datetime) -> str:
    """The one JSON form of a time: ISO 8601 in UTC with a Z, to the second
    ('2026-11-30T15:36:48Z')."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
