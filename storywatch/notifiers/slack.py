"""Slack incoming-webhook channel and its Block Kit rendering.

Page text is hostile: Slack's control characters (&, <, >) are entity-encoded so
``<!channel>`` or ``<@U123>`` from an article is shown, never executed, and every block
stays within Slack's limits (header 150 chars, section 3000, 50 blocks), with a
"… diff truncated" note when the diff does not fit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from storywatch.config import SlackSettings
from storywatch.diff.render import display_segments, hunk_header, rewrite_note
from storywatch.diff.report import SUMMARY, Note, SentenceChange, trimmed
from storywatch.diff.text import Segment, TextDiff
from storywatch.notifiers.channels import post, register_secret
from storywatch.notifiers.message import (
    AlertMessage,
    meta_line,
    one_line,
    safe_href,
    subject,
)

# -- Block Kit --------------------------------------------------------------------------

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
SLACK_TRUNCATED = "… diff truncated"
CONTEXT_WORDS = 8
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def slack_escape(text: str) -> str:
    """Entity-encode Slack's control characters, so '<!channel>' or '<@U123>' from a page
    is shown as text instead of pinging anyone; bare @here gets a zero-width break."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b\\1", text)


def _fit(text: str, limit: int) -> str:
    """Clip escaped Slack text to a length limit without leaving half an entity."""
    if len(text) <= limit:
        return text
    return re.sub(r"&[a-z]{0,3}$", "", text[: limit - 1]) + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _fit(slack_escape(one_line(text, limit)), limit)}


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: no auto-linking of channel names or URLs that came from the page.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(_fit(text, SLACK_MAX_SECTION))}


def _slack_link(url: str) -> str:
    if not safe_href(url):
        return slack_escape(url)
    return f"<{slack_escape(url).replace('|', '%7C')}|{slack_escape(one_line(url, 120))}>"


def _marked(text: str, mark: str) -> str:
    """Wrap each line's words in a mrkdwn mark with the whitespace outside it: Slack only
    formats at word boundaries and never across a line break."""
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if core:
            lead = line[: len(line) - len(line.lstrip())]
            line = f"{lead}{mark}{core}{mark}{line[len(line.rstrip()) :]}"
        lines.append(line)
    return "\n".join(lines)


def _slack_notes(notes: Iterable[Note]) -> list[str]:
    """'• *number: six → seven*  0.36'; one no rule fired for in italics, with why."""
    lines = []
    for note in notes:
        label = slack_escape(note.label(SUMMARY.claim_limit))
        if note.dropped:
            lines.append(f"• _{label}  ({slack_escape(note.weight())})_")
        else:
            lines.append(f"• *{label}*  ({note.weight()})")
    return lines


def _slack_sentence(sentence: SentenceChange, prefix: str = "") -> str:
    words = "".join(_slack_words(trimmed(sentence.segments, SUMMARY.context)))
    return "\n".join([prefix + words, *_slack_notes(sentence.notes)])


def _chunks(text: str, size: int = 500) -> Iterator[str]:
    """Pieces of at most ``size`` characters, cut at whitespace where there is any."""
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = cut + 1 if cut > 0 else size
        yield text[:cut]
        text = text[cut:]
    if text:
        yield text


def _slack_words(segments: Iterable[Segment]) -> Iterator[str]:
    """Segments as escaped mrkdwn pieces, ~deleted~ *inserted*, each small enough to pack
    into sections."""
    previous = " "
    for segment in segments:
        # Cut raw text before escaping so an entity is never split.
        for chunk in _chunks(segment.text):
            piece = slack_escape(chunk)
            if segment.op != "equal":
                piece = _marked(piece, "~" if segment.op == "delete" else "*")
                if not previous[-1].isspace() and not piece[0].isspace():
                    piece = " " + piece  # "~3~ *5*", not "~3~*5*"
            yield piece
            previous = piece


def _slack_diff_pieces(diff: TextDiff) -> Iterator[str]:
    """The word diff as escaped mrkdwn pieces."""
    note = rewrite_note(diff)
    if note:
        yield f"*{note}*\n"
    for hunk in diff.hunks:
        yield f"\n`{slack_escape(hunk_header(hunk))}`\n"
        yield from _slack_words(display_segments(hunk, CONTEXT_WORDS))


class _Blocks:
    """Collects blocks under Slack's count limit, keeping room for the truncation note."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.truncated = False

    def add(self, block: dict[str, Any]) -> bool:
        if len(self.blocks) >= SLACK_MAX_BLOCKS - 1:
            self.truncated = True
            return False
        self.blocks.append(block)
        return True

    def add_text(self, pieces: Iterator[str]) -> None:
        current = ""
        for piece in pieces:
            if len(current) + len(piece) > SLACK_MAX_SECTION:
                if not self.add(_section(current)):
                    return
                current = ""
            current += piece
        if current.strip():
            self.add(_section(current))

    def finish(self) -> list[dict[str, Any]]:
        if self.truncated:
            note = _mrkdwn(f"_{SLACK_TRUNCATED}_")
            self.blocks.append({"type": "context", "elements": [note]})
        return self.blocks


def _slack_alert(blocks: _Blocks, message: AlertMessage, *, with_diff: bool) -> None:
    """The change report: headline, each sentence with its shifts, claims, word diff."""
    report = message.report()
    if report.headline is not None:
        blocks.add(_section(_slack_sentence(report.headline, "*Headline:* ")))
    for sentence in report.sentences:
        blocks.add(_section(_slack_sentence(sentence)))
    claims = _slack_notes((*report.added, *report.removed))
    if claims:
        blocks.add(_section("\n".join(claims)))
    meta = f"{slack_escape(meta_line(message))} · {_slack_link(message.url)}"
    blocks.add({"type": "context", "elements": [_mrkdwn(meta)]})
    if with_diff and message.text_diff.changed:
        blocks.add({"type": "divider"})
        blocks.add_text(_slack_diff_pieces(message.text_diff))


def render_slack(message: AlertMessage) -> dict[str, Any]:
    """An incoming-webhook body: Block Kit within Slack's limits, plus fallback text."""
    blocks = _Blocks()
    blocks.add({"type": "header", "text": _plain(message.title, SLACK_MAX_HEADER)})
    if message.is_digest:
        for item in message.items:
            link = _slack_link(item.url)
            blocks.add(_section(f"*{slack_escape(one_line(item.title, 200))}*\n{link}"))
            _slack_alert(blocks, item, with_diff=False)
    else:
        _slack_alert(blocks, message, with_diff=True)
    return {"text": slack_escape(subject(message)), "blocks": blocks.finish()}


class SlackChannel:
    name = "slack"

    def __init__(self, settings: SlackSettings) -> None:
        if settings.webhook_url is None:
            raise ValueError("slack channel needs channels.slack.webhook_url")
        self._url = settings.webhook_url.get_secret_value()
        self.timeout = settings.timeout
        register_secret(self._url)

    def __repr__(self) -> str:  # never show the URL, even in a traceback's locals
        return "SlackChannel(webhook_url=***)"

    def send(self, alert: AlertMessage) -> None:
        body = json.dumps(render_slack(alert), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        post(self._url, body, headers=headers, timeout=self.timeout, label="slack")
