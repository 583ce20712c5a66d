"""Repository behaviour, run against a SQLite file and the local PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storywatch.errors import (
    AmbiguousError,
    DatabaseUnavailableError,
    NotFoundError,
    StorageError,
)
from storywatch.storage import (
    CheckOutcome,
    CheckRecord,
    DiffData,
    NewVersion,
    ScheduleUpdate,
    Store,
    StoryStatus,
    claims,
    textstore,
    utcnow,
)
from storywatch.storage.db import create_db_engine
from storywatch.storage.schema import as_utc
from storywatch.watcher.normalise import content_hash
from tests.support.pages import seed_text
from tests.support.server import unused_port


def _record(
    text: str | None, outcome: str = CheckOutcome.NEW_VERSION, **extra: object
) -> CheckRecord:
    now = utcnow()
    version = (
        NewVersion(
            text=text, content_hash=content_hash(text), word_count=len(text.split()), title="T"
        )
        if text is not None
        else None
    )
    return CheckRecord(
        outcome=outcome,
        checked_at=now,
        schedule=ScheduleUpdate(now + timedelta(minutes=15), 900.0, StoryStatus.ACTIVE, 0),
        version=version,
        **extra,  # type: ignore[arg-type]
    )


def test_add_and_resolve_stories(store: Store) -> None:
    first = store.add_story("https://news.example/world/deal-talks", name="Deal talks")
    store.add_story("https://news.example/world/ceasefire")
    assert store.resolve_story(str(first.id)).url == first.url
    assert store.resolve_story("https://news.example/world/deal").id == first.id
    assert store.resolve_story("news.example/world/cease").url.endswith("ceasefire")
    assert store.resolve_story("deal TALKS").id == first.id
    with pytest.raises(AmbiguousError, match="matches 2 stories"):
        store.resolve_story("https://news.example/world/")
    with pytest.raises(NotFoundError, match="no story with id 99"):
        store.resolve_story("99")
    with pytest.raises(StorageError, match=f"already tracking .* as story {first.id}"):
        store.add_story(first.url)


def test_versions_roundtrip_through_deltas_and_keyframes(store: Store) -> None:
    story = store.add_story("https://news.example/a")
    assert story.id is not None
    base = seed_text("us-russia-deal-v1")
    texts = [base.replace("six phone", f"{n} phone") + f"\nUpdate {n}." for n in range(45)]
    for text in texts:
        story = store.get_story(story.id)
        store.record_check(story.id, _record(text))
    history = store.history(story.id)
    assert [e.version.number for e in history] == list(range(1, 46))
    for entry, text in zip(history, texts, strict=True):
        assert store.version_text(entry.version) == text
    deltas = [textstore.is_delta(e.version.text_blob) for e in history]
    assert deltas[0] is False and deltas[textstore.KEYFRAME_EVERY] is False
    assert sum(deltas) >= 40
    stored = sum(len(e.version.text_blob) for e in history)
    assert stored < len(base.encode()) * 45 / 10  # a tenth of 45 plain copies


def test_unchanged_check_is_a_small_row_and_updates_schedule(store: Store) -> None:
    story = store.add_story("https://news.example/b")
    assert story.id is not None
    store.record_check(story.id, _record("One.\nTwo."))
    check, version = store.record_check(
        story.id, _record(None, CheckOutcome.UNCHANGED, etag='"abc"', http_status=200)
    )
    assert version is None and check.version_id is None
    reloaded = store.get_story(story.id)
    assert reloaded.version_count == 1 and reloaded.etag == '"abc"'
    assert [c.outcome for c in store.checks(story.id)] == ["unchanged", "new_version"]


def test_diff_record_is_stored_with_the_version(store: Store) -> None:
    story = store.add_story("https://news.example/c")
    assert story.id is not None
    store.record_check(story.id, _record("Three people died."))
    shifts = [{"type": "number", "old": "Three", "new": "Five"}]
    store.record_check(
        story.id,
        _record("Five people died.", diff=DiffData(True, 0.8, shifts, 1, 1)),
    )
    latest = store.latest_version(story.id)
    assert latest is not None and latest.number == 2
    with store.reader() as reader:
        row = reader.get_version(story.id, -1)
        assert row.number == 2 and row.has_diff and row.previous_number == 1 and row.material
        assert [(s.type, s.old, s.new) for s in row.shifts] == [("number", "Three", "Five")]
        # A missing version names the ones that exist.
        with pytest.raises(NotFoundError, match="no version 7: story 1 has versions 1\u20132"):
            reader.get_version(story.id, 7)
        with pytest.raises(NotFoundError, match="no version -3: story 1 has versions"):
            reader.get_version(story.id, -3)


def test_remove_story_deletes_its_history(store: Store) -> None:
    story = store.add_story("https://news.example/d")
    assert story.id is not None
    for text in ("A.", "B.", "C."):
        store.record_check(story.id, _record(text, diff=DiffData(True, 0.5, [], 1, 1)))
    store.remove_story(story.id)
    assert store.list_stories() == []
    with pytest.raises(NotFoundError):
        store.remove_story(story.id)


def test_stale_writer_is_refused_not_stored_twice(db_url: str) -> None:
    # Two workers that both fetched the story when it had one version.
    first, second = Store.open(db_url), Store.open(db_url)
    try:
        story = first.add_story("https://news.example/e")
        assert story.id is not None
        first.record_check(story.id, _record("One."))
        first.record_check(story.id, _record("Two.", expected_versions=1))
        with pytest.raises(StorageError, match="changed concurrently"):
            second.record_check(story.id, _record("Two, again.", expected_versions=1))
        assert [e.version.number for e in first.history(story.id)] == [1, 2]
    finally:
        first.close()
        second.close()


def test_record_checks_keeps_each_checks_own_columns(store: Store) -> None:
    fine = store.add_story("https://news.example/fine")
    down = store.add_story("https://news.example/down")
    assert fine.id is not None and down.id is not None
    errors = store.record_checks(
        [
            (fine.id, _record(None, CheckOutcome.UNCHANGED, etag='"f1"', page_hash="f" * 64)),
            (down.id, _record(None, CheckOutcome.FAILED, error="HTTP 503")),
        ]
    )
    assert errors == [None, None]
    fine, down = store.get_story(fine.id), store.get_story(down.id)
    assert (fine.etag, fine.page_hash, fine.last_error) == ('"f1"', "f" * 64, None)
    assert (down.etag, down.page_hash, down.last_error) == (None, None, "HTTP 503")
    assert [c.outcome for c in store.checks(down.id)] == [CheckOutcome.FAILED]
    with pytest.raises(ValueError, match="without a version"):
        store.record_checks([(fine.id, _record("A version is not a plain check."))])


def test_record_versions_commits_a_group_and_refuses_only_the_stale_one(store: Store) -> None:
    ids = [_story_id(store, f"https://news.example/group/{n}") for n in range(4)]
    first = store.record_versions([(sid, _record(f"First text of {sid}.")) for sid in ids])
    assert first == [1] * len(ids)
    # Another worker stores story 2's second version first: that one check is refused,
    # the rest of the group is written.
    stale = ids[2]
    store.record_check(stale, _record("Another worker's text.", expected_versions=1))
    second = store.record_versions(
        [(sid, _record(f"Second text of {sid}.", expected_versions=1)) for sid in ids]
    )
    assert isinstance(second[2], StorageError) and "changed concurrently" in str(second[2])
    assert [n for i, n in enumerate(second) if i != 2] == [2, 2, 2]
    for sid in ids:
        history = store.history(sid)
        assert [entry.version.number for entry in history] == [1, 2]
        expected = "Another worker's text." if sid == stale else f"Second text of {sid}."
        assert store.version_text(history[-1].version) == expected
        # The refused check left no row: two checks each, the stale story's second
        # being the other worker's.
        assert [c.outcome for c in store.checks(sid)] == [CheckOutcome.NEW_VERSION] * 2
    with pytest.raises(ValueError, match="with a version"):
        store.record_versions([(ids[0], _record(None, CheckOutcome.UNCHANGED))])


def test_a_database_outage_fails_a_group_of_versions_once() -> None:
    """Not the group and then each check again: on a locked SQLite file every attempt
    waits out the 30 s busy timeout."""
    gone = Store(create_db_engine(f"postgresql://nobody@127.0.0.1:{unused_port()}/x"))
    try:
        with pytest.raises(DatabaseUnavailableError):
            gone.record_versions([(sid, _record(f"Text of {sid}.")) for sid in (1, 2, 3)])
    finally:
        gone.close()


def _story_id(store: Store, url: str) -> int:
    story_id = store.add_story(url).id
    assert story_id is not None
    return story_id


def test_heartbeats_keep_live_leases_and_a_late_check_keeps_the_new_owners(store: Store) -> None:
    story_id = store.add_story("https://news.example/slow").id
    assert story_id is not None
    start = utcnow()
    [claimed] = claims.claim_due_stories(store, worker="old", now=start, lease=60, limit=5)
    assert claimed.id == story_id
    beat = start + timedelta(seconds=50)
    # Only the stories a worker is still checking keep their leases.
    assert claims.heartbeat(store, "old", now=beat, checks_done=0, lease=60) == 0
    beat_again = claims.heartbeat(
        store, "old", now=beat, checks_done=0, lease=60, checking=[story_id]
    )
    assert beat_again == 1
    expires = store.get_story(story_id).lease_expires_at
    assert expires is not None and as_utc(expires) == beat + timedelta(seconds=60)
    # The old worker stalls past its lease: a beat no longer revives it, and another
    # worker takes the story over.
    stalled = beat + timedelta(seconds=90)
    revived = claims.heartbeat(
        store, "old", now=stalled, checks_done=0, lease=60, checking=[story_id]
    )
    assert revived == 0
    [taken] = claims.claim_due_stories(store, worker="new", now=stalled, lease=60, limit=5)
    assert taken.id == story_id
    # Its late checks are recorded without ending the new owner's lease.
    store.record_check(story_id, _record(None, CheckOutcome.UNCHANGED, worker="old"))
    store.record_checks([(story_id, _record(None, CheckOutcome.UNCHANGED, worker="old"))])
    store.record_check(story_id, _record("Late but new text.", expected_versions=0, worker="old"))
    story = store.get_story(story_id)
    assert (story.lease_owner, story.version_count) == ("new", 1)
    store.record_check(story_id, _record(None, CheckOutcome.UNCHANGED, worker="new"))
    assert store.get_story(story_id).lease_owner is None
