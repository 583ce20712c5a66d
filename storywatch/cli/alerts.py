"""``storywatch alerts`` (the outbox: list, retry) and ``storywatch notify`` (channels)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.params import LIMIT, RECORD_ID, StoryRef
from storywatch.config.settings import CHANNEL_NAMES
from storywatch.errors import ConfigError, DeliveryError
from storywatch.notifiers.channels import scrub
from storywatch.notifiers.message import AlertMessage, one_line, sample_payload
from storywatch.notifiers.outbox import MISSING_SETTING, build_channels, deliver_due
from storywatch.storage import outbox
from storywatch.storage.models import Alert, AlertStatus, utcnow


def alert_dict(alert: Alert) -> dict[str, Any]:
    """The JSON view of an outbox row: no payload body, nothing secret."""
    payload = alert.payload or {}
    return {
        "id": alert.id,
        "key": alert.key,
        "story_id": alert.story_id,
        "version": payload.get("version"),
        "channel": alert.channel,
        "status": alert.status,
        "reason": alert.reason,
        "headline": payload.get("headline"),
        "attempts": alert.attempts,
        "created_at": alert.created_at.isoformat(),
        "next_attempt_at": alert.next_attempt_at.isoformat(),
        "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
        "last_error": scrub(alert.last_error) if alert.last_error else None,
    }


def _when(alert: Alert) -> str:
    return alert.created_at.strftime("%Y-%m-%d %H:%M")


def _detail(alert: Alert) -> str:
    if alert.status == AlertStatus.DEAD and alert.last_error:
        return scrub(alert.last_error)
    if alert.status == AlertStatus.PENDING and alert.last_error:
        retry = alert.next_attempt_at.strftime("%H:%M:%S")
        return f"retry at {retry}: {scrub(alert.last_error)}"
    headline = str((alert.payload or {}).get("headline") or "")
    return "; ".join(part for part in (headline, alert.reason or "") if part)


@click.group("alerts", invoke_without_command=True)
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
    story_id = app.store.resolve_story(story_ref).id if story_ref else None
    statuses = (AlertStatus.DEAD,) if failed else ()
    rows = outbox.list_alerts(app.store, statuses=statuses, story_id=story_id, limit=limit)
    if as_json:
        emit_json([alert_dict(row) for row in rows])
        return
    if not rows:
        click.echo("No failed alerts." if failed else "No alerts.")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("ID", "CREATED", "STORY", "VER", "CHANNEL", "STATUS", "TRIES", "DETAIL"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            _when(row),
            str(row.story_id),
            str((row.payload or {}).get("version", "")),
            row.channel,
            row.status,
            str(row.attempts),
            one_line(_detail(row), 160),
        )
    app.console.print(table)


@alerts_group.command("retry")
@click.argument("alert_id", type=RECORD_ID)
@json_option
@pass_app
def retry(app: AppContext, alert_id: int, as_json: bool) -> None:
    """Queue a dead alert again with a fresh attempt budget."""
    alert = outbox.retry_alert(app.store, alert_id, now=utcnow())
    if as_json:
        emit_json(alert_dict(alert))
    else:
        click.echo(f"alert {alert_id} queued again for {alert.channel}")


@click.group("notify")
def notify_group() -> None:
    """Alert channels: send a test alert, or deliver what is due."""


@notify_group.command("test")
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


@notify_group.command("deliver")
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
