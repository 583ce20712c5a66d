"""The outbox and sender: leases, crash recovery with the same key, backoff, Retry-After,
dead letters and their CLI, digests. Real SQLite files (and PostgreSQL where it matters),
real local HTTP and SMTP receivers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from storywatch.cli.alerts import alerts_group, notify_group
from storywatch.cli.context import AppContext
from storywatch.config import Settings, load_settings
from storywatch.errors import ConfigError, DeliveryError, NotFoundError, StorageError
from storywatch.notifiers import (
    AlertMessage,
    Channel,
    DeliveryReport,
    build_channels,
    deliver_due,
    run_sender,
)
from storywatch.notifiers.planning import fingerprint
from storywatch.storage import Alert, Store, outbox
from tests.support.alerts import T0, queue_alerts
from tests.support.receivers import OK, HTTPReceiver, Reply, error, too_many
from tests.support.smtp import SMTPReceiver

LEASE = 60.0


@pytest.fixture
def hook() -> Iterator[HTTPReceiver]:
    with HTTPReceiver() as receiver:
        yield receiver


def _settings(
    store: Store | None = None, *, hook: HTTPReceiver | None = None, **alerts: Any
) -> Settings:
    overrides: dict[str, Any] = {
        "alerts": {"retry_base": 30, "lease": LEASE, "channels": ["webhook"], **alerts},
        "channels": {"webhook": {"timeout": 2}},
    }
    if store is not None:
        overrides["database"] = {"url": store.engine.url.render_as_string(hide_password=False)}
    if hook is not None:
        overrides["channels"]["webhook"]["url"] = hook.url
    return load_settings(environ={}, overrides=overrides)


def _rows(store: Store) -> list[Alert]:
    return sorted(outbox.list_alerts(store, limit=1000), key=lambda a: a.id or 0)


def _deliver(
    store: Store,
    settings: Settings,
    seconds: float,
    channels: dict[str, Channel] | None = None,
    worker: str = "w1",
) -> DeliveryReport:
    return deliver_due(
        store,
        build_channels(settings) if channels is None else channels,
        settings.alerts,
        now=T0 + timedelta(seconds=seconds),
        worker=worker,
    )


# -- leases ---------------------------------------------------------------------------------


def test_claim_leases_rows_until_they_expire(store: Store) -> None:
    queue_alerts(store, _settings(channels=["console", "webhook"]).alerts)
    first = outbox.claim_due(store, worker="a", now=T0, lease=LEASE, limit=10)
    assert [(a.channel, a.attempts, a.lease_owner) for a in first] == [
        ("console", 1, "a"),
        ("webhook", 1, "a"),
    ]
    assert first[0].lease_expires_at == T0 + timedelta(seconds=LEASE)
    assert (
        outbox.claim_due(store, worker="b", now=T0 + timedelta(seconds=30), lease=LEASE, limit=10)
        == []
    )
    later = T0 + timedelta(seconds=LEASE + 1)
    again = outbox.claim_due(store, worker="b", now=later, lease=LEASE, limit=10)
    assert [(a.attempts, a.lease_owner) for a in again] == [(2, "b"), (2, "b")]
    assert first[0].id is not None and not outbox.mark_sent(
        store, first[0].id, worker="a", now=later
    )
    assert outbox.mark_sent(store, first[0].id, worker="b", now=later)
    # The sent row is done; the other one's lease (held by b) has long expired.
    final = outbox.claim_due(store, worker="c", now=T0 + timedelta(days=1), lease=LEASE, limit=10)
    assert [a.id for a in final] == [again[1].id]


def test_concurrent_senders_never_claim_the_same_row(store: Store) -> None:
    settings = _settings(channels=["console", "email", "slack", "webhook", "apprise"]).alerts
    for n in range(4):
        queue_alerts(store, settings, at=T0 + timedelta(seconds=n))
    claimed: list[int] = []
    lock = threading.Lock()

    def sender(name: str) -> None:
        while rows := outbox.claim_due(
            store, worker=name, now=T0 + timedelta(minutes=1), lease=LEASE, limit=2
        ):
            with lock:
                claimed.extend(row.id for row in rows if row.id is not None)

    threads = [threading.Thread(target=sender, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(a.id for a in _rows(store) if a.id is not None)
    assert len(claimed) == 20 and len(set(claimed)) == 20


# -- delivery -------------------------------------------------------------------------------


def test_delivered_once_then_never_again(sqlite_store: Store, hook: HTTPReceiver) -> None:
    settings = _settings(hook=hook)
    (draft,) = queue_alerts(sqlite_store, settings.alerts)
    report = _deliver(sqlite_store, settings, 0)
    assert (report.claimed, report.sent) == (1, 1)
    assert _deliver(sqlite_store, settings, 3600).claimed == 0
    assert [r.headers["x-storywatch-id"] for r in hook.requests] == [draft.key]
    (row,) = _rows(sqlite_store)
    assert (row.status, row.sent_at, row.lease_owner, row.attempts) == ("sent", T0, None, 1)


class DiesAfterSend:
    """The channel delivers, then the process 'dies' before the outbox hears of it."""

    def __init__(self, inner: Channel) -> None:
        self.inner = inner
        self.name = inner.name

    def send(self, alert: AlertMessage) -> None:
        self.inner.send(alert)
        raise SystemExit("killed between send and mark")


def test_crash_between_send_and_mark_resends_same_webhook_id(
    sqlite_store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook)
    (draft,) = queue_alerts(sqlite_store, settings.alerts)
    webhook = build_channels(settings)["webhook"]
    with pytest.raises(SystemExit):
        _deliver(sqlite_store, settings, 0, {"webhook": DiesAfterSend(webhook)})
    (row,) = _rows(sqlite_store)
    assert (row.status, row.lease_owner) == ("pending", "w1")
    assert _deliver(sqlite_store, settings, LEASE - 1, worker="w2").claimed == 0  # still leased
    assert _deliver(sqlite_store, settings, LEASE + 1, worker="w2").sent == 1
    assert _deliver(sqlite_store, settings, 86400, worker="w3").claimed == 0
    assert [r.headers["x-storywatch-id"] for r in hook.requests] == [draft.key, draft.key]
    assert hook.requests[0].body == hook.requests[1].body


class StopsDuringSend:
    """The channel delivers while the daemon is told to stop."""

    def __init__(self, inner: Channel, stop: threading.Event) -> None:
        self.inner = inner
        self.name = inner.name
        self.stop = stop

    def send(self, alert: AlertMessage) -> None:
        self.stop.set()
        self.inner.send(alert)


def test_a_stopped_sender_records_the_alert_it_was_sending_and_claims_no_more(
    sqlite_store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook)
    queue_alerts(sqlite_store, settings.alerts)
    queue_alerts(sqlite_store, settings.alerts, story_url="https://news.example/flood")
    stop = threading.Event()
    channels: dict[str, Channel] = {
        "webhook": StopsDuringSend(build_channels(settings)["webhook"], stop)
    }
    report = deliver_due(sqlite_store, channels, settings.alerts, now=T0, worker="w1", stop=stop)
    assert (report.claimed, report.sent, len(hook.requests)) == (1, 1, 1)
    assert sorted(row.status for row in _rows(sqlite_store)) == ["pending", "sent"]


def test_crash_between_send_and_mark_resends_same_message_id(sqlite_store: Store) -> None:
    with SMTPReceiver() as smtp:
        settings = load_settings(
            environ={},
            overrides={
                "alerts": {"channels": ["email"], "lease": LEASE},
                "channels": {
                    "email": {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "security": "none",
                        "recipients": ["desk@example.org"],
                    }
                },
            },
        )
        (draft,) = queue_alerts(sqlite_store, settings.alerts)
        email = build_channels(settings)["email"]
        with pytest.raises(SystemExit):
            _deliver(sqlite_store, settings, 0, {"email": DiesAfterSend(email)})
        assert _deliver(sqlite_store, settings, LEASE + 1).sent == 1
        assert _deliver(sqlite_store, settings, 86400).claimed == 0
        ids = [mail.message["Message-ID"] for mail in smtp.received]
    assert ids == [f"<{draft.key}@storywatch>"] * 2


@pytest.mark.slow
def test_sigkilled_sender_is_recovered_by_another_process(
    tmp_path: Path, hook: HTTPReceiver
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    settings = _settings(store, hook=hook)
    (draft,) = queue_alerts(store, settings.alerts)
    overrides = {
        **settings.model_dump(mode="json", include={"alerts", "database"}),
        "channels": {"webhook": {"url": hook.url}},
    }
    script = textwrap.dedent(
        f"""
        import os, signal
        from storywatch.config import load_settings
        from storywatch.notifiers import build_channels, deliver_due
        from storywatch.storage import Store
        from tests.support.alerts import T0

        settings = load_settings(environ={{}}, overrides={overrides!r})
        webhook = build_channels(settings)["webhook"]

        class Killed:
            name = "webhook"
            def send(self, alert):
                webhook.send(alert)
                os.kill(os.getpid(), signal.SIGKILL)  # after the send, before the mark

        store = Store.open(settings.database.url)
        deliver_due(store, {{"webhook": Killed()}}, settings.alerts, now=T0, worker="doomed")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr.decode()
    (row,) = _rows(store)
    assert (row.status, row.lease_owner) == ("pending", "doomed")
    assert _deliver(store, settings, LEASE + 1, worker="survivor").sent == 1
    assert [r.headers["x-storywatch-id"] for r in hook.requests] == [draft.key, draft.key]
    store.close()


