"""Commands that read one story's history: history, show, diff, plus the output plumbing the
viewer commands share: story lookup, paging and writing files.

`show` prints a stored text and starts without the report renderer, the word diff and
the history report (a tenth of a second): `history` and `diff` import them where used."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import print_report, print_side_by_side, use_color
from storywatch.cli.params import VERSION, StoryRef, context_option
from storywatch.diff.semantic import headline_change
from storywatch.errors import InputError
from storywatch.history import times
from storywatch.history.documents import diff_document, history_document, shown_version
from storywatch.history.lookup import stored_or_computed, versions_to_compare
from storywatch.notifiers.rules import Dropped, story_rules
from storywatch.storage.queries import StoryRow, VersionRow

if TYPE_CHECKING:
    from storywatch.history.report import StoryInfo

__all__ = ["diff", "history", "show"]

pager_option = click.option(
    "--no-pager", is_flag=True, help="Print everything at once, even on a terminal."
)


def resolve(app: AppContext, ref: str) -> tuple[StoryRow, int]:
    """The story a user's reference names (id, URL prefix or title words) and its id."""
    story = app.reader.resolve_story(ref)
    return story, story.id


def story_info(story: StoryRow, story_id: int) -> StoryInfo:
    from storywatch.history.report import StoryInfo  # see the module docstring

    return StoryInfo(story_id, story.url, story.name, story.title)


def alert_rules(app: AppContext, story: StoryRow) -> Dropped:
    """Why the story's alert rules let a shift pass, for the views that dim those."""
    return story_rules(app.alert_rules, story.url, story.tags)


@contextmanager
def paged(app: AppContext, no_pager: bool) -> Iterator[Console]:
    """The console to print to. On a terminal, output taller than the screen goes through
    the pager; piped output and ``--no-pager`` print directly. Everything must be printed
    through the yielded console for the pager to see it."""
    console = app.console
    if not console.is_terminal:
        # Piped lines stay whole for grep; tables still fit the width.
        wrap, console.soft_wrap = console.soft_wrap, True
        try:
            yield console
        finally:
            console.soft_wrap = wrap
        return
    if no_pager:
        yield console
        return
    with console.capture() as capture:
        yield console
    text = capture.get()
    if text.count("\n") >= console.height:
        click.echo_via_pager(text, color=use_color(console))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def write_output(path: Path, content: str) -> None:
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


# A version with more shifts lists this many and points to `diff` for the rest.
HISTORY_SHIFTS = 8


@click.command(
    epilog=examples(
        "storywatch history 1",
        'storywatch history "deal talks" --json',
    )
)
@click.argument("story_ref", type=StoryRef())
@pager_option
@json_option
@pass_app
def history(app: AppContext, story_ref: str, no_pager: bool, as_json: bool) -> None:
    """One row per stored version, with what shifted in it.

    Each version lists its shifts (type: old → new, significance); those the alert rules
    let pass are dimmed, with the reason."""
    from storywatch.history.report import plural  # see the module docstring

    story, story_id = resolve(app, story_ref)
    # Metadata and stored diffs only: listing never decodes a version's text.
    rows = app.reader.version_rows(story_id)
    events = app.reader.lifecycle_events(story_id)
    if as_json:
        emit_json(history_document(story, rows, events))
        return
    with paged(app, no_pager) as console:
        console.print(f"[bold]{escape(story.label)}[/bold]  {escape(story.url)}")
        if not rows:
            console.print(f"No version stored yet (run `storywatch check {story_id}`).")
            return
        console.print(f"{plural(len(rows), 'version')}; * = material change")
        # Cut at the terminal's edge rather than wrapped: a rich Table re-measures every
        # cell and takes ~0.2 s for 500 rows; this takes milliseconds. When piped, lines
        # stay whole (paged() turns on soft wrapping).
        lines = history_lines(
            rows, story_id, alert_rules(app, story), markers=not use_color(console)
        )
        if console.is_terminal:
            console.print(lines, no_wrap=True, overflow="ellipsis")
        else:
            # Piped: no styles to render and no width to fit, so the text goes out as it
            # is; rich's renderer took 0.1 s over 500 versions for the same characters.
            console.file.write(lines.plain + "\n")
        for event in events:  # unpublished, moved, a new URL
            when_ = times.full(event.checked_at)
            console.print(f"[bold]{when_}  {event.outcome}[/bold]: {escape(event.error or '')}")


