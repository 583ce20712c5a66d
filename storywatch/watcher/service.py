"""The long-running worker behind ``storywatch run``.

The database is the schedule: every story has ``next_check_at``, and a worker *claims*
due stories with a lease (``storage.claims``) before checking them, so a restart simply
carries on and several workers share the work without talking to each other. APScheduler
(3.x, in-memory job store, never shared) only provides the local heartbeat of jobs, each
every ``schedule.tick`` seconds:

- ``checks``: claim due stories (``batch_size`` in flight at most) and check them
  concurrently; the pass keeps claiming while stories are due, so a backlog drains at
  full speed instead of one batch per tick;
- ``feeds``: poll due feeds and track their new entries as stories;
- ``alerts``: deliver due outbox alerts;
- ``heartbeat``: tell ``storywatch status`` this worker is alive, and extend the leases
  of the stories it is still checking.

A job only *starts* its pass as a task of its own (if the last one has finished), so a
slow pass never piles up and shutdown never cancels a pass in the middle of a claim.

Leases are renewed by every heartbeat, so a check may take longer than
``schedule.lease`` (a long politeness queue for one host, a slow server) without another
worker taking its story; a lease lapses only when its worker stops beating (killed, or
stalled for a whole lease). Even then a second fetch is harmless: ``Store.record_check``
refuses a second copy of a version, and a late check never ends the new owner's lease.

Shutdown (SIGTERM/SIGINT): stop claiming, give in-flight checks ``grace`` seconds, cancel
the rest and abandon their writes still waiting on the database (each check commits in one
transaction, so nothing is half-written), release the leases still held and unregister
within INTERRUPT_GRACE seconds, exit 0 without waiting for the abandoned threads. After
``kill -9`` the leases expire and any worker, including the restarted one, takes the
stories over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storywatch.config import Settings, format_duration
from storywatch.errors import DatabaseUnavailableError, StorywatchError
from storywatch.notifiers import Channel, DeliveryReport, build_channels, deliver_due
from storywatch.storage import CheckOutcome, Store, Story, Worker, claims, utcnow
from storywatch.watcher.extract import warm_up
from storywatch.watcher.feeds import FeedReport, poll_feed
from storywatch.watcher.interrupt import INTERRUPT_GRACE
from storywatch.watcher.pipeline import Checker, CheckReport
from storywatch.watcher.politeness import polite_fetcher
from storywatch.watcher.workers import ProcessPool, Runner, ThreadRunner

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

FEEDS_PER_PASS = 10
FORGET_WORKERS_AFTER = timedelta(days=1)
LEASE_TICKS = 3  # heartbeats a lease outlasts, so one late beat never loses it
# An extraction (or diff) unanswered this long has hung on a pathological page: its
# process is killed and replaced, and the page's check fails (and is retried later).
EXTRACTION_TIMEOUT = 120.0
# An extraction (2 ms a news page) costs more than the rest of a check in the worker
# process (1.4 ms), which can therefore keep about two extraction processes busy: a
# third would mostly wait, and cost its memory (40 MB) and start-up all the same. Two
# beat one even on two cores, where the worker process leaves part of its core idle.
DEFAULT_EXTRACTION_PROCESSES = 2
_FAILED = frozenset({CheckOutcome.FAILED, CheckOutcome.SUSPICIOUS})


def extraction_runner(processes: int | None) -> Runner:
    """``processes`` extraction processes (None: DEFAULT_EXTRACTION_PROCESSES, or one
    per CPU if fewer; 0: threads of this process)."""
    if processes is None:
        processes = min(os.cpu_count() or 1, DEFAULT_EXTRACTION_PROCESSES)
    if processes == 0:
        return ThreadRunner()
    return ProcessPool(processes, warm_up=warm_up, timeout=EXTRACTION_TIMEOUT)


def make_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class PassStats:
    due: int = 0
    checked: int = 0
    changed: int = 0
    failed: int = 0
    next_due: datetime | None = None
    started: float = field(default_factory=time.perf_counter)

    def add(self, report: CheckReport) -> None:
        self.checked += 1
        self.changed += report.outcome == CheckOutcome.NEW_VERSION
        self.failed += report.outcome in _FAILED

    def summary(self, now: datetime) -> str:
        """'pass: 12 due, 12 checked, 2 changed, 1 failed in 3.4s; next due in 14m'."""
        if self.next_due is None:
            upcoming = "nothing else scheduled"
        else:
            wait = max(0.0, (self.next_due - now).total_seconds())
            # Minutes are precise enough past two of them ("in 14m", not "in 851s").
            step = 60 if wait >= 120 else 1
            upcoming = f"next due in {format_duration(round(wait / step) * step)}"
        return (
            f"pass: {self.due} due, {self.checked} checked, {self.changed} changed, "
            f"{self.failed} failed in {time.perf_counter() - self.started:.1f}s; {upcoming}"
        )


class Service:
    """One worker process. Tests and ``run --once`` drive the passes directly with an
    injected clock; :meth:`serve` runs them on APScheduler until a signal arrives."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.worker_id = worker_id or make_worker_id()
        self.clock = clock
        self.fetcher = polite_fetcher(settings.fetch)
        self.extractor = extraction_runner(settings.fetch.extract_processes)
        self.channels = build_channels(settings) if channels is None else channels
        self.checker = Checker(
            store,
            self.fetcher,
            settings,
            worker=self.worker_id,
            clock=clock,
            extractor=self.extractor,
        )
        self.checks_done = 0
        # Each check in flight, with its story's id (the leases a heartbeat extends).
        self._in_flight: dict[asyncio.Task[None], int] = {}
        self._passes: dict[str, asyncio.Task[object]] = {}
        self._stopping = asyncio.Event()
        # The same, for the alerts pass's thread: once its grace is over nothing waits
        # for that thread, so it must not start another send (an alert sent but not yet
        # recorded as sent would go out again).
        self._stop_sending = threading.Event()

    # -- the passes ----------------------------------------------------------------------

    async def run_checks(
        self, reports: list[CheckReport] | None = None, *, due_by: datetime | None = None
    ) -> PassStats:
        """Check every story that is due, claiming more as checks finish; return when
        nothing is due or in flight (or, once stopping, when in-flight checks are done).

        ``due_by`` fixes what "due" means for the whole pass (``run --once``: stories
        rescheduled during the pass are not taken again); by default it is "now" at every
        claim. ``reports`` collects each check's report (tests; the daemon keeps counts)."""
        stats = PassStats()
        stats.due, _ = claims.due_and_next(self.store, now=due_by or self.clock())
        while True:
            await self._claim_more(stats, reports, due_by or self.clock())
            if not self._in_flight:
                break
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
        now = self.clock()
        _, stats.next_due = claims.due_and_next(self.store, now=now)
        log.info("%s", stats.summary(now), extra={"worker": self.worker_id})
        return stats

    async def _claim_more(
        self, stats: PassStats, reports: list[CheckReport] | None, now: datetime
    ) -> None:
        batch = self.settings.schedule.batch_size
        room = batch - len(self._in_flight)
        # Claim in chunks of at least half a batch: one claim per finished check would
        # cost a database round trip per story.
        if self._stopping.is_set() or (self._in_flight and room < max(batch // 2, 1)):
            return
        stories = await asyncio.to_thread(
            claims.claim_due_stories,
            self.store,
            worker=self.worker_id,
            now=now,
            lease=self.settings.schedule.lease,
            limit=room,
        )
        for story in stories:
            check = self._check(story, stats, reports)
            task = asyncio.create_task(check, name=f"check-{story.id}")
            assert story.id is not None
            self._in_flight[task] = story.id
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)

    async def _check(
        self, story: Story, stats: PassStats, reports: list[CheckReport] | None
    ) -> None:
        # The checker records every failure on the story, crashes included; what reaches
        # here is the database failing, or the story removed while it was checked.
        try:
            report = await self.checker.check(story)
        except DatabaseUnavailableError as exc:  # the lease expires, the story returns
            log.error(
                "story %s: check not recorded, database unavailable: %s",
                story.id,
                exc,
                extra=_story(story),
            )
            return
        except StorywatchError as exc:
            log.warning("story %s: check not recorded: %s", story.id, exc, extra=_story(story))
            return
        self.checks_done += 1
        stats.add(report)
        if reports is not None:
            reports.append(report)
        _log_report(report)

    async def poll_feeds(self) -> list[FeedReport]:
        feeds = await asyncio.to_thread(
            claims.claim_due_feeds,
            self.store,
            worker=self.worker_id,
            now=self.clock(),
            lease=self.settings.schedule.lease,
            limit=FEEDS_PER_PASS,
        )
        reports = await asyncio.gather(
            *(
                poll_feed(self.store, self.fetcher, feed, self.settings.schedule, clock=self.clock)
                for feed in feeds
            )
        )
        for report in reports:
            if report.error:
                log.warning("feed %s: %s", report.feed_id, report.error, extra={"feed": report.url})
            elif report.new_stories:
                log.info(
                    "feed %s: tracking %d new stories",
                    report.feed_id,
                    len(report.new_stories),
                    extra={"feed": report.url},
                )
        return list(reports)

    async def deliver_alerts(self) -> DeliveryReport:
        report = await asyncio.to_thread(
            deliver_due,
            self.store,
            self.channels,
            self.settings.alerts,
            worker=self.worker_id,
            stop=self._stop_sending,
        )
        for error in report.errors:
            log.warning("alert delivery: %s", error)
        return report

    async def heartbeat(self) -> None:
        await asyncio.to_thread(
            claims.heartbeat,
            self.store,
            self.worker_id,
            now=self.clock(),
            checks_done=self.checks_done,
            lease=self.settings.schedule.lease,
            checking=list(self._in_flight.values()),
        )

    async def run_once(self) -> PassStats:
        """One full round, as a cron job would run it: feeds, due stories, alerts."""
        await self.extractor.start()  # its imports overlap the claims and first fetches
        await self.poll_feeds()
        # No scheduler here: a long backlog keeps its leases with heartbeats of its own.
        beating = asyncio.create_task(self._beat_every_tick())
        try:
            stats = await self.run_checks(due_by=self.clock())  # feed stories included
        finally:
            beating.cancel()
        await self.deliver_alerts()
        return stats

    async def _beat_every_tick(self) -> None:
        while True:
            await asyncio.sleep(self.settings.schedule.tick)
            await self._guarded("heartbeat", self.heartbeat)

    # -- the daemon ----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop claiming new work; :meth:`serve` then winds down."""
        if not self._stopping.is_set():
            log.info("stopping: finishing in-flight checks", extra={"worker": self.worker_id})
        self._stopping.set()
        self._stop_sending.set()

    async def serve(self, *, grace: float = 30.0) -> int:
        """Run until SIGTERM/SIGINT (or :meth:`stop`); return the exit status."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop)
        self._warn_short_lease()
        await self.extractor.start()
        await asyncio.to_thread(self._register)
        scheduler = self._scheduler()
        scheduler.start()
        log.info(
            "worker %s started (database %s, tick %gs)",
            self.worker_id,
            self.store.dialect,
            self.settings.schedule.tick,
            extra={"worker": self.worker_id},
        )
        try:
            await self._stopping.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self._wind_down(grace)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        log.info("worker %s stopped", self.worker_id, extra={"worker": self.worker_id})
        return 0

    def _scheduler(self) -> AsyncIOScheduler:
        # Imported here: `run --once` and the tests never schedule.
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},  # never shared: the DB coordinates
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        passes: dict[str, Callable[[], Awaitable[object]]] = {
            "checks": self.run_checks,
            "feeds": self.poll_feeds,
            "alerts": self.deliver_alerts,
            "heartbeat": self.heartbeat,
        }
        first = datetime.now().astimezone()
        for name, run in passes.items():
            scheduler.add_job(
                self._start_pass,
                IntervalTrigger(seconds=self.settings.schedule.tick),
                args=(name, run),
                id=name,
                next_run_time=first,
            )
        return scheduler

    async def _start_pass(self, name: str, run: Callable[[], Awaitable[object]]) -> None:
        running = self._passes.get(name)
        if self._stopping.is_set() or (running is not None and not running.done()):
            return
        self._passes[name] = asyncio.create_task(self._guarded(name, run), name=name)

    @staticmethod
    async def _guarded(name: str, run: Callable[[], Awaitable[object]]) -> object:
        try:
            return await run()
        except Exception as exc:  # the database or a channel hiccuped: next tick retries
            log.error("%s pass failed: %s: %s", name, type(exc).__name__, exc)
            return None

    async def _wind_down(self, grace: float) -> None:
        """Give what is in flight ``grace`` seconds, then cancel it: a check still
        fetching or extracting stores nothing, and one whose write is still waiting on
        the database (another process's lock) is abandoned with its thread, which
        nothing joins: its transaction commits whole or not at all, and its alerts go
        out from the outbox, once, whenever it commits. Then release the leases and
        unregister, for at most INTERRUPT_GRACE seconds (leases left expire)."""
        pending: set[asyncio.Task[object]] = set(self._passes.values())
        pending |= set(self._in_flight)
        pending = {task for task in pending if not task.done()}
        abandon = False
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            checks = {story: task for task, story in self._in_flight.items() if task in late}
            storing = sorted(story for story in checks if story in self.checker.storing)
            passes = sorted(name for name, task in self._passes.items() if task in late)
            for task in late:
                task.cancel()
            abandon = bool(checks)
            if late:
                log.warning(
                    "grace period over: %d checks cancelled%s%s",
                    len(checks),
                    f", the writes of stories {', '.join(map(str, storing))} abandoned"
                    " (each commits whole or not at all)"
                    if storing
                    else "",
                    f"; passes cancelled: {', '.join(passes)}" if passes else "",
                )
            await asyncio.gather(*late, return_exceptions=True)
        try:
            async with asyncio.timeout(INTERRUPT_GRACE):
                released = await asyncio.to_thread(
                    claims.release_leases, self.store, self.worker_id
                )
                if released:
                    log.info("released %d leases", released)
                await asyncio.to_thread(claims.unregister_worker, self.store, self.worker_id)
        except TimeoutError:
            abandon = True
            log.warning(
                "the database did not answer within %gs: leases left to expire,"
                " worker not unregistered",
                INTERRUPT_GRACE,
            )
        await self.close(abandon=abandon)

    async def close(self, *, abandon: bool = False) -> None:
        """Close the HTTP client and stop the extraction processes; with ``abandon``,
        leave a write under way to its thread (see Checker.close)."""
        await self.fetcher.aclose()
        self.checker.close(abandon=abandon)
        await self.extractor.aclose()

    def _register(self) -> None:
        now = self.clock()
        host, pid = socket.gethostname(), os.getpid()
        worker = Worker(id=self.worker_id, host=host, pid=pid, started_at=now, heartbeat_at=now)
        claims.register_worker(self.store, worker, forget_before=now - FORGET_WORKERS_AFTER)

    def _warn_short_lease(self) -> None:
        schedule = self.settings.schedule
        if schedule.lease < LEASE_TICKS * schedule.tick:
            log.warning(
                "schedule.lease %gs is under %d ticks (%gs): a busy worker's leases could"
                " lapse between heartbeats and its stories be fetched twice",
                schedule.lease,
                LEASE_TICKS,
                LEASE_TICKS * schedule.tick,
            )


def _story(story: Story) -> dict[str, object]:
    return {"story": story.id, "url": story.url}


def _log_report(report: CheckReport) -> None:
    extra = {"story": report.story_id, "url": report.url, "outcome": report.outcome}
    if report.outcome == CheckOutcome.NEW_VERSION:
        log.info("story %s: stored version %s", report.story_id, report.version, extra=extra)
    elif report.outcome in _FAILED:
        log.warning("story %s: %s", report.story_id, report.error, extra=extra)
    else:
        log.debug("story %s: %s", report.story_id, report.outcome, extra=extra)