def test_alert_that_keeps_killing_senders_goes_dead_unsent(
    sqlite_store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook, max_attempts=2)
    queue_alerts(sqlite_store, settings.alerts)
    for crash in range(2):  # two senders claimed it and died before any outcome
        at = T0 + timedelta(seconds=crash * (LEASE + 1))
        assert outbox.claim_due(sqlite_store, worker=f"dead{crash}", now=at, lease=LEASE)
    report = _deliver(sqlite_store, settings, 3 * (LEASE + 1))
    assert (report.claimed, report.dead) == (1, 1) and hook.requests == []
    (row,) = _rows(sqlite_store)
    assert row.status == "dead" and "no result after 2 attempts" in (row.last_error or "")


def test_run_sender_delivers_until_stopped(sqlite_store: Store, hook: HTTPReceiver) -> None:
    settings = _settings(hook=hook)
    queue_alerts(sqlite_store, settings.alerts)  # T0 is in the past: due now
    stop = threading.Event()
    thread = threading.Thread(
        target=run_sender,
        args=(sqlite_store, build_channels(settings), settings.alerts),
        kwargs={"stop": stop, "interval": 0.05},
    )
    thread.start()
    try:
        for _ in range(200):
            if _rows(sqlite_store)[0].status == "sent":
                break
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert _rows(sqlite_store)[0].status == "sent" and len(hook.requests) == 1


