"""Render a :class:`TextDiff` for people: plain wdiff-style text, rich markup (inline or
side by side) and an HTML fragment with ``<del>``/``<ins>``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping

from rich import box
from rich.table import Table
from rich.text import Text

from storywatch.diff.text import Hunk, Segment, TextDiff

_WORDS = re.compile(r"\S+\s*")
ELLIPSIS = " … "
STYLES = {"delete": "bold red strike", "insert": "bold green", "equal": ""}
_TAGS = {"delete": "del", "insert": "ins"}


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
        yield Segment(
            "equal", _collapse(segment.text, context, at_start=index == 0, at_end=index == last)
        )


def paragraph_span(start: int, count: int) -> str:
    """'¶3', '¶3-5', or 'after ¶2' for an insertion point (1-based, as people count)."""
    if count == 0:
        return f"after ¶{start}"
    return f"¶{start + 1}" if count == 1 else f"¶{start + 1}-{start + count}"


def hunk_header(hunk: Hunk) -> str:
    """Where a changed stretch is, in words: '¶2', '¶4 added', '¶6 removed', '¶16-17, now
    ¶17-18' (paragraphs counted from 1)."""
    old = paragraph_span(hunk.old_start, hunk.old_count)
    new = paragraph_span(hunk.new_start, hunk.new_count)
    if hunk.old_count == 0:
        return f"{new} added"
    if hunk.new_count == 0:
        return f"{old} removed"
    return old if old == new else f"{old}, now {new}"


def marked_plain(segments: Iterable[Segment]) -> str:
    """Segments as wdiff text: ``[-removed-]{+added+}``."""
    parts = []
    for segment in segments:
        if segment.op == "delete":
            parts.append(f"[-{segment.text}-]")
        elif segment.op == "insert":
            parts.append(f"{{+{segment.text}+}}")
        else:
            parts.append(segment.text)
    return "".join(parts)


def marked_rich(segments: Iterable[Segment], out: Text | None = None) -> Text:
    """Segments in colour: deletions red and struck through, insertions green. A deletion
    glued to an insertion ("seek" then "near") gets a space between them, or the two read
    as one word ("seeknear") once the markers are gone."""
    out = Text() if out is None else out
    previous: Segment | None = None
    for segment in segments:
        if needs_gap(previous, segment):
            out.append(" ")
        out.append(segment.text, style=STYLES[segment.op])
        previous = segment
    return out


def needs_gap(previous: Segment | None, segment: Segment) -> bool:
    """A deletion directly followed by an insertion (or the reverse) with no space at the
    seam: shown without markers, they need a visible boundary."""
    return (
        previous is not None
        and {previous.op, segment.op} == {"delete", "insert"}
        and not previous.text[-1:].isspace()
        and not segment.text[:1].isspace()
    )


def rewrite_note(diff: TextDiff) -> str | None:
    """'rewritten: 80% of the text changed' when most of the text was rewritten."""
    if diff.rewritten is None:
        return None
    return f"rewritten: {diff.rewritten:.0%} of the text changed"


def render_plain(diff: TextDiff, *, context: int = 8) -> str:
    """wdiff-style text: ``[-removed-]{+added+}``, one block per changed stretch."""
    if not diff.changed:
        return "(no text changes)"
    note = rewrite_note(diff)
    blocks = [note] if note else []
    blocks += [
        hunk_header(hunk) + "\n" + marked_plain(display_segments(hunk, context))
        for hunk in diff.hunks
    ]
    return "\n\n".join(blocks)


def render_rich(diff: TextDiff, *, context: int = 8) -> Text:
    """Coloured inline diff: deletions red and struck through, insertions green."""
    out = Text()
    if not diff.changed:
        out.append("(no text changes)", style="dim")
        return out
    note = rewrite_note(diff)
    if note:
        out.append(note + "\n\n", style="bold yellow")
    for number, hunk in enumerate(diff.hunks):
        if number:
            out.append("\n\n")
        out.append(hunk_header(hunk) + "\n", style="cyan")
        marked_rich(display_segments(hunk, context), out)
    return out


def _columns(hunk: Hunk, context: int, markers: bool) -> tuple[Text, Text]:
    old, new = Text(), Text()
    for segment in display_segments(hunk, context):
        if segment.op == "equal":
            old.append(segment.text)
            new.append(segment.text)
        elif segment.op == "delete":
            # Without colour, markers are the only sign of what changed.
            old.append(f"[-{segment.text}-]" if markers else segment.text, style=STYLES["delete"])
        else:
            new.append(f"{{+{segment.text}+}}" if markers else segment.text, style=STYLES["insert"])
    return old, new


