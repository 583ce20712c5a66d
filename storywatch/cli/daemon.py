"""Commands for the daemon: run, status, and the feeds it polls."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta

import click
from rich.markup import escape
from rich.table import Table

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import when
from storywatch.cli.params import RECORD_ID, TEXT, Duration
from storywatch.config import format_duration
from storywatch.config.durations import MAX_TIMEOUT
from storywatch.logs import setup_logging
from storywatch.storage import Feed, claims, utcnow
from storywatch.watcher.feeds import compile_pattern
from storywatch.watcher.interrupt import run_abandoning_threads
from storywatch.watcher.service import Service
from storywatch.watcher.urls import url_to_track

ALIVE_TICKS = 3  # a worker is alive while its heartbeat is at most this many ticks old


@click.command(
    epilog=examples(
        "storywatch run --serve",
        "storywatch run --once",
        "storywatch run --grace 30s --log-format json",
    )
)
@click.option(
    "--grace",
    default="30s",
    type=Duration(maximum=MAX_TIMEOUT),
    show_default=True,
    help="On SIGTERM/SIGINT, how long in-flight checks may take to finish.",
)
@click.option("--once", is_flag=True, help="Check what is due, deliver alerts, and exit.")
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), help="Log lines as text or JSON."
)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.option(
    "--serve",
    "with_web",
    is_flag=True,
    help="Serve the web pages too (serve.host, serve.port, serve.token; see `serve`).",
)
@pass_app
def run(
    app: AppContext,
    grace: float,
    once: bool,
    log_format: str | None,
    log_level: str | None,
    with_web: bool,
) -> None:
    """Run the watcher in the foreground until SIGTERM or Ctrl-C.

    Several `storywatch run` processes may share one PostgreSQL database (on one or
    many machines); with SQLite, run them on one machine only."""
    setup_logging(log_level or app.settings.log.level, log_format or app.settings.log.format)
    # What start-up built (modules, classes, settings) lives as long as the process:
    # frozen, it is no longer walked by every full garbage collection of a daemon that
    # runs for months.
    gc.freeze()
    if not with_web:
        _run(app, grace, once)
        return
    from storywatch.web.server import WebServer

    web = app.settings.serve
    app.store  # noqa: B018  (opened, and so migrated, before the read-only web store)
    token = web.token.get_secret_value() if web.token else None
    server = WebServer(app.settings, web.host, web.port, token)
    server.start()
    try:
        _run(app, grace, once)
    finally:
        server.stop()


def _run(app: AppContext, grace: float, once: bool) -> None:
    if once:
        asyncio.run(_run_once(app))
    else:
        # A stopped service has abandoned the threads still waiting on the database (see
        # Service._wind_down): nothing may wait for them.
        run_abandoning_threads(_serve(app, grace))


async def _serve(app: AppContext, grace: float) -> None:
    await Service(app.settings, app.store).serve(grace=grace)


async def _run_once(app: AppContext) -> None:
    service = Service(app.settings, app.store)
    try:
        await service.run_once()  # its pass ends with a summary line in the log
    finally:
        await service.close()


@click.command(
    epilog=examples(
        "storywatch status",
        "storywatch status --json",
    )
)
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Workers alive, stories due / overdue / failing / archived, recent errors."""
    now = utcnow()
    tick = app.settings.schedule.tick
    alive_since = now - timedelta(seconds=ALIVE_TICKS * tick)
    workers = claims.list_workers(app.store)
    counts = claims.story_counts(app.store, now=now, overdue_after=max(60.0, ALIVE_TICKS * tick))
    feeds = claims.list_feeds(app.store)
    report = {
        "workers": [
            {
                "id": w.id,
                "host": w.host,
                "pid": w.pid,
                "started_at": w.started_at,
                "heartbeat_at": w.heartbeat_at,
                "alive": w.heartbeat_at >= alive_since,
                "checks_done": w.checks_done,
            }
            for w in workers
        ],
        "workers_alive": sum(1 for w in workers if w.heartbeat_at >= alive_since),
        "stories": {
            "total": counts.total,
            "active": counts.active,
            "due": counts.due,
            "overdue": counts.overdue,
            "in_progress": counts.leased,
            "failing": counts.failing,
            "archived": counts.archived,
        },
        "feeds": len(feeds),
        "checks_last_10m": counts.checks_last_10m,
        "checks_per_minute": counts.checks_per_minute,
        "last_errors": [
            {"story": e.story_id, "url": e.url, "error": e.error, "checked_at": e.checked_at}
            for e in counts.last_errors
        ],
    }
    if as_json:
        emit_json(report)
        return
    console = app.console
    alive = report["workers_alive"]
    console.print(f"[bold]workers:[/bold] {alive} alive of {len(workers)} registered")
    for w in workers:
        state = "alive" if w.heartbeat_at >= alive_since else "silent"
        console.print(
            f"  {escape(w.id)}  {state}, heartbeat {when(w.heartbeat_at)}, {w.checks_done} checks"
        )
    console.print(
        f"[bold]stories:[/bold] {counts.total} tracked, {counts.active} active, "
        f"{counts.due} due ({counts.overdue} overdue), {counts.leased} being checked, "
        f"{counts.failing} failing, {counts.archived} archived; {len(feeds)} feeds"
    )
    console.print(f"[bold]checks:[/bold] {counts.checks_per_minute:.1f}/min over the last 10 min")
    if counts.last_errors:
        console.print("[bold]last errors:[/bold]")
        for error in counts.last_errors:
            console.print(
                f"  story {error.story_id} ({when(error.checked_at)}): {escape(error.error)}"
            )


