"""The core pipeline end to end: a real server edits the seed story, we check it."""

from __future__ import annotations

from storywatch.diff.render import render_plain
from storywatch.storage import CheckOutcome, Store, StoryStatus
from storywatch.watcher.normalise import normalise_text
from tests.support.pages import article_html, seed_html, seed_text
from tests.support.pipeline import SEED_PATH, build_seed_database, check_once, pipeline_settings
from tests.support.server import PageServer


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
