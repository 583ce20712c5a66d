"""The alert document and its renderings (plain text, HTML; Slack blocks are in .slack).

Every rendering is the one change report (:mod:`storywatch.diff.report`): the headline
change, each changed sentence with its shifts, the claims added and removed, then the word
diff; the shifts no rule fired for are kept, dimmed, with the reason.

Alert payload (JSON, stored in ``alerts.payload`` and POSTed verbatim by the webhook
channel; ``schema`` changes only on incompatible edits; times are ISO 8601 UTC with Z,
paragraphs count from 1)::

    {
      "type": "alert", "schema": 2,
      "id": "9f0c…",                      # idempotency key: same on every retry
      "story": {"id": 7, "url": "https://…", "name": "Deal talks",   # name: yours
                "title": "…", "tags": ["politics"]},                 # title: the page's
      "version": 4, "previous_version": 3,
      "significance": 0.72,               # of the whole diff, 0..1
      "material": true,
      "summary": "number: 3 → 5",         # the top matching shift, one line
      "headline": {"old": "…", "new": "…"} or null,   # the page headline rewritten
      "shifts": [                          # matching shifts first, most significant first
        {"type": "number", "field": "body", "old": "3", "new": "5", "old_sentence": "…",
         "new_sentence": "…", "significance": 0.8, "matched": true, "reason": null}, …],
                                           # reason: why no rule fired ("below 0.30")
      "text_diff": [{"old_start": 2, "old_count": 1, "new_start": 2, "new_count": 1,
                     "segments": [{"op": "equal|delete|insert", "text": "…"}, …]}, …],
      "words_added": 3, "words_removed": 1,
      "rewritten": null,                  # or the share of the text changed, 0..1
      "created_at": "2026-11-25T10:00:00Z"
    }

A story's lifecycle event (``alerts.lifecycle``: unpublished, moved, at a new URL)::

    {"type": "lifecycle", "schema": 2, "id": "…", "story": {…, "tags": […]},
     "event": "unpublished", "summary": "…", "created_at": "…"}

A digest combines the alerts of one channel over ``alerts.digest``::

    {"type": "digest", "schema": 2, "id": "…", "channel": "slack",
     "created_at": "…", "alerts": [<alert payload>, …]}

Every renderer here treats page text as hostile: HTML is escaped, Slack control characters
are entity-encoded, and anything that lands in a header is flattened to one line.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storywatch.diff.model import HeadlineChange, SemanticDiff, Shift
from storywatch.diff.report import (
    FULL,
    SUMMARY,
    ChangeReport,
    Detail,
    change_report,
    plain_text,
    report_html,
    report_lines,
    shift_label,
)
from storywatch.diff.text import Hunk, Segment, TextDiff, word_diff
from storywatch.history.times import iso

SCHEMA = 2
# Payloads stored before schema 2 counted paragraphs from 0 and gave no reasons.
_OLD_SCHEMA_REASON = "no alert rule matched"
# Line breaks and other control characters a header or one-line summary must not carry.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")


def one_line(text: str, limit: int = 200) -> str:
    """Collapse all whitespace and control characters to single spaces, then clip."""
    flat = _BREAKS.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def summary(shifts: Sequence[Shift]) -> str:
    """'number: 50% → 25% (+2 more)': the subject line's account of the change."""
    if not shifts:
        return "text changed"
    more = f" (+{len(shifts) - 1} more)" if len(shifts) > 1 else ""
    return one_line(shift_label(shifts[0], 80), 160) + more


def headline_summary(change: HeadlineChange | None) -> str:
    """ "headline: US and Russia seek deal → US and Russia near deal"."""
    if change is None:
        return ""
    return f"headline: {one_line(change.old, 80)} → {one_line(change.new, 80)}"


# -- payloads -------------------------------------------------------------------------------


def new_key() -> str:
    return uuid.uuid4().hex


