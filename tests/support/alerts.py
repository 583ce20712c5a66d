"""Builders for alert tests: shifts, rule contexts, messages and stored outbox rows.

Semantic diffs are built by hand (the semantic engine is tested on its own); word diffs
come from the real :func:`word_diff`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from storywatch.config import AlertSettings
from storywatch.diff.model import SemanticDiff, Shift
from storywatch.diff.text import word_diff
from storywatch.notifiers.message import AlertMessage, build_payload
from storywatch.notifiers.planning import AlertContext, plan_alerts
from storywatch.storage import (
    CheckOutcome,
    CheckRecord,
    NewVersion,
    ScheduleUpdate,
    Store,
    StoryStatus,
)
from storywatch.storage.records import AlertDraft

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
OLD = "Officials said 3 people died in the fire.\nThe mayor would visit on Friday."
NEW = "Officials said 5 people died in the fire.\nThe mayor will visit on Friday."


def number_shift(significance: float = 0.8, **changes: Any) -> Shift:
    shift = Shift(
        "number",
        "3",
        "5",
        "Officials said 3 people died in the fire.",
        "Officials said 5 people died in the fire.",
        significance,
    )
    return replace(shift, **changes)


def modality_shift(significance: float = 0.4) -> Shift:
    return Shift(
        "modality",
        "would",
        "will",
        "The mayor would visit on Friday.",
        "The mayor will visit on Friday.",
        significance,
    )


def context(
    shifts: list[Shift] | None = None,
    *,
    material: bool = True,
    old: str = OLD,
    new: str = NEW,
    **changes: Any,
) -> AlertContext:
    shifts = [number_shift(), modality_shift()] if shifts is None else shifts
    significance = max((s.significance for s in shifts), default=0.0)
    base = AlertContext(
        story_id=1,
        story_url="https://news.example/fire",
        story_title="Fire in the old town",
        story_tags=(),
        version_number=2,
        previous_number=1,
        diff=SemanticDiff(material=material, significance=significance, shifts=shifts),
        text_diff=word_diff(old, new),
        content_hash="h-new",
        seen_before=False,
        last_alert_at=None,
        now=T0,
    )
    return replace(base, **changes)


def message(
    *,
    title: str = "Fire in the old town",
    url: str = "https://news.example/fire",
    old: str = OLD,
    new: str = NEW,
    shifts: list[Shift] | None = None,
    key: str = "0123456789abcdef0123456789abcdef",
) -> AlertMessage:
    shifts = [number_shift()] if shifts is None else shifts
    payload = build_payload(
        key=key,
        story={"id": 1, "url": url, "title": title, "tags": []},
        version=2,
        previous_version=1,
        diff=SemanticDiff(True, 0.8, shifts),
        matched=shifts,
        text_diff=word_diff(old, new),
        created_at=T0,
    )
    return AlertMessage.from_payload(payload)


def store_version(
    store: Store,
    drafts: list[AlertDraft],
    *,
    url: str = "https://news.example/fire",
    at: datetime = T0,
    text: str = NEW,
) -> int:
    """Store a new version of the story at ``url`` (created on first use) with ``drafts``
    in the same transaction, the way the pipeline does. Returns the story id."""
    story = store.find_story_by_url(url) or store.add_story(url)
    assert story.id is not None
    record = CheckRecord(
        outcome=CheckOutcome.NEW_VERSION,
        checked_at=at,
        schedule=ScheduleUpdate(at + timedelta(minutes=15), 900.0, StoryStatus.ACTIVE, 0),
        version=NewVersion(text=text, content_hash=f"h{at.timestamp()}{text}"[:64], word_count=9),
        alerts=drafts,
    )
    store.record_check(story.id, record)
    return story.id


def queue_alerts(
    store: Store, settings: AlertSettings, *, at: datetime = T0, **changes: Any
) -> list[AlertDraft]:
    """Plan alerts for a standard change and store them; returns the drafts."""
    url = changes.pop("story_url", "https://news.example/fire")
    drafts = plan_alerts(context(now=at, story_url=url, **changes), settings)
    store_version(store, drafts, url=url, at=at)
    return drafts
