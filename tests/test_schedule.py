"""The adaptive schedule, as a pure function of the stored story, the outcome and a
controlled clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from storywatch.config import ScheduleSettings
from storywatch.storage import CheckOutcome, Story, StoryStatus
from storywatch.watcher.schedule import next_schedule

T0 = datetime(2025, 8, 8, 12, 0, tzinfo=UTC)
SETTINGS = ScheduleSettings(
    default_interval=900,
    min_interval=120,
    max_interval=86400,
    new_story_period=6 * 3600,
    backoff_factor=2,
    archive_after=14 * 86400,
    failing_after=3,
    failing_interval=6 * 3600,
    jitter=0,
)


def _story(**fields: object) -> Story:
    return Story(url="https://news.example/a", added_at=T0, **fields)


def _delay(story: Story, outcome: str, now: datetime, **kwargs: object) -> float:
    update = next_schedule(story, outcome, now, SETTINGS, **kwargs)  # type: ignore[arg-type]
    return (update.next_check_at - now).total_seconds()


def _follow(story: Story, outcomes: list[str], start: datetime) -> list[float]:
    """Apply each outcome at the time the previous update scheduled; return the paces."""
    now, paces = start, []
    for outcome in outcomes:
        update = next_schedule(story, outcome, now, SETTINGS)
        story.current_interval, story.error_count = update.current_interval, update.error_count
        story.status = update.status
        if outcome == CheckOutcome.NEW_VERSION:
            story.last_changed_at = now
        paces.append(update.current_interval)
        now = update.next_check_at
    return paces


def test_a_new_story_is_checked_at_the_minimum_interval() -> None:
    story = _story()
    assert _delay(story, CheckOutcome.UNCHANGED, T0 + timedelta(hours=1)) == 120
    assert _delay(story, CheckOutcome.NEW_VERSION, T0 + timedelta(hours=5)) == 120


def test_quiet_stories_back_off_to_the_maximum_and_changes_bring_them_back() -> None:
    story = _story(current_interval=900.0)
    later = T0 + timedelta(days=1)
    quiet = _follow(story, [CheckOutcome.NOT_MODIFIED] * 8, later)
    assert quiet == [1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    changing = _follow(story, [CheckOutcome.NEW_VERSION] * 4, later + timedelta(days=3))
    assert changing == [450, 225, 120, 120]  # a story that keeps changing stays frequent


def test_a_story_quiet_for_archive_after_is_archived() -> None:
    story = _story(current_interval=86400.0, last_changed_at=T0)
    for days, status in ((13, StoryStatus.ACTIVE), (14, StoryStatus.ARCHIVED)):
        now = T0 + timedelta(days=days)
        assert next_schedule(story, CheckOutcome.UNCHANGED, now, SETTINGS).status == status


def test_a_fixed_interval_overrides_the_adaptive_pace() -> None:
    story = _story(interval=600.0, current_interval=600.0)
    for outcome in (CheckOutcome.UNCHANGED, CheckOutcome.NEW_VERSION):
        assert _delay(story, outcome, T0 + timedelta(days=2)) == 600


def test_failures_double_the_delay_then_mark_the_story_failing() -> None:
    story = _story(current_interval=900.0)
    later = T0 + timedelta(days=1)
    delays = []
    for _ in range(4):
        update = next_schedule(story, CheckOutcome.FAILED, later, SETTINGS)
        delays.append((update.next_check_at - later).total_seconds())
        story.error_count, story.status = update.error_count, update.status
        assert update.current_interval == 900  # failures leave the pace alone
    assert delays == [900, 1800, 6 * 3600, 6 * 3600]
    assert story.status == StoryStatus.FAILING
    recovered = next_schedule(story, CheckOutcome.UNCHANGED, later, SETTINGS)
    assert (recovered.status, recovered.error_count) == (StoryStatus.ACTIVE, 0)


def test_retry_after_is_a_floor_on_the_delay() -> None:
    story = _story()
    assert _delay(story, CheckOutcome.FAILED, T0, retry_after=3600.0) == 3600
    assert _delay(story, CheckOutcome.FAILED, T0, retry_after=5.0) == 120


def test_jitter_spreads_delays_within_bounds() -> None:
    settings = SETTINGS.model_copy(update={"jitter": 0.1})
    rng = random.Random(7)
    delays = {
        (
            next_schedule(_story(), CheckOutcome.UNCHANGED, T0, settings, rng=rng).next_check_at
            - T0
        ).total_seconds()
        for _ in range(50)
    }
    assert len(delays) > 40
    assert all(108 <= d <= 132 for d in delays)


@pytest.mark.parametrize("field", ["added_at", "last_changed_at"])
def test_naive_times_from_sqlite_are_read_as_utc(field: str) -> None:
    story = _story(current_interval=900.0, last_changed_at=T0)
    setattr(story, field, T0.replace(tzinfo=None))
    update = next_schedule(story, CheckOutcome.UNCHANGED, T0 + timedelta(days=1), SETTINGS)
    assert update.current_interval == 1800


def test_an_absurd_stored_interval_never_overflows_the_date() -> None:
    # What `add --interval 3000000d` stored before intervals had a range.
    story = _story(interval=3_000_000 * 86400.0)
    update = next_schedule(story, CheckOutcome.UNCHANGED, T0, SETTINGS, rng=random.Random(1))
    assert update.next_check_at <= T0 + timedelta(days=3651)