def build_payload(
    *,
    key: str,
    story: Mapping[str, Any],
    version: int,
    previous_version: int,
    diff: SemanticDiff,
    matched: Sequence[Shift],
    text_diff: TextDiff,
    created_at: datetime,
    dropped: Callable[[Shift], str | None] | None = None,
) -> dict[str, Any]:
    """The alert document; ``matched`` are the shifts that made the rules fire, and
    ``dropped(shift)`` says why a rule did not fire for one of the others."""
    ranked = sorted(matched, key=lambda s: -s.significance)
    fired = {id(shift) for shift in matched}
    rest = sorted((s for s in diff.shifts if id(s) not in fired), key=lambda s: -s.significance)
    shifts = [{**s.to_dict(), "matched": True, "reason": None} for s in ranked]
    shifts += [
        {
            **s.to_dict(),
            "matched": False,
            "reason": (dropped(s) if dropped else None) or _OLD_SCHEMA_REASON,
        }
        for s in rest
    ]
    return {
        "type": "alert",
        "schema": SCHEMA,
        "id": key,
        "story": dict(story),
        "version": version,
        "previous_version": previous_version,
        "significance": diff.significance,
        "material": diff.material,
        "summary": summary(ranked) if ranked else headline_summary(diff.headline),
        "headline": diff.headline.to_dict() if diff.headline else None,
        "shifts": shifts,
        "text_diff": text_diff.to_list(),
        "words_added": text_diff.words_added,
        "words_removed": text_diff.words_removed,
        "rewritten": text_diff.rewritten,
        "created_at": iso(created_at),
    }


def build_lifecycle_payload(
    *, key: str, story: Mapping[str, Any], event: str, detail: str, created_at: datetime
) -> dict[str, Any]:
    """A story's lifecycle event: unpublished, moved, or at a new URL."""
    return {
        "type": "lifecycle",
        "schema": SCHEMA,
        "id": key,
        "story": dict(story),
        "event": event,
        "summary": detail,
        "created_at": iso(created_at),
    }


def build_digest_payload(
    *, key: str, channel: str, alerts: Sequence[Mapping[str, Any]], created_at: datetime
) -> dict[str, Any]:
    return {
        "type": "digest",
        "schema": SCHEMA,
        "id": key,
        "channel": channel,
        "created_at": iso(created_at),
        "alerts": [dict(alert) for alert in alerts],
    }


def sample_payload(now: datetime) -> dict[str, Any]:
    """A realistic alert for ``notify test``: exercises every part of the renderers."""
    old = "Officials said 3 people were injured in the fire on Tuesday."
    new = "Officials said 5 people were injured in the fire on Tuesday."
    shift = Shift("number", "3", "5", old, new, 0.8)
    return build_payload(
        key=new_key(),
        story={
            "id": 0,
            "url": "https://example.com/storywatch-test",
            "name": "Test alert",
            "title": "Fire in the old town",
            "tags": [],
        },
        version=2,
        previous_version=1,
        diff=SemanticDiff(material=True, significance=0.8, shifts=[shift]),
        matched=[shift],
        text_diff=word_diff(old, new),
        created_at=now,
    )


# -- the parsed message channels receive ---------------------------------------------------


def _text_diff(
    data: Sequence[Mapping[str, Any]],
    added: int,
    removed: int,
    schema: int,
    rewritten: float | None,
) -> TextDiff:
    # From schema 2 on, paragraphs count from 1 in the document.
    base = 1 if schema >= 2 else 0
    hunks = tuple(
        Hunk(
            old_start=int(h["old_start"]) - base,
            old_count=int(h["old_count"]),
            new_start=int(h["new_start"]) - base,
            new_count=int(h["new_count"]),
            segments=tuple(Segment(s["op"], str(s["text"])) for s in h["segments"]),
        )
        for h in data
    )
    return TextDiff(hunks, added, removed, rewritten)


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """A stored payload parsed for rendering; ``payload`` is kept verbatim for webhooks.

    For a digest, ``items`` holds the combined alerts and the story fields are empty."""

    key: str
    payload: Mapping[str, Any]
    story_id: int = 0
    title: str = ""  # what to call the story: the user's name for it, else the page's
    url: str = ""
    version: int = 0
    previous_version: int = 0
    significance: float = 0.0
    summary: str = ""
    headline: HeadlineChange | None = None
    shifts: tuple[Shift, ...] = ()
    reasons: tuple[str | None, ...] = ()  # per shift: why no rule fired (None: one did)
    text_diff: TextDiff = field(default_factory=TextDiff)
    items: tuple[AlertMessage, ...] = ()

    @property
    def is_digest(self) -> bool:
        return self.payload.get("type") == "digest"

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> AlertMessage:
        """Parse a payload; raises KeyError/TypeError/ValueError when it is malformed.
        Payloads of schema 1 (stored by an older storywatch) are read too."""
        key = str(payload["id"])
        if payload.get("type") == "digest":
            items = tuple(cls.from_payload(item) for item in payload["alerts"])
            stories = len({item.story_id for item in items})
            noun = "change" if len(items) == 1 else "changes"
            return cls(
                key=key,
                payload=payload,
                title=f"storywatch digest: {len(items)} {noun} in {stories} "
                + ("story" if stories == 1 else "stories"),
                summary="; ".join(one_line(item.title, 60) for item in items[:3])
                + (" …" if len(items) > 3 else ""),
                items=items,
            )
        schema = int(payload.get("schema", 1))
        story = payload["story"]
        if payload.get("type") == "lifecycle":
            # Lifecycle documents stored before the JSON reference said "headline".
            said = payload.get("summary") or payload.get("headline") or payload.get("event")
            return cls(
                key=key,
                payload=payload,
                story_id=int(story["id"]),
                title=str(story.get("name") or story.get("title") or story["url"]),
                url=str(story["url"]),
                summary=str(said or ""),
            )
        shift_dicts = payload.get("shifts", [])
        headline = payload.get("headline") if schema >= 2 else payload.get("headline_change")
        return cls(
            key=key,
            payload=payload,
            story_id=int(story["id"]),
            title=str(story.get("name") or story.get("title") or story["url"]),
            url=str(story["url"]),
            version=int(payload["version"]),
            previous_version=int(payload["previous_version"]),
            significance=float(payload.get("significance", 0.0)),
            summary=str(payload.get("summary" if schema >= 2 else "headline") or ""),
            headline=_headline_change(headline),
            shifts=tuple(Shift.from_dict(s) for s in shift_dicts),
            reasons=tuple(
                None if s.get("matched", True) else str(s.get("reason") or _OLD_SCHEMA_REASON)
                for s in shift_dicts
            ),
            text_diff=_text_diff(
                payload.get("text_diff", []),
                int(payload.get("words_added", 0)),
                int(payload.get("words_removed", 0)),
                schema,
                None if payload.get("rewritten") is None else float(payload["rewritten"]),
            ),
        )

    def report(self) -> ChangeReport:
        reasons = dict(zip(self.shifts, self.reasons, strict=True))
        return change_report(
            self.shifts, headline=self.headline, text=self.text_diff, dropped=reasons.get
        )


