"""`check` fetches through the same polite path as `run`: robots.txt with modern rules,
per-host delay, progress as results come, and Ctrl-C that keeps what was checked."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from subprocess import PIPE, Popen
from typing import IO

from sqlalchemy import Connection, Engine, create_engine, text

from storywatch.storage import Store
from storywatch.storage.db import normalise_url
from storywatch.watcher.interrupt import INTERRUPT_GRACE
from tests.support.cli import run_cli
from tests.support.databases import postgres_schema_url
from tests.support.pages import seed_html
from tests.support.server import LoggedRequest, PageServer, Reply

ROBOTS = "User-agent: *\nDisallow: /*/live-updates/\nDisallow: /*.pdf$\n"
PATHS = ("/world/story-1", "/world/live-updates/2", "/files/report.pdf", "/world/story-3")


def _config(tmp_path: Path, delay: str) -> list[str]:
    config = tmp_path / "storywatch.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "sw.db"}"\n'
        f'[fetch]\nallow_private = true\nper_host_delay = "{delay}"\n',
        encoding="utf-8",
    )
    return ["--config", str(config)]


def _serve(page_server: PageServer, tmp_path: Path, delay: str) -> list[str]:
    page_server.set("/robots.txt", ROBOTS, content_type="text/plain")
    for path in PATHS:
        page_server.set(path, seed_html("us-russia-deal-v1"))
    config = _config(tmp_path, delay)
    assert run_cli(*config, "add", *(page_server.url(p) for p in PATHS)).code == 0
    return config


def _page_requests(page_server: PageServer) -> list[tuple[str, float]]:
    return [(r.path, r.received_at) for r in page_server.requests if r.path != "/robots.txt"]


def test_check_honours_robots_wildcards_and_spaces_requests_by_the_delay(
    tmp_path: Path, page_server: PageServer
) -> None:
    config = _serve(page_server, tmp_path, "1s")
    result = run_cli(*config, "check")
    assert result.code == 2  # two stories refused by robots.txt are failed checks
    assert result.stderr.count("robots.txt disallows") == 2
    requests = _page_requests(page_server)
    assert sorted(path for path, _ in requests) == ["/world/story-1", "/world/story-3"]
    starts = sorted(at for _, at in requests)
    assert starts[1] - starts[0] >= 0.9
    assert page_server.hits("/robots.txt") == 1


def test_check_and_run_make_the_same_requests(tmp_path: Path, page_server: PageServer) -> None:
    requests: dict[str, list[str]] = {}
    for command in (["check"], ["run", "--once"]):
        folder = tmp_path / command[0]
        folder.mkdir()
        page_server.clear_requests()
        config = _serve(page_server, folder, "0.2s")
        run_cli(*config, *command)
        requests[command[0]] = sorted(r.path for r in page_server.requests)
    assert requests["check"] == requests["run"]
    assert "/world/live-updates/2" not in requests["check"]


def test_check_now_skips_the_per_host_delay_but_not_robots(
    tmp_path: Path, page_server: PageServer
) -> None:
    config = _serve(page_server, tmp_path, "30s")
    started = time.monotonic()
    result = run_cli(*config, "check", "--now")
    assert time.monotonic() - started < 20
    assert result.stderr.count("robots.txt disallows") == 2
    assert "checked 4: 2 changed, 0 unchanged, 2 failed" in result.stdout


def test_results_come_as_lines_when_piped(tmp_path: Path, page_server: PageServer) -> None:
    config = _serve(page_server, tmp_path, "0s")
    result = run_cli(*config, "check")
    lines = result.stdout.splitlines()
    assert sum(line.startswith("story ") for line in lines) == 2
    assert lines[-1].startswith("checked 4: 2 changed")
    assert "\x1b[" not in result.stdout  # no progress bar, no colours


def test_a_terminal_gets_a_progress_bar(tmp_path: Path, page_server: PageServer) -> None:
    config = _serve(page_server, tmp_path, "0.3s")
    main, child = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    environ.update({"COLUMNS": "100", "TERM": "xterm"})
    process = subprocess.Popen(
        [sys.executable, "-m", "storywatch", *config, "check"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=environ,
    )
    os.close(child)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(main)
    text = output.decode("utf-8", "replace")
    assert "checking" in text and "changed" in text and "ETA" in text
    assert "checked 4: 2 changed" in text


class _Gate:
    """Pages answered only once the test opens the gate, so that it can lock the
    database before their checks write."""

    def __init__(self, page_server: PageServer) -> None:
        self.page_server = page_server
        self.opened = threading.Event()

    def route(self, path: str, reply: Reply) -> None:
        def answer(request: LoggedRequest) -> Reply:
            self.opened.wait(30)
            return reply

        self.page_server.handle(path, answer)


def _interrupted_check(
    page_server: PageServer, config: list[str], db_url: str
) -> tuple[Popen[bytes], _Gate]:
    """`check` of five stories, running: 1 answers at once and is stored; 2 (a 404, a
    failed check stored without extraction) and 3 (a first version) answer once the
    gate opens; 4 and 5 take 20 s."""
    page_server.set("/robots.txt", "", content_type="text/plain")
    page_server.set("/fast", seed_html("us-russia-deal-v1"))
    gate = _Gate(page_server)
    gate.route("/gated/gone", Reply(404, "gone"))
    gate.route("/gated/page", Reply(body=seed_html("us-russia-deal-v1")))
    paths = ["/fast", "/gated/gone", "/gated/page", "/slow/4", "/slow/5"]
    for path in paths[3:]:
        page_server.set(path, seed_html("us-russia-deal-v1"), delay=20)
    with contextlib.closing(Store.open(db_url)) as store:
        for path in paths:
            store.add_story(page_server.url(path))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    # Every page requested at once: none waits for a slot the gated ones hold.
    environ["STORYWATCH_FETCH__PER_HOST_CONCURRENCY"] = str(len(paths))
    process = Popen(
        [sys.executable, "-m", "storywatch", *config, "check"],
        stdout=PIPE,
        stderr=PIPE,
        env=environ,
    )
    return process, gate


def _read_until(stream: IO[bytes] | None, expected: bytes) -> bytes:
    """What a running process wrote to ``stream`` up to ``expected``."""
    assert stream is not None
    seen = b""
    deadline = time.monotonic() + 30
    while expected not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {expected!r} within 30 s: {seen!r}"
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"the stream ended before {expected!r}: {seen!r}"
        seen += chunk
    return seen


def _exit_after_ctrl_c(process: Popen[bytes], interrupted_at: float) -> str:
    """The rest of what an interrupted `check` writes to stderr: it must end within its
    grace (and a margin for a loaded machine) with status 130."""
    try:
        stdout, stderr = process.communicate(timeout=INTERRUPT_GRACE + 15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("check still running 15 s after its Ctrl-C grace") from None
    assert time.monotonic() - interrupted_at < INTERRUPT_GRACE + 5
    assert process.returncode == 130, (stdout, stderr)
    assert b"Traceback" not in stderr
    return stderr.decode()


def test_ctrl_c_keeps_what_was_checked_and_abandons_a_write_held_past_the_grace(
    tmp_path: Path, page_server: PageServer
) -> None:
    """Ctrl-C once waited for the writer thread, itself waiting out SQLite's 30 s busy
    timeout (twice for a version) behind another process's lock."""
    config = _config(tmp_path, "0s")
    process, gate = _interrupted_check(page_server, config, f"sqlite:///{tmp_path / 'sw.db'}")
    try:
        _read_until(process.stdout, b"story 1: changed")
        with contextlib.closing(sqlite3.connect(tmp_path / "sw.db", isolation_level=None)) as lock:
            lock.execute("BEGIN IMMEDIATE")
            gate.opened.set()
            # SQLite shows no writer waiting for its lock: story 2's failed check is
            # written within milliseconds of its answer, without extraction.
            while page_server.hits("/gated/gone") == 0:
                time.sleep(0.05)
            time.sleep(0.5)
            process.send_signal(signal.SIGINT)
            stderr = _exit_after_ctrl_c(process, time.monotonic())
    finally:
        gate.opened.set()
        process.kill()
    assert "interrupted: checked 1: 1 changed" in stderr
    assert "not checked: 4 (2, 3, 4, 5)" in stderr
    assert _stored(f"sqlite:///{tmp_path / 'sw.db'}") == [(1, True)] + [(0, False)] * 4


