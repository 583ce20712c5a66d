"""HTML for the story report and for ``diff --html``: one self-contained file.

Everything is in the file (inline CSS, no scripts, no fonts, no images), it reads on a
phone (viewport meta, one fluid column), and every piece of story text passes through
:func:`html.escape`; a Content-Security-Policy forbidding scripts backs that up.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from storywatch.diff.model import SemanticDiff
from storywatch.diff.report import CLAIM_NAMES, FULL, LISTING, ChangeReport, note_html, report_html
from storywatch.history import times
from storywatch.history.claims import Claim
from storywatch.history.report import StoryInfo, StoryReport, VersionReport, plural

CSS = """
:root { color-scheme: light dark; --ins: #ccf2d4; --del: #ffd6d6; --mark: #fff1a8;
  --muted: #5f6368; --rule: #dadce0; --card: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --ins: #1e4d2b; --del: #5e2424; --mark: #5c4f00; --muted: #a8adb3;
    --rule: #3c4043; --card: #1f2327; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 48rem; padding: 1rem;
  font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  overflow-wrap: anywhere; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1rem; margin: 1.5rem 0 .25rem; }
.meta, .muted, time { color: var(--muted); font-size: .9rem; }
ins { background: var(--ins); text-decoration: none; border-radius: 2px; padding: 0 1px; }
del { background: var(--del); text-decoration: line-through; border-radius: 2px;
  padding: 0 1px; }
