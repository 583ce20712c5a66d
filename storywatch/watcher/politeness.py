"""Fetching that is polite to news sites: a :class:`Fetcher` with limits per host.

- at most ``fetch.max_concurrency`` requests in flight overall, and
  ``fetch.per_host_concurrency`` to any one host;
- request *starts* to one host are at least ``fetch.per_host_delay`` apart (or the host's
  robots.txt ``Crawl-delay``, when larger);
- a 429 or 503 pauses the whole host for its Retry-After; without one, and after other
  server errors, the pause doubles per consecutive failure. A short
  pause is waited out; a long one fails the fetch at once with ``retry_after`` set, so
  the story is rescheduled instead of a check sitting on its lease;
- robots.txt is honoured unless the story says otherwise (:func:`robots_policy`); it is
  fetched through the same guarded fetcher (SSRF guard, size limit) and cached per host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from protego import Protego

from storywatch.config.settings import FetchSettings
from storywatch.errors import FetchError, HTTPStatusError
from storywatch.watcher.fetch import Fetcher, FetchResult
from storywatch.watcher.urls import validate_url

ROBOTS_TTL = 3600.0  # re-read robots.txt hourly: sites change it rarely
ROBOTS_UNREACHABLE_TTL = 300.0  # RFC 9309: a 5xx robots.txt means "disallow", retry soon
MAX_WAIT = 30.0  # longer host pauses fail the fetch with retry_after instead of waiting
MAX_BACKOFF = 3600.0
MAX_CRAWL_DELAY = 60.0  # a robots.txt asking for more is capped, not obeyed blindly
_THROTTLE_STATUSES = frozenset({429, 503})

# The per-story robots override travels with the asyncio task checking the story, so
# concurrent checks of stories with different settings cannot see each other's.
_respect_robots: ContextVar[bool | None] = ContextVar("respect_robots", default=None)


@contextmanager
def robots_policy(respect: bool | None) -> Iterator[None]:
    """Within this block (this task), fetches honour robots.txt per ``respect``; None
    means the ``fetch.respect_robots`` setting."""
    token = _respect_robots.set(respect)
    try:
        yield
    finally:
        _respect_robots.reset(token)


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL to our user agent."""


@dataclass
class _Robots:
    parser: Protego | None  # None: everything disallowed
    expires: float
    unreachable: str = ""  # why robots.txt could not be read, when parser is None


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay: float
    ready_at: float = 0.0  # monotonic time the next request may start
    failures: int = 0  # consecutive throttling answers or server errors
    paused_by: int = 429  # the status that caused the current pause
    robots: _Robots | None = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def polite_fetcher(settings: FetchSettings, *, skip_delay: bool = False) -> PoliteFetcher:
    """The fetcher every command checks stories with: the one place fetch policy is set.
    ``skip_delay`` (``check --now``) drops the per-host delay a user may waive for a
    one-off check; robots.txt, its Crawl-delay and Retry-After pauses always hold."""
    if skip_delay:
        settings = settings.model_copy(update={"per_host_delay": 0.0})
    return PoliteFetcher(settings)


class PoliteFetcher(Fetcher):
    """Drop-in :class:`Fetcher` adding the politeness rules above; one per process."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(settings, transport=transport)
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, _Host] = {}

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        url = validate_url(url)
        host = self._host(url)
        respect = _respect_robots.get()
        if self.settings.respect_robots if respect is None else respect:
            await self._check_robots(url, host)
        return await self._polite(host, url, etag, last_modified)

    def _host(self, url: str) -> _Host:
        key = _origin(url)
        host = self._hosts.get(key)
        if host is None:
            host = _Host(
                asyncio.Semaphore(self.settings.per_host_concurrency),
                self.settings.per_host_delay,
            )
            self._hosts[key] = host
        return host

    async def _polite(
        self, host: _Host, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        async with host.slots:
            await self._start_slot(host, url)
            try:
                result = await Fetcher.fetch(self, url, etag=etag, last_modified=last_modified)
            except HTTPStatusError as exc:
                self._failed(host, exc)
                raise
            finally:
                self._slots.release()
            host.failures = 0
            return result

    async def _start_slot(self, host: _Host, url: str) -> None:
        """Wait for the host's next start time, then take a global slot. The global slot
        is not held while waiting, so one slow host cannot starve the others."""
        while True:
            wait = host.ready_at - self._clock()
            if wait > MAX_WAIT:
                raise HTTPStatusError(
                    f"HTTP {host.paused_by} earlier from {_origin(url)}: backing off, "
                    f"{url} not fetched (retry after {wait:.0f}s)",
                    host.paused_by,
                    retry_after=wait,
                )
            if wait > 0:
                await self._sleep(wait)
                continue
            await self._slots.acquire()
            now = self._clock()
            if now >= host.ready_at:  # nobody took the start slot while we queued
                host.ready_at = now + host.delay
                return
            self._slots.release()

    def _failed(self, host: _Host, exc: HTTPStatusError) -> None:
        """Pause the host after a throttling answer or a server error (not after a 404)."""
        throttled = exc.status_code in _THROTTLE_STATUSES
        if not throttled and exc.status_code < 500:
            return
        host.failures += 1
        host.paused_by = exc.status_code
        pause = exc.retry_after if throttled else None
        if pause is None:
            pause = min(max(host.delay, 1.0) * 2 ** (host.failures - 1), MAX_BACKOFF)
        host.ready_at = max(host.ready_at, self._clock() + pause)

    # -- robots.txt ----------------------------------------------------------------------

    async def _check_robots(self, url: str, host: _Host) -> None:
        robots = await self._robots(url, host)
        if robots.parser is None:
            raise RobotsDisallowedError(
                f"robots.txt of {_origin(url)} is unreachable ({robots.unreachable}), so "
                f"{url} is not fetched for now (add the story with --ignore-robots to override)"
            )
        if not robots.parser.can_fetch(url, self.settings.user_agent):
            raise RobotsDisallowedError(
                f"robots.txt disallows {url} (add the story with --ignore-robots to override)"
            )

    async def _robots(self, url: str, host: _Host) -> _Robots:
        async with host.robots_lock:  # one robots.txt fetch per host; the rest wait for it
            if host.robots is None or host.robots.expires <= self._clock():
                host.robots = await self._load_robots(url, host)
                delay = host.robots.parser and host.robots.parser.crawl_delay(
                    self.settings.user_agent
                )
                if delay:
                    host.delay = max(
                        self.settings.per_host_delay, min(float(delay), MAX_CRAWL_DELAY)
                    )
            return host.robots

    async def _load_robots(self, url: str, host: _Host) -> _Robots:
        robots_url = f"{_origin(url)}/robots.txt"
        try:
            result = await self._polite(host, robots_url)
        except HTTPStatusError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                return _Robots(
                    None, self._clock() + ROBOTS_UNREACHABLE_TTL, f"HTTP {exc.status_code}"
                )
            body = ""  # 4xx: there is no robots.txt, everything is allowed
        except FetchError as exc:
            return _Robots(None, self._clock() + ROBOTS_UNREACHABLE_TTL, str(exc))
        else:
            body = result.body or ""
        # protego, Scrapy's parser: "*" and "$" in paths, as modern robots.txt files use
        # them (urllib's parser reads "Disallow: /*/live/" as a literal path).
        return _Robots(Protego.parse(body), self._clock() + ROBOTS_TTL)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