def history_lines(
    rows: Sequence[VersionRow], story_id: int, dropped: Dropped, *, markers: bool
) -> Text:
    """A row per version (v, fetched, +words, -words, significance), then its shifts, one
    a line, as the change report lists them."""
    from storywatch.diff.report import LISTING, change_report, report_lines  # module docstring

    number_width = max((len(str(row.number)) for row in rows), default=1)
    plus_width = max([len(f"+{row.words_added}") for row in rows] + [6])
    minus_width = max([len(f"-{row.words_removed}") for row in rows] + [6])
    out = Text()
    out.append(
        f"{'v':>{number_width}}  {'fetched':<16}  {'+words':>{plus_width}}"
        f"  {'-words':>{minus_width}}  signif.",
        style="bold",
    )
    previous_title: str | None = None
    for row in rows:
        out.append(f"\n{row.number:>{number_width}}  {times.full(row.fetched_at):<16}  ")
        rewritten = headline_change(previous_title, row.title)
        previous_title = row.title or previous_title
        if not row.has_diff:
            note = "first version" if row.number == rows[0].number else "(no diff stored)"
            out.append(" " * (plus_width + minus_width + 4) + note, style="dim")
            continue
        out.append(f"{f'+{row.words_added}':>{plus_width}}  ", style="green")
        out.append(f"{f'-{row.words_removed}':>{minus_width}}  ", style="red")
        significance = f"{row.significance:.2f}" + (" *" if row.material else "")
        out.append(significance, style="bold" if row.material else "")
        report = change_report(row.shifts, headline=rewritten, dropped=dropped)
        if report.empty:
            out.append("  wording only", style="dim")
            continue
        lines = report_lines(report, LISTING, markers=markers, indent=number_width + 2)
        for line in lines[:HISTORY_SHIFTS]:
            out.append("\n" + " " * line.indent)
            out.append_text(line.text)
        if len(lines) > HISTORY_SHIFTS:
            more = len(lines) - HISTORY_SHIFTS
            hint = f"… {more} more: storywatch diff {story_id} {row.number}"
            out.append(f"\n{' ' * (number_width + 2)}{hint}", style="dim")
    return out


# Version numbers may be negative (-1 is the latest): without this click would read "-1"
# as an unknown option.
NUMBERS = {"ignore_unknown_options": True}


@click.command(
    context_settings=NUMBERS,
    epilog=examples(
        "storywatch show 1",
        "storywatch show 1 2",
        "storywatch show 1 -2 --json",
    ),
)
@click.argument("story_ref", type=StoryRef())
@click.argument("number", type=VERSION, required=False)
@pager_option
@json_option
@pass_app
def show(
    app: AppContext, story_ref: str, number: int | None, no_pager: bool, as_json: bool
) -> None:
    """Print one stored version (default: the latest; -1 is the latest, -2 the one
    before)."""
    story, story_id = resolve(app, story_ref)
    version = app.reader.get_version(story_id, number if number is not None else -1)
    text = app.reader.version_text(story_id, version.number)
    if as_json:
        emit_json(shown_version(story, version, text))
        return
    with paged(app, no_pager) as console:
        console.print(f"[bold]# {escape(version.title or story.label)}[/bold]")
        fetched = times.full(version.fetched_at)
        console.print(f"story {story_id}, version {version.number}, fetched {fetched}\n")
        console.print(Text(text.replace("\n", "\n\n")), soft_wrap=not console.is_terminal)


@click.command(
    context_settings=NUMBERS,
    epilog=examples(
        "storywatch diff 1",
        "storywatch diff 1 1 3 --side-by-side",
        "storywatch diff 1 -1 --html change.html",
    ),
)
@click.argument("story_ref", type=StoryRef())
@click.argument("first", type=VERSION, required=False)
@click.argument("second", type=VERSION, required=False)
@click.option(
    "--inline/--side-by-side",
    default=True,
    help="Edits within the text (default), or old and new in two columns.",
)
@context_option
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the diff as a self-contained HTML page to FILE.",
)
@pager_option
@json_option
@pass_app
def diff(
    app: AppContext,
    story_ref: str,
    first: int | None,
    second: int | None,
    inline: bool,
    context: int,
    html_file: Path | None,
    no_pager: bool,
    as_json: bool,
) -> None:
    """The change report between two versions (default: the last two): the headline,
    each changed sentence with its shifts, claims added and removed, then the word diff.

    With one version number N, compares N-1 with N; negative numbers count back from
    the latest."""
    from storywatch.diff.report import FULL, change_report  # see the module docstring
    from storywatch.diff.text import word_diff

    story, story_id = resolve(app, story_ref)
    old, new = versions_to_compare(app.reader, story, first, second)
    old_text = app.reader.version_text(story_id, old.number)
    new_text = app.reader.version_text(story_id, new.number)
    semantic = stored_or_computed(old, new, old_text, new_text)
    text = word_diff(old_text, new_text)
    report = change_report(
        semantic.shifts, headline=semantic.headline, text=text, dropped=alert_rules(app, story)
    )
    if html_file is not None:
        from storywatch.history.report_html import render_diff_page  # only with --html

        page = render_diff_page(
            story_info(story, story_id), old.number, new.number, semantic, report
        )
        write_output(html_file, page)
    if as_json:
        emit_json(diff_document(story, old, new, semantic, text))
        return
    if html_file is not None:
        click.echo(f"wrote {html_file} (story {story_id}, version {old.number} → {new.number})")
        return
    with paged(app, no_pager) as console:
        console.print(
            f"[bold]{escape(story.label)}[/bold]: version {old.number} → {new.number}"
            f" · significance {semantic.significance:.2f}"
            f" · +{text.words_added} -{text.words_removed} words"
        )
        console.print()
        # Side by side, the two columns are the word diff.
        print_report(console, report, replace(FULL, word_diff=context if inline else None))
        if not inline:
            console.print()
            print_side_by_side(
                console, text, context=context, titles=(f"v{old.number}", f"v{new.number}")
            )
