"""Commands that manage tracked stories: init, add, list, remove."""

from __future__ import annotations

from collections.abc import Sequence

import click
from rich.markup import escape
from rich.table import Table

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.output import when
from storywatch.cli.params import TEXT, Duration, StoryRef
from storywatch.config import format_duration
from storywatch.storage import Story, StoryStatus, current_revision
from storywatch.watcher.urls import validate_url


def story_dict(story: Story) -> dict[str, object]:
    return {
        "id": story.id,
        "url": story.url,
        "name": story.name,
        "title": story.title,
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


@click.command()
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


@click.command()
@click.argument("url", type=TEXT)
@click.option("--name", type=TEXT, help="A short name to show instead of the page title.")
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


@click.command("list")
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
        click.echo("no stories tracked yet: storywatch add URL")
        return
    table = Table(box=None, header_style="bold")
    for column in ("id", "story", "status", "versions", "interval", "last check", "last change"):
        table.add_column(column)
    for story in stories:
        interval = story.interval or story.current_interval
        table.add_row(
            str(story.id),
            escape(story.label),
            story.status,
            str(story.version_count),
            format_duration(interval) if interval else "auto",
            when(story.last_checked_at),
            when(story.last_changed_at),
        )
    app.console.print(table)


@click.command()
@click.argument("story_ref", type=StoryRef())
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
