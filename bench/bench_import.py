"""`storywatch import` of 1,000 URLs (one a line) into a new SQLite database, as a user
runs it: a whole process, start-up and migrations included. Target: under 5 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

URLS = 1_000
RUNS = 3


def _import_once(folder: Path, listing: Path, run: int) -> float:
    db = f"sqlite:///{folder / f'import-{run}.db'}"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "storywatch", "--db", db, "import", str(listing)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or f"imported {URLS} stories" not in done.stdout:
        raise RuntimeError(f"import failed: {done.stderr.strip() or done.stdout.strip()}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        listing = folder / "urls.txt"
        listing.write_text(
            "".join(f"https://news.example/story/{n}\n" for n in range(URLS)), encoding="utf-8"
        )
        times = [_import_once(folder, listing, run) for run in range(RUNS)]
    median = statistics.median(times)
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"import {URLS:,} URLs (new database, whole process): median {median:.2f} s")
    print(f"  runs: {runs}; target < 5 s")


if __name__ == "__main__":
    main()
