"""Stories with a known history for the viewer tests, stored through the repository with
the real word and semantic diffs, at fixed times (the pipeline stamps "now")."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storywatch.diff.semantic import semantic_diff
from storywatch.diff.text import word_diff
from storywatch.storage import (
    CheckOutcome,
    CheckRecord,
    DiffData,
    NewVersion,
    ScheduleUpdate,
    Store,
    StoryStatus,
)
from storywatch.watcher.normalise import content_hash
from tests.support.cli import Result, run_cli
from tests.support.pages import seed_text

START = datetime(2025, 8, 8, 21, 10, tzinfo=UTC)
SEED_NAMES = ("us-russia-deal-v1", "us-russia-deal-v2", "us-russia-deal-v3")
ROOT = Path(__file__).resolve().parents[2]


def record_version(
    store: Store, story_id: int, text: str, at: datetime, previous: str | None, title: str
) -> None:
    diff = None
    if previous is not None:
        semantic = semantic_diff(previous, text)
        words = word_diff(previous, text)
        diff = DiffData(
            material=semantic.material,
            significance=semantic.significance,
            shifts=[shift.to_dict() for shift in semantic.shifts],
            words_added=words.words_added,
            words_removed=words.words_removed,
        )
    store.record_check(
        story_id,
        CheckRecord(
            outcome=CheckOutcome.NEW_VERSION,
            checked_at=at,
            schedule=ScheduleUpdate(at + timedelta(minutes=15), 900.0, StoryStatus.ACTIVE, 0),
            version=NewVersion(text, content_hash(text), len(text.split()), title=title),
            diff=diff,
        ),
    )


def build_story(
    store: Store,
    url: str,
    texts: Sequence[str],
    *,
    title: str = "US and Russia seek deal",
    start: datetime = START,
    step: timedelta = timedelta(hours=1),
) -> int:
    """A story whose versions are ``texts``, one every ``step`` from ``start``."""
    story = store.add_story(url)
    assert story.id is not None
    previous = None
    for index, text in enumerate(texts):
        record_version(store, story.id, text, start + index * step, previous, title)
        previous = text
    return story.id


@pytest.fixture
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Views print local time; tests pin the zone so expected strings hold anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def seed_texts() -> list[str]:
    return [seed_text(name) for name in SEED_NAMES]


def invoke_viewer(db_url: str, *args: str) -> Result:
    """The CLI in this process (click's runner): quicker where a subprocess adds nothing."""
    from click.testing import CliRunner

    from storywatch.cli import cli

    done = CliRunner().invoke(cli, ["--db", db_url, *args])
    return Result(done.exit_code, done.stdout, done.stderr)


def run_viewer(db_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """The real CLI in a subprocess, with times shown in UTC."""
    return run_cli("--db", db_url, *args, env={"TZ": "UTC", **(env or {})})
