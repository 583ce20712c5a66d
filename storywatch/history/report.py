"""The whole history of one story as data: what ``export`` renders as HTML, Markdown or
JSON, and the per-version JSON ``history --json`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storywatch.diff.model import Shift
from storywatch.diff.text import TextDiff, word_diff
from storywatch.history import times
from storywatch.history.claims import Claim, build_claims
from storywatch.storage.queries import VersionRow, VersionText

TOP_SHIFTS = 3


def plural(count: int, noun: str) -> str:
    """'1 version', '3 versions'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def top_shifts(shifts: Sequence[Shift], count: int = TOP_SHIFTS) -> list[Shift]:
    """Headline shifts first, then the most significant; equal ones keep the diff's
    order."""
    return sorted(shifts, key=lambda shift: (shift.field != "headline", -shift.significance))[
        :count
    ]


def shifts_summary(shifts: Sequence[Shift], count: int = TOP_SHIFTS) -> str:
    """'50% -> 25%, would -> will, +claim …' for one-line listings."""
    shown = ", ".join(shift.short for shift in top_shifts(shifts, count))
    return shown + (" …" if len(shifts) > count else "")


def version_dict(row: VersionRow) -> dict[str, Any]:
    diff = row.has_diff
    return {
        "number": row.number,
        "fetched_at": times.iso(row.fetched_at),
        "title": row.title,
        "byline": row.byline,
        "published": row.published,
        "updated": row.updated,
        "words": row.word_count,
        "hash": row.content_hash,
        "previous": row.previous_number,
        "words_added": row.words_added if diff else None,
        "words_removed": row.words_removed if diff else None,
        "material": row.material if diff else None,
        "significance": row.significance if diff else None,
        "shifts": [shift.to_dict() for shift in row.shifts],
    }


@dataclass(frozen=True, slots=True)
class StoryInfo:
    id: int
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class VersionReport:
    row: VersionRow
    text: str
    # Word diff against the previous version; None for the first.
    text_diff: TextDiff | None


@dataclass(frozen=True, slots=True)
class StoryReport:
    story: StoryInfo
    generated_at: datetime
    versions: list[VersionReport]
    claims: list[Claim]

    @property
    def material_changes(self) -> int:
        return sum(1 for v in self.versions if v.row.material)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": {"id": self.story.id, "url": self.story.url, "title": self.story.title},
            "generated_at": times.iso(self.generated_at),
            "versions": [
                {
                    **version_dict(v.row),
                    "text": v.text,
                    "text_diff": v.text_diff.to_list() if v.text_diff else None,
                }
                for v in self.versions
            ],
            "claims": [claim.to_dict() for claim in self.claims],
        }


def build_report(
    story: StoryInfo,
    rows: Sequence[VersionRow],
    texts: Sequence[VersionText],
    generated_at: datetime,
) -> StoryReport:
    """``rows`` and ``texts`` are the same versions, oldest first."""
    by_number = {t.number: t.text for t in texts}
    versions = []
    previous: str | None = None
    for row in rows:
        text = by_number.get(row.number, "")
        diff = word_diff(previous, text) if previous is not None else None
        versions.append(VersionReport(row, text, diff))
        previous = text
    return StoryReport(story, generated_at, versions, build_claims(rows))
