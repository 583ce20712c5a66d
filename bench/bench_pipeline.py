"""Storage cost per version and the in-process cost of one check of the seed article.

- bytes per stored version: 100 versions of the seed story, each a small edit of the last
  (a number, a sentence, a paragraph), stored through the repository into a SQLite file.
- time per check: extraction of the seed HTML + word diff + semantic diff, no network.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from storywatch.diff.analysis import analyse
from storywatch.storage import CheckRecord, NewVersion, ScheduleUpdate, Store, utcnow
from storywatch.watcher.extract import extract_article
from storywatch.watcher.normalise import content_hash

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _edited(text: str, step: int) -> str:
    paragraphs = text.split("\n")
    index = step % len(paragraphs)
    paragraphs[index] = paragraphs[index].replace(" the ", f" the {step} ", 1)
    if step % 7 == 0:
        paragraphs.append(f"Update {step}: officials gave new figures on day {step}.")
    return "\n".join(paragraphs)


def bytes_per_version(versions: int = 100) -> tuple[float, float, int]:
    text = (SEEDS / "us-russia-deal-v1.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        story = store.add_story("https://bench.example/story")
        assert story.id is not None
        raw = 0
        for step in range(versions):
            text = _edited(text, step)
            raw += len(text.encode())
            now = utcnow()
            store.record_check(
                story.id,
                CheckRecord(
                    outcome="new_version",
                    checked_at=now,
                    schedule=ScheduleUpdate(now + timedelta(minutes=5), 300, "active", 0),
                    version=NewVersion(text, content_hash(text), len(text.split())),
                ),
            )
        stored = sum(len(e.version.text_blob) for e in store.history(story.id))
        store.close()
    return stored / versions, raw / versions, versions


def check_cost(runs: int = 50) -> tuple[float, float, float]:
    old_html = (SEEDS / "us-russia-deal-v1.html").read_text(encoding="utf-8")
    new_html = (SEEDS / "us-russia-deal-v2.html").read_text(encoding="utf-8")
    old = extract_article(old_html, "text/html").text
    extract_ms, diff_ms = [], []
    for _ in range(runs):
        started = time.perf_counter()
        new = extract_article(new_html, "text/html").text
        extracted = time.perf_counter()
        analyse(old, new)
        done = time.perf_counter()
        extract_ms.append((extracted - started) * 1000)
        diff_ms.append((done - extracted) * 1000)
    total = [a + b for a, b in zip(extract_ms, diff_ms, strict=True)]
    return statistics.median(extract_ms), statistics.median(diff_ms), statistics.median(total)


def main() -> None:
    stored, raw, versions = bytes_per_version()
    print(f"{'storage':<34}{'value':>12}")
    print(f"{'versions stored':<34}{versions:>12}")
    print(f"{'raw text bytes / version':<34}{raw:>12.0f}")
    print(f"{'stored bytes / version':<34}{stored:>12.0f}")
    print(f"{'ratio raw/stored':<34}{raw / stored:>12.1f}")
    extract, diff, total = check_cost()
    print(f"\n{'seed check (median of 50)':<34}{'ms':>12}")
    print(f"{'extract (trafilatura)':<34}{extract:>12.2f}")
    print(f"{'word diff + semantic diff':<34}{diff:>12.2f}")
    print(f"{'extract + diff':<34}{total:>12.2f}")


if __name__ == "__main__":
    main()
