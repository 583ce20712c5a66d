"""The JSON documents of the viewers (README, "JSON"), built here once for the CLI's
``--json`` and the web API alike: the two print the same bytes for the same data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from storywatch.history import times
from storywatch.storage.schema import split_tags

# Types only: `list` builds its document from here and needs none of these modules (the
# viewers read rows without the ORM; `add` prints the ORM's stories).
if TYPE_CHECKING:
    from storywatch.diff.model import SemanticDiff
    from storywatch.diff.text import TextDiff
    from storywatch.history.claims import Claim
    from storywatch.history.search import Presence
    from storywatch.storage.models import Story
    from storywatch.storage.queries import ChangeRow, Event, StoryRow, VersionRow

AnyStory: TypeAlias = "Story | StoryRow"
# A phrase search's result for one story: the story, its version count, the runs found.
SearchHit: TypeAlias = "tuple[StoryRow, int, list[Presence]]"


def story_json(story: AnyStory) -> dict[str, Any]:
    """A story as every JSON output names it: ``name`` is the user's (``add --name``),
    ``title`` the page's headline."""
    return {"id": story.id, "url": story.url, "name": story.name, "title": story.title}


def tracked_story(story: AnyStory) -> dict[str, object]:
    """A tracked story in full (``list``, ``add``): the story fields every JSON output
    shares, then its schedule and state."""
    return {
        **story_json(story),
        "tags": story_tags(story),
        "status": story.status,
        "versions": story.version_count,
        "interval": story.interval,
        "added_at": _iso(story.added_at),
        "last_checked_at": _iso(story.last_checked_at),
        "last_changed_at": _iso(story.last_changed_at),
        "next_check_at": _iso(story.next_check_at),
        "error_count": story.error_count,
        "last_error": story.last_error,
    }


def _iso(moment: datetime | None) -> str | None:
    return times.iso(moment) if moment is not None else None


def story_tags(story: AnyStory) -> list[str]:
    return split_tags(story.tags)


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
        "previous_version": row.previous_number,
        "words_added": row.words_added if diff else None,
        "words_removed": row.words_removed if diff else None,
        "material": row.material if diff else None,
        "significance": row.significance if diff else None,
        "shifts": [shift.to_dict() for shift in row.shifts],
    }


def history_document(
    story: StoryRow, rows: Sequence[VersionRow], events: Sequence[Event]
) -> dict[str, Any]:
    return {
        "story": story_json(story),
        "versions": [version_dict(row) for row in rows],
        "events": [
            {"checked_at": times.iso(e.checked_at), "event": e.outcome, "detail": e.error}
            for e in events
        ],
    }


def shown_version(story: StoryRow, version: VersionRow, text: str) -> dict[str, Any]:
    return {
        "number": version.number,
        "fetched_at": times.iso(version.fetched_at),
        "title": version.title,
        "byline": version.byline,
        "published": version.published,
        "updated": version.updated,
        "words": version.word_count,
        "hash": version.content_hash,
        "story": story_json(story),
        "text": text,
    }


def diff_document(
    story: StoryRow, old: VersionRow, new: VersionRow, semantic: SemanticDiff, text: TextDiff
) -> dict[str, Any]:
    return {
        "story": story_json(story),
        "old_version": old.number,
        "new_version": new.number,
        **semantic.to_dict(),
        "text_diff": text.to_list(),
        "rewritten": text.rewritten,
    }


def change_document(change: ChangeRow, story: StoryRow | None) -> dict[str, Any]:
    """A change of ``log``; ``story`` None when it was removed since."""
    return {
        "story": story_json(story)
        if story
        else {"id": change.story_id, "url": change.story_url, "name": None, "title": None},
        "version": change.number,
        "previous_version": change.previous_number,
        "fetched_at": times.iso(change.fetched_at),
        "material": change.material,
        "significance": change.significance,
        "shifts": [shift.to_dict() for shift in change.shifts],
    }


def claims_document(story: StoryRow, versions: int, claims: Sequence[Claim]) -> dict[str, Any]:
    return {
        "story": story_json(story),
        "versions": versions,
        "claims": [claim.to_dict() for claim in claims],
    }


def search_document(phrase: str, found: Sequence[SearchHit]) -> dict[str, Any]:
    return {
        "phrase": phrase,
        "stories": [
            {
                "story": story_json(story),
                "versions": count,
                "matches": [run.to_dict() for run in runs],
            }
            for story, count, runs in found
        ],
    }
