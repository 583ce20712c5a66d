"""Query parameters as the pages, the API and the feeds take them. A bad value is an
InputError naming the parameter: a 400 with one line, as the CLI's exit 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from storywatch.config.durations import parse_duration
from storywatch.errors import InputError
from storywatch.history.filters import parse_types
from storywatch.storage.queries import ChangeRow, Reader
from storywatch.storage.schema import MAX_ID

_PAIR = re.compile(r"(-?\d{1,10})\.\.(-?\d{1,10})")
MAX_LIMIT = 10000


def number(request: Request, name: str, *, low: int, high: int, default: int) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {value}")
    return value


def text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def story_id(request: Request) -> int:
    value = int(request.path_params["story_id"])
    if value > MAX_ID:
        raise InputError(f"no story with id {value} (ids go up to {MAX_ID})")
    return value


def version_pair(raw: str) -> tuple[int, int]:
    """'3..5' -> (3, 5); negative numbers count back from the latest, as in `diff`."""
    match = _PAIR.fullmatch(raw)
    if match is None:
        raise InputError(f"not two versions: {raw!r} (write them as 3..5)")
    return int(match.group(1)), int(match.group(2))


def moment(request: Request, name: str, now: datetime) -> datetime | None:
    """A point in time: a date (2025-08-08), a date and time in UTC, or a duration ago
    (2d, 12h), as `log --since` takes it."""
    raw = text(request, name)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            return now - timedelta(seconds=parse_duration(raw))
        except ValueError:
            raise InputError(
                f"{name} must be a date (2025-08-08), a time or a duration (2d), not {raw!r}"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ChangeFilters:
    """The filters of the home page, `/api/changes` and the changes feed (those of `log`)."""

    since: datetime | None = None
    until: datetime | None = None
    types: tuple[str, ...] = ()
    min_significance: float | None = None
    tag: str | None = None
    story: int | None = None
    limit: int = 50

    @classmethod
    def read(cls, request: Request, now: datetime) -> ChangeFilters:
        try:
            types = parse_types(request.query_params.getlist("type"))
        except ValueError as exc:
            raise InputError(str(exc)) from None
        raw = text(request, "min_significance")
        significance = None
        if raw is not None:
            try:
                significance = float(raw)
            except ValueError:
                significance = -1.0
            if not 0.0 <= significance <= 1.0:
                raise InputError(f"min_significance must be between 0 and 1, not {raw!r}")
        story = number(request, "story", low=1, high=MAX_ID, default=0) or None
        return cls(
            since=moment(request, "since", now),
            until=moment(request, "until", now),
            types=types,
            min_significance=significance,
            tag=text(request, "tag"),
            story=story,
            limit=number(request, "limit", low=1, high=MAX_LIMIT, default=50),
        )

    def changes(self, reader: Reader) -> list[ChangeRow]:
        """The stored changes these filters let through, newest first."""
        return reader.recent_changes(
            since=self.since,
            until=self.until,
            tag=self.tag,
            story_id=self.story,
            min_significance=self.min_significance,
            types=self.types,
            limit=self.limit,
        )
