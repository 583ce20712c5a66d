"""`make demo`: the whole pipeline, offline, on the seed story versions.

A local web server on 127.0.0.1 plays a newsroom editing one story; the real CLI tracks
it, checks it after each edit and prints the diffs and the alerts it would send (console
channel). The database is left in ./demo-data so the history commands can be tried after.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from storywatch.cli import cli

SEEDS = Path("seeds")
DATA = Path("demo-data")
STORY_PATH = "/world/2025/08/08/us-russia-deal-talks"
# (seed page, what the newsroom did) in the order the demo publishes them
EDITS = (
    ("us-russia-deal-v1", "the story is published"),
    ("us-russia-deal-v1", "nothing changed (the server answers 304 Not Modified)"),
    ("us-russia-deal-v1-cosmetic", "an editor fixes typography and spacing only"),
    ("us-russia-deal-v2", "the deal terms move: numbers, a date, modality, a negation"),
    ("us-russia-deal-v3", "new sourcing, a changed quote, a new paragraph, reordering"),
)


class _Newsroom(ThreadingHTTPServer):
    page = b""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.page).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server: _Newsroom

    def do_GET(self) -> None:
        if self.path != STORY_PATH:
            self.send_error(404)
            return
        if self.headers.get("If-None-Match") == self.server.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.server.page)))
        self.send_header("ETag", self.server.etag)
        self.end_headers()
        self.wfile.write(self.server.page)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo prints its own narration


def _storywatch(*args: str) -> None:
    database = f"sqlite:///{(DATA / 'storywatch.db').resolve()}"
    command = ["--db", database, "--allow-private", *args]
    click.secho(f"\n$ storywatch {' '.join(args)}", fg="cyan", bold=True)
    try:
        cli.main(command, prog_name="storywatch", standalone_mode=False)
    except SystemExit as exit_:  # `check` exits 2 when a story failed; the demo goes on
        if exit_.code:
            click.echo(f"(exit status {exit_.code})")


def run(seeds: Path = SEEDS, edits: Sequence[tuple[str, str]] = EDITS) -> None:
    if not seeds.is_dir():
        raise SystemExit(f"storywatch demo: error: no seeds directory at {seeds.resolve()}")
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir()
    server = _Newsroom(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}{STORY_PATH}"
    try:
        _storywatch("init")
        for step, (page, what) in enumerate(edits):
            server.page = (seeds / f"{page}.html").read_bytes()
            click.secho(f"\n--- newsroom: {what} ({page}.html) ---", fg="yellow", bold=True)
            if step == 0:
                _storywatch("add", url, "--name", "US-Russia deal talks")
            _storywatch("check", "1")
        _storywatch("history", "1")
        _storywatch("claims", "1")
    finally:
        server.shutdown()
        server.server_close()
    click.echo(
        f"\nThe demo database is in {DATA}/. Look back with, for example:\n"
        f"  .venv/bin/storywatch --db sqlite:///{DATA}/storywatch.db diff 1 1 3\n"
        f"  .venv/bin/storywatch --db sqlite:///{DATA}/storywatch.db log\n"
        "Or read it in a browser (pages, /api/..., /feeds/changes.atom), then open"
        " http://127.0.0.1:8080/:\n"
        f"  .venv/bin/storywatch --db sqlite:///{DATA}/storywatch.db serve"
    )


if __name__ == "__main__":
    run()
    sys.exit(0)
