"""The story report as Markdown: timeline table, claim timeline, then each version's
shifts and its word diff in wdiff form (``[-removed-]{+added+}``) inside a code fence.

Story text is untrusted: outside fences it is escaped so that neither Markdown syntax
nor raw HTML in a title or sentence reaches the reader's renderer; fences are made
longer than any backtick run in the text they hold.
"""

from __future__ import annotations

import re
from dataclasses import replace

from storywatch.diff.report import FULL, LISTING, plain_text, report_lines
from storywatch.history import times
from storywatch.history.report import StoryReport, VersionReport, plural

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


def _timeline_row(version: VersionReport) -> str:
    row = version.row
    if version.change is None:
        cells = ["", "", "", f"first version ({row.word_count} words)"]
    else:
        notes = list(version.change.notes)
        shown = ", ".join(note.label(LISTING.claim_limit) for note in notes[:3])
        cells = [
            f"+{row.words_added}",
            f"-{row.words_removed}",
            f"{row.significance:.2f}" + (" (material)" if row.material else ""),
            md_escape(shown + (" …" if len(notes) > 3 else "")) or "wording only",
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
    if version.change is None:
        lines += [f"First version, {row.word_count} words:", fenced(version.text)]
        return "\n\n".join(lines)
    lines.append(
        f"+{row.words_added} / -{row.words_removed} words, significance {row.significance:.2f}"
        + (" (material)" if row.material else "")
    )
    # The change report as in a terminal without colour: [-old-]{+new+}, the whole word diff.
    report = report_lines(version.change, replace(FULL, word_diff=-1), markers=True)
    lines.append(fenced(plain_text(report) or "No claim shifted (wording only)."))
    return "\n\n".join(lines)


def render_report(report: StoryReport) -> str:
    story = report.story
    claims = "\n".join(
        f"- **{md_escape(c.label)}** ({md_escape(c.kind)}): " + md_escape(c.values())
        for c in report.claims
    )
    parts = [
        f"# {md_escape(story.label)}",
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
