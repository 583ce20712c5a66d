"""When to check a story next: adaptive intervals, error backoff, failing and archiving.

Pure: takes the story as stored, what the check found and the time, returns the update.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from storywatch.config import ScheduleSettings
from storywatch.storage import CheckOutcome, ScheduleUpdate, Story, StoryStatus


def _jittered(seconds: float, jitter: float, rng: random.Random) -> float:
    # Spread checks so stories added together do not stay in lockstep forever.
    return seconds * (1 + rng.uniform(-jitter, jitter))


def next_schedule(
    story: Story,
    outcome: str,
    now: datetime,
    settings: ScheduleSettings,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> ScheduleUpdate:
    rng = rng or random.Random()
    failed = outcome in (CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS)
    error_count = story.error_count + 1 if failed else 0
    previous = story.current_interval or story.interval or settings.default_interval

    young = now - story.added_at < timedelta(seconds=settings.new_story_period)
    if story.interval is not None:
        interval = story.interval  # a per-story --interval is a fixed pace
    elif young:
        interval = settings.min_interval  # new stories move fastest: watch them closely
    elif outcome == CheckOutcome.NEW_VERSION:
        interval = settings.default_interval  # a change resets the pace
    else:
        interval = min(previous * settings.backoff_factor, settings.max_interval)

    status = StoryStatus.ACTIVE
    if failed:
        interval = min(interval * 2 ** min(error_count, 10), settings.max_interval)
        if error_count >= settings.failing_after:
            status = StoryStatus.FAILING
            interval = settings.failing_interval
    elif outcome != CheckOutcome.NEW_VERSION:
        quiet_since = story.last_changed_at or story.added_at
        if now - quiet_since >= timedelta(seconds=settings.archive_after):
            status = StoryStatus.ARCHIVED

    delay = _jittered(interval, settings.jitter, rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return ScheduleUpdate(
        next_check_at=now + timedelta(seconds=delay),
        current_interval=interval,
        status=status,
        error_count=error_count,
    )
