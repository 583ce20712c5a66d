"""Commands that manage tracked stories: init, add, list, remove."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import fitted_table, when
from storywatch.cli.params import TEXT, Duration, StoryRef
from storywatch.config.durations import format_duration
from storywatch.errors import InputError
from storywatch.history.documents import tracked_story
from storywatch.storage.schema import StoryStatus

if TYPE_CHECKING:  # `list` shares this module and reads without SQLAlchemy or httpx
    pass


@click.command(
    epilog=examples(
        "storywatch init",
        "storywatch --db postgresql://storywatch@db.internal/storywatch init",
    )
)
@json_option
@pass_app
def init(app: AppContext, as_json: bool) -> None:
    """Create (or upgrade) the database."""
    from storywatch.storage.db import current_revision  # SQLAlchemy: not for `list`

    store = app.store
    info = {"database": app.settings.database.url, "schema": current_revision(store.engine)}
    if as_json:
        emit_json(info)
    else:
        click.echo(f"database ready: {info['database']} (schema {info['schema']})")


@click.command(
    epilog=examples(
        'storywatch add https://example.com/news/story --name "Deal talks" --interval 15m',
        "storywatch add https://example.com/a https://example.com/b --tag politics",
    )
)
@click.argument("urls", metavar="URL...", nargs=-1, required=True, type=TEXT)
@click.option(
    "--name", type=TEXT, help="A short name to show instead of the page title (one URL only)."
)
@click.option(
    "--interval",
    type=Duration(positive=True),
    help="Fixed check interval, e.g. 15m (default: adaptive).",
)
@click.option("--tag", "tags", type=TEXT, multiple=True, help="Tag for alert rules (repeatable).")
@click.option("--ignore-robots", is_flag=True, help="Fetch even where robots.txt disallows it.")
@json_option
@pass_app
def add(
    app: AppContext,
    urls: Sequence[str],
    name: str | None,
    interval: float | None,
    tags: Sequence[str],
    ignore_robots: bool,
    as_json: bool,
) -> None:
    """Track one or more story URLs (for a whole list, see `import`)."""
    from storywatch.watcher.urls import url_to_track  # httpx: a third of a second, not for `list`

    respect_robots = False if ignore_robots else None
    if len(urls) > 1:
        if name is not None:
            raise click.UsageError("--name names one story: give one URL with it")
        _add_many(app, urls, interval, tags, respect_robots, as_json)
        return
    url = url_to_track(urls[0], allow_private=app.settings.fetch.allow_private)
    story = app.store.add_story(
        url,
        name=name,
        interval=interval,
        tags=tags,
        respect_robots=respect_robots,
    )
    if as_json:
        emit_json(tracked_story(story))
    else:
        click.echo(f"tracking story {story.id}: {story.url} (run `storywatch check {story.id}`)")


def _add_many(
    app: AppContext,
    urls: Sequence[str],
    interval: float | None,
    tags: Sequence[str],
    respect_robots: bool | None,
    as_json: bool,
) -> None:
    """Several URLs: the valid ones are added together, each problem is one line."""
    from storywatch.watcher.imports import Entry, trackable  # httpx: not for `list`

    valid, refused = trackable(
        [Entry(url) for url in urls], allow_private=app.settings.fetch.allow_private
    )
    invalid = [problem.reason for problem in refused]
    added, known = app.store.add_stories(
        [(entry.url, None) for entry in valid],
        interval=interval,
        tags=tags,
        respect_robots=respect_robots,
    )
    if as_json:
        emit_json(
            {
                "added": [tracked_story(story) for story in added],
                "already_tracked": [tracked_story(story) for story in known],
                "invalid": invalid,
            }
        )
        return
    for problem in invalid:
        click.echo(f"not added: {problem}", err=True)
    for story in known:
        click.echo(f"already tracked: {story.url} (story {story.id})", err=True)
    for story in added:
        click.echo(f"tracking story {story.id}: {story.url}")


@click.command(
    "list",
    epilog=examples(
        "storywatch list",
        "storywatch list --status failing",
        "storywatch list --json",
    ),
)
@click.option(
    "--status",
    type=click.Choice(
        [
            StoryStatus.ACTIVE,
            StoryStatus.FAILING,
            StoryStatus.ARCHIVED,
            StoryStatus.UNPUBLISHED,
            StoryStatus.MOVED,
        ]
    ),
)
@json_option
@pass_app
def list_stories(app: AppContext, status: str | None, as_json: bool) -> None:
    """List tracked stories."""
    stories = app.reader.list_stories(status)
    if as_json:
        emit_json([tracked_story(s) for s in stories])
        return
    if not stories:
        click.echo(_nothing_listed(app, status))
        return
    headers = ("id", "story", "status", "versions", "interval", "last check", "last change")
    rows = []
    for story in stories:
        interval = story.interval or story.current_interval
        # A story answering 404 stays "active" until it has failed `failing_after` times
        # in a row: its error count says so at a glance, its last error below the table.
        status = story.status
        if story.error_count and status != StoryStatus.FAILING:
            status = f"{status}, {story.error_count} error{'s' * (story.error_count > 1)}"
        rows.append(
            (
                str(story.id),
                escape(story.label),
                f"[red]{status}[/red]" if story.error_count else status,
                str(story.version_count),
                format_duration(interval) if interval else "auto",
                when(story.last_checked_at),
                when(story.last_changed_at),
            )
        )
    app.console.print(fitted_table(headers, rows, shrink=1, width=app.console.width))
    for story in stories:
        if story.error_count and story.last_error:
            app.console.print(f"[red]story {story.id}:[/red] {escape(story.last_error)}")


def _nothing_listed(app: AppContext, status: str | None) -> str:
    """'no story is failing (8 tracked)', or how to start."""
    tracked = len(app.reader.list_stories()) if status else 0
    if not tracked:
        return "no stories tracked yet: storywatch add URL"
    return f"no story is {status} ({tracked} tracked)"


@click.command(
    epilog=examples(
        "storywatch remove 12 --archive     # stop checking, keep every version",
        "storywatch remove 12 --yes         # delete the story and its history, no question",
    )
)
@click.argument("story_ref", type=StoryRef())
@click.option("--archive", is_flag=True, help="Stop checking the story but keep its history.")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking (for scripts).")
@json_option
@pass_app
def remove(app: AppContext, story_ref: str, archive: bool, yes: bool, as_json: bool) -> None:
    """Stop tracking a story and delete its history (asks first on a terminal), or keep
    the history with --archive."""
    story = app.store.resolve_story(story_ref)
    assert story.id is not None
    if archive:
        app.store.archive_story(story.id)
        if as_json:
            emit_json({"archived": story.id, "url": story.url})
        else:
            click.echo(f"archived story {story.id}: {story.url} (history kept, no more checks)")
        return
    if not yes:
        what = f"story {story.id} ({story.url}) and its {story.version_count} version(s)"
        if not sys.stdin.isatty():
            raise InputError(f"remove would delete {what}: pass --yes, or --archive to keep them")
        if not click.confirm(f"Delete {what}?", default=False):
            click.echo("nothing removed")
            return
    app.store.remove_story(story.id)
    if as_json:
        emit_json({"removed": story.id, "url": story.url})
    else:
        click.echo(f"removed story {story.id}: {story.url}")
