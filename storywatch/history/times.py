"""Times as the history views print them: local time, short."""

from __future__ import annotations

from datetime import datetime

from storywatch.storage.models import as_utc


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
    return as_utc(moment).isoformat()
