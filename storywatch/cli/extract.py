"""``storywatch extract FILE|URL``: the article exactly as storywatch stores and compares
it, to see why a page does or does not alarm (urlwatch's --test-filter). Stores nothing."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import click

from storywatch.cli.compare import read_article
from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.config.settings import FetchSettings
from storywatch.watcher.extract import Article, extract_page
from storywatch.watcher.fetch import Fetcher

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


async def fetch_article(settings: FetchSettings, url: str) -> tuple[str, Article]:
    """Fetch ``url`` as a check would (same limits and SSRF guard) and extract it; the
    final URL after redirects comes back with the article."""
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url)
    return result.url, extract_page(
        result.raw or b"", result.charset, result.content_type, result.url
    )


@click.command(
    epilog=examples(
        "storywatch extract seeds/us-russia-deal-v1.html",
        "storywatch extract https://example.com/news/story --json",
    )
)
@click.argument("source")
@json_option
@pass_app
def extract(app: AppContext, source: str, as_json: bool) -> None:
    """Show the title, byline, dates and numbered paragraphs storywatch compares for a
    page: a local HTML or text FILE, or a URL fetched now."""
    url: str | None = None  # the final URL, after redirects; None for a file
    if _URL.match(source):
        url, article = asyncio.run(fetch_article(app.settings.fetch, source))
    else:
        article = read_article(Path(source))
    if as_json:
        emit_json(
            {
                "url": url,
                "title": article.title,
                "byline": article.byline,
                "published": article.published,
                "updated": article.updated,
                "paragraphs": list(article.paragraphs),
            }
        )
        return
    fields = [
        ("url", url),
        ("title", article.title),
        ("byline", article.byline),
        ("published", article.published),
        ("updated", article.updated),
    ]
    for name, value in fields:
        if name != "url" or value:
            click.echo(f"{name + ':':<11}{value or '-'}")
    click.echo(f"{len(article.paragraphs)} paragraphs:")
    width = len(str(len(article.paragraphs)))
    for number, paragraph in enumerate(article.paragraphs, 1):
        click.echo(f"{number:>{width}}  {paragraph}")
