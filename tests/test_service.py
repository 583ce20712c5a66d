"""The daemon end to end: in-process passes with a controlled clock, and real
`storywatch run` processes stopped with SIGTERM or killed with SIGKILL mid-cycle."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import signal
import socket
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from storywatch.config import Settings
from storywatch.logs import setup_logging
from storywatch.storage import CheckOutcome, Store, StoryStatus, claims, utcnow
from storywatch.storage.schema import as_utc
from storywatch.watcher.interrupt import INTERRUPT_GRACE
from storywatch.watcher.pipeline import CheckReport
from storywatch.watcher.service import Service
from tests.support.cli import run_cli
from tests.support.databases import sqlite_url
from tests.support.newsroom import (
    FAST_SCHEDULE,
    article,
    assert_no_duplicate_versions,
    checks_by_story,
    publish,
    start_worker,
    stop,
    story_path,
    track,
    versions_by_story,
    wait_for,
)
from tests.support.pipeline import pipeline_settings
from tests.support.server import PageServer


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _settings(db_url: str, **schedule: object) -> Settings:
    return pipeline_settings(
        db_url,
        fetch={"per_host_delay": 0, "per_host_concurrency": 8, "timeout": 2},
        schedule={"jitter": 0, "min_interval": 60, **schedule},
        alerts={"channels": []},
    )


def _cycle(service: Service) -> list[CheckReport]:
    async def run() -> list[CheckReport]:
        reports: list[CheckReport] = []
        try:
            await service.run_checks(reports)
            return reports
        finally:
            await service.close()

    return asyncio.run(run())


def _service(store: Store, settings: Settings, clock: Clock) -> Service:
    return Service(settings, store, clock=clock, channels={})


def test_a_pass_checks_every_due_story_once_and_resumes_from_the_database(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = _settings(db_url, batch_size=4)  # several claims per pass
    track(store, page_server, 10)
    publish(page_server, 10, edition=1)
    clock = Clock()

    reports = _cycle(_service(store, settings, clock))
    assert sorted(r.outcome for r in reports) == [CheckOutcome.NEW_VERSION] * 10
    assert _cycle(_service(store, settings, clock)) == []  # nothing due: nothing fetched

    clock.advance(61)  # a new process, later: the schedule lives in the database
    publish(page_server, 3, edition=2)
    outcomes = sorted(r.outcome for r in _cycle(_service(store, settings, clock)))
    assert outcomes == [CheckOutcome.NEW_VERSION] * 3 + [CheckOutcome.NOT_MODIFIED] * 7
    assert_no_duplicate_versions(store)
    assert all(s.lease_owner is None for s in store.list_stories())


def test_failures_back_off_then_mark_the_story_failing_not_dropped(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = _settings(sqlite_url(tmp_path), failing_after=3, failing_interval=3600)
    page_server.set("/broken", "oops", status=500)
    page_server.set("/limited", "slow down", status=429, headers={"Retry-After": "7200"})
    broken = sqlite_store.add_story(page_server.url("/broken"))
    limited = sqlite_store.add_story(page_server.url("/limited"))
    clock = Clock()

    delays = []
    for _ in range(3):
        _cycle(_service(sqlite_store, settings, clock))
        story = sqlite_store.get_story(broken.id or 0)
        delays.append((as_utc(story.next_check_at) - clock.now).total_seconds())
        clock.now = as_utc(story.next_check_at)
    assert delays[:2] == [60, 120]  # doubling from the pace
    assert delays[2] == 3600  # failing: checked rarely
    assert sqlite_store.get_story(broken.id or 0).status == StoryStatus.FAILING

    story = sqlite_store.get_story(limited.id or 0)
    assert story.status == StoryStatus.ACTIVE  # not yet failing_after in a row
    assert "429" in (story.last_error or "")
    checked = as_utc(story.last_checked_at or story.added_at)
    assert as_utc(story.next_check_at) - checked >= timedelta(seconds=7200)


def test_robots_txt_is_respected_unless_the_story_overrides_it(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = _settings(sqlite_url(tmp_path))
    page_server.set("/robots.txt", "User-agent: *\nDisallow: /news/\n", content_type="text/plain")
    publish(page_server, 2, edition=1)
    polite = sqlite_store.add_story(page_server.url(story_path(0)))
    rude = sqlite_store.add_story(page_server.url(story_path(1)), respect_robots=False)

    reports = {r.story_id: r for r in _cycle(_service(sqlite_store, settings, Clock()))}
    assert reports[polite.id or 0].outcome == CheckOutcome.FAILED
    assert "robots.txt disallows" in (reports[polite.id or 0].error or "")
    assert reports[rude.id or 0].outcome == CheckOutcome.NEW_VERSION
    assert page_server.hits(story_path(0)) == 0
    assert page_server.hits("/robots.txt") == 1  # cached per host


def _logs(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_sigterm_mid_cycle_finishes_in_flight_checks_and_exits_0(
    page_server: PageServer, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    track(store, page_server, 6)
    for index in range(6):  # slow pages: the cycle is surely in flight when SIGTERM lands
        page_server.set(story_path(index), article(index), delay=1.0)
    proc = start_worker(url, tmp_path / "worker.log", "--grace", "20s")
    wait_for(lambda: page_server.hits(story_path(0)) > 0, 20, "the first fetch")
    code, took = stop(proc, timeout=30)
    assert code == 0
    assert took < 20
    assert all(s.version_count == 1 for s in store.list_stories())  # in-flight ones finished
    assert all(s.lease_owner is None for s in store.list_stories())
    assert_no_duplicate_versions(store)
    messages = [str(entry["msg"]) for entry in _logs(tmp_path / "worker.log")]
    assert any(m.startswith("stopping") for m in messages)
    assert run_cli("--db", url, "status", "--json").json()["workers"] == []  # unregistered
    store.close()


def test_sigterm_after_the_grace_period_cancels_checks_and_releases_leases(
    page_server: PageServer, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    track(store, page_server, 4)
    for index in range(4):
        page_server.set(story_path(index), article(index), delay=30)
    proc = start_worker(url, tmp_path / "worker.log", "--grace", "0.5s")
    wait_for(lambda: page_server.hits(story_path(3)) > 0, 20, "all fetches in flight")
    code, took = stop(proc, timeout=15)
    assert (code, took < 10) == (0, True)
    stories = store.list_stories()
    assert [s.version_count for s in stories] == [0, 0, 0, 0]
    assert all(s.lease_owner is None for s in stories)  # due again for the next worker
    assert versions_by_story(store) == {}
    store.close()


def test_sigterm_abandons_a_write_held_by_another_process_and_exits_promptly(
    page_server: PageServer, tmp_path: Path
) -> None:
    """SIGTERM once waited for the writer thread and the release of the leases, each
    waiting out SQLite's 30 s busy timeout behind another process's lock; now the check's
    write is abandoned when the grace is over (its transaction never commits, so nothing
    is half-stored) and the leases, left to expire, get INTERRUPT_GRACE seconds."""
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    track(store, page_server, 1)
    page_server.set(story_path(0), article(0), delay=1.0)
    proc = start_worker(url, tmp_path / "worker.log", "--grace", "2s")
    try:
        wait_for(lambda: page_server.hits(story_path(0)) > 0, 20, "the fetch")
        with contextlib.closing(sqlite3.connect(tmp_path / "storywatch.db")) as lock:
            lock.isolation_level = None
            lock.execute("BEGIN IMMEDIATE")
            time.sleep(1.5)  # the page answered, extracted: its check waits for the lock
            code, took = stop(proc, timeout=40)
            lock.execute("ROLLBACK")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0
    assert took < 2 + INTERRUPT_GRACE + 5
    messages = [str(entry["msg"]) for entry in _logs(tmp_path / "worker.log")]
    assert "grace period over: 1 checks cancelled, the writes of stories 1 abandoned" in (
        " ".join(messages)
    ), messages
    assert any(m.startswith("the database did not answer within") for m in messages)
    [story] = store.list_stories()
    assert (story.version_count, story.last_checked_at) == (0, None)
    assert versions_by_story(store) == {} and checks_by_story(store) == {}
    store.close()


def test_sigkill_then_restart_resumes_without_duplicates(
    page_server: PageServer, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    track(store, page_server, 12)
    # Answers spread over seconds, so the kill after the first version finds the others
    # still leased, however late a loaded machine lets the test notice that version.
    for index in range(12):
        delay = 0.3 + 0.4 * index
        page_server.set(story_path(index), article(index), delay=delay, etag=f'"{index}"')
    env = {"STORYWATCH_SCHEDULE__LEASE": "2", "STORYWATCH_SCHEDULE__MIN_INTERVAL": "3600"}
    victim = start_worker(url, tmp_path / "victim.log", env=env)
    wait_for(lambda: any(s.version_count for s in store.list_stories()), 20, "the first version")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    held = [s.id for s in store.list_stories() if s.lease_owner is not None]
    assert held, "the victim died holding leases"

    started = time.monotonic()
    survivor = start_worker(url, tmp_path / "survivor.log", env=env)
    try:
        wait_for(
            lambda: all(s.version_count == 1 for s in store.list_stories()), 30, "a full cycle"
        )
        assert time.monotonic() - started >= 1.0  # the dead worker's leases had to expire
        status = run_cli("--db", url, "status", "--json", env=FAST_SCHEDULE).json()
        alive = [w["pid"] for w in status["workers"] if w["alive"]]
        assert (alive, len(status["workers"])) == ([survivor.pid], 2)  # the victim is silent
        assert status["stories"]["due"] == 0
    finally:
        assert stop(survivor, timeout=20)[0] == 0
    assert_no_duplicate_versions(store)
    store.close()


def test_run_once_polls_feeds_then_checks_their_new_stories(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = _settings(sqlite_url(tmp_path))
    publish(page_server, 2, edition=1)
    links = "".join(
        f"<item><title>Story {n}</title><link>{page_server.url(story_path(n))}</link></item>"
        for n in range(2)
    )
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{links}</channel></rss>'
    )
    page_server.set("/feed.xml", rss, content_type="application/rss+xml")
    claims.add_feed(sqlite_store, page_server.url("/feed.xml"))
    service = Service(settings, sqlite_store, channels={})  # real clock: stories are new

    async def run() -> int:
        try:
            return (await service.run_once()).changed
        finally:
            await service.close()

    assert asyncio.run(run()) == 2
    assert all(s.feed_id is not None and s.version_count == 1 for s in sqlite_store.list_stories())


def test_log_lines_are_text_by_default_and_json_on_request() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        for fmt in ("text", "json"):
            stream = io.StringIO()
            setup_logging("info", fmt, stream)
            logging.getLogger("storywatch.test").info("version %d", 2, extra={"story": 7})
            line = stream.getvalue().strip()
            if fmt == "json":
                assert json.loads(line) | {"ts": None} == {
                    "ts": None, "level": "info", "logger": "storywatch.test",
                    "msg": "version 2", "story": 7,
                }  # fmt: skip
            else:
                assert line.endswith("INFO    storywatch.test: version 2 [story=7]")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_run_serve_checks_and_serves_from_one_process(
    page_server: PageServer, tmp_path: Path
) -> None:
    """`run --serve`: the daemon stores versions while the same process answers the web
    pages and the API over them, and SIGTERM ends both."""
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    [story_id] = track(store, page_server, 1)
    page_server.set(story_path(0), article(0))
    store.close()
    with socket.socket() as probe:  # a free port for the web server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = start_worker(
        url, tmp_path / "worker.log", "--serve", env={"STORYWATCH_SERVE__PORT": str(port)}
    )
    base = f"http://127.0.0.1:{port}"

    def stored_and_served() -> bool:
        try:
            answer = httpx.get(f"{base}/api/stories/{story_id}", timeout=2)
        except httpx.TransportError:
            return False
        return answer.status_code == 200 and answer.json()["versions"] == 1

    try:
        wait_for(stored_and_served, 30, "the version stored by the daemon, read over HTTP")
        page = httpx.get(f"{base}/stories/{story_id}", timeout=5)
        assert page.status_code == 200 and "1 version" in page.text
    finally:
        code, _ = stop(proc, timeout=20)
    assert code == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(base + "/", timeout=2)
