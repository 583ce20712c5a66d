"""`storywatch check`: fetch stories now, report each, deliver the alerts that are due.

Its own module because it pulls in the whole pipeline (extraction, semantic diff,
channels), which the read-only commands should not pay for at start-up.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import click

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import print_report, story_json
from storywatch.diff.report import SUMMARY, change_report
from storywatch.notifiers.outbox import build_channels, deliver_due
from storywatch.notifiers.rules import story_rules
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
                dropped=story_rules(app.settings.alerts, story.url, story.tags),
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
        "storywatch check",
        "storywatch check 1 3",
        "storywatch check --no-alerts --json",
    )
)
@click.argument("story_refs", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every active story (the default).")
@click.option("--no-alerts", is_flag=True, help="Record alerts but do not deliver them now.")
@json_option
@pass_app
def check(
    app: AppContext, story_refs: Sequence[str], check_all: bool, no_alerts: bool, as_json: bool
) -> None:
    """Fetch stories now and report changed / unchanged / failed for each: a change as
    its report (the headline, each changed sentence with its shifts, claims added and
    removed); then deliver the alerts that are due."""
    if story_refs and check_all:
        raise click.UsageError("give story ids or --all, not both")
    if story_refs:
        stories = [app.store.resolve_story(ref) for ref in story_refs]
    else:
        stories = [s for s in app.store.list_stories() if s.status != StoryStatus.ARCHIVED]
    if not stories and not as_json:
        click.echo("no stories to check: storywatch add URL")
    reports = asyncio.run(_run_checks(app, stories))
    # Read again: a first version gives a story its title.
    by_id = {story.id: story for story in app.store.list_stories()}
    if not as_json:
        for report in reports:
            _print_report(app, report, by_id[report.story_id])
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
        emit_json(
            {
                "checks": [_check_dict(r, by_id[r.story_id]) for r in reports],
                "alerts": delivery.to_dict() if delivery else None,
            }
        )
    failed = [r for r in reports if r.outcome in (CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS)]
    if failed:
        sys.exit(2)
