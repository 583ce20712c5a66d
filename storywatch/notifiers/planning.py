"""The outbox rows a change or a lifecycle event raises: pure functions, no I/O.

Which shifts fire is the rules' (notifiers/rules.py). Then, in this order: a text
identical to an earlier version of the story (A -> B -> A) is kept as ``suppressed``
(flapping); an alert within ``alerts.rate_limit`` of the story's previous alert is
``suppressed``; with ``alerts.digest`` the drafts wait as ``digest``. One draft per
configured channel, each with its own idempotency key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from storywatch.config.durations import format_duration
from storywatch.diff.model import SemanticDiff
from storywatch.notifiers.message import build_lifecycle_payload, build_payload, new_key
from storywatch.notifiers.rules import drop_reason, effective_rules, firing_shifts
from storywatch.storage.records import AlertDraft
from storywatch.storage.schema import OutboxStatus, split_tags

if TYPE_CHECKING:
    from storywatch.config.settings import AlertSettings
    from storywatch.diff.text import TextDiff
    from storywatch.storage.models import Story

FLAPPING_REASON = "flapping: text identical to an earlier version"


@dataclass(frozen=True)
class AlertContext:
    story_id: int
    story_url: str
    story_title: str | None  # the page's headline
    story_tags: tuple[str, ...]
    version_number: int
    previous_number: int
    diff: SemanticDiff
    text_diff: TextDiff
    content_hash: str
    seen_before: bool  # this exact text was already a version of this story: flapping
    last_alert_at: datetime | None  # last real alert of this story, for the rate limit
    now: datetime
    story_name: str | None = None  # the user's name for the story (`add --name`)


def fingerprint(story_id: int, content_hash: str) -> str:
    return hashlib.sha256(f"{story_id}:{content_hash}".encode()).hexdigest()


def _disposition(context: AlertContext, settings: AlertSettings) -> tuple[str, str | None]:
    if context.seen_before:
        return OutboxStatus.SUPPRESSED, FLAPPING_REASON
    if settings.rate_limit > 0 and context.last_alert_at is not None:
        elapsed = (context.now - context.last_alert_at).total_seconds()
        if elapsed < settings.rate_limit:
            return OutboxStatus.SUPPRESSED, (
                f"rate limit: previous alert {format_duration(round(max(elapsed, 0)))} ago "
                f"(limit {format_duration(settings.rate_limit)})"
            )
    if settings.digest > 0:
        return OutboxStatus.DIGEST, None
    return OutboxStatus.PENDING, None


def plan_alerts(context: AlertContext, settings: AlertSettings) -> list[AlertDraft]:
    """The outbox rows to insert with this version: none when no rule fires."""
    rules = effective_rules(settings.rules, context.story_url, context.story_tags)
    matched = firing_shifts(context.diff, rules)
    headline_alert = settings.headline_changes and context.diff.headline is not None
    if not matched and not headline_alert:
        return []
    status, reason = _disposition(context, settings)
    story = {
        "id": context.story_id,
        "url": context.story_url,
        "name": context.story_name,
        "title": context.story_title,
        "tags": list(context.story_tags),
    }

    def payload(key: str) -> dict[str, Any]:
        return build_payload(
            key=key,
            story=story,
            version=context.version_number,
            previous_version=context.previous_number,
            diff=context.diff,
            matched=matched,
            text_diff=context.text_diff,
            created_at=context.now,
            dropped=partial(drop_reason, rules),
        )

    return _drafts(
        settings.channels,
        payload,
        fingerprint(context.story_id, context.content_hash),
        status,
        reason,
    )


def _drafts(
    channels: Sequence[str],
    payload: Callable[[str], dict[str, Any]],
    fingerprint_: str,
    status: str,
    reason: str | None,
) -> list[AlertDraft]:
    """One outbox row per channel, each with its own idempotency key."""
    drafts = []
    for channel in channels:
        key = new_key()
        drafts.append(
            AlertDraft(
                channel=channel,
                key=key,
                payload=payload(key),
                fingerprint=fingerprint_,
                status=status,
                reason=reason,
            )
        )
    return drafts


def plan_lifecycle_alerts(
    story: Story, event: str, detail: str, settings: AlertSettings, now: datetime
) -> list[AlertDraft]:
    """The outbox rows for a lifecycle event (unpublished, moved, URL changed): one per
    channel when ``alerts.lifecycle`` is on."""
    if not settings.lifecycle or story.id is None:
        return []
    document = {
        "id": story.id,
        "url": story.url,
        "name": story.name,
        "title": story.title,
        "tags": split_tags(story.tags),
    }

    def payload(key: str) -> dict[str, Any]:
        return build_lifecycle_payload(
            key=key, story=document, event=event, detail=detail, created_at=now
        )

    return _drafts(
        settings.channels,
        payload,
        fingerprint(story.id, f"{event}:{detail}"),
        OutboxStatus.PENDING,
        None,
    )
