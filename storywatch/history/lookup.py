"""What a viewer looks up before the pure parts of history/ take over: the two versions
a diff compares and their diff, and the stories a phrase occurs in. The CLI viewers and
the web app both start here, so a URL and a command line name the same versions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from storywatch.diff.model import SemanticDiff, Shift
from storywatch.errors import InputError, NotFoundError
from storywatch.history.documents import SearchHit
from storywatch.history.search import find_presence
from storywatch.storage.models import Story, Version
from storywatch.storage.queries import story_texts
from storywatch.storage.repository import Store


def versions_to_compare(
    store: Store, story: Story, first: int | None, second: int | None
) -> tuple[Version, Version]:
    """The two versions ``diff`` compares: the last two; N-1 and N for one number N; or the
    two given. Negative numbers count back from the latest."""
    assert story.id is not None
    if first is None:
        if story.version_count < 2:
            raise NotFoundError(f"nothing to compare yet: {store.versions_span(story.id)}")
        first, second = story.version_count - 1, story.version_count
    if second is None:
        new = store.get_version(story.id, first)
        if new.number == 1:
            raise InputError(
                f"version 1 is the first: there is nothing before it to compare"
                f" ({store.versions_span(story.id)}); give two versions, e.g. 1 2"
            )
        return store.get_version(story.id, new.number - 1), new
    old, new = store.get_version(story.id, first), store.get_version(story.id, second)
    if old.number == new.number:
        raise InputError(
            f"version {old.number} compared with itself: there is nothing to show;"
            f" give two different versions ({store.versions_span(story.id)})"
        )
    return old, new


def stored_or_computed(
    store: Store, old: Version, new: Version, old_text: str, new_text: str
) -> SemanticDiff:
    """The diff the pipeline stored for adjacent versions; computed for any other pair."""
    # Imported here: the semantic engine is only needed once there are two versions.
    from storywatch.diff.semantic import headline_change, semantic_diff

    stored = store.version_diff(new) if new.number == old.number + 1 else None
    if stored is not None:
        return SemanticDiff(
            stored.material,
            stored.significance,
            [Shift.from_dict(s) for s in stored.shifts],
            headline_change(old.title, new.title),
        )
    return semantic_diff(old_text, new_text, old.title, new.title)


def search_stories(
    store: Store, pattern: re.Pattern[str], stories: Iterable[Story]
) -> list[SearchHit]:
    """The stories with a version matching ``pattern``, each with its runs of versions."""
    found = []
    for story in stories:
        assert story.id is not None
        versions = story_texts(store, story.id)
        runs = find_presence(pattern, versions)
        if runs:
            found.append((story, len(versions), runs))
    return found