def _headline_change(data: Any) -> HeadlineChange | None:
    if not isinstance(data, Mapping):
        return None
    return HeadlineChange(str(data["old"]), str(data["new"]))


def subject(message: AlertMessage) -> str:
    """Email subject / notification title: one line whatever the page put in its title."""
    if message.is_digest:
        return one_line(message.title, 180)
    return one_line(f"{one_line(message.title, 100)} — {message.summary}", 180)


def meta_line(message: AlertMessage) -> str:
    """'story 1, version 1 → 2 · significance 0.80'; for a lifecycle event, what happened."""
    if message.payload.get("type") == "lifecycle":
        return message.summary
    return (
        f"story {message.story_id}, version {message.previous_version} → {message.version}"
        f" · significance {message.significance:.2f}"
    )


def diff_hint(message: AlertMessage) -> str:
    """Where the whole word diff is, for renderings that leave it out."""
    return f"word diff: storywatch diff {message.story_id} {message.version}"


# -- plain text -------------------------------------------------------------------------------


def render_text(message: AlertMessage, detail: Detail = FULL) -> str:
    """The title, what and where, then the change report with ``[-old-]{+new+}`` marks."""
    if message.is_digest:
        blocks = [message.title]
        blocks += [render_text(item, SUMMARY) for item in message.items]
        return "\n\n".join(blocks)
    lines = [one_line(message.title, 300), f"{meta_line(message)} · {message.url}", ""]
    lines.append(plain_text(report_lines(message.report(), detail, markers=True)))
    if detail.word_diff is None and message.text_diff.changed:
        lines += ["", diff_hint(message)]
    return "\n".join(lines)


# -- HTML (email) -----------------------------------------------------------------------------


def safe_href(url: str) -> str | None:
    return html.escape(url, quote=True) if url.lower().startswith(("http://", "https://")) else None


def _html_link(url: str) -> str:
    href = safe_href(url)
    text = html.escape(url)
    return f'<a href="{href}">{text}</a>' if href else text


def _html_alert(message: AlertMessage, detail: Detail) -> list[str]:
    return [
        f'<h2 style="margin:0 0 4px">{html.escape(one_line(message.title, 300))}</h2>',
        f'<p style="color:#555">{html.escape(meta_line(message))} · {_html_link(message.url)}</p>',
        report_html(message.report(), detail, email=True),
    ]


def render_html(message: AlertMessage) -> str:
    parts = ['<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">']
    if message.is_digest:
        parts.append(f"<h1>{html.escape(message.title)}</h1>")
        for item in message.items:
            parts.extend(_html_alert(item, SUMMARY))
            parts.append("<hr>")
    else:
        parts.extend(_html_alert(message, FULL))
    parts.append("</body></html>")
    return "\n".join(parts)
