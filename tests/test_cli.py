"""The real CLI on real files: the core commands, and one-line errors with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.pages import seed_html
from tests.support.server import PageServer, unused_port

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _assert_one_line_error(result: object, fragment: str) -> None:
    code, stdout, stderr = result.code, result.stdout, result.stderr  # type: ignore[attr-defined]
    assert code == 2, (code, stdout, stderr)
    assert fragment in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr


def test_track_check_and_look_back(tmp_path: Path, page_server: PageServer) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'sw.db'}", "--allow-private"]
    path = "/world/us-russia-deal"
    page_server.set(path, seed_html("us-russia-deal-v1"), etag='"1"')
    assert run_cli(*db, "init").code == 0
    added = run_cli(*db, "add", page_server.url(path), "--name", "Deal talks", "--json")
    assert added.code == 0 and added.json()["id"] == 1
    first = run_cli(*db, "check", "1", "--now")
    assert first.code == 0 and "stored version 1" in first.stdout
    assert "unchanged (304 not modified)" in run_cli(*db, "check", "--all", "--now").stdout
    page_server.set(path, seed_html("us-russia-deal-v2"), etag='"2"')
    second = run_cli(*db, "check", "--now")
    assert second.code == 0, second.stderr
    assert "stored version 2" in second.stdout and "[-six-]{+seven+}" in second.stdout

    [story] = run_cli(*db, "list", "--json").json()
    assert story["versions"] == 2 and story["name"] == "Deal talks"
    history = run_cli(*db, "history", "deal talks", "--json").json()
    assert [v["number"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["material"] is True
    diff = run_cli(*db, "diff", "1", "--json").json()
    assert diff["old_version"] == 1 and diff["new_version"] == 2 and diff["material"]
    assert any(s["type"] == "number" for s in diff["shifts"])
    shown = run_cli(*db, "show", "1", "1")
    assert shown.code == 0 and "six phone conversations" in shown.stdout

    refused = run_cli(*db, "remove", "1")  # a script, no --yes: nothing is deleted
    assert refused.code == 2 and "pass --yes, or --archive" in refused.stderr
    assert run_cli(*db, "remove", "1", "--archive").code == 0
    [archived] = run_cli(*db, "list", "--json").json()
    assert archived["status"] == "archived" and archived["versions"] == 2
    assert run_cli(*db, "remove", "1", "--yes").code == 0
    assert run_cli(*db, "list", "--json").json() == []


def test_failed_check_is_one_line_and_keeps_what_was_stored(
    tmp_path: Path, page_server: PageServer
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'sw.db'}", "--allow-private"]
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    run_cli(*db, "add", page_server.url("/a"))
    assert run_cli(*db, "check", "1", "--now").code == 0
    page_server.set("/a", b"\x89PNG\r\n", content_type="image/png")
    failed = run_cli(*db, "check", "1", "--now")
    _assert_one_line_error(failed, "unsupported content type image/png")
    dead = f"http://127.0.0.1:{unused_port()}/gone"
    run_cli(*db, "add", dead)
    _assert_one_line_error(run_cli(*db, "check", "2"), "cannot connect")
    [kept, _] = run_cli(*db, "list", "--json").json()
    assert kept["versions"] == 1 and kept["error_count"] == 1
    listing = run_cli(*db, "list").stdout
    assert "active, 1 error" in listing and "story 2: robots.txt of" in listing


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add", "ftp://example.com/x"), "not an http(s) URL"),
        (("history", "42"), "no story with id 42"),
        (("diff", "nothing-like-this"), "no story matches"),
        (("--db", "nonsense://", "list"), "database"),
        (("--db", "postgresql://nobody@127.0.0.1:1/x", "list"), "cannot open database"),
        (("compare", "/nonexistent/old.txt", "/nonexistent/new.txt"), "no such file"),
        (
            ("--db", "sqlite:////nonexistent-sw/dir/x.db", "init"),
            "folder /nonexistent-sw/dir does not exist",
        ),
        (("--db", "mysql://x@127.0.0.1:1/y", "list"), "pip install mysqlclient"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    db = () if "--db" in args else ("--db", f"sqlite:///{tmp_path / 'sw.db'}")
    _assert_one_line_error(run_cli(*db, *args), fragment)
    assert not Path("/nonexistent-sw").exists()


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "storywatch.toml"
    config.write_text('[fetch]\ntimeout = "soon"\n', encoding="utf-8")
    _assert_one_line_error(run_cli("--config", str(config), "list"), "fetch.timeout")
    _assert_one_line_error(run_cli("list", cwd=tmp_path), "fetch.timeout")  # ./storywatch.toml


def test_ssrf_guard_is_on_by_default(tmp_path: Path, page_server: PageServer) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'sw.db'}")
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    run_cli(*db, "--allow-private", "add", page_server.url("/a"))  # refused without it
    _assert_one_line_error(run_cli(*db, "check", "1"), "127.0.0.1")
    assert page_server.hits("/a") == 0


def test_compare_files_json_contract() -> None:
    result = run_cli(
        "compare",
        str(SEEDS / "us-russia-deal-v1.txt"),
        str(SEEDS / "us-russia-deal-v2.html"),
        "--json",
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) == {
        "material",
        "significance",
        "headline",
        "shifts",
        "text_diff",
        "rewritten",
    }
    assert data["material"] is True and 0 < data["significance"] <= 1
    assert data["rewritten"] is None  # a few words changed
    assert {"type", "old", "new", "old_sentence", "new_sentence"} <= set(data["shifts"][0])
    same = run_cli(
        "compare",
        str(SEEDS / "us-russia-deal-v1.txt"),
        str(SEEDS / "us-russia-deal-v1-cosmetic.html"),
        "--json",
    ).json()
    assert same["material"] is False and same["shifts"] == []


def test_remove_asks_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    db = ["--db", f"sqlite:///{tmp_path / 'sw.db'}"]
    run_cli(*db, "add", "https://news.example/a")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    for answer, left in (("n", 1), ("y", 0)):
        main, child = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "storywatch", *db, "remove", "1"],
            stdin=child,
            stdout=child,
            stderr=child,
            env=environ,
        )
        os.close(child)
        os.write(main, f"{answer}\n".encode())
        process.wait(timeout=60)
        os.close(main)
        assert len(run_cli(*db, "list", "--json").json()) == left


def test_history_lists_lifecycle_events(tmp_path: Path, page_server: PageServer) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'sw.db'}", "--allow-private"]
    page_server.set("/robots.txt", "", content_type="text/plain")
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    run_cli(*db, "add", page_server.url("/a"))
    run_cli(*db, "check", "1", "--now")
    page_server.set("/a", "Not found", status=404)
    run_cli(*db, "check", "1", "--now")
    history = run_cli(*db, "history", "1")
    assert "unpublished" in history.stdout and "HTTP 404" in history.stdout
    events = run_cli(*db, "history", "1", "--json").json()["events"]
    assert [e["event"] for e in events] == ["unpublished"]
    assert "unpublished" in run_cli(*db, "list").stdout
