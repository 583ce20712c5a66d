"""Commands that manage tracked stories: init, add, list, remove."""

from __future__ import annotations

from collections.abc import Sequence

import click
from rich.markup import escape

from storywatch.cli.context import (
    AppContext,
    duration_callback,
    emit_json,
    examples,
    json_option,
    pass_app,
)
from storywatch.cli.output import fitted_table, story_json, when
from storywatch.config import format_duration
from storywatch.storage import Story, StoryStatus, current_revision
from storywatch.watcher.urls import validate_url


def story_dict(story: Story) -> dict[str, object]:
    """A tracked story in full (``list``, ``add``): the story fields every JSON output
    shares, then its schedule and state."""
    return {
        **story_json(story),
        "tags": [t for t in story.tags.split(",") if t],
        "status": story.status,
        "versions": story.version_count,
        "interval": story.interval,
        "added_at": story.added_at,
        "last_checked_at": story.last_checked_at,
        "last_changed_at": story.last_changed_at,
        "next_check_at": story.next_check_at,
        "error_count": story.error_count,
        "last_error": story.last_error,
    }


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
    store = app.store
    info = {"database": app.settings.database.url, "schema": current_revision(store.engine)}
    if as_json:
        emit_json(info)
    else:
        click.echo(f"database ready: {info['database']} (schema {info['schema']})")


@click.command(
    epilog=examples(
        'storywatch add https://example.com/news/story --name "Deal talks"',
        "storywatch add https://example.com/news/story --interval 15m --tag politics",
    )
)
@click.argument("url")
@click.option("--name", help="A short name to show instead of the page title.")
@click.option(
    "--interval",
    callback=duration_callback,
    help="Fixed check interval, e.g. 15m (default: adaptive).",
)
@click.option("--tag", "tags", multiple=True, help="Tag for alert rules (repeatable).")
@click.option("--ignore-robots", is_flag=True, help="Fetch even where robots.txt disallows it.")
@json_option
@pass_app
def add(
    app: AppContext,
    url: str,
    name: str | None,
    interval: float | None,
    tags: Sequence[str],
    ignore_robots: bool,
    as_json: bool,
) -> None:
    """Track a story URL."""
    story = app.store.add_story(
        validate_url(url),
        name=name,
        interval=interval,
        tags=tags,
        respect_robots=False if ignore_robots else None,
    )
    if as_json:
        emit_json(story_dict(story))
    else:
        click.echo(f"tracking story {story.id}: {story.url} (run `storywatch check {story.id}`)")


@click.command(
    "list",
    epilog=examples(
        "storywatch list",
        "storywatch list --status failing",
        "storywatch list --json",
    ),
)
@click.option(
    "--status", type=click.Choice([StoryStatus.ACTIVE, StoryStatus.FAILING, StoryStatus.ARCHIVED])
)
@json_option
@pass_app
def list_stories(app: AppContext, status: str | None, as_json: bool) -> None:
    """List tracked stories."""
    stories = app.store.list_stories(status)
    if as_json:
        emit_json([story_dict(s) for s in stories])
        return
    if not stories:
        click.echo(_nothing_listed(app, status))
        return
    headers = ("id", "story", "status", "versions", "interval", "last check", "last change")
    rows = [
        (
            str(story.id),
            escape(story.label),
            story.status,
            str(story.version_count),
            format_duration(interval)
            if (interval := story.interval or story.current_interval)
            else "auto",
            when(story.last_checked_at),
            when(story.last_changed_at),
        )
        for story in stories
    ]
    app.console.print(fitted_table(headers, rows, shrink=1, width=app.console.width))


def _nothing_listed(app: AppContext, status: str | None) -> str:
    """'no story is failing (8 tracked)', or how to start."""
    tracked = len(app.store.list_stories()) if status else 0
    if not tracked:
        return "no stories tracked yet: storywatch add URL"
    return f"no story is {status} ({tracked} tracked)"


@click.command(
    epilog=examples(
        "storywatch remove 3",
        'storywatch remove "deal talks"',
    )
)
@click.argument("story_ref")
@json_option
@pass_app
def remove(app: AppContext, story_ref: str, as_json: bool) -> None:
    """Stop tracking a story and delete its history."""
    story = app.store.resolve_story(story_ref)
    assert story.id is not None
    app.store.remove_story(story.id)
    if as_json:
        emit_json({"removed": story.id, "url": story.url})
    else:
        click.echo(f"removed story {story.id}: {story.url}")
