"""Start-up of the viewer commands: `list`, `history`, `diff` and `show`, each run as a
whole process (interpreter, imports, opening the database, the query, the output) on a
3-version story and on bench_history's 500-version one.

Target (issue 14): each under 0.3 s on this machine. They read through the plain-SQL
reader over sqlite3 and import neither SQLAlchemy nor pydantic. The last two rows run
`history` beside a config file: as it runs day to day, the file validated by an earlier
start and remembered (config/validated.py); and on the first start after each change of
it, which validates the file (pydantic) before it answers.
`make bench` byte-compiles the package first, as a wheel install would be.

The runs go round-robin (every command once, RUNS times over) so that a busy spell of
this shared machine slows all of them alike; the median and the fastest run are shown.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_history import build
from storywatch.storage import Store

RUNS = 15
TARGET = 0.3
COMMANDS = ("list", "history 1", "diff 1", "show 1")
# Seconds, median of 12, the same commands on the same 3-version story before the viewers
# had their own reader (commit 894a93c: each imported SQLAlchemy, pydantic and the rest),
# measured round-robin with the reader's runs, the machine's load average about 2.3.
BEFORE = {"list": 1.08, "history 1": 1.07, "diff 1": 1.21, "show 1": 1.04}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        urls = {}
        for name, versions in (("3 versions", 3), ("500 versions", 500)):
            urls[name] = f"sqlite:///{folder / str(versions)}.db"
            store = Store.open(urls[name])
            build(store, versions)
            store.close()
        storywatch = [sys.executable, "-m", "storywatch"]
        runs: dict[str, list[str]] = {"python -c pass": [sys.executable, "-c", "pass"]}
        for command in COMMANDS:
            for name, url in urls.items():
                runs[f"{command} ({name})"] = [*storywatch, "--db", url, *command.split()]
        configured = folder / "configured"
        configured.mkdir()
        (configured / "storywatch.toml").write_text("[alerts]\nmin_significance = 0.5\n")
        with_config = [*storywatch, "--db", urls["3 versions"], "history", "1"]
        times = _round_robin(runs, folder, {REMEMBERED: with_config, CHANGED: with_config})
        print(f"{'seconds':<42}{'median':>8}{'fastest':>9}{'before':>8}  target {TARGET}")
        for label, samples in times.items():
            command = label.split(" (")[0]
            small = command in BEFORE and label.endswith("(3 versions)")
            before = f"{BEFORE[command]:>8.2f}" if small else " " * 8
            median = statistics.median(samples)
            # The first start after a change validates: once a change, not every start.
            verdict = "" if label.startswith("python") or label == CHANGED else _verdict(median)
            print(f"{label:<42}{median:>8.3f}{min(samples):>9.3f}{before}  {verdict}")


REMEMBERED = "history 1, config file (3 versions)"
CHANGED = "history 1, config file just changed"


def _round_robin(
    runs: dict[str, list[str]], cwd: Path, in_config_folder: dict[str, list[str]]
) -> dict[str, list[float]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    environ["NO_COLOR"] = "1"
    plan = [(label, command, cwd) for label, command in runs.items()]
    plan += [(label, command, cwd / "configured") for label, command in in_config_folder.items()]
    times: dict[str, list[float]] = {label: [] for label, _, _ in plan}
    for round_ in range(RUNS + 1):
        for label, command, folder in plan:
            # Validated settings are remembered in the cache folder (not the user's): one
            # for every run, and a new, empty one for each run of CHANGED.
            cache = cwd / (f"cache {round_}" if label == CHANGED else "cache")
            env = {**environ, "XDG_CACHE_HOME": str(cache)}
            started = time.perf_counter()
            subprocess.run(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, check=True)
            if round_:  # the first round warms the file cache
                times[label].append(time.perf_counter() - started)
    return times


def _verdict(seconds: float) -> str:
    return "ok" if seconds < TARGET else "over"


if __name__ == "__main__":
    main()