def test_ctrl_c_lets_writes_under_way_land_within_the_grace_and_abandons_the_rest(
    tmp_path: Path, page_server: PageServer
) -> None:
    """On PostgreSQL the checks' writes wait on row locks the test holds, where
    pg_stat_activity shows them: story 2's lock is let go during the grace, story 3's
    only after `check` has ended."""
    with postgres_schema_url() as url:
        config = [*_config(tmp_path, "0s"), "--db", url]
        process, gate = _interrupted_check(page_server, config, url)
        engine = create_engine(normalise_url(url))
        try:
            _read_until(process.stdout, b"story 1: changed")
            with engine.connect() as gone_lock, engine.connect() as page_lock:
                holders = [_lock_story(gone_lock, 2), _lock_story(page_lock, 3)]
                gate.opened.set()
                _wait_until_blocked(engine, holders)
                process.send_signal(signal.SIGINT)
                interrupted_at = time.monotonic()
                early = _read_until(process.stderr, b"stopping: letting 2 check(s) finish")
                gone_lock.rollback()
                stderr = _exit_after_ctrl_c(process, interrupted_at)
        finally:
            gate.opened.set()
            process.kill()
            engine.dispose()
        stderr = early.decode() + stderr
        assert "story 2: failed: HTTP 404" in stderr
        assert "interrupted: checked 2: 1 changed, 0 unchanged, 1 failed" in stderr
        assert "not checked: 3 (3, 4, 5)" in stderr
        assert _stored(url) == [(1, True), (0, True)] + [(0, False)] * 3


