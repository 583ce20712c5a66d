"""The alert document and its renderings (plain text, HTML; Slack blocks are in .slack).

Alert payload (JSON, stored in ``alerts.payload`` and POSTed verbatim by the webhook
channel; ``schema`` changes only on incompatible edits)::

    {
      "type": "alert", "schema": 1,
      "id": "9f0c…",                      # idempotency key: same on every retry
      "story": {"id": 7, "url": "https://…", "title": "…", "tags": ["politics"]},
      "version": 4, "previous_version": 3,
      "significance": 0.72,               # of the whole diff, 0..1
      "material": true,
      "headline": "number: 3 -> 5",       # summary of the top matching shift
      "shifts": [                          # matching shifts first, most significant first
        {"type": "number", "old": "3", "new": "5", "old_sentence": "…",
         "new_sentence": "…", "significance": 0.8, "matched": true}, …],
      "text_diff": [{"old_start": 2, "old_count": 1, "new_start": 2, "new_count": 1,
                     "segments": [{"op": "equal|delete|insert", "text": "…"}, …]}, …],
      "words_added": 3, "words_removed": 1,
      "rewritten": null,                  # or the share of the text changed, 0..1
      "created_at": "2026-11-25T10:00:00+00:00"
    }

A digest combines the alerts of one channel over ``alerts.digest``::

    {"type": "digest", "schema": 1, "id": "…", "channel": "slack",
     "created_at": "…", "alerts": [<alert payload>, …]}

Every renderer here treats page text as hostile: HTML is escaped, Slack control characters
are entity-encoded, and anything that lands in a header is flattened to one line.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storywatch.diff.model import HeadlineChange, SemanticDiff, Shift
from storywatch.diff.render import display_segments, hunk_header, render_plain, rewrite_note
from storywatch.diff.text import Hunk, Segment, TextDiff, word_diff

SCHEMA = 1
CONTEXT_WORDS = 8
_CLAIM_TYPES = {"claim_added": "claim added", "claim_removed": "claim removed"}
# Line breaks and other control characters a header or one-line summary must not carry.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")


def one_line(text: str, limit: int = 200) -> str:
    """Collapse all whitespace and control characters to single spaces, then clip."""
    flat = _BREAKS.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# -- the one shift summary every channel uses ---------------------------------------------


def shift_summary(shift: Shift) -> str:
    """'number: 50% -> 25%', 'claim added: “…”': one line, page text clipped."""
    if shift.type in _CLAIM_TYPES:
        added = shift.new_sentence or shift.new
        removed = shift.old_sentence or shift.old
        sentence = (added or removed if shift.type == "claim_added" else removed or added) or ""
        return f"{_CLAIM_TYPES[shift.type]}: “{one_line(sentence, 100)}”"
    old = one_line(shift.old or "∅", 60)
    new = one_line(shift.new or "∅", 60)
    where = " (headline)" if shift.field == "headline" else ""
    return f"{shift.type}{where}: {old} -> {new}"


def headline(shifts: Sequence[Shift]) -> str:
    if not shifts:
        return "text changed"
    more = f" (+{len(shifts) - 1} more)" if len(shifts) > 1 else ""
    return shift_summary(shifts[0]) + more


def _flat(text: str) -> str:
    return _BREAKS.sub(" ", text)


def sentence_parts(sentence: str, span: str | None, limit: int = 300) -> tuple[str, str, str]:
    """Split a sentence around the changed span so renderers can highlight it; whitespace
    is flattened (kept at the edges) and long context is clipped away from the span."""
    at = sentence.find(span) if span else -1
    if span is None or at < 0:
        return one_line(sentence, 2 * limit), "", ""
    pre, mid, post = _flat(sentence[:at]), _flat(span), _flat(sentence[at + len(span) :])
    if len(pre) > limit:
        pre = "…" + pre[-(limit - 1) :]
    if len(post) > limit:
        post = post[: limit - 1] + "…"
    return pre.lstrip(), one_line(mid, limit), post.rstrip()


def shift_context(shift: Shift) -> Iterator[tuple[str, tuple[str, str, str]]]:
    """('before', parts) / ('after', parts) for the sentences the shift has."""
    if shift.old_sentence:
        yield "before", sentence_parts(shift.old_sentence, shift.old)
    if shift.new_sentence:
        yield "after", sentence_parts(shift.new_sentence, shift.new)


# -- payloads -------------------------------------------------------------------------------


def headline_summary(change: HeadlineChange | None) -> str:
    """ "headline: 'US and Russia seek deal' -> 'US and Russia near deal'"."""
    if change is None:
        return ""
    return f"headline: {one_line(change.old, 80)!r} -> {one_line(change.new, 80)!r}"


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
) -> dict[str, Any]:
    """The alert document; ``matched`` are the shifts that made the rules fire."""
    ranked = sorted(matched, key=lambda s: -s.significance)
    fired = {id(shift) for shift in matched}
    rest = sorted((s for s in diff.shifts if id(s) not in fired), key=lambda s: -s.significance)
    shifts = [{**s.to_dict(), "matched": True} for s in ranked]
    shifts += [{**s.to_dict(), "matched": False} for s in rest]
    return {
        "type": "alert",
        "schema": SCHEMA,
        "id": key,
        "story": dict(story),
        "version": version,
        "previous_version": previous_version,
        "significance": diff.significance,
        "material": diff.material,
        "headline": headline(ranked) if ranked else headline_summary(diff.headline),
        "headline_change": diff.headline.to_dict() if diff.headline else None,
        "shifts": shifts,
        "text_diff": text_diff.to_list(),
        "words_added": text_diff.words_added,
        "words_removed": text_diff.words_removed,
        "rewritten": text_diff.rewritten,
        "created_at": created_at.isoformat(),
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
        "headline": detail,
        "created_at": created_at.isoformat(),
    }


def build_digest_payload(
    *, key: str, channel: str, alerts: Sequence[Mapping[str, Any]], created_at: datetime
) -> dict[str, Any]:
    return {
        "type": "digest",
        "schema": SCHEMA,
        "id": key,
        "channel": channel,
        "created_at": created_at.isoformat(),
        "alerts": [dict(alert) for alert in alerts],
    }


def sample_payload(now: datetime) -> dict[str, Any]:
    """A realistic alert for ``notify test``: exercises every part of the renderers."""
    old = "Officials said 3 people were injured in the fire on Tuesday."
    new = "Officials said 5 people were injured in the fire on Tuesday."
    shift = Shift("number", "3", "5", old, new, 0.8)
    return build_payload(
        key=new_key(),
        story={"id": 0, "url": "https://example.com/storywatch-test", "title": "Test alert"},
        version=2,
        previous_version=1,
        diff=SemanticDiff(material=True, significance=0.8, shifts=[shift]),
        matched=[shift],
        text_diff=word_diff(old, new),
        created_at=now,
    )


# -- the parsed message channels receive ---------------------------------------------------


def _text_diff(
    data: Sequence[Mapping[str, Any]], added: int, removed: int, rewritten: float | None
) -> TextDiff:
    hunks = tuple(
        Hunk(
            old_start=int(h["old_start"]),
            old_count=int(h["old_count"]),
            new_start=int(h["new_start"]),
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
    title: str = ""
    url: str = ""
    version: int = 0
    previous_version: int = 0
    significance: float = 0.0
    headline: str = ""
    headline_change: HeadlineChange | None = None
    shifts: tuple[Shift, ...] = ()
    matched: int = 0  # the first ``matched`` shifts triggered the alert
    text_diff: TextDiff = field(default_factory=TextDiff)
    items: tuple[AlertMessage, ...] = ()

    @property
    def is_digest(self) -> bool:
        return self.payload.get("type") == "digest"

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> AlertMessage:
        """Parse a payload; raises KeyError/TypeError/ValueError when it is malformed."""
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
                headline="; ".join(one_line(item.title, 60) for item in items[:3])
                + (" …" if len(items) > 3 else ""),
                items=items,
            )
        story = payload["story"]
        if payload.get("type") == "lifecycle":
            return cls(
                key=key,
                payload=payload,
                story_id=int(story["id"]),
                title=str(story.get("title") or story["url"]),
                url=str(story["url"]),
                headline=str(payload.get("headline") or payload.get("event") or ""),
            )
        shift_dicts = payload.get("shifts", [])
        return cls(
            key=key,
            payload=payload,
            story_id=int(story["id"]),
            title=str(story.get("title") or story["url"]),
            url=str(story["url"]),
            version=int(payload["version"]),
            previous_version=int(payload["previous_version"]),
            significance=float(payload.get("significance", 0.0)),
            headline=str(payload.get("headline") or ""),
            headline_change=_headline_change(payload.get("headline_change")),
            shifts=tuple(Shift.from_dict(s) for s in shift_dicts),
            matched=sum(1 for s in shift_dicts if s.get("matched", True)),
            text_diff=_text_diff(
                payload.get("text_diff", []),
                int(payload.get("words_added", 0)),
                int(payload.get("words_removed", 0)),
                None if payload.get("rewritten") is None else float(payload["rewritten"]),
            ),
        )

    @property
    def key_shifts(self) -> tuple[Shift, ...]:
        """The shifts worth showing first: the ones that fired, else all of them."""
        return self.shifts[: self.matched] or self.shifts


def _headline_change(data: Any) -> HeadlineChange | None:
    if not isinstance(data, Mapping):
        return None
    return HeadlineChange(str(data["old"]), str(data["new"]))


def subject(message: AlertMessage) -> str:
    """Email subject / notification title: one line whatever the page put in its title."""
    if message.is_digest:
        return one_line(message.title, 180)
    return one_line(f"{one_line(message.title, 100)} — {message.headline}", 180)


def meta_line(message: AlertMessage) -> str:
    if message.payload.get("type") == "lifecycle":
        return message.headline
    return (
        f"version {message.version} (was {message.previous_version}) · "
        f"significance {message.significance:.2f}"
    )


# -- plain text -------------------------------------------------------------------------------


def render_text(message: AlertMessage, *, with_diff: bool = True) -> str:
    """Shift summaries with their sentences, significance and link, then the word diff."""
    if message.is_digest:
        blocks = [message.title]
        blocks += [render_text(item, with_diff=False) for item in message.items]
        return "\n\n".join(blocks)
    lines = [one_line(message.title, 300)]
    if message.headline_change is not None:
        lines.append(f"* {headline_summary(message.headline_change)}")
    for shift in message.key_shifts:
        lines.append(f"* {shift_summary(shift)}  [{shift.significance:.2f}]")
        for label, (pre, span, post) in shift_context(shift):
            lines.append(f"    {label + ':':8}{pre}{span}{post}")
    lines.append(meta_line(message))
    lines.append(message.url)
    if with_diff:
        lines += ["", render_plain(message.text_diff, context=CONTEXT_WORDS)]
    return "\n".join(lines)


# -- HTML (email) -----------------------------------------------------------------------------

_DEL = 'style="background:#fdd;color:#900;text-decoration:line-through"'
_INS = 'style="background:#dfd;color:#060;text-decoration:none"'


def safe_href(url: str) -> str | None:
    return html.escape(url, quote=True) if url.lower().startswith(("http://", "https://")) else None


def _html_link(url: str) -> str:
    href = safe_href(url)
    text = html.escape(url)
    return f'<a href="{href}">{text}</a>' if href else text


def _html_parts(parts: tuple[str, str, str], tag: str) -> str:
    pre, span, post = (html.escape(part) for part in parts)
    style = _DEL if tag == "del" else _INS
    return pre + (f"<{tag} {style}>{span}</{tag}>" if span else "") + post


def _html_alert(message: AlertMessage, *, with_diff: bool) -> list[str]:
    out = [f'<h2 style="margin:0 0 4px">{html.escape(one_line(message.title, 300))}</h2>']
    out.append("<ul>")
    if message.headline_change is not None:
        out.append(
            f"<li><strong>{html.escape(headline_summary(message.headline_change))}</strong></li>"
        )
    for shift in message.key_shifts:
        out.append(f"<li><strong>{html.escape(shift_summary(shift))}</strong>")
        for label, parts in shift_context(shift):
            tag = "del" if label == "before" else "ins"
            out.append(f"<br><small>{label}:</small> {_html_parts(parts, tag)}")
        out.append("</li>")
    out.append("</ul>")
    out.append(f"<p>{html.escape(meta_line(message))}<br>{_html_link(message.url)}</p>")
    if with_diff:
        out.append("<h3>What changed</h3>")
        out.extend(_html_diff(message.text_diff))
    return out


def _html_diff(diff: TextDiff) -> Iterator[str]:
    if not diff.changed:
        yield "<p><em>(no text changes)</em></p>"
        return
    note = rewrite_note(diff)
    if note:
        yield f"<p><strong>{html.escape(note)}</strong></p>"
    for hunk in diff.hunks:
        yield f'<p style="color:#069;margin-bottom:0">{html.escape(hunk_header(hunk))}</p>'
        body = []
        for segment in display_segments(hunk, CONTEXT_WORDS):
            text = html.escape(segment.text)
            if segment.op == "delete":
                body.append(f"<del {_DEL}>{text}</del>")
            elif segment.op == "insert":
                body.append(f"<ins {_INS}>{text}</ins>")
            else:
                body.append(text)
        yield f'<div style="white-space:pre-wrap;margin-top:2px">{"".join(body)}</div>'


def render_html(message: AlertMessage) -> str:
    parts = ['<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">']
    if message.is_digest:
        parts.append(f"<h1>{html.escape(message.title)}</h1>")
        for item in message.items:
            parts.extend(_html_alert(item, with_diff=False))
            parts.append("<hr>")
    else:
        parts.extend(_html_alert(message, with_diff=True))
    parts.append("</body></html>")
    return "\n".join(parts)
