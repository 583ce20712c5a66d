"""Full rewrite: word diff, semantic diff and the whole analysis of a rewritten page.

Run standalone (`python bench/bench_rewrite.py`) or through bench/run.py.

Two kinds of change at 1k, 5k, 20k and 50k words of news-like prose: a full rewrite (the
same vocabulary, every sentence new) and the same paragraphs shuffled with one edit each.
`analyse()` is what the extraction process runs for a new version; `storywatch compare` is
timed as a process on two files (interpreter start-up included, output to a pipe), with
and without --json: a rewritten page has thousands of shifts for rich to lay out.
Target: under 1 s for 20,000 words, in analyse() and in compare.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from storywatch.diff.analysis import analyse
from storywatch.diff.semantic import semantic_diff
from storywatch.diff.semantic.engine import clear_caches
from storywatch.diff.text import word_diff

ROOT = Path(__file__).resolve().parent.parent

SIZES = (1_000, 5_000, 20_000, 50_000)


def _best_s(run: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` cold runs: the helpers sharing this machine's two cores only
    ever add time."""
    times = []
    for _ in range(repeat):
        clear_caches()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _compare_s(old: str, new: str, repeat: int, *options: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        old_path, new_path = Path(tmp) / "old.txt", Path(tmp) / "new.txt"
        old_path.write_text(old, encoding="utf-8")
        new_path.write_text(new, encoding="utf-8")
        command = [sys.executable, "-m", "storywatch", "compare", *options]
        command += [str(old_path), str(new_path)]
        return _best_s(lambda: subprocess.run(command, capture_output=True, check=True), repeat)


def main() -> None:
    sys.path.insert(0, str(ROOT))  # for tests.support when run standalone
    from tests.support.prose import news_prose, shuffled_and_edited

    header = (
        "change",
        "words",
        "word diff",
        "semantic",
        "analyse",
        "compare",
        "--json",
        "rewritten",
    )
    print("full rewrite (seconds, best of 3-5 cold runs; compare is a whole process)")
    print(f"{header[0]:<10}{header[1]:>8}" + "".join(f"{h:>11}" for h in header[2:]))
    for words in SIZES:
        old = news_prose(words, seed=1)
        changes = {"rewrite": news_prose(words, seed=2), "shuffled": shuffled_and_edited(old, 3)}
        for label, new in changes.items():
            repeat = 5 if words <= 5_000 else 3
            word = _best_s(partial(word_diff, old, new), repeat)
            semantic = _best_s(partial(semantic_diff, old, new), repeat)
            whole = _best_s(partial(analyse, old, new), repeat)
            compare = _compare_s(old, new, 3)
            as_json = _compare_s(old, new, 3, "--json")
            share = word_diff(old, new).rewritten
            print(
                f"{label:<10}{len(old.split()):>8,}{word:>11.3f}{semantic:>11.3f}{whole:>11.3f}"
                f"{compare:>11.3f}{as_json:>11.3f}{'-' if share is None else f'{share:.0%}':>11}",
                flush=True,
            )
    print("target: analyse and compare under 1 s at 20,000 words")


if __name__ == "__main__":
    main()
