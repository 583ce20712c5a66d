"""`storywatch check`: fetch stories now, report each, deliver the alerts that are due.

Its own module because it pulls in the whole pipeline (extraction, semantic diff,
channels), which the read-only commands should not pay for at start-up.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import click

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.output import print_shifts, print_word_diff
from storywatch.cli.params import StoryRef
from storywatch.notifiers import build_channels, deliver_due
from storywatch.storage import CheckOutcome, Story, StoryStatus
from storywatch.watcher.fetch import Fetcher
from storywatch.watcher.pipeline import Checker, CheckReport


async def _run_checks(app: AppContext, stories: Sequence[Story]) -> list[CheckReport]:
    limit = asyncio.Semaphore(app.settings.fetch.max_concurrency)
    async with Fetcher(app.settings.fetch) as fetcher:
        checker = Checker(app.store, fetcher, app.settings)

        async def one(story: Story) -> CheckReport:
            async with limit:
                return await checker.check(story)

        try:
            return list(await asyncio.gather(*(one(story) for story in stories)))
        finally:
            checker.close()


def _print_report(app: AppContext, report: CheckReport) -> None:
    label = f"story {report.story_id}"
    if report.outcome == CheckOutcome.NEW_VERSION:
        click.echo(f"{label}: changed, stored version {report.version} ({report.url})")
        if report.diff is not None:
            print_shifts(app.console, report.diff.shifts, sentences=False)
        if report.text_diff is not None:
            print_word_diff(app.console, report.text_diff, context=8)
    elif report.outcome in (CheckOutcome.UNCHANGED, CheckOutcome.NOT_MODIFIED):
        how = " (304 not modified)" if report.outcome == CheckOutcome.NOT_MODIFIED else ""
        click.echo(f"{label}: unchanged{how}")
    else:
        click.echo(f"{label}: {report.outcome}: {report.error}", err=True)


@click.command()
@click.argument("story_refs", nargs=-1, type=StoryRef())
@click.option("--all", "check_all", is_flag=True, help="Check every active story (the default).")
@click.option("--no-alerts", is_flag=True, help="Record alerts but do not deliver them now.")
@json_option
@pass_app
def check(
    app: AppContext, story_refs: Sequence[str], check_all: bool, no_alerts: bool, as_json: bool
) -> None:
    """Fetch stories now and report changed / unchanged / failed for each."""
    if story_refs and check_all:
        raise click.UsageError("give story ids or --all, not both")
    if story_refs:
        stories = [app.store.resolve_story(ref) for ref in story_refs]
    else:
        stories = [s for s in app.store.list_stories() if s.status != StoryStatus.ARCHIVED]
    if not stories and not as_json:
        click.echo("no stories to check: storywatch add URL")
    reports = asyncio.run(_run_checks(app, stories))
    if not as_json:
        for report in reports:
            _print_report(app, report)
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
