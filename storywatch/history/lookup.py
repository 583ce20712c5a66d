"""What a viewer looks up before the pure parts of history/ take over: the two versions
a diff compares and their diff, and the stories a phrase occurs in. The CLI viewers and
the web app both start here, so a URL and a command line name the same versions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from storywatch.diff.model import SemanticDiff
from storywatch.diff.semantic.normalise import headline_change
from storywatch.errors import InputError, NotFoundError
from storywatch.history.documents import SearchHit
from storywatch.history.search import find_presence
from storywatch.storage.queries import Reader, StoryRow, VersionRow


def versions_to_compare(
    reader: Reader, story: StoryRow, first: int | None, second: int | None
) -> tuple[VersionRow, VersionRow]:
    """The two versions ``diff`` compares: the last two; N-1 and N for one number N; or the
    two given. Negative numbers count back from the latest."""
    if first is None:
        if story.version_count < 2:
            raise NotFoundError(f"nothing to compare yet: {reader.versions_span(story.id)}")
        first, second = story.version_count - 1, story.version_count
    if second is None:
        new = reader.get_version(story.id, first)
        if new.number == 1:
            raise InputError(
                f"version 1 is the first: there is nothing before it to compare"
                f" ({reader.versions_span(story.id)}); give two versions, e.g. 1 2"
            )
        return reader.get_version(story.id, new.number - 1), new
    old, new = reader.get_version(story.id, first), reader.get_version(story.id, second)
    if old.number == new.number:
        raise InputError(
            f"version {old.number} compared with itself: there is nothing to show;"
            f" give two different versions ({reader.versions_span(story.id)})"
        )
    return old, new


def stored_or_computed(
    old: VersionRow, new: VersionRow, old_text: str, new_text: str
) -> SemanticDiff:
    """The diff the pipeline stored for adjacent versions; computed for any other pair."""
    if new.has_diff and new.previous_number == old.number:
        return SemanticDiff(
            new.material, new.significance, list(new.shifts), headline_change(old.title, new.title)
        )
    # The semantic engine only for a pair the pipeline did not diff: a tenth of a second.
    from storywatch.diff.semantic import semantic_diff

    return semantic_diff(old_text, new_text, old.title, new.title)


def search_stories(
    reader: Reader, pattern: re.Pattern[str], stories: Iterable[StoryRow]
) -> list[SearchHit]:
    """The stories with a version matching ``pattern``, each with its runs of versions."""
    found = []
    for story in stories:
        versions = reader.story_texts(story.id)
        runs = find_presence(pattern, versions)
        if runs:
            found.append((story, len(versions), runs))
    return found
