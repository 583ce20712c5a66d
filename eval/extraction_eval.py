"""Extraction fidelity on trafilatura's own evaluation pages: part of `make eval`.

The pages and their annotations live in trafilatura's public repository (adbar/trafilatura,
``tests/evaldata.json`` with the HTML under ``tests/cache/`` and ``tests/eval/``); they are
read from a copy on disk, never committed here. Give the copy's ``tests`` folder with
``--pages DIR`` or ``STORYWATCH_TRAFILATURA_TESTS``; without one the script says so in one
line and exits 0.

Scored as trafilatura's own comparison script scores it: each page lists snippets that must
be in the extracted text ("with") and snippets that must not ("without"); a "with" snippet
found is a true positive, one missing a false negative, a "without" snippet found a false
positive. Precision, recall and F1 are over the counts of all pages. Text and snippets are
compared after storywatch's normalisation (whitespace, and curly quotes and dashes made
plain, since that is the text storywatch stores), for every extractor alike.

Also reported per extractor: pages with no text at all, and the median and 90th percentile
of the time to extract one page (decoding included, scoring not).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storywatch.errors import ExtractionError
from storywatch.watcher.extract import extract_page, warm_up
from storywatch.watcher.normalise import normalise_text

DEFAULT_PAGES = Path("/work/trafilatura-tests/tests")
ENV_PAGES = "STORYWATCH_TRAFILATURA_TESTS"

Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    raw: bytes
    present: tuple[str, ...]  # the annotations' "with" snippets, normalised
    absent: tuple[str, ...]  # their "without" snippets, normalised


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    empty: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, page: Page, text: str, seconds: float) -> None:
        found = _flat(text)
        hits = sum(snippet in found for snippet in page.present)
        self.true_pos += hits
        self.false_neg += len(page.present) - hits
        self.false_pos += sum(snippet in found for snippet in page.absent)
        self.empty += not found
        self.seconds.append(seconds)

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.true_pos + self.false_pos + self.false_neg
        return 2 * self.true_pos / denominator if denominator else 0.0

    def milliseconds(self, quantile: float) -> float:
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def storywatch_text(raw: bytes, url: str) -> str:
    """The text storywatch stores and compares: the article's paragraphs."""
    try:
        return extract_page(raw, None, "text/html", url).text
    except ExtractionError:
        return ""


def trafilatura_text(**options: Any) -> Extractor:
    def run(raw: bytes, url: str) -> str:
        import trafilatura

        return trafilatura.extract(raw, **options) or ""

    return run


EXTRACTORS: dict[str, Extractor] = {
    "storywatch": storywatch_text,
    "trafilatura defaults": trafilatura_text(),
    "trafilatura include_comments=False": trafilatura_text(include_comments=False),
}


def _flat(text: str) -> str:
    return " ".join(normalise_text(text).split())


def load_pages(folder: Path) -> list[Page]:
    annotations: dict[str, dict[str, Any]] = json.loads(
        (folder / "evaldata.json").read_text(encoding="utf-8")
    )
    pages = []
    for url, item in sorted(annotations.items()):
        path = next(
            (
                folder / sub / item["file"]
                for sub in ("cache", "eval")
                if (folder / sub / item["file"]).is_file()
            ),
            None,
        )
        if path is None:
            continue
        pages.append(
            Page(
                url=url,
                raw=path.read_bytes(),
                present=tuple(_flat(s) for s in item["with"]),
                absent=tuple(_flat(s) for s in item["without"]),
            )
        )
    return pages


def evaluate(
    pages: list[Page], extractors: dict[str, Extractor]
) -> tuple[dict[str, Score], dict[str, list[str]]]:
    """Scores per extractor, and each extractor's text per page (in ``pages`` order)."""
    warm_up()
    scores = {name: Score() for name in extractors}
    texts: dict[str, list[str]] = {name: [] for name in extractors}
    for extract in extractors.values():
        extract(b"<html><body><p>Warm-up paragraph for the imports.</p></body></html>", "")
    # Page by page, every extractor in turn: a machine busy for a while slows them alike.
    for page in pages:
        for name, extract in extractors.items():
            started = time.perf_counter()
            text = extract(page.raw, page.url)
            scores[name].add(page, text, time.perf_counter() - started)
            texts[name].append(text)
    return scores, texts


def print_table(scores: dict[str, Score], pages: int) -> None:
    print(f"Extraction on trafilatura's evaluation pages ({pages} pages, with/without snippets)")
    header = f"{'extractor':<36} {'prec':>6} {'recall':>6} {'F1':>6} {'empty':>5}"
    print(f"{header} {'median ms':>9} {'p90 ms':>7}")
    for name, score in scores.items():
        print(
            f"{name:<36} {score.precision:6.4f} {score.recall:6.4f} {score.f1:6.4f}"
            f" {score.empty:5d} {score.milliseconds(0.5):9.1f} {score.milliseconds(0.9):7.1f}"
        )


def print_shortfalls(pages: list[Page], texts: dict[str, list[str]], reference: str) -> None:
    """Pages where storywatch keeps under half the reference's text: what a fix must reach."""
    for index, page in enumerate(pages):
        ours, theirs = (len(_flat(texts[name][index])) for name in ("storywatch", reference))
        if theirs and ours < theirs / 2:
            print(f"  shorter: {page.url}: {ours} chars, {reference} {theirs}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pages",
        type=Path,
        help=f"trafilatura's tests/ folder (env {ENV_PAGES}; default {DEFAULT_PAGES})",
    )
    parser.add_argument(
        "--shortfalls", action="store_true", help="list pages where storywatch keeps much less"
    )
    args = parser.parse_args(argv)
    folder = args.pages or Path(os.environ.get(ENV_PAGES) or DEFAULT_PAGES)
    if not (folder / "evaldata.json").is_file():
        print(f"extraction eval skipped: no trafilatura evaluation pages at {folder}")
        return 0
    pages = load_pages(folder)
    scores, texts = evaluate(pages, EXTRACTORS)
    print_table(scores, len(pages))
    if args.shortfalls:
        print_shortfalls(pages, texts, "trafilatura include_comments=False")
    return 0


if __name__ == "__main__":
    sys.exit(main())
