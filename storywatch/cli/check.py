"""`storywatch check`: fetch stories now, report each, deliver the alerts that are due.

Its own module because it pulls in the whole pipeline (extraction, semantic diff,
channels), which the read-only commands should not pay for at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
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

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import print_report
from storywatch.cli.params import StoryRef
from storywatch.diff.report import SUMMARY, change_report
from storywatch.history.documents import story_json
from storywatch.notifiers.outbox import build_channels, deliver_due
from storywatch.notifiers.rules import story_rules
from storywatch.storage import CheckOutcome, Story, StoryStatus
from storywatch.watcher.interrupt import INTERRUPT_GRACE, run_abandoning_threads
from storywatch.watcher.pipeline import Checker, CheckReport
from storywatch.watcher.politeness import polite_fetcher


async def _run_checks(
    app: AppContext, stories: Sequence[Story], now: bool, on_report: Callable[[CheckReport], None]
) -> bool:
    """Check every story through the same polite fetcher as `run` (robots.txt, per-host
    concurrency and delay, Retry-After pauses), reporting each as it finishes; return
    whether Ctrl-C stopped it.

    Ctrl-C starts no new fetch and cancels the checks still fetching or extracting:
    nothing of theirs is stored, and they cost nothing to redo. The checks already
    handing their outcome to the database get INTERRUPT_GRACE seconds to land and be
    reported. One that has not landed by then (its write waiting out the database's
    busy timeout behind another process's lock) is abandoned with its thread, which
    nothing joins: its transaction (version, check, alerts) commits whole or not at
    all, and its alerts are delivered from the outbox, once, whenever it commits."""
    loop = asyncio.get_running_loop()
    # Each check as it finishes, and None for each Ctrl-C.
    finished: asyncio.Queue[asyncio.Future[CheckReport] | None] = asyncio.Queue()
    loop.add_signal_handler(signal.SIGINT, finished.put_nowait, None)
    interrupted = False
    try:
        async with polite_fetcher(app.settings.fetch, skip_delay=now) as fetcher:
            checker = Checker(app.store, fetcher, app.settings)
            checks = {asyncio.ensure_future(checker.check(story)): story.id for story in stories}
            for task in checks:
                task.add_done_callback(finished.put_nowait)
            unreported = set(checks)
            try:
                while unreported and not interrupted:
                    done = await finished.get()
                    if done is None:
                        interrupted = True
                    else:
                        unreported.discard(done)
                        on_report(done.result())
                if interrupted:
                    storing = {task for task in unreported if checks[task] in checker.storing}
                    for task in unreported - storing:
                        task.cancel()
                    if storing:
                        click.echo(
                            f"stopping: letting {len(storing)} check(s) finish storing"
                            f" (at most {INTERRUPT_GRACE:g}s; Ctrl-C again to stop now)",
                            err=True,
                        )
                        await _report_landed(storing, finished, on_report)
            finally:
                for task in checks:
                    task.cancel()
                checker.close(abandon=interrupted)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    return interrupted


async def _report_landed(
    storing: set[asyncio.Task[CheckReport]],
    finished: asyncio.Queue[asyncio.Future[CheckReport] | None],
    on_report: Callable[[CheckReport], None],
) -> None:
    """Report the checks of ``storing`` whose outcome is stored within INTERRUPT_GRACE
    seconds, or until another Ctrl-C; one whose write failed (the database locked or
    down) was not checked."""
    try:
        async with asyncio.timeout(INTERRUPT_GRACE):
            while storing:
                done = await finished.get()  # the cancelled checks pass by
                if done is None:
                    return
                if done in storing:
                    storing.discard(done)
                    if done.exception() is None:
                        on_report(done.result())
    except TimeoutError:
        pass  # the rest are abandoned


def _print_report(app: AppContext, report: CheckReport, story: Story) -> None:
    """What the check found, as the change report: each change once, the shifts no alert
    rule fired for dimmed with the reason."""
    label = f"story {report.story_id}"
    if report.outcome == CheckOutcome.NEW_VERSION:
        click.echo(f"{label}: changed, stored version {report.version} ({report.url})")
        if report.diff is not None:
            change = change_report(
                report.diff.shifts,
                headline=report.diff.headline,
                text=report.text_diff,
                dropped=story_rules(app.settings.alerts.rules, story.url, story.tags),
            )
            print_report(app.console, change, SUMMARY, indent=2)
            if report.text_diff is not None and report.text_diff.changed:
                words = f"+{report.text_diff.words_added} -{report.text_diff.words_removed}"
                app.console.print(
                    f"  [dim]word diff ({words} words):"
                    f" storywatch diff {report.story_id} {report.version}[/dim]"
                )
    elif report.outcome in (CheckOutcome.UNCHANGED, CheckOutcome.NOT_MODIFIED):
        how = " (304 not modified)" if report.outcome == CheckOutcome.NOT_MODIFIED else ""
        click.echo(f"{label}: unchanged{how}")
    else:
        click.echo(f"{label}: {report.outcome}: {report.error}", err=True)


def _check_dict(report: CheckReport, story: Story) -> dict[str, object]:
    data = report.to_dict()
    del data["url"]
    headline = report.diff.headline if report.diff else None
    return {
        **data,
        "story": story_json(story),
        "headline": headline.to_dict() if headline else None,
    }


@click.command(
    epilog=examples(
        "storywatch check                 # every active story, politely",
        'storywatch check 12 "deal talks" --now',
        "storywatch check --all --json | jq '.checks[] | select(.outcome == \"new_version\")'",
    )
)
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
    finishes: a change as its report (the headline, each changed sentence with its
    shifts, claims added and removed); then deliver the alerts that are due. Ctrl-C
    stops: what was checked is kept and listed, exit status 130."""
    if story_refs and check_all:
        raise click.UsageError("give story ids or --all, not both")
    if story_refs:
        stories = [app.store.resolve_story(ref) for ref in story_refs]
    else:
        stories = [s for s in app.store.list_stories() if s.status != StoryStatus.ARCHIVED]
    if not stories and not as_json:
        click.echo("no stories to check: storywatch add URL")
    reports: list[CheckReport] = []
    progress = None if as_json else CheckProgress(app, stories)
    started = time.monotonic()

    def on_report(report: CheckReport) -> None:
        reports.append(report)
        if progress is not None:
            progress.add(report)

    with progress if progress is not None else contextlib.nullcontext():
        interrupted = run_abandoning_threads(_run_checks(app, stories, now, on_report))
    if interrupted:
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
        # The changes printed above (or carried by the JSON) are not printed again by the
        # console channel: a change appears once.
        shown = [
            (r.story_id, r.version)
            for r in reports
            if r.outcome == CheckOutcome.NEW_VERSION and r.version is not None
        ]
        channels = build_channels(app.settings, shown=shown)
        delivery = deliver_due(app.store, channels, app.settings.alerts)
        if not as_json and (delivery.sent or delivery.retried or delivery.dead):
            click.echo(
                f"alerts: sent {delivery.sent}"
                + (f", retrying {delivery.retried}" if delivery.retried else "")
                + (f", dead {delivery.dead} (storywatch alerts --failed)" if delivery.dead else "")
            )
    if as_json:
        # Read again: a first version gives a story its title.
        by_id = {story.id: story for story in app.store.list_stories()}
        emit_json(
            {
                "checks": [_check_dict(r, by_id[r.story_id]) for r in reports],
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

    def __init__(self, app: AppContext, stories: Sequence[Story]) -> None:
        self.app = app
        self.stories = {story.id: story for story in stories}
        total = len(stories)
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
        _print_report(self.app, report, self.stories[report.story_id])
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=1, changed=self.changed, failed=self.failed)
