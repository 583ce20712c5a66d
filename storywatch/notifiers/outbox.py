"""The sender: turns due outbox rows into deliveries.

Exactly once as far as a channel allows: a row is leased before it is sent and marked
after; a sender that dies in between leaves the lease, and once it expires the row is sent
again under the same key (webhook ``X-Storywatch-Id``, email ``Message-ID``) so receivers
can drop the duplicate. Retries back off exponentially from ``alerts.retry_base`` (capped
at ``alerts.retry_max``), a server's Retry-After wins, and after ``alerts.max_attempts``
the row is dead until ``storywatch alerts retry ID``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storywatch.config import AlertSettings, Settings
from storywatch.errors import DeliveryError
from storywatch.notifiers.apprise import AppriseChannel
from storywatch.notifiers.channels import Channel, scrub
from storywatch.notifiers.console import ConsoleChannel
from storywatch.notifiers.email import EmailChannel
from storywatch.notifiers.message import AlertMessage, build_digest_payload, new_key
from storywatch.notifiers.slack import SlackChannel
from storywatch.notifiers.webhook import WebhookChannel
from storywatch.storage import outbox
from storywatch.storage.models import Alert
from storywatch.storage.repository import Store
from storywatch.storage.schema import utcnow

log = logging.getLogger(__name__)

__all__ = ["Channel", "DeliveryReport", "build_channels", "deliver_due", "run_sender"]


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def build_channels(
    settings: Settings, shown: Collection[tuple[int, int]] = ()
) -> dict[str, Channel]:
    """Every channel whose settings are complete; console always. ``shown`` are the
    (story id, version) changes the calling command has printed already, which the
    console channel then does not print again."""
    config = settings.channels
    channels: dict[str, Channel] = {"console": ConsoleChannel(shown=shown)}
    if config.email.recipients:
        channels["email"] = EmailChannel(config.email)
    if config.slack.webhook_url is not None:
        channels["slack"] = SlackChannel(config.slack)
    if config.webhook.url:
        channels["webhook"] = WebhookChannel(config.webhook)
    if config.apprise.urls:
        channels["apprise"] = AppriseChannel(config.apprise)
    return channels


MISSING_SETTING = {
    "email": "channels.email.recipients",
    "slack": "channels.slack.webhook_url",
    "webhook": "channels.webhook.url",
    "apprise": "channels.apprise.urls",
}


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    digests: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "retried": self.retried,
            "dead": self.dead,
            "digests": self.digests,
            "errors": list(self.errors),
        }


def backoff(settings: AlertSettings, attempts: int, retry_after: float | None) -> float:
    """Seconds until the next attempt after ``attempts`` failed ones."""
    if retry_after is not None:
        return min(max(retry_after, 1.0), settings.retry_max)
    return min(settings.retry_base * 2.0 ** max(attempts - 1, 0), settings.retry_max)


def _build_digest(
    channel: str, members: Sequence[Alert], now: datetime
) -> tuple[str, dict[str, object]]:
    key = new_key()
    payload = build_digest_payload(
        key=key, channel=channel, alerts=[m.payload for m in members], created_at=now
    )
    return key, payload


def _attempt(alert: Alert, channels: Mapping[str, Channel]) -> None:
    channel = channels.get(alert.channel)
    if channel is None:
        hint = MISSING_SETTING.get(alert.channel, "alerts.channels")
        raise DeliveryError(f"channel {alert.channel!r} is not configured ({hint})", permanent=True)
    try:
        message = AlertMessage.from_payload(alert.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise DeliveryError(
            f"malformed alert payload ({type(exc).__name__}: {exc})", permanent=True
        ) from None
    channel.send(message)


def deliver_due(
    store: Store,
    channels: Mapping[str, Channel],
    settings: AlertSettings,
    *,
    now: datetime | None = None,
    worker: str | None = None,
    limit: int = 100,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """One pass: fold due digests, then claim and send up to ``limit`` due alerts, or
    until ``stop`` is set (the daemon stopping): the alert being sent is then finished
    and recorded, and no other is claimed.

    ``now`` fixes the clock (tests); by default every claim reads the time afresh.
    BaseException (SystemExit, KeyboardInterrupt) is not caught: the lease stays, and the
    alert is resent once it expires."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    worker = worker or default_worker()
    report = DeliveryReport()
    report.digests = len(
        outbox.batch_digests(store, now=clock(), interval=settings.digest, build=_build_digest)
    )
    while report.claimed < limit and not (stop is not None and stop.is_set()):
        # One row per claim: the lease then only has to cover one send's timeout.
        claimed = outbox.claim_due(store, worker=worker, now=clock(), lease=settings.lease)
        if not claimed:
            break
        alert = claimed[0]
        assert alert.id is not None
        report.claimed += 1
        if alert.attempts > settings.max_attempts:
            # Only reachable when earlier senders died mid-send: don't let one poisonous
            # alert crash-loop every sender forever.
            error = DeliveryError(f"no result after {alert.attempts - 1} attempts", permanent=True)
            _record_failure(store, alert, error, settings, worker, clock(), report)
            continue
        try:
            _attempt(alert, channels)
        except DeliveryError as exc:
            _record_failure(store, alert, exc, settings, worker, clock(), report)
        except Exception as exc:  # a channel bug must not stop the other alerts
            log.exception("alert %s: channel %s crashed", alert.id, alert.channel)
            error = DeliveryError(f"unexpected {type(exc).__name__}: {scrub(str(exc))}")
            _record_failure(store, alert, error, settings, worker, clock(), report)
        else:
            if outbox.mark_sent(store, alert.id, worker=worker, now=clock()):
                report.sent += 1
                log.info("alert %s sent via %s", alert.id, alert.channel)
            else:
                log.warning("alert %s sent, but its lease had passed to another sender", alert.id)
    return report


def _record_failure(
    store: Store,
    alert: Alert,
    exc: DeliveryError,
    settings: AlertSettings,
    worker: str,
    now: datetime,
    report: DeliveryReport,
) -> None:
    assert alert.id is not None
    error = scrub(str(exc))
    report.errors.append(f"alert {alert.id} ({alert.channel}): {error}")
    if exc.permanent or alert.attempts >= settings.max_attempts:
        why = "permanent failure" if exc.permanent else f"gave up after {alert.attempts} attempts"
        outbox.mark_dead(store, alert.id, worker=worker, error=f"{why}: {error}")
        report.dead += 1
        log.warning("alert %s (%s) dead: %s", alert.id, alert.channel, error)
        return
    delay = backoff(settings, alert.attempts, exc.retry_after)
    outbox.schedule_retry(
        store, alert.id, worker=worker, at=now + timedelta(seconds=delay), error=error
    )
    report.retried += 1
    log.info("alert %s (%s) retry in %.0fs: %s", alert.id, alert.channel, delay, error)


def run_sender(
    store: Store,
    channels: Mapping[str, Channel],
    settings: AlertSettings,
    *,
    stop: threading.Event,
    interval: float = 5.0,
    worker: str | None = None,
) -> None:
    """Deliver until ``stop`` is set, pausing ``interval`` seconds when idle."""
    worker = worker or default_worker()
    while not stop.is_set():
        try:
            report = deliver_due(store, channels, settings, worker=worker, stop=stop)
        except Exception:  # a database hiccup: log it and try again next round
            log.exception("alert sender pass failed")
            report = DeliveryReport()
        if report.claimed == 0:
            stop.wait(interval)
