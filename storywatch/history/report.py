"""The whole history of one story as data: what ``export`` renders as HTML, Markdown or
JSON, and the per-version JSON ``history --json`` prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storywatch.diff.model import HeadlineChange, Shift
from storywatch.diff.report import ChangeReport, change_report
from storywatch.diff.text import TextDiff, word_diff
from storywatch.history import times
from storywatch.history.claims import Claim, build_claims
from storywatch.history.documents import version_dict
from storywatch.storage.queries import VersionRow, VersionText


def plural(count: int, noun: str) -> str:
    """'1 version', '3 versions'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


@dataclass(frozen=True, slots=True)
class StoryInfo:
    id: int
    url: str
    name: str | None  # the user's, from `add --name`
    title: str | None  # the page's headline

    @property
    def label(self) -> str:
        return self.name or self.title or self.url

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "name": self.name, "title": self.title}


@dataclass(frozen=True, slots=True)
class VersionReport:
    row: VersionRow
    text: str
    # The change report against the previous version; None for the first.
    change: ChangeReport | None

    @property
    def text_diff(self) -> TextDiff | None:
        return self.change.text if self.change else None


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
            "story": self.story.to_dict(),
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
    dropped: Callable[[Shift], str | None] | None = None,
) -> StoryReport:
    """``rows`` and ``texts`` are the same versions, oldest first; ``dropped`` says why
    the alert rules let a shift pass."""
    by_number = {t.number: t.text for t in texts}
    versions = []
    previous: str | None = None
    previous_title: str | None = None
    for row in rows:
        text = by_number.get(row.number, "")
        change = None
        if previous is not None:
            change = change_report(
                row.shifts,
                headline=_rewritten(previous_title, row.title),
                text=word_diff(previous, text),
                dropped=dropped,
            )
        versions.append(VersionReport(row, text, change))
        previous = text
        previous_title = row.title or previous_title
    return StoryReport(story, generated_at, versions, build_claims(rows))


def _rewritten(old: str | None, new: str | None) -> HeadlineChange | None:
    # Imported here: the semantic engine is only needed once a story has two versions.
    from storywatch.diff.semantic import headline_change

    return headline_change(old, new)
