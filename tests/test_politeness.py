"""Politeness, measured at a real local server: per-host spacing and concurrency, the
global limit, Retry-After, exponential backoff and robots.txt."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from storywatch.config import FetchSettings
from storywatch.errors import HTTPStatusError
from storywatch.watcher.fetch import FetchResult
from storywatch.watcher.politeness import PoliteFetcher, RobotsDisallowedError, robots_policy
from tests.support.newsroom import RequestClock
from tests.support.server import PageServer


def _settings(**fields: Any) -> FetchSettings:
    base: dict[str, Any] = {"allow_private": True, "per_host_delay": 0, "timeout": 5}
    return FetchSettings(**{**base, **fields})


class FakeTime:
    """A monotonic clock that only moves when the fetcher sleeps; records the sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def _run(fetcher: PoliteFetcher, work: Callable[[PoliteFetcher], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        try:
            return await work(fetcher)
        finally:
            await fetcher.aclose()

    return asyncio.run(main())


def _fetch_all(urls: list[str]) -> Callable[[PoliteFetcher], Awaitable[list[FetchResult]]]:
    async def work(fetcher: PoliteFetcher) -> list[FetchResult]:
        return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return work


def test_requests_to_one_host_start_at_least_the_delay_apart(page_server: PageServer) -> None:
    clock = RequestClock()
    page_server.handle("/p", clock)
    urls = [page_server.url(f"/p?{n}") for n in range(4)]
    _run(PoliteFetcher(_settings(per_host_delay=0.25, per_host_concurrency=4)), _fetch_all(urls))
    assert len(clock.arrivals) == 4
    assert min(clock.gaps()) >= 0.23, clock.gaps()


@pytest.mark.parametrize(
    ("limits", "peak"),
    [
        ({"per_host_concurrency": 2, "max_concurrency": 10}, 2),
        ({"per_host_concurrency": 10, "max_concurrency": 3}, 3),
    ],
)
def test_per_host_and_global_concurrency_limits(
    page_server: PageServer, limits: dict[str, int], peak: int
) -> None:
    clock = RequestClock(hold=0.3)
    page_server.handle("/slow", clock)
    urls = [page_server.url(f"/slow?{n}") for n in range(8)]
    _run(PoliteFetcher(_settings(**limits)), _fetch_all(urls))
    assert clock.peak == peak


def test_retry_after_pauses_the_host(page_server: PageServer) -> None:
    clock = RequestClock(status=429)
    clock.headers = {"Retry-After": "1"}
    page_server.handle("/busy", clock)

    async def work(fetcher: PoliteFetcher) -> FetchResult:
        with pytest.raises(HTTPStatusError) as raised:
            await fetcher.fetch(page_server.url("/busy"))
        assert raised.value.retry_after == 1
        clock.status, clock.headers = 200, {}
        return await fetcher.fetch(page_server.url("/busy"))

    assert _run(PoliteFetcher(_settings()), work).status_code == 200
    assert clock.gaps()[0] >= 0.95


def test_a_long_retry_after_fails_fast_without_asking_the_server_again(
    page_server: PageServer,
) -> None:
    page_server.set("/gone-fishing", "busy", status=503, headers={"Retry-After": "120"})
    page_server.set("/other", "hello")

    async def work(fetcher: PoliteFetcher) -> float | None:
        with pytest.raises(HTTPStatusError):
            await fetcher.fetch(page_server.url("/gone-fishing"))
        with pytest.raises(HTTPStatusError) as raised:
            await fetcher.fetch(page_server.url("/other"))  # same host: paused too
        return raised.value.retry_after

    retry_after = _run(PoliteFetcher(_settings()), work)
    assert retry_after is not None and 115 < retry_after <= 120
    assert page_server.hits("/other") == 0


def test_server_errors_back_off_exponentially_and_success_resets(
    page_server: PageServer,
) -> None:
    time = FakeTime()
    page_server.set("/flaky", "oops", status=500)

    async def work(fetcher: PoliteFetcher) -> None:
        for _ in range(3):
            with pytest.raises(HTTPStatusError):
                await fetcher.fetch(page_server.url("/flaky"))
        page_server.set("/flaky", "<html><body>fine</body></html>")
        await fetcher.fetch(page_server.url("/flaky"))
        await fetcher.fetch(page_server.url("/flaky"))

    _run(PoliteFetcher(_settings(), clock=time.clock, sleep=time.sleep), work)
    assert time.sleeps == [1, 2, 4]  # none after the success


ROBOTS = "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n"


def test_robots_txt_is_cached_honoured_and_overridable(page_server: PageServer) -> None:
    time = FakeTime()
    page_server.set("/robots.txt", ROBOTS, content_type="text/plain")
    page_server.set("/private/a", "secret")
    page_server.set("/public/a", "<html><body>public</body></html>")

    async def work(fetcher: PoliteFetcher) -> None:
        with pytest.raises(RobotsDisallowedError, match=r"robots\.txt disallows"):
            await fetcher.fetch(page_server.url("/private/a"))
        await fetcher.fetch(page_server.url("/public/a"))
        with robots_policy(False):
            await fetcher.fetch(page_server.url("/private/a"))

    _run(PoliteFetcher(_settings(), clock=time.clock, sleep=time.sleep), work)
    assert page_server.hits("/robots.txt") == 1
    assert page_server.hits("/private/a") == 1  # only the overridden fetch
    assert time.sleeps == [2]  # Crawl-delay spaces the two page fetches


def test_an_unreachable_robots_txt_means_disallowed_for_now(page_server: PageServer) -> None:
    page_server.set("/robots.txt", "down", status=500)
    page_server.set("/story", "<html><body>story</body></html>")

    async def work(fetcher: PoliteFetcher) -> None:
        with pytest.raises(RobotsDisallowedError, match="unreachable"):
            await fetcher.fetch(page_server.url("/story"))

    _run(PoliteFetcher(_settings(), clock=FakeTime().clock, sleep=FakeTime().sleep), work)
    assert page_server.hits("/story") == 0


def test_robots_setting_off_skips_robots_txt(page_server: PageServer) -> None:
    page_server.set("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    page_server.set("/story", "<html><body>story</body></html>")
    _run(PoliteFetcher(_settings(respect_robots=False)), _fetch_all([page_server.url("/story")]))
    assert page_server.hits("/robots.txt") == 0


def test_robots_txt_wildcards_and_end_anchors_are_honoured(page_server: PageServer) -> None:
    page_server.set(
        "/robots.txt",
        "User-agent: *\nDisallow: /*/live-updates/\nDisallow: /*.pdf$\n",
        content_type="text/plain",
    )
    for path in ("/world/live-updates/1", "/docs/report.pdf", "/docs/report.pdf.html"):
        page_server.set(path, "<html><body>page</body></html>")

    async def work(fetcher: PoliteFetcher) -> None:
        for refused in ("/world/live-updates/1", "/docs/report.pdf"):
            with pytest.raises(RobotsDisallowedError):
                await fetcher.fetch(page_server.url(refused))
        await fetcher.fetch(page_server.url("/docs/report.pdf.html"))

    _run(PoliteFetcher(_settings(), clock=FakeTime().clock, sleep=FakeTime().sleep), work)
    assert page_server.hits("/world/live-updates/1") == 0
    assert page_server.hits("/docs/report.pdf") == 0
    assert page_server.hits("/docs/report.pdf.html") == 1