def render_side_by_side(
    diff: TextDiff,
    *,
    context: int = 8,
    markers: bool = False,
    old_title: str = "old",
    new_title: str = "new",
) -> Table | Text:
    """Old and new text in two columns that share whatever width the console has; with
    ``markers`` the edits keep their wdiff markers for output without colour."""
    if not diff.changed:
        return Text("(no text changes)", style="dim")
    table = Table(
        box=box.MINIMAL,
        expand=True,
        header_style="bold",
        pad_edge=False,
        title=rewrite_note(diff),
        title_justify="left",
        title_style="bold yellow",
    )
    table.add_column(old_title, ratio=1, overflow="fold")
    table.add_column(new_title, ratio=1, overflow="fold")
    for number, hunk in enumerate(diff.hunks):
        if number:
            table.add_row("", "")
        table.add_row(
            Text(f"old {paragraph_span(hunk.old_start, hunk.old_count)}", style="cyan"),
            Text(f"new {paragraph_span(hunk.new_start, hunk.new_count)}", style="cyan"),
        )
        table.add_row(*_columns(hunk, context, markers))
    return table


def render_html(diff: TextDiff, *, context: int = -1) -> str:
    """An HTML fragment, every character of article text escaped: one ``div.hunk`` per
    changed stretch, deletions in ``<del>``, insertions in ``<ins>``. Paragraph breaks stay
    newlines, for a ``white-space: pre-wrap`` style to show."""
    if not diff.changed:
        return '<p class="no-change">(no text changes)</p>'
    note = rewrite_note(diff)
    blocks = [f'<p class="rewritten">{html.escape(note)}</p>'] if note else []
    blocks += [
        '<div class="hunk">'
        f'<div class="hunk-header">{html.escape(hunk_header(hunk))}</div>'
        f'<div class="hunk-text">{marked_html(display_segments(hunk, context))}</div>'
        "</div>"
        for hunk in diff.hunks
    ]
    return "\n".join(blocks)


def render_html_side_by_side(
    diff: TextDiff, *, context: int = -1, old_title: str = "old", new_title: str = "new"
) -> str:
    """Old and new text in two columns, one table row per changed stretch: deletions in
    ``<del>`` on the left, insertions in ``<ins>`` on the right, every character of article
    text escaped."""
    if not diff.changed:
        return '<p class="no-change">(no text changes)</p>'
    note = rewrite_note(diff)
    rows = []
    for hunk in diff.hunks:
        segments = list(display_segments(hunk, context))
        old = marked_html(s for s in segments if s.op != "insert")
        new = marked_html(s for s in segments if s.op != "delete")
        where_old = paragraph_span(hunk.old_start, hunk.old_count)
        where_new = paragraph_span(hunk.new_start, hunk.new_count)
        rows.append(
            f'<tr class="hunk-header"><th>old {html.escape(where_old)}</th>'
            f"<th>new {html.escape(where_new)}</th></tr>"
            f'<tr><td class="hunk-text">{old}</td><td class="hunk-text">{new}</td></tr>'
        )
    return (
        (f'<p class="rewritten">{html.escape(note)}</p>' if note else "")
        + '<table class="side-by-side"><thead><tr>'
        f"<th>{html.escape(old_title)}</th><th>{html.escape(new_title)}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def marked_html(segments: Iterable[Segment], attributes: Mapping[str, str] | None = None) -> str:
    """Segments as escaped HTML, deletions in ``<del>``, insertions in ``<ins>``, with a
    space wherever a deletion meets an insertion (else "seek" and "near" render as
    "seeknear"). ``attributes`` adds e.g. inline styles per tag, for e-mail."""
    attributes = attributes or {}
    parts = []
    previous: Segment | None = None
    for segment in segments:
        if needs_gap(previous, segment):
            parts.append(" ")
        text = html.escape(segment.text)
        tag = _TAGS.get(segment.op)
        if tag:
            extra = attributes.get(tag, "")
            parts.append(f"<{tag}{' ' + extra if extra else ''}>{text}</{tag}>")
        else:
            parts.append(text)
        previous = segment
    return "".join(parts)
