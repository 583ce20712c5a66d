"""Repository functions for the ``alerts`` outbox table.

Life of a row: the pipeline inserts it (``pending``, ``suppressed`` or ``digest``) in the
same transaction as the version. A sender *claims* due pending rows with a lease
(``lease_owner``/``lease_expires_at``, ``attempts + 1``), sends, then marks the row ``sent``,
schedules a retry, or marks it ``dead``. A sender that dies mid-way leaves its lease; once
the lease expires another sender claims the row again and resends it with the same key,
so receivers can drop the duplicate. Digest members are folded into one new ``pending``
digest row per channel and become ``digested``.

Claiming is one ``UPDATE … WHERE id IN (SELECT …) … RETURNING`` statement: SQLite runs it
under its single writer lock, and on PostgreSQL the inner select takes
``FOR UPDATE SKIP LOCKED`` so concurrent senders never wait on or share a row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from storywatch.errors import NotFoundError, StorageError
from storywatch.storage.models import Alert
from storywatch.storage.repository import Store
from storywatch.storage.schema import AlertStatus, OutboxStatus, as_utc

#: Statuses that stand for a real alert (not suppressed); rate limits count these.
ALERTED = (
    AlertStatus.PENDING,
    AlertStatus.SENT,
    AlertStatus.DEAD,
    OutboxStatus.DIGEST,
    OutboxStatus.DIGESTED,
)

DigestBuilder = Callable[[str, Sequence[Alert], datetime], tuple[str, dict[str, Any]]]


def _normalise(alert: Alert) -> Alert:
    alert.created_at = as_utc(alert.created_at)
    alert.next_attempt_at = as_utc(alert.next_attempt_at)
    if alert.sent_at is not None:
        alert.sent_at = as_utc(alert.sent_at)
    if alert.lease_expires_at is not None:
        alert.lease_expires_at = as_utc(alert.lease_expires_at)
    return alert


def _clip(text: str | None, limit: int = 2000) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Alert.status) == AlertStatus.PENDING,
        col(Alert.next_attempt_at) <= now,
        or_(col(Alert.lease_expires_at).is_(None), col(Alert.lease_expires_at) <= now),
    )


def claim_due(
    store: Store, *, worker: str, now: datetime, lease: float, limit: int = 1
) -> list[Alert]:
    """Lease up to ``limit`` due pending alerts to ``worker`` and count the attempt."""
    now = as_utc(now)
    pick = (
        select(Alert.id)
        .where(_due(now))
        .order_by(col(Alert.next_attempt_at), col(Alert.id))
        .limit(limit)
    )
    if store.dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        update(Alert)
        # Re-check "due" in the outer statement: the row may have changed since the select.
        .where(col(Alert.id).in_(pick.scalar_subquery()), _due(now))
        .values(
            lease_owner=worker,
            lease_expires_at=now + timedelta(seconds=lease),
            attempts=col(Alert.attempts) + 1,
        )
        .returning(Alert)
        .execution_options(synchronize_session=False)
    )
    with store._session() as session:
        rows = list(session.exec(statement).scalars().all())
    return sorted((_normalise(row) for row in rows), key=lambda a: (a.next_attempt_at, a.id))


def _finish(store: Store, alert_id: int, worker: str, values: Mapping[str, Any]) -> bool:
    """Apply an outcome only while ``worker`` still holds the lease (False otherwise)."""
    statement = (
        update(Alert)
        .where(
            col(Alert.id) == alert_id,
            col(Alert.status) == AlertStatus.PENDING,
            col(Alert.lease_owner) == worker,
        )
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    with store._session() as session:
        return bool(session.exec(statement).rowcount)


def mark_sent(store: Store, alert_id: int, *, worker: str, now: datetime) -> bool:
    values = {"status": AlertStatus.SENT, "sent_at": as_utc(now), "last_error": None}
    return _finish(store, alert_id, worker, values)


def schedule_retry(store: Store, alert_id: int, *, worker: str, at: datetime, error: str) -> bool:
    return _finish(
        store, alert_id, worker, {"next_attempt_at": as_utc(at), "last_error": _clip(error)}
    )


def mark_dead(store: Store, alert_id: int, *, worker: str, error: str) -> bool:
    return _finish(
        store, alert_id, worker, {"status": AlertStatus.DEAD, "last_error": _clip(error)}
    )


def get_alert(store: Store, alert_id: int) -> Alert:
    with store._session() as session:
        alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert with id {alert_id}")
    return _normalise(alert)


def count_alerts(store: Store) -> int:
    """How many alerts the outbox holds, whatever their status."""
    with store._session() as session:
        return int(session.exec(select(func.count()).select_from(Alert)).one())


def list_alerts(
    store: Store,
    *,
    statuses: Sequence[str] = (),
    story_id: int | None = None,
    limit: int = 50,
) -> list[Alert]:
    """Newest first, optionally only some statuses and one story."""
    query = select(Alert).order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
    if statuses:
        query = query.where(col(Alert.status).in_(statuses))
    if story_id is not None:
        query = query.where(Alert.story_id == story_id)
    with store._session() as session:
        return [_normalise(row) for row in session.exec(query.limit(limit)).all()]


def retry_alert(store: Store, alert_id: int, *, now: datetime) -> Alert:
    """Queue a dead alert again with a fresh attempt budget (or hurry a waiting one)."""
    with store._session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"no alert with id {alert_id}")
        _normalise(alert)
        if alert.status == AlertStatus.PENDING and alert.lease_expires_at is not None:
            if alert.lease_expires_at > as_utc(now):
                raise StorageError(f"alert {alert_id} is being delivered right now")
        elif alert.status not in (AlertStatus.DEAD, AlertStatus.PENDING):
            raise StorageError(f"alert {alert_id} is {alert.status}; only dead alerts are retried")
        if alert.status == AlertStatus.DEAD:
            alert.attempts = 0
        alert.status = AlertStatus.PENDING
        alert.next_attempt_at = as_utc(now)
        alert.lease_owner = None
        alert.lease_expires_at = None
        session.add(alert)
    return alert


def last_alert_at(store: Store, story_id: int) -> datetime | None:
    """When the story last raised a real alert; suppressed rows and digests don't count."""
    with store._session() as session:
        latest = session.exec(
            select(func.max(Alert.created_at)).where(
                Alert.story_id == story_id,
                col(Alert.version_id).is_not(None),
                col(Alert.status).in_(ALERTED),
            )
        ).one()
    return as_utc(latest) if latest is not None else None


