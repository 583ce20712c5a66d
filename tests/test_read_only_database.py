"""A database on a read-only mount: viewing works, writing is one line naming the file.

A read-only mount is the one read-only place root cannot write to (CI runs as root, for
whom file modes are no barrier), so each test runs the real CLI inside its own mount
namespace (`unshare -m`), where a tmpfs is mounted, filled and remounted read-only. Where
the namespace cannot be made, the test is skipped."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli


def _in_read_only_mount(
    tmp_path: Path, database: Path, *commands: list[str]
) -> list[tuple[int, str, str]]:
    """Run each CLI command on a copy of ``database`` in a read-only mount; return each
    one's (exit status, stdout, stderr)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    mount = tmp_path / "ro"
    mount.mkdir()
    target = mount / database.name
    prepare = [
        f"mount -t tmpfs tmpfs {mount}",
        f"cp {database} {target}",
        f"mount -o remount,ro {mount}",
    ]
    runs = []
    for n, args in enumerate(commands):
        cli = [sys.executable, "-m", "storywatch", "--db", f"sqlite:///{target}", *args]
        out, err, code = (tmp_path / f"{kind}{n}" for kind in ("out", "err", "rc"))
        runs.append(f"{shlex.join(cli)} > {out} 2> {err}; echo $? > {code}")
    script = " && ".join(prepare) + " && { " + "; ".join(runs) + "; }"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, check=False
    )
    if not (tmp_path / "rc0").exists():
        pytest.skip(f"no read-only mount here: {done.stderr.strip()[:200]}")
    return [
        (
            int((tmp_path / f"rc{n}").read_text()),
            (tmp_path / f"out{n}").read_text(),
            (tmp_path / f"err{n}").read_text(),
        )
        for n in range(len(commands))
    ]


def test_a_read_only_database_can_be_viewed_and_refuses_writes_in_one_line(
    tmp_path: Path,
) -> None:
    database = tmp_path / "sw.db"
    assert run_cli("--db", f"sqlite:///{database}", "add", "https://news.example/a").code == 0
    (listed, listing, _), (viewed, history, _), (added, _, error) = _in_read_only_mount(
        tmp_path,
        database,
        ["list", "--json"],
        ["history", "news.example/a", "--json"],
        ["add", "https://news.example/b"],
    )
    assert listed == 0 and "https://news.example/a" in listing
    assert viewed == 0 and '"versions": []' in history
    assert added == 2 and "it is read-only" in error and "sw.db" in error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1
