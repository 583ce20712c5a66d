"""Which changes raise alerts: pure functions, no I/O.

A shift *fires* a rule when its type is one of ``rule.types``, its significance is at least
``rule.min_significance`` and, if ``rule.watch_terms`` is set, its old or new sentence (or
span) mentions one of the terms as a whole word, ignoring case. A diff raises an alert when
it is material and at least one shift fires.

Which rules apply: ``alerts.stories[<story url>]`` when present; otherwise one rule per
tag of the story found in ``alerts.tags`` (a shift firing any of them is enough); otherwise
the global ``[alerts]`` rule. A story or tag rule overrides only the keys it sets.

Then, in this order: a text identical to an earlier version of the story (A -> B -> A)
is kept as ``suppressed`` (flapping); an alert within ``alerts.rate_limit`` of the story's
previous alert is ``suppressed``; with ``alerts.digest`` the drafts wait as ``digest``.
One draft per configured channel, each with its own idempotency key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from storywatch.config.durations import format_duration
from storywatch.config.sources import DEFAULT_RULE, Rule
from storywatch.diff.model import SemanticDiff, Shift
from storywatch.notifiers.message import build_lifecycle_payload, build_payload, new_key
from storywatch.storage.records import AlertDraft
from storywatch.storage.schema import OutboxStatus

if TYPE_CHECKING:  # the views that dim dropped shifts import these rules without pydantic
    from storywatch.config.settings import AlertRule, AlertSettings
    from storywatch.diff.text import TextDiff
    from storywatch.storage.models import Story

FLAPPING_REASON = "flapping: text identical to an earlier version"
# Why no alert rule fires for a shift (None: one does); see drop_reason.
Dropped = Callable[[Shift], str | None]


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


def _override(base: Rule, override: AlertRule) -> Rule:
    # model_fields_set holds only the keys written in the config, so an override that sets
    # watch_terms keeps the global threshold instead of resetting it to the default.
    update = {name: getattr(override, name) for name in override.model_fields_set}
    return _rule(replace(base, **update))


def _rule(rule: Rule | AlertRule) -> Rule:
    return Rule(rule.min_significance, tuple(rule.types), tuple(rule.watch_terms))


def effective_rules(
    settings: AlertSettings | None, story_url: str, tags: Sequence[str]
) -> list[Rule]:
    """The rules for one story; ``settings`` None is nothing configured: the default."""
    if settings is None:
        return [DEFAULT_RULE]
    base = _rule(settings)
    if story_url in settings.stories:
        return [_override(base, settings.stories[story_url])]
    tagged = [_override(base, settings.tags[tag]) for tag in tags if tag in settings.tags]
    return tagged or [base]


@lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Lookarounds rather than \b so terms that start or end with punctuation still match.
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mentions(shift: Shift, terms: Sequence[str]) -> bool:
    pattern = _terms_pattern(tuple(terms))
    texts = (shift.old_sentence, shift.new_sentence, shift.old, shift.new)
    return any(text and pattern.search(text) for text in texts)


def fires(rule: Rule, shift: Shift) -> bool:
    return (
        shift.type in rule.types
        and shift.significance >= rule.min_significance
        and (not rule.watch_terms or mentions(shift, rule.watch_terms))
    )


def drop_reason(rules: Sequence[Rule], shift: Shift) -> str | None:
    """Why no rule fires for ``shift``, in a few words ("below 0.30", "quote is not in
    alerts.types", "no watch term"); None when one does. With several rules (one per
    tag) the first one's reason is given."""
    if any(fires(rule, shift) for rule in rules):
        return None
    rule = rules[0]
    if shift.type not in rule.types:
        return f"{shift.type} is not in alerts.types"
    if shift.significance < rule.min_significance:
        return f"below {rule.min_significance:.2f}"
    return "no watch term"


def story_rules(
    settings: AlertSettings | None, story_url: str, tags: str | Sequence[str]
) -> Dropped:
    """``drop_reason`` for one story's rules (``tags`` as stored: "a,b", or a list);
    ``settings`` None is nothing configured (see cli/context.py)."""
    tag_list = [t for t in tags.split(",") if t] if isinstance(tags, str) else list(tags)
    return partial(drop_reason, effective_rules(settings, story_url, tag_list))


def firing_shifts(diff: SemanticDiff, rules: Sequence[Rule]) -> list[Shift]:
    if not diff.material:
        return []
    return [shift for shift in diff.shifts if any(fires(rule, shift) for rule in rules)]


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
    rules = effective_rules(settings, context.story_url, context.story_tags)
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
        "tags": [tag for tag in story.tags.split(",") if tag],
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
