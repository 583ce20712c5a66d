"""``storywatch import FILE|-``: track many URLs at once from the lists other tools keep."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.params import TEXT, Duration
from storywatch.errors import InputError, StorageError
from storywatch.storage import claims
from storywatch.watcher.imports import ImportList, Kind, read_import, trackable

_EPILOG = """\b
Examples:
  storywatch import urls.txt                      # one URL a line
  storywatch import ~/.config/urlwatch/urls.yaml --tag politics
  curl -s https://example.com/news-sitemap.xml | storywatch import -
"""


_FORMAT_NAMES = {
    "urls": "a URL list",
    "opml": "an OPML file",
    "urlwatch": "a urlwatch urls.yaml",
    "sitemap": "a sitemap",
    "sitemap index": "a sitemap index",
}


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


@click.command("import", epilog=_EPILOG)
@click.argument("source", metavar="FILE|-", type=TEXT)
@click.option(
    "--tag", "tags", type=TEXT, multiple=True, help="Tag every imported story (repeatable)."
)
@click.option(
    "--interval",
    type=Duration(positive=True),
    help="Fixed check interval for every imported story, e.g. 15m (default: adaptive).",
)
@json_option
@pass_app
def import_list(
    app: AppContext, source: str, tags: Sequence[str], interval: float | None, as_json: bool
) -> None:
    """Track every URL of a list: one URL a line, OPML, a urlwatch urls.yaml, or a
    (Google News) sitemap. Duplicates and invalid lines are reported one line each; the
    rest is imported."""
    listing: ImportList = read_import(_read(source))
    valid, invalid = trackable(listing.entries, allow_private=app.settings.fetch.allow_private)
    stories = [e for e in valid if e.kind is Kind.STORY]
    added, known = app.store.add_stories(
        [(e.url, e.name) for e in stories], interval=interval, tags=tags
    )
    feeds_added: list[str] = []
    feeds_known: list[str] = []
    for entry in (e for e in valid if e.kind is Kind.FEED):
        try:
            claims.add_feed(app.store, entry.url, interval=interval)
        except StorageError:
            feeds_known.append(entry.url)
        else:
            feeds_added.append(entry.url)
    result = {
        "format": listing.format,
        "stories_added": [{"id": s.id, "url": s.url} for s in added],
        "already_tracked": [{"id": s.id, "url": s.url} for s in known]
        + [{"id": None, "url": url} for url in feeds_known],
        "feeds_added": feeds_added,
        "skipped": [{"where": s.where, "reason": s.reason} for s in listing.skipped],
        "invalid": [{"where": s.where, "reason": s.reason} for s in invalid],
    }
    if as_json:
        emit_json(result)
        return
    for skipped in listing.skipped:
        click.echo(f"skipped {skipped.where}: {skipped.reason}", err=True)
    for bad in invalid:
        click.echo(f"invalid {bad.where}: {bad.reason}", err=True)
    for story in known:
        click.echo(f"already tracked: {story.url} (story {story.id})", err=True)
    for url in feeds_known:
        click.echo(f"already polled: {url}", err=True)
    click.echo(
        f"imported {len(added)} stor{'y' if len(added) == 1 else 'ies'}"
        + (f" and {len(feeds_added)} feed{'s' * (len(feeds_added) != 1)}" if feeds_added else "")
        + f" from {_FORMAT_NAMES[listing.format]}"
        + f" ({len(known) + len(feeds_known)} already tracked, {len(invalid)} invalid,"
        f" {len(listing.skipped)} skipped)"
    )
