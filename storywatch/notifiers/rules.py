"""Which changes raise alerts: pure functions, no I/O.

A shift *fires* a rule when its type is one of ``rule.types``, its significance is at least
``rule.min_significance`` and, if ``rule.watch_terms`` is set, its old or new sentence (or
span) mentions one of the terms as a whole word, ignoring case. A diff raises an alert when
it is material and at least one shift fires.

Which rules apply: ``alerts.stories[<story url>]`` when present; otherwise one rule per
tag of the story found in ``alerts.tags`` (a shift firing any of them is enough); otherwise
the global ``[alerts]`` rule. A story or tag rule overrides only the keys it sets.

What is then written to the outbox (flapping, rate limits, digests, one row per channel)
is planned in notifiers/planning.py; the views that dim the shifts no rule lets through
(history, diff, log) need only this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache, partial

from storywatch.config.sources import AlertRules, Rule
from storywatch.diff.model import SemanticDiff, Shift
from storywatch.storage.schema import split_tags

# Why no alert rule fires for a shift (None: one does); see drop_reason.
Dropped = Callable[[Shift], str | None]


def effective_rules(rules: AlertRules, story_url: str, tags: Sequence[str]) -> list[Rule]:
    """The rules for one story (settings.AlertSettings.rules, or, with nothing configured,
    sources.DEFAULT_ALERT_RULES)."""
    if story_url in rules.stories:
        return [rules.stories[story_url]]
    return [rules.tags[tag] for tag in tags if tag in rules.tags] or [rules.base]


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


def story_rules(rules: AlertRules, story_url: str, tags: str | Sequence[str]) -> Dropped:
    """``drop_reason`` for one story's rules (``tags`` as stored: "a,b", or a list)."""
    tag_list = split_tags(tags) if isinstance(tags, str) else list(tags)
    return partial(drop_reason, effective_rules(rules, story_url, tag_list))


def firing_shifts(diff: SemanticDiff, rules: Sequence[Rule]) -> list[Shift]:
    if not diff.material:
        return []
    return [shift for shift in diff.shifts if any(fires(rule, shift) for rule in rules)]
