"""Hostile HTTP answers against the real CLI: `run --once`, then `check --all` (whose
conditional requests send back what the first pass stored), on one SQLite file.

Pass means: no traceback, exit status 0, 1 or 2, no hang past the configured timeouts,
every story's check recorded (a failure with its error), and the database intact (its
integrity check, and no version lost or doubled). The catalogue is in
tests/support/hostile.py; ``make fuzz`` (FUZZ_EXAMPLES) raises the number of random
answers, FUZZ_SEED changes them.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from storywatch.storage import Store, claims
from tests.support.cli import Result, run_cli
from tests.support.databases import sqlite_url
from tests.support.fuzz import FUZZ_EXAMPLES
from tests.support.hostile import HostileServer, hostile_answers, hostile_feeds

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

SEED = int(os.environ.get("FUZZ_SEED") or 13)
RANDOM_ANSWERS = max(30, FUZZ_EXAMPLES // 5)
TIMEOUT = 2.0  # fetch.timeout: every fetch ends by then
# A whole pass may take this long: start-up, extraction of the pathological pages, and
# the timed-out fetches, 16 at a time.
PASS_LIMIT = 60.0 + RANDOM_ANSWERS * 0.2

CONFIG = f"""
[fetch]
timeout = {TIMEOUT}
max_bytes = 1_000_000
max_redirects = 3
max_concurrency = 16
per_host_concurrency = 16
per_host_delay = 0
extract_processes = 1

[schedule]
failing_after = 2
jitter = 0
default_interval = 60
min_interval = 60

[alerts]
channels = []

[log]
level = "warning"
"""


def _run(db: str, config: Path, *args: str) -> Result:
    started = time.monotonic()
    result = run_cli("--config", str(config), "--db", db, "--allow-private", *args, timeout=300)
    elapsed = time.monotonic() - started
    assert elapsed < PASS_LIMIT, f"{args} took {elapsed:.0f}s"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.code in (0, 1, 2), (result.code, result.stderr[-3000:])
    return result


def _assert_recorded_and_intact(path: Path, store: Store, checks_each: int) -> None:
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        versions = dict(
            connection.execute("SELECT story_id, COUNT(*) FROM versions GROUP BY story_id")
        )
        numbers = connection.execute(
            "SELECT story_id, MIN(number), MAX(number) FROM versions GROUP BY story_id"
        ).fetchall()
        check_counts = dict(
            connection.execute("SELECT story_id, COUNT(*) FROM checks GROUP BY story_id")
        )
    for story_id, low, high in numbers:
        assert (low, high) == (1, versions[story_id]), f"story {story_id}: numbers {low}..{high}"
    for story in store.list_stories():
        assert story.id is not None
        where = f"story {story.id} ({story.url})"
        # Every answer is the same on every request: one version at most, never two.
        assert story.version_count == versions.get(story.id, 0) <= 1, where
        assert check_counts.get(story.id, 0) >= checks_each, f"{where}: check not recorded"
        assert story.last_checked_at is not None, where
        if story.error_count:
            assert story.last_error, where
            # A crash is recorded like any failure, but it is still a bug to fix.
            assert not story.last_error.startswith("unexpected error"), where
        assert story.lease_owner is None, where


def test_hostile_answers_through_run_once_and_check(tmp_path: Path) -> None:
    answers = hostile_answers(seed=SEED, randoms=RANDOM_ANSWERS)
    with HostileServer(answers) as server:
        server.answers.update(
            hostile_feeds(server.url("/h/http-0.9"), server.url("/missing-from-feed"))
        )
        path = tmp_path / "fuzz.db"
        db = sqlite_url(tmp_path).replace("storywatch.db", path.name)
        config = tmp_path / "storywatch.toml"
        config.write_text(CONFIG, encoding="utf-8")
        store = Store.open(db)
        try:
            for answer_path in answers:
                if answer_path.startswith("/h/"):
                    store.add_story(server.url(answer_path))
            for answer_path in server.answers:
                if answer_path.startswith("/f/"):
                    claims.add_feed(store, server.url(answer_path))

            _run(db, config, "run", "--once")
            feeds = claims.list_feeds(store)
            assert all(feed.last_checked_at is not None for feed in feeds), "feed poll lost"
            tracked = {story.url for story in store.list_stories()}
            # Only the valid, new link of the feeds became a story.
            assert server.url("/missing-from-feed") in tracked
            odd = [url[:100] for url in tracked if "a.example" in url or "xn--" in url]
            assert odd == []
            _assert_recorded_and_intact(path, store, checks_each=1)

            _run(db, config, "check", "--all", "--no-alerts")
            _assert_recorded_and_intact(path, store, checks_each=2)
        finally:
            store.close()