def _stored(db_url: str) -> list[tuple[int, bool]]:
    """Each story's versions, and whether a check of it was stored."""
    with contextlib.closing(Store.open(db_url)) as store:
        return [(s.version_count, s.last_checked_at is not None) for s in store.list_stories()]


def _lock_story(connection: Connection, story_id: int) -> int:
    """Lock a story's row in ``connection``'s transaction; return its server process."""
    connection.execute(text("SELECT id FROM stories WHERE id = :id FOR UPDATE"), {"id": story_id})
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert isinstance(pid, int)
    return pid


def _wait_until_blocked(engine: Engine, holders: list[int]) -> None:
    """Wait until some session waits on each holder's lock."""
    query = text(
        "SELECT count(DISTINCT blocker) FROM pg_stat_activity,"
        " unnest(pg_blocking_pids(pid)) AS blocker WHERE blocker = ANY(:holders)"
    )
    deadline = time.monotonic() + 30
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        while watcher.execute(query, {"holders": holders}).scalar_one() < len(holders):
            assert time.monotonic() < deadline, "the checks never reached their writes"
            time.sleep(0.05)


def test_every_pass_of_run_ends_with_one_summary_line(
    tmp_path: Path, page_server: PageServer
) -> None:
    config = _serve(page_server, tmp_path, "0s")
    first = run_cli(*config, "run", "--once")
    assert "pass: 4 due, 4 checked, 2 changed, 2 failed" in first.stderr, first.stderr
    again = run_cli(*config, "run", "--once")
    assert "pass: 0 due, 0 checked, 0 changed, 0 failed" in again.stderr
    assert "next due in" in again.stderr
