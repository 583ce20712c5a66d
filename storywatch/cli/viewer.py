"""Looking back across versions and stories: claims, log, search, export."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import click
from rich.markup import escape
from rich.text import Text

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import print_report
from storywatch.cli.params import LIMIT, Duration, Fraction, StoryRef
from storywatch.cli.views import (
    alert_rules,
    paged,
    pager_option,
    resolve,
    story_info,
    write_output,
)
from storywatch.config.durations import format_duration
from storywatch.diff.report import SUMMARY, change_report
from storywatch.history import report_html, report_md, times
from storywatch.history.claims import build_claims
from storywatch.history.documents import change_document, claims_document, search_document
from storywatch.history.filters import parse_types
from storywatch.history.lookup import search_stories
from storywatch.history.report import build_report, plural
from storywatch.history.search import phrase_pattern
from storywatch.storage.queries import StoryRow
from storywatch.storage.schema import utcnow


@click.command(
    epilog=examples(
        "storywatch claims 1",
        'storywatch claims "deal talks" --json',
    )
)
@click.argument("story_ref", type=StoryRef())
@pager_option
@json_option
@pass_app
def claims(app: AppContext, story_ref: str, no_pager: bool, as_json: bool) -> None:
    """Each claim that ever shifted, with its value at every version (the text of a
    sentence added or removed)."""
    story, story_id = resolve(app, story_ref)
    rows = app.reader.version_rows(story_id)
    timeline = build_claims(rows)
    if as_json:
        emit_json(claims_document(story, len(rows), timeline))
        return
    with paged(app, no_pager) as console:
        console.print(f"[bold]{escape(story.label)}[/bold]  {escape(story.url)}")
        if not timeline:
            console.print(f"No claim has shifted in {plural(len(rows), 'version')}.")
            return
        changed = plural(len(timeline), "claim")
        console.print(f"{changed} changed across {plural(len(rows), 'version')}:\n")
        for claim in timeline:
            line = Text("• ")
            line.append(claim.label, style="bold")
            line.append(f" ({claim.kind}): ", style="dim")
            line.append(claim.values())
            console.print(line)


def _types(_ctx: click.Context, _param: click.Parameter, value: Sequence[str]) -> tuple[str, ...]:
    try:
        return parse_types(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(
    epilog=examples(
        "storywatch log --since 2d",
        "storywatch log --type number,date --min-significance 0.5",
        "storywatch log --story 1 --json",
    )
)
@click.option("--since", type=Duration(), help="Only changes newer than this, e.g. 2d, 12h.")
@click.option(
    "--type",
    "types",
    multiple=True,
    callback=_types,
    help="Only these shift types, e.g. number,date (repeatable).",
)
@click.option("--min-significance", type=Fraction(), help="Only changes at least this big.")
@click.option(
    "--story", "story_ref", type=StoryRef(), help="Only this story (id, URL prefix or title words)."
)
@click.option("--limit", default=50, show_default=True, type=LIMIT, help="At most this many.")
@pager_option
@json_option
@pass_app
def log(
    app: AppContext,
    since: float | None,
    types: tuple[str, ...],
    min_significance: float | None,
    story_ref: str | None,
    limit: int,
    no_pager: bool,
    as_json: bool,
) -> None:
    """Recent material changes across all stories, newest first, each as its change
    report (without the word diff)."""
    story = resolve(app, story_ref)[0] if story_ref else None
    changes = app.reader.recent_changes(
        since=utcnow() - timedelta(seconds=since) if since is not None else None,
        story_id=story.id if story else None,
        min_significance=min_significance,
        types=types,
        limit=limit,
    )
    stories = {s.id: s for s in app.reader.list_stories()}
    if as_json:
        emit_json([change_document(change, stories.get(change.story_id)) for change in changes])
        return
    with paged(app, no_pager) as console:
        if not changes:
            console.print(_no_changes(app, since, types, min_significance, story))
            return
        for number, change in enumerate(changes):
            if number:
                console.print()
            console.print(
                f"[bold]{times.full(change.fetched_at)}[/bold]  story {change.story_id},"
                f" version {change.previous_number} → {change.number}"
                f" · significance {change.significance:.2f} · {escape(change.story_label)}"
            )
            owner = stories.get(change.story_id)
            dropped = alert_rules(app, owner) if owner else None
            report = change_report(change.shifts, dropped=dropped)
            print_report(console, report, SUMMARY, indent=2)


def _no_changes(
    app: AppContext,
    since: float | None,
    types: Sequence[str],
    min_significance: float | None,
    story: StoryRow | None,
) -> str:
    """'no material change of type number in the last 2d (3 in all: `storywatch log`)'."""
    filters = []
    if types:
        filters.append(f"of type {', '.join(types)}")
    if min_significance is not None:
        filters.append(f"with significance {min_significance:.2f} or more")
    if story is not None:
        filters.append(f"in story {story.id}")
    if since is not None:
        filters.append(f"in the last {format_duration(since)}")
    total = app.reader.count_changes()
    message = " ".join(["no material change", *filters])
    if not filters:
        return f"{message} yet ({plural(len(app.reader.list_stories()), 'story')} tracked)"
    return f"{message} ({total} in all: storywatch log)"


@click.command(
    epilog=examples(
        "storywatch search 'has not been finalized'",
        "storywatch search ceasefire --story 1 --json",
    )
)
@click.argument("text")
@click.option(
    "--story", "story_ref", type=StoryRef(), help="Only this story (id, URL prefix or title words)."
)
@pager_option
@json_option
@pass_app
def search(
    app: AppContext, text: str, story_ref: str | None, no_pager: bool, as_json: bool
) -> None:
    """Which versions of which stories contained a phrase, and when it appeared or
    vanished (case and spacing ignored)."""
    try:
        pattern = phrase_pattern(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TEXT") from None
    stories: list[StoryRow] = (
        [resolve(app, story_ref)[0]] if story_ref else app.reader.list_stories()
    )
    found = search_stories(app.reader, pattern, stories)
    if as_json:
        emit_json(search_document(text, found))
        return
    with paged(app, no_pager) as console:
        if not found:
            where = "the story" if story_ref else plural(len(stories), "story")
            console.print(f"No version of {where} contains {text!r}.")
            return
        for story, count, runs in found:
            console.print(
                f"[bold]story {story.id}: {escape(story.label)}[/bold] ({count} versions)"
            )
            for run in runs:
                console.print(f"  {escape(run.describe())}")
                console.print(f"    [dim]{escape(run.snippet)}[/dim]")


@click.command(
    epilog=examples(
        "storywatch export 1 -o report.html",
        "storywatch export 1 --format md > story.md",
        "storywatch export --stories --format opml -o stories.opml",
    )
)
@click.argument("story_ref", required=False, type=StoryRef())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json", "md", "urls", "opml"]),
    help="html, json or md for a story (default html); urls or opml with --stories (default urls).",
)
@click.option(
    "--stories",
    "all_stories",
    is_flag=True,
    help="Write the tracked stories (and, in OPML, feeds) as a list `import` reads back.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write."
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_app
def export(
    app: AppContext,
    story_ref: str | None,
    fmt: str | None,
    all_stories: bool,
    output: Path | None,
    as_json: bool,
) -> None:
    """The whole history of a story as one HTML page, Markdown or JSON; or, with
    --stories, every tracked story and feed as a URL list or OPML."""
    if all_stories:
        if story_ref is not None or fmt not in (None, "urls", "opml") or as_json:
            raise click.UsageError("--stories takes no story and only --format urls or opml")
        _export_stories(app, fmt or "urls", output)
        return
    if story_ref is None:
        raise click.UsageError("name a story to export, or use --stories")
    if fmt in ("urls", "opml"):
        raise click.UsageError(f"--format {fmt} goes with --stories")
    fmt = "json" if as_json else fmt or "html"
    story, story_id = resolve(app, story_ref)
    report = build_report(
        story_info(story, story_id),
        app.reader.version_rows(story_id),
        app.reader.story_texts(story_id),
        utcnow(),
        dropped=alert_rules(app, story),
    )
    if fmt == "json":
        content = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "md":
        content = report_md.render_report(report)
    else:
        content = report_html.render_report(report)
    if output is None:
        sys.stdout.write(content)
        return
    write_output(output, content)
    versions = plural(len(report.versions), "version")
    click.echo(f"wrote {output} ({versions} of story {story_id})")


def _export_stories(app: AppContext, fmt: str, output: Path | None) -> None:
    # The feeds' table (SQLAlchemy) and the list formats (httpx, for URL checks) only
    # here: the other looks back start without them, as `history` does.
    from storywatch.storage.claims import list_feeds
    from storywatch.watcher.imports import Entry, Kind, opml_document, url_list

    entries = [
        Entry(story.url, Kind.STORY, story.name or story.title)
        for story in app.reader.list_stories()
    ]
    if fmt == "urls":  # a plain list cannot say which URL is a feed: stories only
        content = url_list(entries)
    else:
        entries += [Entry(feed.url, Kind.FEED, feed.title) for feed in list_feeds(app.store)]
        content = opml_document(entries)
    if output is None:
        sys.stdout.write(content)
        return
    write_output(output, content)
    click.echo(f"wrote {output} ({plural(len(entries), 'URL')})")
