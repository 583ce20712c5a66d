"""`check` fetches through the same polite path as `run`: robots.txt with modern rules,
per-host delay, progress as results come, and Ctrl-C that keeps what was checked."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.pages import seed_html
from tests.support.server import PageServer

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


def test_ctrl_c_keeps_what_was_checked_and_says_what_was_not(
    tmp_path: Path, page_server: PageServer
) -> None:
    page_server.set("/robots.txt", "", content_type="text/plain")
    paths = [f"/slow/{n}" for n in range(6)]
    page_server.set(paths[0], seed_html("us-russia-deal-v1"))
    for path in paths[1:]:
        page_server.set(path, seed_html("us-russia-deal-v1"), delay=20)
    config = _config(tmp_path, "0s")
    assert run_cli(*config, "add", *(page_server.url(p) for p in paths)).code == 0
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "storywatch", *config, "check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )
    deadline = time.monotonic() + 30
    while page_server.hits(paths[1]) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # the fast story's check is stored by now
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, (stdout, stderr)
    assert "interrupted: checked 1:" in stderr and "not checked: 5" in stderr
    assert "Traceback" not in stderr
    stories = run_cli(*config, "list", "--json").json()
    assert [s["versions"] for s in stories] == [1, 0, 0, 0, 0, 0]


def test_every_pass_of_run_ends_with_one_summary_line(
    tmp_path: Path, page_server: PageServer
) -> None:
    config = _serve(page_server, tmp_path, "0s")
    first = run_cli(*config, "run", "--once")
    assert "pass: 4 due, 4 checked, 2 changed, 2 failed" in first.stderr, first.stderr
    again = run_cli(*config, "run", "--once")
    assert "pass: 0 due, 0 checked, 0 changed, 0 failed" in again.stderr
    assert "next due in" in again.stderr
