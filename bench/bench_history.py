"""The history viewer on a big story: 500 versions of the seed article, each a small edit
(a tariff rate, a meeting count, now and then a new paragraph) stored with its diff
through ``Store.record_check``; then the time to list, build the claim timeline, decode
every text, and export.

The listing target: 500 versions in well under a second (it reads diff rows only).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from storywatch.cli import cli
from storywatch.diff.model import Shift
from storywatch.diff.text import word_diff
from storywatch.history.claims import build_claims
from storywatch.history.report import StoryInfo, build_report
from storywatch.history.report_html import render_report
from storywatch.storage import CheckRecord, DiffData, NewVersion, ScheduleUpdate, Store
from storywatch.watcher.normalise import content_hash

SEED = Path(__file__).resolve().parent.parent / "seeds" / "us-russia-deal-v1.txt"
VERSIONS = 500
START = datetime(2025, 8, 8, 21, 10, tzinfo=UTC)
TARIFF = "he doubled tariffs on Indian products to {}% due to Russian oil purchases"
CALLS = "The two leaders have held {} phone conversations since February"


def _text(base: str, step: int) -> str:
    text = base.replace(TARIFF.format(50), TARIFF.format(step)).replace(
        CALLS.format("six"), CALLS.format(step // 3)
    )
    updates = "".join(f"\nUpdate {n}: officials gave new figures." for n in range(step // 25))
    return text + updates


def _shifts(previous: str, text: str, step: int) -> list[dict[str, object]]:
    """What the semantic diff finds for these edits, made by hand to keep the build fast."""
    shifts = [Shift("number", f"{step - 1}%", f"{step}%", previous, text, 0.4)]
    if step % 3 == 0:
        shifts.append(Shift("number", str(step // 3 - 1), str(step // 3), previous, text, 0.3))
    return [s.to_dict() for s in shifts]


def build(store: Store, versions: int = VERSIONS) -> int:
    base = SEED.read_text(encoding="utf-8")
    story = store.add_story("https://bench.example/world/deal", name="Bench deal talks")
    assert story.id is not None
    previous = None
    for step in range(1, versions + 1):
        text = _text(base, step)
        at = START + timedelta(minutes=10 * step)
        diff = None
        if previous is not None:
            words = word_diff(previous, text)
            sentence_old = next(s for s in previous.split(". ") if "tariffs on Indian" in s)
            sentence_new = next(s for s in text.split(". ") if "tariffs on Indian" in s)
            diff = DiffData(
                True, 0.4, _shifts(sentence_old, sentence_new, step), words.words_added,
                words.words_removed,
            )  # fmt: skip
        store.record_check(
            story.id,
            CheckRecord(
                outcome="new_version",
                checked_at=at,
                schedule=ScheduleUpdate(at + timedelta(minutes=10), 600.0, "active", 0),
                version=NewVersion(text, content_hash(text), len(text.split()), title="Bench"),
                diff=diff,
            ),
        )
        previous = text
    return story.id


def median_ms(action: Callable[[], object], runs: int = 5, *, warm: bool = False) -> float:
    """The median time of ``action`` in milliseconds; ``warm`` runs it once first, unmeasured
    (templates compiled, caches full: what every call after the first costs)."""
    if warm:
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = Store.open(url)
        started = time.perf_counter()
        story_id = build(store)
        print(f"built {VERSIONS} versions in {time.perf_counter() - started:.1f}s\n")
        runner = CliRunner()
        reader = store.reader()

        def cli_run(*args: str) -> None:
            result = runner.invoke(cli, ["--db", url, *args])
            assert result.exit_code == 0, result.output

        def listing() -> None:
            assert len(reader.version_rows(story_id)) == VERSIONS

        def claim_timeline() -> None:
            [tariff, *_] = build_claims(reader.version_rows(story_id))
            assert len(tariff.states) == VERSIONS

        def per_version_decoding() -> None:
            for entry in store.history(story_id):
                store.version_text(entry.version)

        def report() -> None:
            info = StoryInfo(story_id, "https://bench.example/world/deal", "Bench", None)
            rows = reader.version_rows(story_id)
            render_report(build_report(info, rows, reader.story_texts(story_id), START))

        results = [
            ("version rows query", median_ms(listing)),
            ("`history` command (in-process)", median_ms(lambda: cli_run("history", "1"))),
            ("claim timeline (rows + linking)", median_ms(claim_timeline)),
            ("`claims` command (in-process)", median_ms(lambda: cli_run("claims", "1"))),
            ("all texts, one pass", median_ms(lambda: reader.story_texts(story_id))),
            ("all texts, version_text each", median_ms(per_version_decoding, runs=1)),
            ("HTML report (diffs + render)", median_ms(report, runs=1)),
            ("`export --format html` command", median_ms(lambda: cli_run("export", "1"), 1)),
        ]
        reader.close()
        store.close()
        print(f"{VERSIONS} versions{'':<26}{'median ms':>12}")
        for name, value in results:
            print(f"{name:<36}{value:>12.1f}")
        print("(the commands as whole processes, start-up included: bench_startup)")


if __name__ == "__main__":
    main()
