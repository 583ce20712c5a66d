"""Feeds: new entries become stories (include/exclude, dedupe by URL), broken feeds are
recorded, and the feed commands."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storywatch.config import Settings
from storywatch.storage import Store, claims
from storywatch.watcher.feeds import FeedReport, poll_feed
from storywatch.watcher.fetch import Fetcher
from tests.support.cli import run_cli
from tests.support.databases import sqlite_url
from tests.support.pipeline import pipeline_settings
from tests.support.server import PageServer

RSS = "application/rss+xml; charset=utf-8"


def _rss(server: PageServer, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link></item>"
        for title, path in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>World news</title><link>{server.url('/')}</link>{entries}</channel></rss>"
    )


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom desk</title>
<entry><title>Ceasefire holds</title><link href="{url}"/><id>urn:1</id>
<updated>2025-08-08T12:00:00Z</updated></entry></feed>"""


def _poll(store: Store, settings: Settings, feed_id: int) -> FeedReport:
    feed = next(f for f in claims.list_feeds(store) if f.id == feed_id)

    async def run() -> FeedReport:
        async with Fetcher(settings.fetch) as fetcher:
            return await poll_feed(store, fetcher, feed, settings.schedule)

    return asyncio.run(run())


def test_new_entries_matching_the_filters_become_stories_once(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    items = [
        ("Ukraine talks resume", "/world/ukraine-talks"),
        ("Opinion: Ukraine deserves better", "/opinion/ukraine"),
        ("Football results", "/sport/football"),
    ]
    page_server.set("/feed.xml", _rss(page_server, items), content_type=RSS)
    feed = claims.add_feed(
        store, page_server.url("/feed.xml"), include="ukraine", exclude=r"^opinion|/opinion/"
    )
    assert feed.id is not None

    report = _poll(store, settings, feed.id)
    assert (report.error, report.entries) == (None, 3)
    assert report.new_stories == (page_server.url("/world/ukraine-talks"),)
    story = store.find_story_by_url(page_server.url("/world/ukraine-talks"))
    assert story is not None and story.feed_id == feed.id

    items.insert(0, ("Ukraine: prisoners exchanged", "/world/ukraine-prisoners"))
    page_server.set("/feed.xml", _rss(page_server, items), content_type=RSS)
    again = _poll(store, settings, feed.id)
    assert again.new_stories == (page_server.url("/world/ukraine-prisoners"),)
    assert len(store.list_stories()) == 2
    assert claims.feed_story_counts(store) == {feed.id: 2}


def test_an_atom_feed_and_an_entry_already_tracked_by_hand(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(sqlite_url(tmp_path))
    url = page_server.url("/world/ceasefire")
    sqlite_store.add_story(url)
    page_server.set("/atom", ATOM.format(url=url), content_type="application/atom+xml")
    feed = claims.add_feed(sqlite_store, page_server.url("/atom"))
    report = _poll(sqlite_store, settings, feed.id or 0)
    assert (report.entries, report.new_stories) == (1, ())
    assert claims.list_feeds(sqlite_store)[0].title == "Atom desk"


def test_a_broken_feed_is_recorded_in_one_line_and_retried_later(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(sqlite_url(tmp_path))
    page_server.set("/feed.xml", "<html><body><p>We moved!</p>", content_type="text/xml")
    page_server.set("/dead.xml", "gone", status=500)
    for path in ("/feed.xml", "/dead.xml"):
        feed = claims.add_feed(sqlite_store, page_server.url(path))
        report = _poll(sqlite_store, settings, feed.id or 0)
        assert report.error is not None and "\n" not in report.error
        stored = next(f for f in claims.list_feeds(sqlite_store) if f.id == feed.id)
        assert (stored.error_count, stored.last_error) == (1, report.error)
        assert stored.last_checked_at is not None
        assert stored.next_check_at > stored.last_checked_at
    assert "not an RSS or Atom feed" in (claims.list_feeds(sqlite_store)[0].last_error or "")
    assert sqlite_store.list_stories() == []


def test_feed_commands(page_server: PageServer, tmp_path: Path) -> None:
    db = ["--db", sqlite_url(tmp_path), "--allow-private"]
    feed_url = page_server.url("/feed.xml")
    added = run_cli(
        *db, "add-feed", feed_url, "--include", "ukraine", "--interval", "10m", "--json"
    )
    assert added.code == 0, added.stderr
    assert (added.json()["include"], added.json()["interval"]) == ("ukraine", 600)
    duplicate = run_cli(*db, "add-feed", feed_url)
    assert duplicate.code == 2 and "already polling" in duplicate.stderr

    bad = run_cli(*db, "add-feed", page_server.url("/other.xml"), "--exclude", "(")
    assert bad.code == 2
    assert bad.stderr.count("\n") == 1 and "--exclude" in bad.stderr

    listed = run_cli(*db, "feeds", "--json").json()
    assert [f["url"] for f in listed] == [feed_url]
    assert run_cli(*db, "feeds").stdout.count(str(listed[0]["id"])) >= 1
    assert run_cli(*db, "remove-feed", str(listed[0]["id"])).code == 0
    assert run_cli(*db, "feeds", "--json").json() == []
    missing = run_cli(*db, "remove-feed", "99")
    assert missing.code == 2 and "no feed with id 99" in missing.stderr


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}</urlset>"""


def _news_sitemap(server: PageServer, items: list[tuple[str, str]]) -> str:
    urls = "".join(
        f"<url><loc>{server.url(path)}</loc><news:news><news:title>{title}</news:title>"
        "</news:news></url>\n"
        for title, path in items
    )
    return NEWS_SITEMAP.format(urls=urls)


def test_a_news_sitemap_is_polled_like_a_feed(
    sqlite_store: Store, page_server: PageServer, tmp_path: Path
) -> None:
    settings = pipeline_settings(sqlite_url(tmp_path))
    items = [("Ukraine talks resume", "/world/ukraine-talks"), ("Football", "/sport/football")]
    page_server.set(
        "/news-sitemap.xml", _news_sitemap(page_server, items), content_type="application/xml"
    )
    feed = claims.add_feed(sqlite_store, page_server.url("/news-sitemap.xml"), include="ukraine")
    report = _poll(sqlite_store, settings, feed.id or 0)
    assert (report.error, report.entries) == (None, 2)
    assert report.new_stories == (page_server.url("/world/ukraine-talks"),)
    page_server.set(
        "/index.xml",
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>',
        content_type="application/xml",
    )
    index = claims.add_feed(sqlite_store, page_server.url("/index.xml"))
    assert "sitemap index" in (_poll(sqlite_store, settings, index.id or 0).error or "")
