"""The core pipeline end to end: a real server edits the seed story, we check it."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar, TypeVarTuple

from storywatch.diff.render import render_plain
from storywatch.errors import NotFoundError, StorywatchError
from storywatch.storage import (
    CheckOutcome,
    CheckRecord,
    ScheduleUpdate,
    Store,
    StoryStatus,
    utcnow,
)
from storywatch.storage.outbox import list_alerts
from storywatch.watcher.fetch import Fetcher
from storywatch.watcher.normalise import normalise_text
from storywatch.watcher.pipeline import Checker, GroupCommit
from storywatch.watcher.workers import ProcessPool
from tests.support.pages import article_html, seed_html, seed_text
from tests.support.pipeline import SEED_PATH, build_seed_database, check_once, pipeline_settings
from tests.support.server import PageServer

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def test_seed_versions_are_stored_with_semantic_diffs(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(store, page_server, settings)
    history = store.history(story_id)
    assert [e.version.number for e in history] == [1, 2, 3]
    # stored normalised: straight quotes, single spaces
    assert store.version_text(history[0].version) == normalise_text(seed_text("us-russia-deal-v1"))
    assert store.version_text(history[2].version) == normalise_text(seed_text("us-russia-deal-v3"))
    second = history[1].diff
    assert second is not None and second.material and second.significance > 0.3
    moved = {(s["type"], s["old"], s["new"]) for s in second.shifts}
    assert ("number", "50%", "25%") in moved or ("number", "50", "25") in moved
    assert any(t == "modality" for t, _, _ in moved)
    assert any(t == "negation" for t, _, _ in moved)
    story = store.get_story(story_id)
    assert story.title and "Russia" in story.title and story.version_count == 3


def test_unchanged_page_and_304_store_no_version(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(store, page_server, settings, pages=["us-russia-deal-v1"])
    assert check_once(store, settings, story_id).outcome == CheckOutcome.NOT_MODIFIED
    conditional = page_server.requests[-1].headers
    assert conditional.get("if-none-match") == '"us-russia-deal-v1"'
    # Same text, new ETag (a CMS re-render): fetched in full, still no new version.
    page_server.set(SEED_PATH, seed_html("us-russia-deal-v1"), etag='"re-rendered"')
    assert check_once(store, settings, story_id).outcome == CheckOutcome.UNCHANGED
    assert store.get_story(story_id).version_count == 1


def test_cosmetic_only_edit_is_not_a_version(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(
        store, page_server, settings, pages=["us-russia-deal-v1", "us-russia-deal-v1-cosmetic"]
    )
    assert store.get_story(story_id).version_count == 1
    assert [c.outcome for c in store.checks(story_id)] == ["unchanged", "new_version"]


def test_real_change_gives_a_diff_naming_the_changed_words(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(
        store, page_server, settings, pages=["us-russia-deal-v1", "us-russia-deal-v2"]
    )
    report = check_once(store, settings, story_id)  # unchanged now
    assert report.outcome == CheckOutcome.NOT_MODIFIED
    page_server.set(SEED_PATH, seed_html("us-russia-deal-v3"), etag='"v3"')
    report = check_once(store, settings, story_id)
    assert report.outcome == CheckOutcome.NEW_VERSION and report.version == 3
    assert report.text_diff is not None
    plain = render_plain(report.text_diff)
    assert "[-Bloomberg sources-]{+Reuters+}" in plain
    assert "{+European leaders will hold an emergency video call" in plain


def test_failures_are_recorded_not_raised(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url, schedule={"failing_after": 2})
    story_id = build_seed_database(store, page_server, settings, pages=["us-russia-deal-v1"])
    page_server.set(SEED_PATH, "Service unavailable", status=503, headers={"Retry-After": "120"})
    first = check_once(store, settings, story_id)
    assert first.outcome == CheckOutcome.FAILED and "503" in (first.error or "")
    story = store.get_story(story_id)
    assert story.error_count == 1 and story.status == StoryStatus.ACTIVE
    assert story.last_checked_at is not None
    assert (story.next_check_at - story.last_checked_at).total_seconds() >= 120
    check_once(store, settings, story_id)
    story = store.get_story(story_id)
    assert story.status == StoryStatus.FAILING and story.version_count == 1
    page_server.set(SEED_PATH, seed_html("us-russia-deal-v1"), etag='"back"')
    assert check_once(store, settings, story_id).outcome == CheckOutcome.UNCHANGED
    assert store.get_story(story_id).status == StoryStatus.ACTIVE


def test_page_that_shrinks_to_a_paywall_is_suspicious_not_a_version(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(store, page_server, settings, pages=["us-russia-deal-v1"])
    teaser = seed_text("us-russia-deal-v1").split("\n")[:1]
    page_server.set(SEED_PATH, article_html("Subscribe to read", teaser), etag='"paywall"')
    report = check_once(store, settings, story_id)
    assert report.outcome == CheckOutcome.SUSPICIOUS and "shrank" in (report.error or "")
    assert store.get_story(story_id).version_count == 1


class _CountingPool(ProcessPool):
    """Extraction processes, counting what runs in them."""

    def __init__(self, calls: list[str]) -> None:
        super().__init__(1)
        self.calls = calls

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        self.calls.append(func.__name__)
        return await super().run(func, *args)


def test_identical_page_is_not_extracted_again(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = store.add_story(page_server.url(SEED_PATH)).id
    assert story_id is not None

    calls: list[str] = []

    async def checks(fetcher: Fetcher, pool: _CountingPool) -> None:
        """Every check through one checker and one extraction process, as in a worker
        (starting a process per check would be most of this test's time)."""
        checker = Checker(store, fetcher, settings, extractor=pool)

        async def check() -> str:
            return (await checker.check(store.get_story(story_id))).outcome

        try:
            v1 = seed_html("us-russia-deal-v1")
            page_server.set(SEED_PATH, v1)  # no validators: every check gets the full page
            assert await check() == CheckOutcome.NEW_VERSION
            assert store.get_story(story_id).page_hash == hashlib.sha256(v1.encode()).hexdigest()
            assert await check() == CheckOutcome.UNCHANGED
            assert calls == ["extract_page"]
            # New bytes, same story (a re-render): extracted, unchanged, and remembered.
            rerendered = v1.replace("</body>", "<!-- rendered by edge 7 --></body>")
            page_server.set(SEED_PATH, rerendered)
            assert await check() == CheckOutcome.UNCHANGED
            assert calls == ["extract_page"] * 2
            rerendered_hash = hashlib.sha256(rerendered.encode()).hexdigest()
            assert store.get_story(story_id).page_hash == rerendered_hash
            # A paywall is not the latest version's page: the digest stays that of the story.
            teaser = seed_text("us-russia-deal-v1").split("\n")[:1]
            page_server.set(SEED_PATH, article_html("Subscribe to read", teaser))
            assert await check() == CheckOutcome.SUSPICIOUS
            page_server.set(SEED_PATH, rerendered)
            assert await check() == CheckOutcome.UNCHANGED
            assert calls == ["extract_page"] * 3
            # A real edit is extracted and both diffs are computed in the pool too.
            page_server.set(SEED_PATH, seed_html("us-russia-deal-v2"))
            assert await check() == CheckOutcome.NEW_VERSION
            assert calls[3:] == ["extract_page", "analyse"]
        finally:
            checker.close()
            await pool.aclose()

    async def run() -> None:
        async with Fetcher(settings.fetch) as fetcher:
            await checks(fetcher, _CountingPool(calls))

    asyncio.run(run())
    [_, latest] = store.history(story_id)
    assert latest.diff is not None and latest.diff.material


def test_group_commit_writes_waiting_checks_in_one_transaction(store: Store) -> None:
    ids = [store.add_story(f"https://news.example/story/{n}").id for n in range(30)]
    removed = ids[7]
    assert removed is not None
    store.remove_story(removed)
    groups: list[int] = []

    class CountingStore(Store):
        def record_checks(
            self, items: Sequence[tuple[int, CheckRecord]]
        ) -> list[StorywatchError | None]:
            groups.append(len(items))
            return super().record_checks(items)

    async def run() -> list[BaseException | None]:
        commit = GroupCommit(CountingStore(store.engine).record_checks, None)
        now = utcnow()
        schedule = ScheduleUpdate(now + timedelta(hours=1), 3600.0, StoryStatus.ACTIVE, 0)
        writes = [
            commit.write(story_id, CheckRecord(CheckOutcome.UNCHANGED, now, schedule))
            for story_id in ids
            if story_id is not None
        ]
        return await asyncio.gather(*writes, return_exceptions=True)

    results = asyncio.run(run())
    assert groups[0] == len(ids)  # all thirty waited on one transaction
    assert isinstance(results[7], NotFoundError)
    assert [r for n, r in enumerate(results) if n != 7] == [None] * (len(ids) - 1)
    for story_id in ids:
        if story_id != removed:
            assert story_id is not None
            assert [c.outcome for c in store.checks(story_id)] == [CheckOutcome.UNCHANGED]
            assert store.get_story(story_id).last_checked_at is not None


def test_a_headline_rewrite_alone_is_a_version_and_alerts_only_when_asked(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    paragraphs = seed_text("us-russia-deal-v1").split("\n")
    for headline_changes in (False, True):
        path = f"/headline-{headline_changes}"
        page_server.set(path, article_html("US and Russia seek deal", paragraphs), etag='"a"')
        settings = pipeline_settings(db_url, alerts={"headline_changes": headline_changes})
        story_id = store.add_story(page_server.url(path)).id
        assert story_id is not None
        check_once(store, settings, story_id)
        page_server.set(path, article_html("US and Russia near deal", paragraphs), etag='"b"')
        report = check_once(store, settings, story_id)
        assert report.outcome == CheckOutcome.NEW_VERSION
        assert report.diff is not None and report.diff.headline is not None
        assert report.diff.headline.new == "US and Russia near deal"
        assert not report.diff.material
        alerts = list_alerts(store, story_id=story_id)
        assert len(alerts) == (1 if headline_changes else 0)
        if alerts:
            assert alerts[0].payload["headline"] == {
                "old": "US and Russia seek deal",
                "new": "US and Russia near deal",
            }


def test_unpublished_and_moved_stories_are_events_stored_and_alerted_once(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url, alerts={"lifecycle": True})
    story_id = build_seed_database(store, page_server, settings, pages=["us-russia-deal-v1"])
    page_server.set(SEED_PATH, "Not found", status=404)
    assert check_once(store, settings, story_id).outcome == CheckOutcome.UNPUBLISHED
    assert check_once(store, settings, story_id).outcome == CheckOutcome.FAILED
    page_server.set(SEED_PATH, "Gone", status=410)
    assert check_once(store, settings, story_id).outcome == CheckOutcome.FAILED
    assert store.get_story(story_id).status == StoryStatus.UNPUBLISHED
    page_server.set("/world", article_html("World news", ["Other stories of the day."] * 12))
    page_server.redirect(SEED_PATH, "/world")
    assert check_once(store, settings, story_id).outcome == CheckOutcome.MOVED
    assert store.get_story(story_id).status == StoryStatus.MOVED
    events = [(e.outcome, e.http_status) for e in store.lifecycle_events(story_id)]
    assert events == [("unpublished", 404), ("moved", 200)]
    alerts = list_alerts(store, story_id=story_id)
    assert sorted(a.payload["event"] for a in alerts) == ["moved", "unpublished"]
    assert store.get_story(story_id).version_count == 1


def test_a_slug_change_keeps_the_story_and_records_its_new_url(
    store: Store, page_server: PageServer, db_url: str
) -> None:
    settings = pipeline_settings(db_url)
    story_id = build_seed_database(store, page_server, settings, pages=["us-russia-deal-v1"])
    new_path = SEED_PATH + "-updated-slug"
    page_server.set(new_path, seed_html("us-russia-deal-v2"))
    page_server.redirect(SEED_PATH, new_path)
    report = check_once(store, settings, story_id)
    assert report.outcome == CheckOutcome.NEW_VERSION
    story = store.get_story(story_id)
    assert story.url == page_server.url(new_path) and story.version_count == 2
    [event] = store.lifecycle_events(story_id)
    assert event.outcome == "url_changed" and page_server.url(new_path) in (event.error or "")
    # alerts.lifecycle is off by default: the new version may alert, the move does not.
    assert all(a.payload.get("type") != "lifecycle" for a in list_alerts(store, story_id=story_id))
