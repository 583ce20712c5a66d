"""A newsroom for daemon tests: many distinct article pages that change on demand, and
``storywatch run`` worker processes pointed at them."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import col, select

from storywatch.storage import Check, Store, Version
from tests.support.pages import article_html
from tests.support.server import LoggedRequest, PageServer, Reply

CITIES = ("Kyiv", "Warsaw", "Vienna", "Geneva", "Helsinki", "Ankara", "Riga", "Oslo")


def article(index: int, edition: int = 1) -> str:
    """Story ``index`` as published; edition 2 changes one fact (a casualty figure)."""
    city = CITIES[index % len(CITIES)]
    figure = 40 + index if edition == 1 else 140 + index
    paragraphs = [
        f"Negotiators met in {city} on Tuesday for talks on a ceasefire, officials said.",
        f"At least {figure} people were killed in the fighting last week, according to the "
        "regional governor, who spoke to reporters after the meeting.",
        f"The delegation from {city} said it would not sign any agreement that left the "
        "question of prisoners unresolved.",
        "A spokesperson for the foreign ministry said the talks were constructive but that "
        "no date had been set for a second round.",
        f"Story number {index} will be updated as more information becomes available.",
    ]
    return article_html(f"Ceasefire talks in {city} (story {index})", paragraphs)


def story_path(index: int) -> str:
    return f"/news/{index}"


def publish(server: PageServer, count: int, edition: int) -> None:
    for index in range(count):
        server.set(story_path(index), article(index, edition), etag=f'"{index}-{edition}"')


def track(store: Store, server: PageServer, count: int) -> list[int]:
    ids = []
    for index in range(count):
        story = store.add_story(server.url(story_path(index)))
        assert story.id is not None
        ids.append(story.id)
    return ids


class RequestClock:
    """Serves a page through a handler that notes when each request arrived and how many
    were being answered at once (the server's log has no timestamps)."""

    def __init__(self, body: str = "", *, hold: float = 0.0, status: int = 200) -> None:
        self.arrivals: list[float] = []
        self.peak = 0
        self._active = 0
        self._lock = threading.Lock()
        self._body = body or article(0)
        self._hold = hold
        self.status = status
        self.headers: dict[str, str] = {}

    def __call__(self, _request: LoggedRequest) -> Reply:
        with self._lock:
            self.arrivals.append(time.monotonic())
            self._active += 1
            self.peak = max(self.peak, self._active)
        try:
            time.sleep(self._hold)
            return Reply(status=self.status, body=self._body, headers=dict(self.headers))
        finally:
            with self._lock:
                self._active -= 1

    def gaps(self) -> list[float]:
        ordered = sorted(self.arrivals)
        return [b - a for a, b in itertools.pairwise(ordered)]


# -- database views ----------------------------------------------------------------------


def versions_by_story(store: Store) -> dict[int, list[Version]]:
    with store._session() as session:
        rows = session.exec(select(Version).order_by(col(Version.story_id), col(Version.number)))
        result: dict[int, list[Version]] = {}
        for version in rows:
            result.setdefault(version.story_id, []).append(version)
    return result


def checks_by_story(store: Store) -> dict[int, list[Check]]:
    with store._session() as session:
        rows = session.exec(select(Check).order_by(col(Check.story_id), col(Check.checked_at)))
        result: dict[int, list[Check]] = {}
        for check in rows:
            result.setdefault(check.story_id, []).append(check)
    return result


def assert_no_duplicate_versions(store: Store) -> None:
    """Version numbers run 1..n per story, match ``version_count``, and no two
    consecutive versions have the same content."""
    counts = {story.id: story.version_count for story in store.list_stories()}
    for story_id, versions in versions_by_story(store).items():
        numbers = [v.number for v in versions]
        assert numbers == list(range(1, len(versions) + 1)), (story_id, numbers)
        assert counts[story_id] == len(versions), (story_id, counts[story_id], numbers)
        hashes = [v.content_hash for v in versions]
        assert all(a != b for a, b in itertools.pairwise(hashes)), (story_id, hashes)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.1)


# -- worker processes --------------------------------------------------------------------

FAST_SCHEDULE = {
    "STORYWATCH_SCHEDULE__TICK": "0.2",
    "STORYWATCH_SCHEDULE__MIN_INTERVAL": "1",
    "STORYWATCH_SCHEDULE__JITTER": "0",
    "STORYWATCH_SCHEDULE__LEASE": "4",
    "STORYWATCH_SCHEDULE__BATCH_SIZE": "20",
    "STORYWATCH_FETCH__PER_HOST_DELAY": "0",
    "STORYWATCH_FETCH__PER_HOST_CONCURRENCY": "10",
    "STORYWATCH_FETCH__RESPECT_ROBOTS": "false",
    "STORYWATCH_FETCH__TIMEOUT": "10",
}


def start_worker(
    db_url: str, log: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    environ.update(FAST_SCHEDULE)
    environ.update(env or {})
    command = [sys.executable, "-m", "storywatch", "--db", db_url, "--allow-private", "run"]
    with log.open("ab") as sink:
        return subprocess.Popen(
            [*command, "--log-format", "json", *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environ,
        )


@contextmanager
def workers(
    db_url: str, tmp_path: Path, count: int, *args: str
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` worker processes, SIGKILLed at the end if a test left them running."""
    procs = [start_worker(db_url, tmp_path / f"worker-{n}.log", *args) for n in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)


def stop(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """SIGTERM the worker; return its exit status and how long it took to exit."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=timeout)
    return code, time.monotonic() - started
