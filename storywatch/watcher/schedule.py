"""When to check a story next: adaptive intervals, error backoff, failing and archiving.

Pure: takes the story as stored, what the check found and the time, returns the update.

The *pace* (``current_interval``) follows the content only:

- a new story (younger than ``new_story_period``) is checked every ``min_interval``;
- a change shortens the pace by ``backoff_factor`` (from at most ``default_interval``),
  so a story that keeps changing converges on ``min_interval``;
- a quiet check lengthens it by ``backoff_factor`` up to ``max_interval``;
- a story quiet for ``archive_after`` is archived (``storywatch list`` shows it; checking
  it by hand or re-adding brings it back);
- a per-story ``--interval`` fixes the pace.

Failures do not touch the pace: the delay doubles per consecutive failure from the pace
(capped at ``max_interval``) and after ``failing_after`` in a row the story is *failing*,
checked every ``failing_interval`` until it works again. A server's Retry-After is a
floor on the delay. Jitter spreads every delay so stories added together drift apart.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from storywatch.config import ScheduleSettings
from storywatch.config.durations import MAX_DURATION
from storywatch.storage import CheckOutcome, ScheduleUpdate, Story, StoryStatus
from storywatch.storage.schema import as_utc

_FAILED = frozenset(
    {CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS, CheckOutcome.UNPUBLISHED, CheckOutcome.MOVED}
)
_GONE = {CheckOutcome.UNPUBLISHED: StoryStatus.UNPUBLISHED, CheckOutcome.MOVED: StoryStatus.MOVED}
# One generator for the process: a fresh random.Random() per check seeds itself from
# os.urandom, which cost more than the rest of the schedule arithmetic.
_RNG = random.Random()


def _jittered(seconds: float, jitter: float, rng: random.Random) -> float:
    return seconds * (1 + rng.uniform(-jitter, jitter))


def _pace(story: Story, outcome: str, now: datetime, settings: ScheduleSettings) -> float:
    if story.interval is not None:
        return story.interval
    if now - as_utc(story.added_at) < timedelta(seconds=settings.new_story_period):
        return settings.min_interval
    previous = story.current_interval or settings.default_interval
    if outcome in _FAILED:
        return previous
    if outcome == CheckOutcome.NEW_VERSION:
        return max(
            settings.min_interval,
            min(previous, settings.default_interval) / settings.backoff_factor,
        )
    return min(
        max(previous * settings.backoff_factor, settings.min_interval), settings.max_interval
    )


def next_schedule(
    story: Story,
    outcome: str,
    now: datetime,
    settings: ScheduleSettings,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> ScheduleUpdate:
    rng = rng or _RNG
    pace = _pace(story, outcome, now, settings)
    delay = pace
    status = StoryStatus.ACTIVE
    error_count = 0
    if outcome in _GONE or (outcome in _FAILED and story.status in _GONE.values()):
        # Gone from its URL: checked now and then in case it comes back, still gone
        # until a check finds the article again.
        error_count = story.error_count + 1
        status = _GONE.get(outcome, story.status)
        delay = settings.failing_interval
    elif outcome in _FAILED:
        error_count = story.error_count + 1
        if error_count >= settings.failing_after:
            status, delay = StoryStatus.FAILING, settings.failing_interval
        else:
            delay = min(pace * 2 ** (error_count - 1), settings.max_interval)
    elif outcome != CheckOutcome.NEW_VERSION:
        quiet_since = as_utc(story.last_changed_at or story.added_at)
        if now - quiet_since >= timedelta(seconds=settings.archive_after):
            status = StoryStatus.ARCHIVED

    delay = _jittered(delay, settings.jitter, rng)
    if retry_after is not None:
        # A floor the server chose, so bounded by ours: a story is never put off for
        # longer than max_interval because a server said so.
        delay = max(delay, min(retry_after, settings.max_interval))
    # A story stored before intervals had a range may carry an absurd one: ten years at
    # most, so the date never overflows.
    delay = min(delay, MAX_DURATION)
    return ScheduleUpdate(
        next_check_at=now + timedelta(seconds=delay),
        current_interval=pace,
        status=status,
        error_count=error_count,
    )