def fingerprint_seen(store: Store, fingerprint: str) -> bool:
    """Whether this story text (sha256 of story id + content hash) already raised an alert."""
    with store._session() as session:
        found = session.exec(
            select(Alert.id)
            .where(Alert.fingerprint == fingerprint, col(Alert.status).in_(ALERTED))
            .limit(1)
        ).first()
    return found is not None


def batch_digests(
    store: Store, *, now: datetime, interval: float, build: DigestBuilder
) -> list[Alert]:
    """Fold waiting digest members into one pending row per channel whose oldest member
    has waited ``interval``; so each channel gets at most one digest per interval.

    ``build(channel, members, now)`` returns the new row's (key, payload)."""
    now = as_utc(now)
    cutoff = now - timedelta(seconds=interval)
    due_channels = (
        select(Alert.channel)
        .where(Alert.status == OutboxStatus.DIGEST)
        .group_by(col(Alert.channel))
        .having(func.min(Alert.created_at) <= cutoff)
    )
    # Taking the members is the transaction's first statement and a write, so two senders
    # batching at once cannot both take a row (SQLite: writer lock; PostgreSQL: row locks
    # and the status re-check in the WHERE clause).
    take = (
        update(Alert)
        .where(col(Alert.status) == OutboxStatus.DIGEST, col(Alert.channel).in_(due_channels))
        .values(status=OutboxStatus.DIGESTED)
        .returning(Alert)
        .execution_options(synchronize_session=False)
    )
    created: list[Alert] = []
    with store._session() as session:
        members = sorted(
            (_normalise(row) for row in session.exec(take).scalars().all()),
            key=lambda a: (a.created_at, a.id),
        )
        by_channel: dict[str, list[Alert]] = {}
        for member in members:
            by_channel.setdefault(member.channel, []).append(member)
        for channel, group in by_channel.items():
            key, payload = build(channel, group, now)
            digest = Alert(
                key=key,
                story_id=group[0].story_id,  # the table needs one; the payload lists all
                version_id=None,
                channel=channel,
                status=AlertStatus.PENDING,
                reason=f"digest of {len(group)} alert{'s' if len(group) > 1 else ''}",
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
            session.add(digest)
            for member in group:
                member.reason = f"sent in digest {key}"
                session.add(member)
            created.append(digest)
        session.flush()
    return created
