"""`storywatch check`: fetch stories now, report each, deliver the alerts that are due.

Its own module because it pulls in the whole pipeline (extraction, semantic diff,
channels), which the read-only commands should not pay for at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from types import TracebackType

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.output import print_shifts, print_word_diff
from storywatch.cli.params import StoryRef
from storywatch.notifiers import build_channels, deliver_due
from storywatch.storage import CheckOutcome, Story, StoryStatus
from storywatch.watcher.pipeline import Checker, CheckReport
from storywatch.watcher.politeness import polite_fetcher


async def _run_checks(
    app: AppContext, stories: Sequence[Story], now: bool, on_report: Callable[[CheckReport], None]
) -> None:
    """Check every story through the same polite fetcher as `run` (robots.txt, per-host
    concurrency and delay, Retry-After pauses), reporting each as it finishes."""
    async with polite_fetcher(app.settings.fetch, skip_delay=now) as fetcher:
        checker = Checker(app.store, fetcher, app.settings)
        tasks = [asyncio.ensure_future(checker.check(story)) for story in stories]
        try:
            for finished in asyncio.as_completed(tasks):
                on_report(await finished)
        finally:
            for task in tasks:
                task.cancel()
            checker.close()


def _print_report(app: AppContext, report: CheckReport) -> None:
    label = f"story {report.story_id}"
    if report.outcome == CheckOutcome.NEW_VERSION:
        click.echo(f"{label}: changed, stored version {report.version} ({report.url})")
        if report.diff is not None:
            print_shifts(
                app.console, report.diff.shifts, sentences=False, headline=report.diff.headline
            )
        if report.text_diff is not None:
            print_word_diff(app.console, report.text_diff, context=8)
    elif report.outcome in (CheckOutcome.UNCHANGED, CheckOutcome.NOT_MODIFIED):
        how = " (304 not modified)" if report.outcome == CheckOutcome.NOT_MODIFIED else ""
        click.echo(f"{label}: unchanged{how}")
    else:
        click.echo(f"{label}: {report.outcome}: {report.error}", err=True)


_EPILOG = """\b
Examples:
  storywatch check                 # every active story, politely
  storywatch check 12 "deal talks" --now
  storywatch check --all --json | jq '.checks[] | select(.outcome == "new_version")'
"""


@click.command(epilog=_EPILOG)
@click.argument("story_refs", nargs=-1, type=StoryRef())
@click.option("--all", "check_all", is_flag=True, help="Check every active story (the default).")
@click.option(
    "--now",
    is_flag=True,
    help="Skip the per-host delay between requests (robots.txt and its Crawl-delay still hold).",
)
@click.option("--no-alerts", is_flag=True, help="Record alerts but do not deliver them now.")
@json_option
@pass_app
def check(
    app: AppContext,
    story_refs: Sequence[str],
    check_all: bool,
    now: bool,
    no_alerts: bool,
    as_json: bool,
) -> None:
    """Fetch stories now and report changed / unchanged / failed for each, as each
    finishes. Ctrl-C stops: what was checked is kept and listed, exit status 130."""
    if story_refs and check_all:
        raise click.UsageError("give story ids or --all, not both")
    if story_refs:
        stories = [app.store.resolve_story(ref) for ref in story_refs]
    else:
        stories = [s for s in app.store.list_stories() if s.status != StoryStatus.ARCHIVED]
    if not stories and not as_json:
        click.echo("no stories to check: storywatch add URL")
    reports: list[CheckReport] = []
    progress = None if as_json else CheckProgress(app, len(stories))
    started = time.monotonic()

    def on_report(report: CheckReport) -> None:
        reports.append(report)
        if progress is not None:
            progress.add(report)

    try:
        with progress if progress is not None else contextlib.nullcontext():
            asyncio.run(_run_checks(app, stories, now, on_report))
    except KeyboardInterrupt:
        checked = {r.story_id for r in reports}
        left = [s.id for s in stories if s.id not in checked]
        click.echo(
            f"interrupted: {_summary(reports, time.monotonic() - started)}; "
            f"not checked: {len(left)} ({', '.join(map(str, left[:20]))}"
            f"{' …' if len(left) > 20 else ''})",
            err=True,
        )
        sys.exit(130)
    if progress is not None and stories:
        click.echo(_summary(reports, time.monotonic() - started))
    delivery = None
    if not no_alerts:
        delivery = deliver_due(app.store, build_channels(app.settings), app.settings.alerts)
    if as_json:
        emit_json(
            {
                "checks": [r.to_dict() for r in reports],
                "alerts": delivery.to_dict() if delivery else None,
            }
        )
    failed = [r for r in reports if r.outcome in (CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS)]
    if failed:
        sys.exit(2)


def _summary(reports: Sequence[CheckReport], elapsed: float) -> str:
    changed = sum(r.outcome == CheckOutcome.NEW_VERSION for r in reports)
    failed = sum(r.outcome in (CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS) for r in reports)
    unchanged = len(reports) - changed - failed
    return (
        f"checked {len(reports)}: {changed} changed, {unchanged} unchanged, {failed} failed"
        f" in {elapsed:.1f}s"
    )


class CheckProgress:
    """Each story's result as it finishes; on a terminal, under a live progress bar
    (done/total, changed, failed, elapsed, ETA); piped, plain lines as they come."""

    def __init__(self, app: AppContext, total: int) -> None:
        self.app = app
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.changed = self.failed = 0
        if app.console.is_terminal and total > 1:
            self.bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[changed]} changed, {task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=app.console,
                transient=True,
            )
            self.task = self.bar.add_task("check", total=total, changed=0, failed=0)

    def __enter__(self) -> CheckProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def add(self, report: CheckReport) -> None:
        self.changed += report.outcome == CheckOutcome.NEW_VERSION
        self.failed += report.outcome in (CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS)
        _print_report(self.app, report)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=1, changed=self.changed, failed=self.failed)