def feed_dict(feed: Feed, stories: int = 0) -> dict[str, object]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "include": feed.include,
        "exclude": feed.exclude,
        "interval": feed.interval,
        "stories": stories,
        "last_checked_at": feed.last_checked_at,
        "next_check_at": feed.next_check_at,
        "error_count": feed.error_count,
        "last_error": feed.last_error,
    }


@click.command(
    "add-feed",
    epilog=examples(
        "storywatch add-feed https://www.theguardian.com/world/rss",
        "storywatch add-feed https://example.com/world/rss.xml --include 'ukraine|russia'",
    ),
)
@click.argument("url", type=TEXT)
@click.option("--include", type=TEXT, help="Only entries whose title or URL matches this regex.")
@click.option("--exclude", type=TEXT, help="Skip entries whose title or URL matches this regex.")
@click.option(
    "--interval", type=Duration(positive=True), help="Poll interval, e.g. 10m (default: 15m)."
)
@json_option
@pass_app
def add_feed(
    app: AppContext,
    url: str,
    include: str | None,
    exclude: str | None,
    interval: float | None,
    as_json: bool,
) -> None:
    """Poll an RSS/Atom feed, or a (Google News) sitemap, and track each new entry as a story."""
    compile_pattern(include, "--include")
    compile_pattern(exclude, "--exclude")
    url = url_to_track(url, allow_private=app.settings.fetch.allow_private)
    feed = claims.add_feed(app.store, url, include=include, exclude=exclude, interval=interval)
    if as_json:
        emit_json(feed_dict(feed))
    else:
        click.echo(f"polling feed {feed.id}: {feed.url} (new entries become stories)")


@click.command(
    "feeds",
    epilog=examples(
        "storywatch feeds",
        "storywatch feeds --json",
    ),
)
@json_option
@pass_app
def feeds(app: AppContext, as_json: bool) -> None:
    """List the feeds being polled."""
    rows = claims.list_feeds(app.store)
    counts = claims.feed_story_counts(app.store)
    if as_json:
        emit_json([feed_dict(f, counts.get(f.id or 0, 0)) for f in rows])
        return
    if not rows:
        click.echo("no feeds yet: storywatch add-feed URL")
        return
    table = Table(box=None, header_style="bold")
    for column in ("id", "feed", "stories", "interval", "last poll", "error"):
        table.add_column(column)
    for feed in rows:
        table.add_row(
            str(feed.id),
            escape(feed.title or feed.url),
            str(counts.get(feed.id or 0, 0)),
            format_duration(feed.interval) if feed.interval else "default",
            when(feed.last_checked_at),
            escape(feed.last_error or ""),
        )
    app.console.print(table)


@click.command(
    "remove-feed",
    epilog=examples(
        "storywatch remove-feed 2",
    ),
)
@click.argument("feed_id", type=RECORD_ID)
@json_option
@pass_app
def remove_feed(app: AppContext, feed_id: int, as_json: bool) -> None:
    """Stop polling a feed (its stories stay tracked)."""
    feed = claims.remove_feed(app.store, feed_id)
    if as_json:
        emit_json({"removed": feed.id, "url": feed.url})
    else:
        click.echo(f"removed feed {feed.id}: {feed.url} (its stories stay tracked)")