def test_backoff_doubles_and_retry_after_wins(sqlite_store: Store, hook: HTTPReceiver) -> None:
    settings = _settings(hook=hook)
    queue_alerts(sqlite_store, settings.alerts)
    hook.queue(error(500), error(503), too_many("120"), OK)
    steps = [(0, 30), (30, 30 + 60), (90, 90 + 120)]
    for at, next_at in steps:
        report = _deliver(sqlite_store, settings, at)
        assert report.retried == 1
        (row,) = _rows(sqlite_store)
        assert row.next_attempt_at == T0 + timedelta(seconds=next_at)
        assert row.lease_owner is None
        assert _deliver(sqlite_store, settings, next_at - 1).claimed == 0
    assert "answered 429" in (row.last_error or "")
    assert _deliver(sqlite_store, settings, 210).sent == 1
    assert _rows(sqlite_store)[0].attempts == 4


def test_permanent_errors_and_unconfigured_channels_go_dead(
    sqlite_store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook, channels=["webhook", "slack"])
    queue_alerts(sqlite_store, settings.alerts)
    hook.queue(Reply(410, b"gone"))
    report = _deliver(sqlite_store, settings, 0)
    assert (report.dead, report.sent) == (2, 0)
    errors = {row.channel: row.last_error for row in _rows(sqlite_store)}
    assert errors["webhook"] is not None and errors["webhook"].startswith(
        "permanent failure: webhook"
    )
    assert "channel 'slack' is not configured (channels.slack.webhook_url)" in (
        errors["slack"] or ""
    )


# -- dead letters through the CLI -------------------------------------------------------------


def _cli(command: Any, args: list[str], settings: Settings) -> Result:
    app = AppContext(config_file=None, overrides={})
    app._settings = settings
    try:
        return CliRunner().invoke(command, args, obj=app)
    finally:
        app.close()


