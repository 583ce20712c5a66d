"""``storywatch alerts`` (the outbox: list, retry) and ``storywatch notify`` (channels)."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import fitted_table, when
from storywatch.cli.params import LIMIT, RECORD_ID, StoryRef
from storywatch.config.settings import CHANNEL_NAMES
from storywatch.errors import ConfigError, DeliveryError
from storywatch.history import times
from storywatch.history.documents import story_json
from storywatch.notifiers.channels import scrub
from storywatch.notifiers.message import AlertMessage, one_line, sample_payload
from storywatch.notifiers.outbox import MISSING_SETTING, build_channels, deliver_due
from storywatch.storage import Story, outbox
from storywatch.storage.models import Alert
from storywatch.storage.schema import AlertStatus, utcnow


def alert_dict(alert: Alert, story: Story | None) -> dict[str, Any]:
    """The JSON view of an outbox row: no payload body, nothing secret."""
    payload = alert.payload or {}
    return {
        "id": alert.id,
        "key": alert.key,
        "story": story_json(story)
        if story
        else {"id": alert.story_id, "url": None, "name": None, "title": None},
        "version": payload.get("version"),
        "channel": alert.channel,
        "status": alert.status,
        "reason": alert.reason,
        "summary": _summary(payload),
        "attempts": alert.attempts,
        "created_at": times.iso(alert.created_at),
        "next_attempt_at": times.iso(alert.next_attempt_at),
        "sent_at": times.iso(alert.sent_at) if alert.sent_at else None,
        "last_error": scrub(alert.last_error) if alert.last_error else None,
    }


def _summary(payload: dict[str, Any]) -> str | None:
    # Payloads of schema 1 called the summary "headline".
    value = payload.get("summary" if payload.get("schema", 1) >= 2 else "headline")
    return str(value) if value else None


def _detail(alert: Alert) -> str:
    if alert.status == AlertStatus.DEAD and alert.last_error:
        return scrub(alert.last_error)
    if alert.status == AlertStatus.PENDING and alert.last_error:
        retry = alert.next_attempt_at.strftime("%H:%M:%S")
        return f"retry at {retry}: {scrub(alert.last_error)}"
    summary = _summary(alert.payload or {}) or ""
    return "; ".join(part for part in (summary, alert.reason or "") if part)


@click.group(
    "alerts",
    invoke_without_command=True,
    epilog=examples(
        "storywatch alerts",
        "storywatch alerts --failed",
        "storywatch alerts --story 1 --json",
    ),
)
@click.option("--failed", is_flag=True, help="Only dead alerts (gave up or refused).")
@click.option(
    "--story",
    "story_ref",
    type=StoryRef(),
    help="Only alerts of this story (id, URL or title words).",
)
@click.option("--limit", type=LIMIT, default=50, show_default=True)
@json_option
@pass_app
def alerts_group(
    app: AppContext, failed: bool, story_ref: str | None, limit: int, as_json: bool
) -> None:
    """List recent alerts, newest first (`alerts retry ID` queues a dead one again)."""
    if click.get_current_context().invoked_subcommand:
        return
    story = app.store.resolve_story(story_ref) if story_ref else None
    statuses = (AlertStatus.DEAD,) if failed else ()
    rows = outbox.list_alerts(
        app.store, statuses=statuses, story_id=story.id if story else None, limit=limit
    )
    stories = {s.id: s for s in app.store.list_stories()}
    if as_json:
        emit_json([alert_dict(row, stories.get(row.story_id)) for row in rows])
        return
    if not rows:
        click.echo(_nothing_listed(app, failed, story))
        return
    headers = ("id", "created", "story", "version", "channel", "status", "tries", "detail")
    cells = [
        (
            str(row.id),
            when(row.created_at),
            str(row.story_id),
            str((row.payload or {}).get("version", "")),
            row.channel,
            row.status,
            str(row.attempts),
            escape(one_line(_detail(row), 300)),
        )
        for row in rows
    ]
    app.console.print(
        fitted_table(headers, cells, shrink=len(headers) - 1, width=app.console.width)
    )


def _nothing_listed(app: AppContext, failed: bool, story: Story | None) -> str:
    """'no alert has failed (12 in the outbox)', 'no alerts for story 3 yet'."""
    total = outbox.count_alerts(app.store) if failed or story else 0
    where = f" for story {story.id}" if story else ""
    if failed:
        return f"no alert{where} has failed ({total} in the outbox)"
    if story:
        return f"no alerts{where} yet ({total} in the outbox)"
    return "no alerts yet: they are written when a check finds a change the rules alert on"


@alerts_group.command(
    "retry",
    epilog=examples(
        "storywatch alerts retry 12",
    ),
)
@click.argument("alert_id", type=RECORD_ID)
@json_option
@pass_app
def retry(app: AppContext, alert_id: int, as_json: bool) -> None:
    """Queue a dead alert again with a fresh attempt budget."""
    alert = outbox.retry_alert(app.store, alert_id, now=utcnow())
    if as_json:
        story = app.store.get_story(alert.story_id)
        emit_json(alert_dict(alert, story))
    else:
        click.echo(f"alert {alert_id} queued again for {alert.channel}")


@click.group(
    "notify",
    epilog=examples(
        "storywatch notify test console",
        "storywatch notify deliver",
    ),
)
def notify_group() -> None:
    """Alert channels: send a test alert, or deliver what is due."""


@notify_group.command(
    "test",
    epilog=examples(
        "storywatch notify test console",
        "storywatch notify test slack",
    ),
)
@click.argument("channel")
@pass_app
def notify_test(app: AppContext, channel: str) -> None:
    """Send a sample alert through CHANNEL (console, email, slack, webhook, apprise)."""
    if channel not in CHANNEL_NAMES:
        raise ConfigError(f"unknown channel {channel!r} (choose from {', '.join(CHANNEL_NAMES)})")
    channels = build_channels(app.settings)
    if channel not in channels:
        raise ConfigError(f"channel {channel!r} is not configured (set {MISSING_SETTING[channel]})")
    try:
        channels[channel].send(AlertMessage.from_payload(sample_payload(utcnow())))
    except DeliveryError as exc:  # its message already names the channel
        raise DeliveryError(one_line(scrub(str(exc)), 500)) from None
    click.echo(f"ok: test alert sent via {channel}")


@notify_group.command(
    "deliver",
    epilog=examples(
        "storywatch notify deliver",
        "storywatch notify deliver --limit 10 --json",
    ),
)
@click.option("--limit", type=LIMIT, default=100, show_default=True)
@json_option
@pass_app
def notify_deliver(app: AppContext, limit: int, as_json: bool) -> None:
    """Send the alerts that are due now (one pass; the daemon does this continuously)."""
    settings = app.settings
    report = deliver_due(app.store, build_channels(settings), settings.alerts, limit=limit)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(
        f"sent {report.sent}, retrying {report.retried}, dead {report.dead}"
        + (f", digests {report.digests}" if report.digests else "")
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
