"""Issue 13, the fetch side: hostile validators, Retry-After values, URLs and addresses, a
missing database driver, and a check that crashes, each met as a user or a server would
bring it (the real server on 127.0.0.1, real databases, the real CLI)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click.testing
import feedparser
import pytest

from storywatch.cli import cli
from storywatch.config import ScheduleSettings
from storywatch.errors import DatabaseUnavailableError, InvalidURLError
from storywatch.httputil import MAX_RETRY_AFTER, parse_content_length, parse_retry_after
from storywatch.storage import CheckOutcome, Store, Story, StoryStatus
from storywatch.storage.db import create_db_engine
from storywatch.watcher import pipeline
from storywatch.watcher.feeds import entry_links
from storywatch.watcher.fetch import Fetcher
from storywatch.watcher.pipeline import Checker, CheckReport
from storywatch.watcher.schedule import next_schedule
from storywatch.watcher.service import Service
from storywatch.watcher.urls import literal_address, refuse_private_literal, validate_url
from tests.support.cli import run_cli
from tests.support.databases import sqlite_url
from tests.support.pages import seed_html
from tests.support.pipeline import check_once, pipeline_settings
from tests.support.server import PageServer, unused_port
from tests.test_fetch import fetch, fetch_error


def _one_line_error(result: object, fragment: str) -> str:
    code, stderr = result.code, result.stderr  # type: ignore[attr-defined]
    assert code == 2, (code, stderr)
    assert fragment in stderr, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    return str(stderr)


# --- defect 2: validators are stored exactly or not at all ------------------------------

LONG_ETAG = '"' + "e" * 600 + '"'
LONG_LAST_MODIFIED = "Fri, 08 Aug 2025 21:10:00 GMT" + " " * 10 + "x" * 120


def test_unusable_validators_are_dropped_not_clipped(page_server: PageServer) -> None:
    page_server.set("/long", seed_html("us-russia-deal-v1"), etag=LONG_ETAG)
    page_server.set("/accented", seed_html("us-russia-deal-v1"), etag='"café"')  # latin-1 byte
    page_server.set("/dated", seed_html("us-russia-deal-v1"), last_modified=LONG_LAST_MODIFIED)
    page_server.set("/fine", seed_html("us-russia-deal-v1"), etag='W/"42"')

    assert fetch(page_server.url("/long")).etag is None
    assert fetch(page_server.url("/accented")).etag is None
    assert fetch(page_server.url("/dated")).last_modified is None
    assert fetch(page_server.url("/fine")).etag == 'W/"42"'


def test_a_clipped_stored_validator_means_a_plain_get(page_server: PageServer) -> None:
    # What the old code stored for a 600-character ETag: its first 499 characters and "…".
    page_server.set("/a", seed_html("us-russia-deal-v1"), etag=LONG_ETAG)

    result = fetch(page_server.url("/a"), etag=LONG_ETAG[:499] + "…", last_modified="Fri")

    assert result.status_code == 200 and result.raw
    headers = page_server.requests[-1].headers
    assert "if-none-match" not in headers and "if-modified-since" not in headers


def test_check_all_survives_long_and_non_ascii_validators(
    tmp_path: Path, page_server: PageServer
) -> None:
    db = ("--db", sqlite_url(tmp_path), "--allow-private")
    page_server.set("/long", seed_html("us-russia-deal-v1"), etag=LONG_ETAG)
    page_server.set("/accented", seed_html("us-russia-deal-v2"), etag='"café"')
    page_server.set("/dated", seed_html("us-russia-deal-v3"), last_modified=LONG_LAST_MODIFIED)
    page_server.set("/fine", seed_html("us-russia-deal-v1-cosmetic"), etag='"1"')
    paths = ("/long", "/accented", "/dated", "/fine")
    assert run_cli(*db, "add", *(page_server.url(path) for path in paths)).code == 0

    first = run_cli(*db, "check", "--all", "--now")
    assert first.code == 0 and first.stdout.count("stored version 1") == 4, first.stderr
    again = run_cli(*db, "check", "--all", "--now")  # sends what the first check stored

    assert again.code == 0, again.stderr
    assert again.stdout.count(": unchanged") == 4 and "Traceback" not in again.stderr
    store = Store.open(sqlite_url(tmp_path))
    try:
        etags = {s.url.rsplit("/", 1)[1]: (s.etag, s.last_modified) for s in store.list_stories()}
    finally:
        store.close()
    assert etags == {
        "long": (None, None),
        "accented": (None, None),
        "dated": (None, None),
        "fine": ('"1"', None),
    }


# --- defect 3: Retry-After is parsed with bounds -----------------------------------------

HOSTILE_RETRY_AFTER = ["²", "9" * 400, "9" * 30, "Fri, 31 Dec 9999 23:59:59 GMT"]


def test_parse_retry_after_is_bounded() -> None:
    now = datetime(2025, 8, 8, 21, 0, tzinfo=UTC)
    assert parse_retry_after("²", now=now) is None
    assert parse_retry_after("١٢٣", now=now) is None  # Arabic-Indic digits: isdigit() but not HTTP
    assert parse_retry_after("9" * 400, now=now) == MAX_RETRY_AFTER
    assert parse_retry_after("9" * 30, now=now) == MAX_RETRY_AFTER
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=now) == MAX_RETRY_AFTER
    assert parse_retry_after("86399", now=now) == 86399.0
    assert parse_content_length("²") is None and parse_content_length("9" * 5000) is not None


def test_a_huge_retry_after_is_capped_at_max_interval() -> None:
    settings = ScheduleSettings(jitter=0, max_interval=3600)
    now = datetime(2025, 8, 8, 12, 0, tzinfo=UTC)
    story = Story(url="https://news.example/a", added_at=now - timedelta(days=30))

    update = next_schedule(story, CheckOutcome.FAILED, now, settings, retry_after=1e300)

    assert update.next_check_at - now == timedelta(seconds=3600)


@pytest.mark.parametrize("value", HOSTILE_RETRY_AFTER)
def test_a_hostile_retry_after_is_a_failed_check(
    sqlite_store: Store, page_server: PageServer, value: str
) -> None:
    settings = pipeline_settings(str(sqlite_store.engine.url), schedule={"jitter": 0})
    page_server.set("/busy", "slow down", status=429, headers={"Retry-After": value})
    story = sqlite_store.add_story(page_server.url("/busy"))
    assert story.id is not None
    before = datetime.now(UTC)

    report = check_once(sqlite_store, settings, story.id)

    assert report.outcome == CheckOutcome.FAILED and "HTTP 429" in (report.error or "")
    stored = sqlite_store.get_story(story.id)
    assert stored.error_count == 1
    waited = stored.next_check_at.replace(tzinfo=UTC) - before
    assert waited <= timedelta(seconds=settings.schedule.max_interval + 5)


# --- defect 4: a crash in one check is that story's failure ------------------------------


def _crash(*_args: object) -> object:
    raise RuntimeError("extractor bug met on a hostile page")


def test_the_daemon_records_a_crashing_check_on_its_story(
    tmp_path: Path, page_server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An exception nobody foresaw, raised where a bug in extraction would raise it. The
    # extraction runs in this process (extract_processes = 0) so the stand-in reaches it.
    monkeypatch.setattr(pipeline, "extract_page", _crash)
    url = sqlite_url(tmp_path)
    settings = pipeline_settings(
        url,
        fetch={"extract_processes": 0, "per_host_delay": 0},
        schedule={"failing_after": 2, "jitter": 0},
        alerts={"channels": []},
    )
    store = Store.open(url)
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    story = store.add_story(page_server.url("/a"))
    assert story.id is not None

    def one_pass(now: datetime) -> list[CheckReport]:
        service = Service(settings, store, clock=lambda: now, channels={})

        async def run() -> list[CheckReport]:
            reports: list[CheckReport] = []
            try:
                await service.run_checks(reports)
            finally:
                await service.close()
            return reports

        return asyncio.run(run())

    [first] = one_pass(datetime.now(UTC))
    crashed = store.get_story(story.id)
    assert first.outcome == CheckOutcome.FAILED
    assert crashed.error_count == 1 and crashed.last_checked_at is not None
    assert crashed.last_error is not None
    assert "RuntimeError: extractor bug met on a hostile page" in crashed.last_error
    assert crashed.next_check_at.replace(tzinfo=UTC) > datetime.now(UTC)  # backed off

    one_pass(crashed.next_check_at.replace(tzinfo=UTC) + timedelta(seconds=1))
    assert store.get_story(story.id).status == StoryStatus.FAILING
    store.close()
    status = run_cli("--db", url, "status", "--json").json()
    assert status["stories"]["failing"] == 1
    assert "RuntimeError" in status["last_errors"][0]["error"]
    [listed] = run_cli("--db", url, "list", "--json").json()
    assert listed["status"] == "failing" and "RuntimeError" in listed["last_error"]


def test_a_crash_does_not_abort_check_all(
    tmp_path: Path, page_server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_extract = pipeline.extract_page

    def crash_on_b(raw: bytes, charset: str | None, content_type: str, url: str) -> object:
        if url.endswith("/b"):
            raise RuntimeError("extractor bug")
        return real_extract(raw, charset, content_type, url)

    monkeypatch.setattr(pipeline, "extract_page", crash_on_b)
    db = ["--db", sqlite_url(tmp_path), "--allow-private"]
    runner = click.testing.CliRunner()
    for path in ("/a", "/b", "/c"):
        page_server.set(path, seed_html("us-russia-deal-v1"))
        assert runner.invoke(cli, [*db, "add", page_server.url(path)]).exit_code == 0

    result = runner.invoke(cli, [*db, "check", "--all", "--no-alerts", "--json"])

    assert result.exit_code == 2, result.output  # a failed check, reported with the others
    outcomes = {c["story"]["id"]: (c["outcome"], c["error"]) for c in _json(result)["checks"]}
    assert outcomes[1][0] == outcomes[3][0] == CheckOutcome.NEW_VERSION
    assert outcomes[2][0] == CheckOutcome.FAILED and "RuntimeError" in outcomes[2][1]


def _json(result: click.testing.Result) -> dict[str, list[dict[str, Any]]]:
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_database_outage_leaves_the_story_alone(
    sqlite_store: Store, page_server: PageServer
) -> None:
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    story = sqlite_store.add_story(page_server.url("/a"))
    settings = pipeline_settings(str(sqlite_store.engine.url))
    # The same story, checked against a PostgreSQL server that is not there.
    gone = Store(create_db_engine(f"postgresql://nobody@127.0.0.1:{unused_port()}/x"))

    async def run() -> None:
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(gone, fetcher, settings)
            try:
                await checker.check(story)
            finally:
                checker.close()

    with pytest.raises(DatabaseUnavailableError):
        asyncio.run(run())
    assert story.id is not None
    kept = sqlite_store.get_story(story.id)
    assert kept.error_count == 0 and kept.last_checked_at is None


# --- defect 8: a missing database driver --------------------------------------------------


def test_a_missing_database_driver_is_one_line() -> None:
    result = run_cli("--db", "mysql://x@127.0.0.1:1/y", "status")
    message = _one_line_error(result, "mysqlclient")
    assert "MySQLdb" in message


# --- defect 9: URLs are validated fully where they enter ---------------------------------

BAD_URLS = [
    "http://a.example/x\x00y",
    "http://a.example/x\x7fy",
    "http://a.example/x\x85y",
    "http://¾27.0.0.1/",
    "http://xn--/",
    "http://xn--a/",
    "http://a.example:99999/",
    "http://" + "a" * 2100 + ".example/",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_urls_httpx_cannot_request_are_invalid(url: str) -> None:
    with pytest.raises(InvalidURLError, match="not an http") as caught:
        validate_url(url)
    assert "\x00" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_redirect_to_an_invalid_idna_host_is_a_fetch_error(page_server: PageServer) -> None:
    page_server.redirect("/a", "http://xn--/")

    error = fetch_error(page_server.url("/a"))

    assert isinstance(error, InvalidURLError) and "xn--" in str(error)


def test_feed_entries_with_unusable_links_are_skipped() -> None:
    items = "".join(
        f"<item><title>{n}</title><link>{link}</link></item>"
        for n, link in enumerate([*BAD_URLS[:2], *BAD_URLS[3:5], "http://good.example/ok"])
    )
    rss = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    parsed = feedparser.parse(rss)
    assert len(parsed.entries) == 5

    assert entry_links(parsed, None, None) == ["http://good.example/ok"]


# --- defect 10: private addresses are refused at add time --------------------------------

PRIVATE_SPELLINGS = {
    "0x7f000001": "127.0.0.1",
    "0x7f.0.0.1": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "2130706433": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "0": "0.0.0.0",
    "0.0.0.0": "0.0.0.0",
    "0xa9fea9fe": "169.254.169.254",
    "169.254.43518": "169.254.169.254",
    "10.1": "10.0.0.1",
    "[::1]": "::1",
    "[::]": "::",
    "[::ffff:127.0.0.1]": "::ffff:7f00:1",
    "[::ffff:7f00:1]": "::ffff:7f00:1",
    "[2002:7f00:1::]": "2002:7f00:1::",
    "[fe80::1%25eth0]": "fe80::1",
}


@pytest.mark.parametrize(("host", "address"), PRIVATE_SPELLINGS.items())
def test_add_refuses_every_private_spelling(tmp_path: Path, host: str, address: str) -> None:
    assert str(literal_address(host.strip("[]").replace("%25", "%"))) == address
    db = ["--db", sqlite_url(tmp_path)]
    runner = click.testing.CliRunner()

    refused = runner.invoke(cli, [*db, "add", f"http://{host}/story"])

    assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 1, refused.output
    # httpx itself refuses a few spellings (0177.0.0.1): those are invalid URLs instead.
    assert "--allow-private" in refused.stderr or "not an http(s) URL" in refused.stderr
    allowed = runner.invoke(cli, [*db, "--allow-private", "add", f"http://{host}/story"])
    assert allowed.exit_code == (2 if "not an http(s) URL" in refused.stderr else 0)


@pytest.mark.parametrize("host", ["news.example", "8.8.8.8", "0x8.8.8.8", "1.2.3", "[2606::1]"])
def test_public_hosts_and_names_are_left_to_the_fetch_guard(host: str) -> None:
    refuse_private_literal(validate_url(f"http://{host}/story"), allow_private=False)


@pytest.mark.parametrize("text", ["1.2.3.4.5", "256.1.1.1", "08", "0x1g", "1..2", "4294967296", ""])
def test_what_is_not_an_ipv4_literal_is_a_name(text: str) -> None:
    assert literal_address(text) is None


def test_add_and_add_feed_refuse_private_addresses(tmp_path: Path) -> None:
    db = ("--db", sqlite_url(tmp_path))
    for url in ("http://0x7f.1/story", "http://[::ffff:127.0.0.1]/", "http://localhost:8080/"):
        _one_line_error(run_cli(*db, "add", url), "--allow-private")
    _one_line_error(run_cli(*db, "add-feed", "http://2130706433/feed.xml"), "--allow-private")
    assert run_cli(*db, "list", "--json").json() == []

    assert run_cli(*db, "--allow-private", "add", "http://0x7f.1/story").code == 0
