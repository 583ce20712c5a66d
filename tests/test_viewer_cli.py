"""The history viewer end to end: the real CLI in subprocesses against a database the
real pipeline filled from the seed story, plus the queries behind it on SQLite and
PostgreSQL, paging on a pseudo-terminal, and plain output when piped."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from storywatch.cli import cli
from storywatch.storage import Store, textstore
from storywatch.storage.queries import Reader
from tests.support.history import (
    ROOT,
    START,
    build_story,
    invoke_viewer,
    run_viewer,
    seed_texts,
    utc_local_time,
)
from tests.support.pages import seed_text
from tests.support.pipeline import build_seed_database, pipeline_settings
from tests.support.server import PageServer

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed story checked three times through fetch -> extract -> diff -> store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('viewer') / 'sw.db'}"
    store = Store.open(url)
    with PageServer() as server:
        assert build_seed_database(store, server, pipeline_settings(url)) == 1
    store.close()
    yield url


def _one_line_error(result: object, fragment: str) -> None:
    code, stderr = result.code, result.stderr  # type: ignore[attr-defined]
    assert code == 2, (code, result.stdout, stderr)  # type: ignore[attr-defined]
    assert fragment in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr


def test_history_lists_versions_with_their_top_shifts(seed_db: str) -> None:
    listing = run_viewer(seed_db, "history", "deal talks")  # title words
    assert listing.code == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].startswith("US-Russia deal talks  http://127.0.0.1:")
    [v2] = [n for n, line in enumerate(lines) if re.match(r"2\s+\d{4}-", line)]
    assert "+5" in lines[v2] and "-7" in lines[v2] and "1.00 *" in lines[v2]
    # Under each version its shifts, typed, the most significant first.
    assert lines[v2 + 1] == "   negation: has not been → has been  0.95"
    [v3] = [n for n, line in enumerate(lines) if re.match(r"3\s+\d{4}-", line)]
    assert lines[v3 + 1] == "   attribution: Bloomberg sources → Reuters  0.65"
    added = "   claim added: “European leaders will hold an emergency video call with…”  0.46"
    assert lines[v3 + 2] == added
    # What the alert rules let pass is listed too, with why.
    assert "   quote: I don't like to wait too long → I don't want to wait at all  0.17," in (
        "\n".join(lines[v3:])
    )
    assert "no alert: below 0.30" in lines[-1]
    assert "+claim" not in listing.stdout and "\x1b[" not in listing.stdout  # piped: no colour

    data = run_viewer(seed_db, "history", "1", "--json").json()
    assert [v["number"] for v in data["versions"]] == [1, 2, 3]
    assert data["versions"][0]["material"] is None
    shifts = {(s["old"], s["new"]) for s in data["versions"][1]["shifts"]}
    assert ("50%", "25%") in shifts and ("would", "will") in shifts


def test_diff_inline_side_by_side_and_html(seed_db: str, tmp_path: Path) -> None:
    inline = run_viewer(seed_db, "diff", "1", "--context", "3")
    assert inline.code == 0, inline.stderr
    out = inline.stdout
    # The sentence, its shift under it, then the word diff with plain paragraph labels.
    sentence = out.index("according to [-Bloomberg sources-]{+Reuters+}.")
    assert sentence < out.index("attribution: Bloomberg sources → Reuters") < out.index("  ¶1\n")
    assert "@@" not in out

    side = run_viewer(seed_db, "diff", "1", "2", "3", "--side-by-side", env={"COLUMNS": "72"})
    assert side.code == 0, side.stderr
    table = [line for line in side.stdout.splitlines() if "│" in line]
    assert table and all(len(line) <= 72 for line in table)
    assert table[0].split("│")[0].strip() == "v2" and table[0].split("│")[1].strip() == "v3"
    left = " ".join(line.split("│")[0] for line in table)
    right = " ".join(line.split("│")[1] for line in table)
    assert "[-Bloomberg" in left and "{+Reuters+}" in right and "Reuters" not in left

    page = tmp_path / "diff.html"
    written = run_viewer(seed_db, "diff", "1", "--html", str(page))
    assert written.code == 0 and f"wrote {page}" in written.stdout
    html = page.read_text(encoding="utf-8")
    assert "<del>Bloomberg sources</del> <ins>Reuters</ins>" in html
    assert "<script" not in html and "<link" not in html


def test_diff_of_versions_far_apart_is_computed(seed_db: str) -> None:
    data = run_viewer(seed_db, "diff", "1", "1", "3", "--json").json()
    assert (data["old_version"], data["new_version"]) == (1, 3)
    pairs = {(s["type"], s["old"], s["new"]) for s in data["shifts"]}
    assert ("number", "50%", "25%") in pairs
    assert ("attribution", "Bloomberg sources", "Reuters") in pairs


def test_claims_timeline(seed_db: str) -> None:
    result = run_viewer(seed_db, "claims", "1")
    assert result.code == 0, result.stderr
    [tariff] = [line for line in result.stdout.splitlines() if "tariffs on Indian" in line]
    assert "tariffs on Indian products (number): 50% (v1, " in tariff
    assert "→ 25% (v2\u20133, " in tariff  # its value at every version
    # An added paragraph shows its text, never "(present)".
    [added] = [line for line in result.stdout.splitlines() if "claim added" in line]
    assert added.startswith("• European leaders (claim added): absent (v1\u20132, ")
    assert "→ “European leaders will hold an emergency video call" in added
    data = run_viewer(seed_db, "claims", "1", "--json").json()
    by_label = {c["label"]: c for c in data["claims"]}
    states = by_label["The United States and Russia"]["states"]
    assert [(s["value"], s["version"]) for s in states] == [
        ("Bloomberg sources", 1),
        ("Reuters", 3),
    ]
    presence = by_label["European leaders"]["states"]
    assert presence[0]["value"] is None
    assert presence[1]["value"].startswith("European leaders will hold")


def test_log_filters(seed_db: str) -> None:
    everything = invoke_viewer(seed_db, "log", "--json").json()
    assert [c["version"] for c in everything] == [3, 2]  # newest first
    numbers = invoke_viewer(seed_db, "log", "--type", "number,date", "--json").json()
    assert [c["version"] for c in numbers] == [2]
    assert {s["type"] for s in numbers[0]["shifts"]} == {"number", "date"}
    assert [
        c["version"]
        for c in invoke_viewer(seed_db, "log", "--min-significance", "0.95", "--json").json()
    ] == [2]
    assert invoke_viewer(seed_db, "log", "--since", "2d", "--story", "1", "--json").json()
    text = invoke_viewer(seed_db, "log", "--type", "attribution").stdout
    assert "story 1, version 2 → 3" in text and "attribution: Bloomberg sources → Reuters" in text
    bad = invoke_viewer(seed_db, "log", "--type", "numbers")
    assert bad.code == 2 and "unknown shift type numbers" in bad.stderr
    assert invoke_viewer(seed_db, "log", "--since", "soon").code == 2


def test_search_reports_when_a_phrase_appeared_and_vanished(seed_db: str) -> None:
    gone = invoke_viewer(seed_db, "search", "HAS NOT   been\nfinalized", "--json").json()
    [story] = gone["stories"]
    [run] = story["matches"]
    assert (run["first"], run["last"], run["vanished_in"]) == (1, 1, 2)
    assert "which has not been finalized" in run["snippet"]
    text = invoke_viewer(seed_db, "search", "has been finalized", "--story", "deal talks").stdout
    assert "v2-v3: appeared in v2 (" in text and "still there" in text
    assert (
        "No version of 1 story contains"
        in invoke_viewer(seed_db, "search", "ceasefire collapsed").stdout
    )


def test_export_markdown_and_json(seed_db: str, tmp_path: Path) -> None:
    markdown = run_viewer(seed_db, "export", "1", "--format", "md")
    assert markdown.code == 0, markdown.stderr
    assert "## Claims that changed" in markdown.stdout
    assert "**tariffs on Indian products** (number): 50% (v1," in markdown.stdout
    assert "[-Bloomberg sources-]{+Reuters+}" in markdown.stdout
    target = tmp_path / "story.json"
    assert run_viewer(seed_db, "export", "1", "--json", "-o", str(target)).code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [v["number"] for v in data["versions"]] == [1, 2, 3]
    assert data["versions"][2]["text"] == story_text_v3(seed_db)
    assert data["versions"][0]["text_diff"] is None and data["versions"][1]["text_diff"]


def story_text_v3(db_url: str) -> str:
    store = Store.open(db_url)
    try:
        with store.reader() as reader:
            return reader.version_text(1, 3)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("history", "99"), "no story with id 99"),
        (("claims", "no such words"), "no story matches 'no such words'"),
        (("export", "http://127.0.0.1"), "matches 2 stories"),
        (("diff", "1", "7"), "no version 7: story 1 has versions 1\u20133"),
        (("log", "--story", "42"), "no story with id 42"),
    ],
)
def test_unknown_story_is_a_one_line_error(
    seed_db: str, tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    db = seed_db
    if "matches 2" in fragment:
        db = f"sqlite:///{tmp_path / 'two.db'}"
        store = Store.open(db)
        store.add_story("http://127.0.0.1:1/a")
        store.add_story("http://127.0.0.1:1/b")
        store.close()
    _one_line_error(run_viewer(db, *args), fragment)


# -- paging and colour on a real pseudo-terminal --------------------------------------------


def _on_terminal(db_url: str, *args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout on a 80x24 pseudo-terminal; return what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    environ.update({"TERM": "xterm-256color", "TZ": "UTC", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "storywatch", "--db", db_url, *args],
        stdin=follower,  # click pages only when stdin is a terminal too
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environ,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


def test_long_output_is_paged_only_on_a_terminal(seed_db: str, tmp_path: Path) -> None:
    paged_to = tmp_path / "paged.txt"
    pager = {"PAGER": f"sh -c 'cat > {paged_to}'"}
    shown = _on_terminal(seed_db, "show", "1", "1", env=pager)
    assert paged_to.exists() and "six phone conversations" in paged_to.read_text()
    assert "six phone conversations" not in shown

    paged_to.unlink()
    direct = _on_terminal(seed_db, "show", "1", "1", "--no-pager", env=pager)
    assert not paged_to.exists() and "six phone conversations" in direct
    short = _on_terminal(seed_db, "history", "1", env=pager)  # fits the screen
    assert not paged_to.exists() and "first version" in short
    piped = run_viewer(seed_db, "show", "1", "1", env=pager)  # not a terminal
    assert not paged_to.exists() and "six phone conversations" in piped.stdout


def test_colour_on_a_terminal_and_markers_with_no_color(seed_db: str) -> None:
    coloured = _on_terminal(seed_db, "diff", "1", "--no-pager", env={})
    assert "\x1b[" in coloured and "[-Bloomberg" not in coloured
    plain = _on_terminal(seed_db, "diff", "1", "--no-pager", env={"NO_COLOR": "1"})
    assert "[-Bloomberg" in plain and "{+Reuters+}" in plain


# -- queries, on SQLite and PostgreSQL ------------------------------------------------------


def test_story_texts_decode_every_version_in_one_pass(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = seed_text("us-russia-deal-v1")
    texts = [base.replace("six phone", f"{n} phone") + f"\nUpdate {n}." for n in range(45)]
    story_id = build_story(store, "https://news.example/many", texts, step=timedelta(minutes=5))
    reader = store.reader()
    expected = [reader.version_text(story_id, n) for n in range(1, 46)]
    decoded = 0
    real_decode = textstore.decode

    def counting_decode(blob: bytes, base: str | None = None) -> str:
        nonlocal decoded
        decoded += 1
        return real_decode(blob, base)

    monkeypatch.setattr(textstore, "decode", counting_decode)
    with reader:
        versions = reader.story_texts(story_id)
    assert [v.text for v in versions] == expected == texts
    assert decoded == 45  # each blob once, across two keyframes
    assert [v.number for v in versions] == list(range(1, 46))


def test_recent_changes_filters(store: Store) -> None:
    v1, v2, v3 = seed_texts()
    first = build_story(store, "https://news.example/one", [v1, v2, v3])
    second = build_story(
        store, "https://news.example/two", [v1, v2], start=START + timedelta(days=3)
    )
    with store.reader() as reader:
        check_recent_changes(reader, first, second)


def check_recent_changes(reader: Reader, first: int, second: int) -> None:
    every = reader.recent_changes()
    assert [(c.story_id, c.number) for c in every] == [(second, 2), (first, 3), (first, 2)]
    assert every[0].fetched_at == START + timedelta(days=3, hours=1)
    since = reader.recent_changes(since=START + timedelta(days=1))
    assert [(c.story_id, c.number) for c in since] == [(second, 2)]
    assert [c.number for c in reader.recent_changes(story_id=first)] == [3, 2]
    dated = reader.recent_changes(types=["attribution"])
    assert [(c.story_id, c.number) for c in dated] == [(first, 3)]
    assert {s.type for s in dated[0].shifts} == {"attribution"}
    assert [c.number for c in reader.recent_changes(min_significance=0.95)] == [2, 2]
    assert len(reader.recent_changes(types=["number"], limit=1)) == 1
    rows = reader.version_rows(first)
    assert [(r.number, r.previous_number, r.has_diff) for r in rows] == [
        (1, None, False),
        (2, 1, True),
        (3, 2, True),
    ]


def test_history_never_decodes_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'sw.db'}"
    store = Store.open(url)
    build_story(store, "https://news.example/one", seed_texts())
    store.close()

    def refuse(*_args: object) -> str:
        raise AssertionError("history decoded a version text")

    monkeypatch.setattr(textstore, "decode", refuse)
    result = CliRunner().invoke(cli, ["--db", url, "history", "1"])
    assert result.exit_code == 0, result.output
    assert "Bloomberg sources → Reuters" in result.output
