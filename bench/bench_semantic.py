"""Speed of the semantic diff: seed-sized pairs and 1k/5k/20k-word pages.

Run standalone (`python bench/bench_semantic.py`) or through bench/run.py, which imports
every bench/bench_*.py and calls `main()`.

Bigger pages are built from edited copies of the seed article (names, figures and paragraph
order varied per copy, so sentences are not duplicates), and the new version carries a few
edits of every kind: a changed figure in the lede, a negation, a moved paragraph, an added
and a removed sentence, a reworded sentence.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from storywatch.diff.semantic import semantic_diff, split_sentences
from storywatch.diff.semantic.engine import clear_caches

ROOT = Path(__file__).resolve().parent.parent
SEED_PATHS = (
    ROOT / "seeds" / "us-russia-deal-v1.txt",
    ROOT.parent / "shared" / "seeds" / "us-russia-deal-v1.txt",
)
NAMES = ["Putin", "Trump", "Zelensky", "Macron", "Scholz", "Erdogan", "Modi", "Xi", "Lula"]
PLACES = ["Kherson", "Donetsk", "Odesa", "Kharkiv", "Mariupol", "Sumy", "Dnipro", "Lviv"]
SIZES = (1_000, 5_000, 20_000)


def seed_text() -> str:
    for path in SEED_PATHS:
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("seed article not found in seeds/ or ../shared/seeds/")


def _vary(paragraph: str, copy: int) -> str:
    """One copy of a paragraph with its own figures and names."""
    paragraph = re.sub(r"\d+", lambda m: str(int(m.group(0)) + copy), paragraph)
    paragraph = paragraph.replace("Putin", NAMES[copy % len(NAMES)])
    return paragraph.replace("Kherson", PLACES[copy % len(PLACES)])


def make_page(words: int) -> str:
    paragraphs = [p for p in seed_text().splitlines() if p.strip()]
    out: list[str] = []
    copy = 0
    while sum(len(p.split()) for p in out) < words:
        order = list(paragraphs)
        if copy:
            random.Random(copy).shuffle(order)
        for paragraph in order:
            out.append(paragraph if copy == 0 else _vary(paragraph, copy))
            if sum(len(p.split()) for p in out) >= words:
                break
        copy += 1
    return "\n".join(out)


def edit_page(text: str) -> str:
    """A new version with a handful of edits spread over the page."""
    paragraphs = text.split("\n")
    n = len(paragraphs)
    paragraphs[0] = re.sub(r"\bUkraine\b", "Ukraine and Moldova", paragraphs[0], count=1)
    paragraphs[1] = paragraphs[1].replace("next week", "Friday", 1)
    middle = n // 2
    paragraphs[middle] = paragraphs[middle].replace(" has ", " has not ", 1)
    moved = paragraphs.pop(middle + 1)
    paragraphs.insert(max(0, middle - 3), moved)
    paragraphs[-1] += " Officials said the talks would continue next month."
    late = (3 * n) // 4
    first_sentence = split_sentences(paragraphs[late])[0]
    paragraphs[late] = paragraphs[late].replace(first_sentence, "", 1).strip() or "Talks go on."
    paragraphs[n // 3] = paragraphs[n // 3].replace("is trying to", "wants to", 1)
    return "\n".join(paragraphs)


def _times_ms(run: Callable[[], object], repeat: int, cold: bool) -> list[float]:
    times = []
    for _ in range(repeat):
        if cold:
            clear_caches()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _median_ms(run: Callable[[], object], repeat: int, cold: bool) -> float:
    return statistics.median(_times_ms(run, repeat, cold))


def main() -> None:
    seed = seed_text()
    rows: list[tuple[str, int, int, float, float, float, int]] = []
    v2_path = ROOT / "seeds" / "us-russia-deal-v2.txt"
    pairs = [
        (
            "seed v1 -> v2" if v2_path.exists() else "seed -> edited",
            seed,
            v2_path.read_text(encoding="utf-8") if v2_path.exists() else edit_page(seed),
        )
    ]
    for words in SIZES:
        page = make_page(words)
        pairs.append((f"{words:,}-word page", page, edit_page(page)))
    for label, old, new in pairs:
        repeat = 21 if len(old) < 50_000 else 9
        run = partial(semantic_diff, old, new)
        cold_times = _times_ms(run, repeat, cold=True)
        cold, best = statistics.median(cold_times), min(cold_times)
        warm = _median_ms(run, repeat, cold=False)
        shifts = len(semantic_diff(old, new).shifts)
        rows.append((label, len(old.split()), len(split_sentences(old)), cold, best, warm, shifts))

    # The fastest cold run beside the median: on a shared host the median moves with the
    # neighbours' load (up to 1.7x here from one minute to the next), the fastest far less.
    print("semantic_diff (median ms; cold = caches cleared before each run)")
    header = ("pair", "words", "sents", "cold ms", "best", "warm ms", "shifts", "ms/1k w")
    print(f"{header[0]:<18}" + "".join(f"{h:>9}" for h in header[1:]))
    for label, words, sentences, cold, best, warm, shifts in rows:
        print(
            f"{label:<18}{words:>9,}{sentences:>9}{cold:>9.2f}{best:>9.2f}{warm:>9.2f}"
            f"{shifts:>9}{cold / words * 1000:>9.2f}"
        )
    print("targets: seed-sized pair < 10 ms, 20,000-word pair < 300 ms (cold)")

    # Worst cases: nothing matches exactly, so every sentence goes through fuzzy alignment
    # and feature extraction.
    page = make_page(20_000)
    stress = {
        "every sentence edited": re.sub(r"(\w)\. ", r"\1 indeed. ", page),
        "unrelated page": make_page(40_000)[len(page) :],
        "paragraphs reversed": "\n".join(reversed(page.split("\n"))),
    }
    print("\nstress, 20,000-word page (median of 3, cold)")
    for label, new in stress.items():
        cold = _median_ms(partial(semantic_diff, page, new), 3, cold=True)
        print(f"{label:<24}{cold:>9.1f} ms{len(semantic_diff(page, new).shifts):>7} shifts")


if __name__ == "__main__":
    main()
