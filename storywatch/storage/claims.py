"""Repository functions for the daemon: leases on due stories and feeds, the worker
registry, feeds, and the counts behind ``storywatch status``.

Claiming is one ``UPDATE … WHERE id IN (SELECT …) AND <still due> … RETURNING`` statement.
On PostgreSQL the inner select takes ``FOR UPDATE SKIP LOCKED``, so workers on several
machines never wait on or share a row; the outer re-check of the lease makes a row that
another worker leased in the meantime drop out. On SQLite the statement runs under the
single writer lock, which is enough for several processes on one machine (SQLite itself
is not meant to be shared between machines).

A lease is ``lease_owner`` + ``lease_expires_at``. ``Store.record_check`` clears it when
its owner writes the check; a live worker's heartbeat extends the leases of the stories
it is checking, so a slow check keeps its story; a worker that dies leaves them, and once
they expire the rows are due again for every worker, which is how a killed worker's
stories are taken over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, delete, select

from storywatch.errors import NotFoundError, StorageError
from storywatch.storage.models import Check, Feed, Story, Worker
from storywatch.storage.repository import Store
from storywatch.storage.schema import StoryStatus, as_utc

Leased = TypeVar("Leased", Story, Feed)


def _aware(row: Leased) -> Leased:
    for name in ("added_at", "next_check_at", "last_checked_at", "last_changed_at"):
        value = getattr(row, name, None)
        if value is not None:
            setattr(row, name, as_utc(value))
    return row


# -- leases ------------------------------------------------------------------------------


def _lease_free(model: type[Leased], now: datetime) -> ColumnElement[bool]:
    expires = col(model.lease_expires_at)
    return or_(expires.is_(None), expires <= now)


def _story_due(now: datetime) -> ColumnElement[bool]:
    # Failing stories stay in the rotation (at their long interval); archived ones do not.
    return and_(
        col(Story.status) != StoryStatus.ARCHIVED,
        col(Story.next_check_at) <= now,
        _lease_free(Story, now),
    )


def _feed_due(now: datetime) -> ColumnElement[bool]:
    return and_(col(Feed.next_check_at) <= now, _lease_free(Feed, now))


def _claim(
    store: Store,
    model: type[Leased],
    due: ColumnElement[bool],
    *,
    worker: str,
    now: datetime,
    lease: float,
    limit: int,
) -> list[Leased]:
    pick = (
        select(model.id).where(due).order_by(col(model.next_check_at), col(model.id)).limit(limit)
    )
    if store.dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        update(model)
        # Re-check in the outer statement: the row may have been leased since the select.
        .where(col(model.id).in_(pick.scalar_subquery()), due)
        .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease))
        .returning(model)
        .execution_options(synchronize_session=False)
    )
    with store._session() as session:
        rows = list(session.exec(statement).scalars().all())
    claimed = [_aware(row) for row in rows]
    return sorted(claimed, key=lambda row: (row.next_check_at, row.id or 0))


def claim_due_stories(
    store: Store, *, worker: str, now: datetime, lease: float, limit: int
) -> list[Story]:
    """Lease up to ``limit`` due stories (oldest due first) to ``worker`` for ``lease`` s."""
    now = as_utc(now)
    return _claim(store, Story, _story_due(now), worker=worker, now=now, lease=lease, limit=limit)


def claim_due_feeds(
    store: Store, *, worker: str, now: datetime, lease: float, limit: int
) -> list[Feed]:
    now = as_utc(now)
    return _claim(store, Feed, _feed_due(now), worker=worker, now=now, lease=lease, limit=limit)


def release_leases(store: Store, worker: str) -> int:
    """Give back the stories and feeds ``worker`` still holds, so another worker can take
    them at once instead of after the lease expires."""
    released = 0
    with store._session() as session:
        for model in (Story, Feed):
            result = session.exec(
                update(model)
                .where(col(model.lease_owner) == worker)
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )
            released += int(result.rowcount or 0)
    return released


# -- workers -----------------------------------------------------------------------------


def register_worker(store: Store, worker: Worker, *, forget_before: datetime) -> None:
    """Add this worker to the registry and forget workers silent since ``forget_before``
    (killed ones never unregister)."""
    with store._session() as session:
        session.exec(delete(Worker).where(col(Worker.heartbeat_at) < as_utc(forget_before)))
        session.merge(worker)


def heartbeat(
    store: Store,
    worker_id: str,
    *,
    now: datetime,
    checks_done: int,
    lease: float,
    checking: Sequence[int] = (),
) -> int:
    """Mark the worker alive and extend, to ``lease`` seconds from ``now``, its leases on
    the stories it is ``checking``; return how many were extended.

    Only stories in flight: a lease left behind by a check that could not be recorded must
    lapse, not live as long as the worker. An expired lease is not revived (another worker
    may have taken the story over), and on PostgreSQL a row locked by a check being
    written is skipped rather than waited for: that write ends the lease anyway, and
    waiting could deadlock with it."""
    now = as_utc(now)
    with store._session() as session:
        session.exec(
            update(Worker)
            .where(col(Worker.id) == worker_id)
            .values(heartbeat_at=now, checks_done=checks_done)
        )
        if not checking:
            return 0
        held = select(Story.id).where(
            col(Story.id).in_(checking),
            col(Story.lease_owner) == worker_id,
            col(Story.lease_expires_at) > now,
        )
        if store.dialect == "postgresql":
            held = held.with_for_update(skip_locked=True)
        result = session.exec(
            update(Story)
            .where(col(Story.id).in_(held.scalar_subquery()))
            .values(lease_expires_at=now + timedelta(seconds=lease))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)


def unregister_worker(store: Store, worker_id: str) -> None:
    with store._session() as session:
        session.exec(delete(Worker).where(col(Worker.id) == worker_id))


def list_workers(store: Store) -> list[Worker]:
    with store._session() as session:
        workers = list(session.exec(select(Worker).order_by(col(Worker.started_at))).all())
    for worker in workers:
        worker.started_at = as_utc(worker.started_at)
        worker.heartbeat_at = as_utc(worker.heartbeat_at)
    return workers


# -- feeds -------------------------------------------------------------------------------


def add_feed(
    store: Store,
    url: str,
    *,
    include: str | None = None,
    exclude: str | None = None,
    interval: float | None = None,
) -> Feed:
    feed = Feed(url=url, include=include, exclude=exclude, interval=interval)
    with store._session() as session:
        if session.exec(select(Feed).where(Feed.url == url)).first() is not None:
            raise StorageError(f"already polling feed {url}")
        session.add(feed)
        session.flush()
        session.refresh(feed)
    return _aware(feed)


def list_feeds(store: Store) -> list[Feed]:
    with store._session() as session:
        feeds = list(session.exec(select(Feed).order_by(col(Feed.id))).all())
    return [_aware(feed) for feed in feeds]


def feed_story_counts(store: Store) -> dict[int, int]:
    with store._session() as session:
        rows = session.exec(
            select(Story.feed_id, func.count())
            .where(col(Story.feed_id).is_not(None))
            .group_by(col(Story.feed_id))
        ).all()
    return {int(feed_id): int(count) for feed_id, count in rows if feed_id is not None}


def remove_feed(store: Store, feed_id: int) -> Feed:
    """Stop polling a feed; the stories it brought in stay tracked."""
    with store._session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        # Explicit, because SQLite only honours ON DELETE SET NULL with foreign keys on.
        session.exec(update(Story).where(col(Story.feed_id) == feed_id).values(feed_id=None))
        session.delete(feed)
    return feed


def add_feed_stories(store: Store, feed_id: int, urls: Sequence[str]) -> list[str]:
    """Track every URL not tracked yet as a story of the feed; return the new ones.

    ``ON CONFLICT DO NOTHING`` keeps this right when two workers poll the same feed
    entries at once: each URL becomes exactly one story."""
    fresh = list(dict.fromkeys(urls))
    if not fresh:
        return []
    with store._session() as session:
        known = set(session.exec(select(Story.url).where(col(Story.url).in_(fresh))).all())
        added: list[str] = []
        # Imported here: the PostgreSQL dialect module costs start-up, and only feeds use it.
        from sqlalchemy.dialects import postgresql, sqlite

        insert = postgresql.insert if store.dialect == "postgresql" else sqlite.insert
        for url in fresh:
            if url in known:
                continue
            values: dict[str, Any] = Story(url=url, feed_id=feed_id).model_dump(exclude={"id"})
            statement = (
                insert(Story).values(**values).on_conflict_do_nothing(index_elements=["url"])
            )
            if session.exec(statement).rowcount:
                added.append(url)
    return added


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """What a feed poll leaves on the feed row."""

    checked_at: datetime
    next_check_at: datetime
    error_count: int
    error: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def record_feed_poll(store: Store, feed_id: int, poll: FeedPoll) -> None:
    with store._session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return  # removed while it was being polled
        feed.last_checked_at = poll.checked_at
        feed.next_check_at = poll.next_check_at
        feed.error_count = poll.error_count
        feed.last_error = poll.error[:2000] if poll.error else None
        if poll.title:
            feed.title = poll.title[:1000]
        if poll.error is None:
            # Exactly as served, as for stories (Store._story_update).
            feed.etag = poll.etag
            feed.last_modified = poll.last_modified
        feed.lease_owner = None
        feed.lease_expires_at = None
        session.add(feed)


# -- status ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryError:
    story_id: int
    url: str
    error: str
    checked_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoryCounts:
    total: int
    active: int
    failing: int
    archived: int
    due: int
    overdue: int
    leased: int
    checks_last_10m: int
    last_errors: list[StoryError]

    @property
    def checks_per_minute(self) -> float:
        return self.checks_last_10m / 10


def due_and_next(store: Store, *, now: datetime) -> tuple[int, datetime | None]:
    """How many stories are due now, and when the earliest of the others is: what a pass
    of the watcher reports."""
    now = as_utc(now)
    with store._session() as session:
        due = session.exec(select(func.count()).where(_story_due(now))).one()
        upcoming = session.exec(
            select(func.min(Story.next_check_at)).where(
                col(Story.status) != StoryStatus.ARCHIVED, col(Story.next_check_at) > now
            )
        ).one()
    return due, as_utc(upcoming) if upcoming is not None else None


def story_counts(
    store: Store, *, now: datetime, overdue_after: float, errors: int = 5
) -> StoryCounts:
    """Counts for ``storywatch status``: ``overdue`` is due for more than ``overdue_after``
    seconds (no worker is keeping up)."""
    now = as_utc(now)
    with store._session() as session:
        by_status = dict(
            session.exec(select(Story.status, func.count()).group_by(col(Story.status))).all()
        )
        due = session.exec(select(func.count()).where(_story_due(now))).one()
        overdue = session.exec(
            select(func.count()).where(
                _story_due(now),
                col(Story.next_check_at) <= now - timedelta(seconds=overdue_after),
            )
        ).one()
        leased = session.exec(
            select(func.count()).where(
                col(Story.lease_owner).is_not(None), col(Story.lease_expires_at) > now
            )
        ).one()
        checks = session.exec(
            select(func.count()).where(col(Check.checked_at) >= now - timedelta(minutes=10))
        ).one()
        failed = session.exec(
            select(Story)
            .where(col(Story.last_error).is_not(None))
            .order_by(col(Story.last_checked_at).desc(), col(Story.id))
            .limit(errors)
        ).all()
    return StoryCounts(
        total=sum(int(n) for n in by_status.values()),
        active=int(by_status.get(StoryStatus.ACTIVE, 0)),
        failing=int(by_status.get(StoryStatus.FAILING, 0)),
        archived=int(by_status.get(StoryStatus.ARCHIVED, 0)),
        due=int(due),
        overdue=int(overdue),
        leased=int(leased),
        checks_last_10m=int(checks),
        last_errors=[
            StoryError(
                story.id or 0,
                story.url,
                story.last_error or "",
                as_utc(story.last_checked_at) if story.last_checked_at else None,
            )
            for story in failed
        ],
    )
