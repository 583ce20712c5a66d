"""`storywatch serve` render times, server side (the app called in-process, no network):
the page of a story with 500 versions, its API history, and the story list over 10,000
stories (first page, a later page, a search). Target: each under 200 ms."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable

from bench.bench_history import VERSIONS, build, median_ms
from storywatch.config import load_settings
from storywatch.storage import Store
from storywatch.web.app import create_app

STORIES = 10_000
TARGET_MS = 200.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        writer = Store.open(url)
        story_id = build(writer)
        urls = [(f"https://bench.example/news/{n}", f"Story number {n}") for n in range(STORIES)]
        writer.add_stories(urls, tags=["bench"])
        writer.close()
        store = Store.open(url, read_only=True)
        with warnings.catch_warnings():  # Starlette's notice that its test client may move
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient
        client = TestClient(create_app(store, load_settings(environ={})))

        def get(path: str) -> Callable[[], None]:
            def run() -> None:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)

            return run

        def served_ms(path: str) -> float:
            return median_ms(get(path), 7, warm=True)

        results = [
            (
                f"story page, {VERSIONS} versions",
                served_ms(f"/stories/{story_id}"),
            ),
            (
                f"API history, {VERSIONS} versions",
                served_ms(f"/api/stories/{story_id}/history"),
            ),
            (
                "diff page, adjacent versions",
                served_ms(f"/stories/{story_id}/diff/499..500"),
            ),
            (f"story list of {STORIES:,}, page 1", served_ms("/stories")),
            (
                f"story list of {STORIES:,}, page 150",
                served_ms("/stories?page=150"),
            ),
            (
                f"story list of {STORIES:,}, search",
                served_ms("/stories?q=number+9999"),
            ),
            ("home, recent changes", served_ms("/")),
            ("changes feed", served_ms("/feeds/changes.atom")),
        ]
        client.close()
        store.close()
    print(f"{'serve, server time':<40}{'median ms':>10}")
    for name, value in results:
        verdict = "" if value < TARGET_MS else f"  over {TARGET_MS:.0f} ms"
        print(f"{name:<40}{value:>10.1f}{verdict}")
