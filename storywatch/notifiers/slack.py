"""Slack incoming-webhook channel and its Block Kit rendering.

Page text is hostile: Slack's control characters (&, <, >) are entity-encoded so
``<!channel>`` or ``<@U123>`` from an article is shown, never executed, and every block
stays within Slack's limits (header 150 chars, section 3000, 50 blocks), with a
"… diff truncated" note when the diff does not fit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from storywatch.config import SlackSettings
from storywatch.diff.model import Shift
from storywatch.diff.render import display_segments, hunk_header, rewrite_note
from storywatch.diff.text import TextDiff
from storywatch.notifiers.channels import post, register_secret
from storywatch.notifiers.message import (
    CONTEXT_WORDS,
    AlertMessage,
    headline_summary,
    meta_line,
    one_line,
    safe_href,
    shift_context,
    shift_summary,
    subject,
)

# -- Block Kit --------------------------------------------------------------------------

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
SLACK_TRUNCATED = "… diff truncated"
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


def _slack_shift(shift: Shift) -> str:
    lines = [f"*{slack_escape(shift_summary(shift))}*  ({shift.significance:.2f})"]
    for label, (head, span, tail) in shift_context(shift):
        mark = "~" if label == "before" else "*"
        marked = _marked(slack_escape(span), mark) if span else ""
        lines.append(f">_{label}:_ {slack_escape(head)}{marked}{slack_escape(tail)}")
    return "\n".join(lines)


def _chunks(text: str, size: int = 500) -> Iterator[str]:
    """Pieces of at most ``size`` characters, cut at whitespace where there is any."""
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = cut + 1 if cut > 0 else size
        yield text[:cut]
        text = text[cut:]
    if text:
        yield text


def _slack_diff_pieces(diff: TextDiff) -> Iterator[str]:
    """The word diff as escaped mrkdwn pieces, each small enough to pack into sections."""
    note = rewrite_note(diff)
    if note:
        yield f"*{note}*\n"
    for hunk in diff.hunks:
        yield f"\n`{slack_escape(hunk_header(hunk))}`\n"
        previous = " "
        for segment in display_segments(hunk, CONTEXT_WORDS):
            # Cut raw text before escaping so an entity is never split.
            for chunk in _chunks(segment.text):
                piece = slack_escape(chunk)
                if segment.op != "equal":
                    piece = _marked(piece, "~" if segment.op == "delete" else "*")
                    if not previous[-1].isspace() and not piece[0].isspace():
                        piece = " " + piece  # "~3~ *5*", not "~3~*5*"
                yield piece
                previous = piece


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
    if message.headline_change is not None:
        blocks.add(_section(slack_escape(headline_summary(message.headline_change))))
    for shift in message.key_shifts:
        blocks.add(_section(_slack_shift(shift)))
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
