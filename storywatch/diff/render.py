"""Render a :class:`TextDiff` for people: plain wdiff-style text, or rich markup."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.text import Text

from storywatch.diff.text import Hunk, Segment, TextDiff

_WORDS = re.compile(r"\S+\s*")
ELLIPSIS = " … "


def _collapse(text: str, context: int, *, at_start: bool, at_end: bool) -> str:
    """Keep ``context`` words next to each edit; long unchanged runs become an ellipsis."""
    words = _WORDS.findall(text)
    keep_head = 0 if at_start else context
    keep_tail = 0 if at_end else context
    if len(words) <= keep_head + keep_tail + 3:
        return text
    head = "".join(words[:keep_head])
    tail = "".join(words[len(words) - keep_tail :]) if keep_tail else ""
    leading = text[: len(text) - len(text.lstrip())] if keep_head else ""
    return leading + head.rstrip() + ELLIPSIS + tail.lstrip() if head else ELLIPSIS.lstrip() + tail


def display_segments(hunk: Hunk, context: int) -> Iterator[Segment]:
    """The hunk's segments with unchanged runs trimmed to ``context`` words (negative: all)."""
    last = len(hunk.segments) - 1
    for index, segment in enumerate(hunk.segments):
        if segment.op != "equal" or context < 0:
            yield segment
            continue
        yield Segment("equal", _collapse(segment.text, context, at_start=index == 0, at_end=index == last))


def hunk_header(hunk: Hunk) -> str:
    def span(start: int, count: int) -> str:
        if count == 0:
            return f"after ¶{start}"
        return f"¶{start + 1}" if count == 1 else f"¶{start + 1}-{start + count}"

    return f"@@ old {span(hunk.old_start, hunk.old_count)} | new {span(hunk.new_start, hunk.new_count)} @@"


def render_plain(diff: TextDiff, *, context: int = 8) -> str:
    """wdiff-style text: ``[-removed-]{+added+}``, one block per changed stretch."""
    if not diff.changed:
        return "(no text changes)"
    blocks = []
    for hunk in diff.hunks:
        parts = []
        for segment in display_segments(hunk, context):
            if segment.op == "delete":
                parts.append(f"[-{segment.text}-]")
            elif segment.op == "insert":
                parts.append(f"{{+{segment.text}+}}")
            else:
                parts.append(segment.text)
        blocks.append(hunk_header(hunk) + "\n" + "".join(parts))
    return "\n\n".join(blocks)


def render_rich(diff: TextDiff, *, context: int = 8) -> Text:
    """Coloured inline diff: deletions red and struck through, insertions green."""
    out = Text()
    if not diff.changed:
        out.append("(no text changes)", style="dim")
        return out
    for number, hunk in enumerate(diff.hunks):
        if number:
            out.append("\n\n")
        out.append(hunk_header(hunk) + "\n", style="cyan")
        for segment in display_segments(hunk, context):
            style = {"delete": "bold red strike", "insert": "bold green", "equal": ""}[segment.op]
            out.append(segment.text, style=style)
    return out
