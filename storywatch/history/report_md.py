"""The story report as Markdown: timeline table, claim timeline, then each version's
shifts and its word diff in wdiff form (``[-removed-]{+added+}``) inside a code fence.

Story text is untrusted: outside fences it is escaped so that neither Markdown syntax
nor raw HTML in a title or sentence reaches the reader's renderer; fences are made
longer than any backtick run in the text they hold.
"""

from __future__ import annotations

import re

from storywatch.diff.model import Shift
from storywatch.diff.render import render_plain
from storywatch.history import times
from storywatch.history.report import StoryReport, VersionReport, plural, shifts_summary

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# Characters that only mean something at the start of a line: headings, lists, quotes.
_LEADING_MARK = re.compile(r"^([#+>-])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
_BACKTICKS = re.compile(r"`+")
_WEB_URL = re.compile(r"https?://[^\s<>]+")


def md_escape(text: str) -> str:
    """Inline text made inert: entities for ``&`` and ``<`` (no HTML tag can open, while
    "50% -> 25%" stays readable), backslashes for Markdown syntax."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", _LEADING_MARK.sub(r"\\\1", text))


def fenced(text: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _shift_line(shift: Shift) -> str:
    line = f"- **{md_escape(shift.type)}**: {md_escape(shift.short)}"
    line += f" (significance {shift.significance:.2f})"
    if shift.old_sentence:
        line += f"\n  - before: {md_escape(shift.old_sentence)}"
    if shift.new_sentence:
        line += f"\n  - after: {md_escape(shift.new_sentence)}"
    return line


def _timeline_row(version: VersionReport) -> str:
    row = version.row
    if version.text_diff is None:
        cells = ["", "", "", f"first version ({row.word_count} words)"]
    else:
        material = " (material)" if row.material else ""
        cells = [
            f"+{row.words_added}",
            f"-{row.words_removed}",
            f"{row.significance:.2f}{material}",
            md_escape(shifts_summary(row.shifts)) or "wording only",
        ]
    return (
        "| "
        + " | ".join([f"[v{row.number}](#v{row.number})", times.zoned(row.fetched_at), *cells])
        + " |"
    )


def _version_block(version: VersionReport) -> str:
    row = version.row
    # An explicit anchor: heading ids differ between Markdown renderers.
    lines = [
        f'<a id="v{row.number}"></a>',
        f"### Version {row.number} · {times.zoned(row.fetched_at)}",
    ]
    if row.title:
        lines.append(f"Headline: {md_escape(row.title)}")
    if version.text_diff is None:
        lines += [f"First version, {row.word_count} words:", fenced(version.text)]
        return "\n\n".join(lines)
    lines.append(
        f"+{row.words_added} / -{row.words_removed} words, significance {row.significance:.2f}"
        + (" (material)" if row.material else "")
    )
    shifts = "\n".join(_shift_line(s) for s in row.shifts) or "No claim shifted (wording only)."
    lines += [shifts, fenced(render_plain(version.text_diff, context=-1))]
    return "\n\n".join(lines)


def render_report(report: StoryReport) -> str:
    story = report.story
    claims = "\n".join(
        f"- **{md_escape(c.label)}** ({md_escape(c.type)}): "
        + md_escape(" -> ".join(state.describe() for state in c.states))
        for c in report.claims
    )
    parts = [
        f"# {md_escape(story.title)}",
        f"<{story.url}>" if _WEB_URL.fullmatch(story.url) else md_escape(story.url),
        f"Story {story.id}: {plural(len(report.versions), 'version')},"
        f" {plural(report.material_changes, 'material change')}."
        f" Generated {times.zoned(report.generated_at)}.",
        "## Timeline",
        "| version | fetched | +words | -words | significance | shifts |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(_timeline_row(v) for v in report.versions),
        "## Claims that changed",
        claims or "No claim has shifted.",
        "## Versions",
        *(_version_block(v) for v in report.versions),
    ]
    return "\n\n".join(parts) + "\n"
