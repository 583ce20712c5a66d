"""A real `storywatch serve` process on 127.0.0.1 over a database the real pipeline built
from the seed versions, plus a story whose title and text are hostile markup."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from storywatch.storage import Store
from tests.support.history import START, record_version
from tests.support.pipeline import build_seed_database, pipeline_settings
from tests.support.server import PageServer

HOSTILE_TITLE = (
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> </textarea>'
)
HOSTILE_TEXTS = (
    "Police said 3 people were hurt. <script>window.__pwned = 3</script>\n"
    'A caption read <img src=x onerror="window.__pwned = 4"> and </textarea><b>bold</b>.',
    "Police said 5 people were hurt. <script>window.__pwned = 3</script>\n"
    'A caption read <img src=x onerror="window.__pwned = 4"> and </textarea><b>bold</b>.',
)
_ADDRESS = re.compile(r"serving (http://\S+/)")


@dataclass(frozen=True)
class Served:
    db_url: str
    base: str  # http://127.0.0.1:PORT
    seed: int  # the seed story, three versions through the real pipeline
    hostile: int  # a story of two versions whose title and text are hostile markup


def build_database(db_url: str) -> tuple[int, int]:
    """The seed story through the real pipeline (tagged "world") and the hostile story."""
    store = Store.open(db_url)
    server = PageServer().start()
    try:
        seed = build_seed_database(store, server, pipeline_settings(db_url))
        story = store.add_story("https://evil.example/story?q=<script>", tags=["world"])
        assert story.id is not None
        hostile, previous = story.id, None
        for index, text in enumerate(HOSTILE_TEXTS):
            at = START + timedelta(days=400, hours=index)
            record_version(store, hostile, text, at, previous, HOSTILE_TITLE)
            previous = text
    finally:
        server.stop()
        store.close()
    return seed, hostile


@contextmanager
def serve_process(db_url: str, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`storywatch serve --port 0` until the block ends; yields its base URL."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "storywatch", "--db", db_url, "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**environ, "TZ": "UTC", **(env or {})},
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline()
        found = _ADDRESS.search(line)
        assert found, f"serve did not start: {line}{process.stderr.read()}"
        base = found.group(1).rstrip("/")
        _wait_until_up(base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(base + "/static/style.css", timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def artifacts_dir(fallback: Path) -> Path:
    """Where screenshots go: $STORYWATCH_ARTIFACTS when set, else the test's tmp dir."""
    folder = Path(os.environ.get("STORYWATCH_ARTIFACTS") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