mark { background: var(--mark); color: inherit; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { padding: .5rem 0; border-bottom: 1px solid var(--rule); }
.sig, .plus, .minus { font-variant-numeric: tabular-nums; }
.plus { color: #137333; } .minus { color: #c5221f; }
@media (prefers-color-scheme: dark) { .plus { color: #81c995; } .minus { color: #f28b82; } }
.material { font-weight: 700; }
ul.shifts { padding-left: 1.1rem; margin: .25rem 0; }
ul.shifts li { margin: .2rem 0; }
.type { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em;
  color: var(--muted); }
.words { margin: .9rem 0 .2rem; }
.dropped, .dropped .type { color: var(--muted); }
.headline { font-weight: 600; }
ul.claims { padding-left: 1.1rem; }
.hunk { background: var(--card); border-radius: 6px; padding: .5rem .75rem;
  margin: .5rem 0; }
.hunk-header { font: .8rem ui-monospace, monospace; color: var(--muted); }
.hunk-text, .text { white-space: pre-wrap; }
details { margin: .5rem 0; }
@media (max-width: 600px) { body { font-size: 16px; padding: .75rem; } }
"""

# No script may run even if some text escaped escaping; styles only from this file.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def page(title: str, body: str) -> str:
    """A complete document around ``body`` (already HTML); ``title`` is escaped here."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _link(url: str) -> str:
    # Only web links become clickable; anything else (javascript:, data:) stays text.
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>'
    return escape(url)


def _type(shift_type: str) -> str:
    name = CLAIM_NAMES.get(shift_type, shift_type)
    return f'<span class="type">{escape(name)}</span>'


def _time(moment: datetime) -> str:
    return f'<time datetime="{escape(times.iso(moment))}">{escape(times.zoned(moment))}</time>'


def _timeline_item(version: VersionReport) -> str:
    row = version.row
    head = f'<a href="#v{row.number}">v{row.number}</a> {_time(row.fetched_at)}'
    if version.change is None:
        return f'<li>{head} <span class="muted">first version, {row.word_count} words</span></li>'
    words = (
        f'<span class="plus">+{row.words_added}</span>'
        f' <span class="minus">&minus;{row.words_removed}</span> words'
    )
    weight = " material" if row.material else ""
    sig = f'<span class="sig{weight}">significance {row.significance:.2f}</span>'
    chips = shift_chips(version.change)
    return f"<li>{head} · {words} · {sig}{'<br>' + chips if chips else ''}</li>"


def shift_chips(change: ChangeReport) -> str:
    """A version's shifts on one line, as a timeline lists them: 'number six → seven, …'."""
    return ", ".join(
        f'<span class="{"dropped" if note.dropped else "shift"}">{_type(note.shift.type)} '
        f"{note_html(note, LISTING.claim_limit)}</span>"
        for note in change.notes
    )


def claim_item(claim: Claim) -> str:
    """One claim of the claim timeline: its label and type, then its value at each
    version, the current one inserted, the earlier ones struck."""
    states = []
    for index, (state, until) in enumerate(claim.held()):
        value = escape(state.shown)
        value = f"<ins>{value}</ins>" if index == len(claim.states) - 1 else f"<del>{value}</del>"
        states.append(f'{value} <span class="muted">({escape(state.when(until))})</span>')
    return (
        f"<li><strong>{escape(claim.label)}</strong> "
        f"{_type(claim.type)}<br>{' → '.join(states)}</li>"
    )


def _version_section(version: VersionReport) -> str:
    row = version.row
    heading = f'<h3 id="v{row.number}">Version {row.number} · {_time(row.fetched_at)}</h3>'
    rewritten = version.change is not None and version.change.headline is not None
    # A rewritten headline leads the change report below; otherwise it is said here.
    title = (
        f'<p class="muted">Headline: {escape(row.title)}</p>' if row.title and not rewritten else ""
    )
    if version.change is None:
        text = (
            f"<details><summary>Full text of version {row.number} ({row.word_count} words)"
            f'</summary><div class="text">{escape(version.text)}</div></details>'
        )
        return heading + title + text
    against = f"v{row.previous_number}" if row.previous_number else "the previous version"
    summary = (
        f'<p class="meta">Against {escape(against)}:'
        f" +{row.words_added} / &minus;{row.words_removed}"
        f" words, significance {row.significance:.2f}"
        f"{' (material)' if row.material else ''}</p>"
    )
    return heading + title + summary + change_html(version.change)


def change_html(change: ChangeReport) -> str:
    if change.empty:
        return '<p class="muted">No claim shifted (wording only).</p>' + report_html(change, FULL)
    return report_html(change, FULL)


def render_report(report: StoryReport) -> str:
    story = report.story
    rows = [v.row for v in report.versions]
    span = ""
    if rows:
        span = f" from {_time(rows[0].fetched_at)} to {_time(rows[-1].fetched_at)}"
    claims = (
        '<ul class="claims">' + "".join(claim_item(c) for c in report.claims) + "</ul>"
        if report.claims
        else '<p class="muted">No claim has shifted.</p>'
    )
    body = [
        f"<header><h1>{escape(story.label)}</h1>",
        f'<p class="meta">{_link(story.url)}</p>',
        f'<p class="meta">Story {story.id}: {plural(len(rows), "version")}{span};'
        f" {plural(report.material_changes, 'material change')}. Report generated"
        f" {_time(report.generated_at)}.</p></header>",
        "<main>",
        '<section><h2 id="timeline">Timeline</h2><ol class="timeline">',
        *(_timeline_item(v) for v in report.versions),
        "</ol></section>",
        f'<section><h2 id="claims">Claims that changed</h2>{claims}</section>',
        '<section><h2 id="versions">Versions</h2>',
        *(_version_section(v) for v in report.versions),
        "</section></main>",
    ]
    return page(f"{story.label} — storywatch history", "\n".join(body))


def render_diff_page(
    story: StoryInfo,
    old_number: int,
    new_number: int,
    semantic: SemanticDiff,
    change: ChangeReport,
) -> str:
    """The ``diff --html`` page: the change report between two versions."""
    verdict = "material" if semantic.material else "not material"
    body = "\n".join(
        [
            f"<header><h1>{escape(story.label)}</h1>",
            f'<p class="meta">{_link(story.url)}</p>',
            f'<p class="meta">Story {story.id}: version {old_number} → {new_number},'
            f" {verdict} (significance {semantic.significance:.2f})</p></header>",
            "<main>",
            change_html(change),
            "</main>",
        ]
    )
    return page(f"{story.label}: v{old_number} → v{new_number}", body)
