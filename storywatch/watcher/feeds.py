"""Feed polling: each new RSS/Atom entry whose title or URL passes the feed's
``--include``/``--exclude`` patterns becomes a tracked story (``feed_id`` set).

The feed's bytes come through our own :class:`Fetcher`, so the SSRF guard, size limit,
conditional GET and politeness apply to feeds as to articles; feedparser only parses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storywatch.config import ScheduleSettings
from storywatch.errors import FetchError, HTTPStatusError, InputError, InvalidURLError
from storywatch.storage import Feed, Store, utcnow
from storywatch.storage.claims import FeedPoll, add_feed_stories, record_feed_poll
from storywatch.watcher.fetch import Fetcher, FetchResult
from storywatch.watcher.imports import read_import
from storywatch.watcher.urls import validate_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedReport:
    feed_id: int
    url: str
    entries: int = 0
    new_stories: tuple[str, ...] = ()
    not_modified: bool = False
    error: str | None = None


def compile_pattern(pattern: str | None, option: str) -> re.Pattern[str] | None:
    """The --include/--exclude regex, or an InputError naming the option."""
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"{option} {pattern!r} is not a valid regular expression: {exc}") from None


def entry_links(parsed: Any, include: str | None, exclude: str | None) -> list[str]:
    """Entry URLs, in feed order, whose title or URL matches include and not exclude."""
    wanted = compile_pattern(include, "--include")
    unwanted = compile_pattern(exclude, "--exclude")
    links: list[str] = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        haystack = f"{entry.get('title', '')}\n{link}"
        if wanted and not wanted.search(haystack):
            continue
        if unwanted and unwanted.search(haystack):
            continue
        try:
            links.append(validate_url(link))
        except InvalidURLError:
            log.debug("feed entry with a non-http(s) link skipped: %s", link)
    return links


@dataclass(frozen=True, slots=True)
class _SitemapFeed:
    """A sitemap read as a feed: its URLs are the entries (titled by news:title)."""

    entries: list[dict[str, str | None]]
    feed: dict[str, str | None]


_SITEMAP_ROOT = re.compile(r"<(?:\w+:)?(urlset|sitemapindex)\b")


def parse_feed(body: str, url: str) -> Any:
    """An RSS/Atom feed with feedparser, or a (Google News) sitemap, which newsrooms keep
    of their new articles and which is polled the same way."""
    root = _SITEMAP_ROOT.search(body, 0, 4096)
    if root is not None:
        if root.group(1) == "sitemapindex":
            raise FetchError(f"{url} is a sitemap index: add its sitemaps with add-feed")
        try:
            listing = read_import(body.encode("utf-8"))
        except InputError as exc:
            raise FetchError(f"{url} is not a readable sitemap: {exc}") from None
        entries = [{"link": entry.url, "title": entry.name} for entry in listing.entries]
        return _SitemapFeed(entries, {"title": None})
    import feedparser  # on first use: a cycle without due feeds never needs it

    parsed = feedparser.parse(body)
    # feedparser is lenient ("bozo" documents still parse); only a document with no
    # recognisable feed at all is an error.
    if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
        reason = " ".join(str(parsed.get("bozo_exception", "unknown error")).split())
        raise FetchError(f"{url} is not an RSS or Atom feed: {reason[:200]}")
    return parsed


def _next_poll(
    feed: Feed, now: datetime, settings: ScheduleSettings, errors: int, retry_after: float | None
) -> datetime:
    interval = feed.interval or settings.default_interval
    if errors:
        interval = min(interval * 2 ** min(errors, 10), settings.max_interval)
    delay = interval * (1 + random.uniform(-settings.jitter, settings.jitter))
    floor = min(retry_after or 0.0, settings.max_interval)  # as for stories (schedule.py)
    return now + timedelta(seconds=max(delay, floor))


async def poll_feed(
    store: Store,
    fetcher: Fetcher,
    feed: Feed,
    settings: ScheduleSettings,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> FeedReport:
    """Fetch and parse one feed, track its new entries, record the poll. Never raises for
    a broken feed: the error is stored on the feed and returned."""
    try:
        result = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        return await asyncio.to_thread(_record_error, store, feed, settings, exc, clock)
    # Parsing and the database are blocking work: keep them off the event loop.
    return await asyncio.to_thread(_record_result, store, feed, settings, result, clock)


def _record_error(
    store: Store,
    feed: Feed,
    settings: ScheduleSettings,
    exc: FetchError,
    clock: Callable[[], datetime],
) -> FeedReport:
    assert feed.id is not None
    retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
    errors = feed.error_count + 1
    now = clock()
    next_at = _next_poll(feed, now, settings, errors, retry_after)
    record_feed_poll(store, feed.id, FeedPoll(now, next_at, errors, str(exc)))
    return FeedReport(feed.id, feed.url, error=str(exc))


def _record_result(
    store: Store,
    feed: Feed,
    settings: ScheduleSettings,
    result: FetchResult,
    clock: Callable[[], datetime],
) -> FeedReport:
    assert feed.id is not None
    if result.not_modified:
        parsed = None
    else:
        try:
            parsed = parse_feed(result.body or "", feed.url)
        except FetchError as exc:
            return _record_error(store, feed, settings, exc, clock)
    links = entry_links(parsed, feed.include, feed.exclude) if parsed is not None else []
    added = add_feed_stories(store, feed.id, links)
    now = clock()
    record_feed_poll(
        store,
        feed.id,
        FeedPoll(
            checked_at=now,
            next_check_at=_next_poll(feed, now, settings, 0, None),
            error_count=0,
            title=parsed.feed.get("title") if parsed is not None else None,
            etag=result.etag,
            last_modified=result.last_modified,
        ),
    )
    return FeedReport(
        feed.id,
        feed.url,
        entries=len(parsed.entries) if parsed is not None else 0,
        new_stories=tuple(added),
        not_modified=result.not_modified,
    )