def test_dead_after_max_attempts_then_cli_lists_and_retries(
    tmp_path: Path, hook: HTTPReceiver
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    settings = _settings(store, hook=hook, max_attempts=2, channels=["webhook", "console"])
    queue_alerts(store, settings.alerts)
    hook.default = error(500)
    channels = {**build_channels(settings), "console": _Quiet()}
    assert _deliver(store, settings, 0, channels).retried == 1
    assert _deliver(store, settings, 30, channels).dead == 1
    (dead,) = outbox.list_alerts(store, statuses=["dead"])
    assert dead.last_error is not None and dead.last_error.startswith("gave up after 2 attempts")

    listing = _cli(alerts_group, ["--failed"], settings)
    assert listing.exit_code == 0, listing.output
    [row] = listing.output.splitlines()[1:]
    assert row.startswith(f"{dead.id} ") and " dead " in row and "gave up after 2 at" in row
    assert len(row) <= 80  # the table fits the terminal; the detail is cut with "…"
    assert "console" not in listing.output and "s3cr3t-token-value" not in listing.output
    as_json = _cli(alerts_group, ["--failed", "--json"], settings)
    assert '"status": "dead"' in as_json.output and "s3cr3t-token-value" not in as_json.output
    assert "answered 500" in as_json.output
    everything = _cli(alerts_group, ["--json", "--story", "1", "--limit", "5"], settings)
    assert everything.output.count('"key"') == 2

    retried = _cli(alerts_group, ["retry", str(dead.id)], settings)
    assert retried.exit_code == 0 and f"alert {dead.id} queued again for webhook" in retried.output
    row = outbox.get_alert(store, dead.id or 0)
    assert (row.status, row.attempts) == ("pending", 0)
    hook.default = OK
    assert deliver_due(store, build_channels(settings), settings.alerts, worker="w9").sent == 1

    again = _cli(alerts_group, ["retry", str(dead.id)], settings)
    assert isinstance(again.exception, StorageError) and "is sent" in str(again.exception)
    missing = _cli(alerts_group, ["retry", "999"], settings)
    assert isinstance(missing.exception, NotFoundError)
    store.close()


class _Quiet:
    name = "console"

    def send(self, alert: AlertMessage) -> None:
        pass


def test_notify_test_command(hook: HTTPReceiver) -> None:
    settings = _settings(hook=hook)
    ok = _cli(notify_group, ["test", "webhook"], settings)
    assert ok.exit_code == 0 and ok.output.strip() == "ok: test alert sent via webhook"
    story = hook.requests[0].json()["story"]
    assert story["name"] == "Test alert" and story["title"] == "Fire in the old town"

    slack = load_settings(environ={}, overrides={"channels": {"slack": {"webhook_url": hook.url}}})
    hook.queue(error(500))
    failed = _cli(notify_group, ["test", "slack"], slack)
    assert isinstance(failed.exception, DeliveryError)
    message = str(failed.exception)
    assert message.startswith("slack (http://127.0.0.1/…) answered 500") and "\n" not in message
    assert "s3cr3t-token-value" not in message + failed.output

    unknown = _cli(notify_group, ["test", "sms"], settings)
    assert isinstance(unknown.exception, ConfigError) and "unknown channel 'sms'" in str(
        unknown.exception
    )
    missing = _cli(notify_group, ["test", "email"], settings)
    assert (
        str(missing.exception)
        == "channel 'email' is not configured (set channels.email.recipients)"
    )


# -- digests, suppression, rate-limit bookkeeping --------------------------------------------


def test_digest_sends_one_message_per_channel_per_interval(
    store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook, digest="1h")
    queue_alerts(store, settings.alerts, at=T0, story_url="https://news.example/a")
    queue_alerts(
        store, settings.alerts, at=T0 + timedelta(minutes=10), story_url="https://news.example/b"
    )
    report = _deliver(store, settings, 30 * 60)
    assert (report.digests, report.claimed) == (0, 0)
    assert [row.status for row in _rows(store)] == ["digest", "digest"]

    report = _deliver(store, settings, 61 * 60)
    assert (report.digests, report.sent) == (1, 1)
    (request,) = hook.requests
    body = request.json()
    assert body["type"] == "digest" and body["channel"] == "webhook"
    assert [a["story"]["url"] for a in body["alerts"]] == [
        "https://news.example/a",
        "https://news.example/b",
    ]
    assert request.headers["x-storywatch-id"] == body["id"]
    rows = _rows(store)
    assert [r.status for r in rows] == ["digested", "digested", "sent"]
    assert rows[0].reason == f"sent in digest {body['id']}"

    queue_alerts(
        store, settings.alerts, at=T0 + timedelta(minutes=62), story_url="https://news.example/c"
    )
    assert _deliver(store, settings, 90 * 60).digests == 0
    assert _deliver(store, settings, 123 * 60).digests == 1
    assert len(hook.requests) == 2
    story_a = store.find_story_by_url("https://news.example/a")
    assert story_a is not None and story_a.id is not None
    assert outbox.last_alert_at(store, story_a.id) == T0


def test_suppressed_rows_are_kept_never_sent_and_not_counted(
    sqlite_store: Store, hook: HTTPReceiver
) -> None:
    settings = _settings(hook=hook)
    queue_alerts(sqlite_store, settings.alerts, seen_before=True)
    assert _deliver(sqlite_store, settings, 60).claimed == 0
    (row,) = _rows(sqlite_store)
    assert (
        row.status == "suppressed" and row.reason is not None and row.reason.startswith("flapping")
    )
    assert outbox.last_alert_at(sqlite_store, row.story_id) is None
    assert not outbox.fingerprint_seen(sqlite_store, fingerprint(1, "h-new"))
    queue_alerts(sqlite_store, settings.alerts, at=T0 + timedelta(minutes=5))
    assert outbox.last_alert_at(sqlite_store, row.story_id) == T0 + timedelta(minutes=5)
    assert outbox.fingerprint_seen(sqlite_store, fingerprint(1, "h-new"))
    assert hook.requests == []
