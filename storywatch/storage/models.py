"""SQLModel tables. Times are timezone-aware UTC; SQLite stores them without the offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storywatch.httputil import MAX_ETAG, MAX_LAST_MODIFIED
from storywatch.storage.schema import AlertStatus, StoryStatus, utcnow


class Story(SQLModel, table=True):
    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_due", "status", "next_check_at"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, max_length=2048)
    name: str | None = Field(default=None, max_length=500)
    title: str | None = Field(default=None, max_length=1000)
    tags: str = Field(default="", max_length=500)
    added_at: datetime = Field(default_factory=utcnow)
    interval: float | None = None  # seconds; None = adaptive schedule
    current_interval: float | None = None
    next_check_at: datetime = Field(default_factory=utcnow)
    last_checked_at: datetime | None = None
    last_changed_at: datetime | None = None
    status: str = Field(default=StoryStatus.ACTIVE, max_length=20)
    error_count: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    etag: str | None = Field(default=None, max_length=MAX_ETAG)
    last_modified: str | None = Field(default=None, max_length=MAX_LAST_MODIFIED)
    # Digest of the page whose article is the latest version (or matched it): the same
    # bytes again are unchanged without extracting them.
    page_hash: str | None = Field(default=None, max_length=64)
    respect_robots: bool | None = None
    feed_id: int | None = Field(default=None, foreign_key="feeds.id", ondelete="SET NULL")
    version_count: int = 0
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = None

    @property
    def label(self) -> str:
        return self.name or self.title or self.url


class Version(SQLModel, table=True):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("story_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="stories.id", index=True, ondelete="CASCADE")
    number: int
    fetched_at: datetime = Field(default_factory=utcnow)
    content_hash: str = Field(max_length=64, index=True)
    title: str | None = Field(default=None, max_length=1000)
    byline: str | None = Field(default=None, max_length=500)
    published: str | None = Field(default=None, max_length=50)
    updated: str | None = Field(default=None, max_length=50)
    word_count: int = 0
    # Text is stored compressed, as a delta against ``base_version_id`` when set.
    text_blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    base_version_id: int | None = Field(default=None, foreign_key="versions.id")
    html_blob: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Check(SQLModel, table=True):
    __tablename__ = "checks"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="stories.id", index=True, ondelete="CASCADE")
    checked_at: datetime = Field(default_factory=utcnow, index=True)
    outcome: str = Field(max_length=20)
    http_status: int | None = None
    duration_ms: int = 0
    error: str | None = Field(default=None, max_length=2000)
    version_id: int | None = Field(default=None, foreign_key="versions.id", ondelete="SET NULL")
    worker: str | None = Field(default=None, max_length=200)


class VersionDiff(SQLModel, table=True):
    """The semantic and word diff of a version against the previous stored version."""

    __tablename__ = "version_diffs"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="versions.id", unique=True, ondelete="CASCADE")
    previous_version_id: int = Field(foreign_key="versions.id", ondelete="CASCADE")
    material: bool = False
    significance: float = 0.0
    shifts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    words_added: int = 0
    words_removed: int = 0
    computed_at: datetime = Field(default_factory=utcnow)


class Feed(SQLModel, table=True):
    __tablename__ = "feeds"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, max_length=2048)
    title: str | None = Field(default=None, max_length=1000)
    include: str | None = Field(default=None, max_length=500)
    exclude: str | None = Field(default=None, max_length=500)
    added_at: datetime = Field(default_factory=utcnow)
    interval: float | None = None
    next_check_at: datetime = Field(default_factory=utcnow)
    last_checked_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    etag: str | None = Field(default=None, max_length=MAX_ETAG)
    last_modified: str | None = Field(default=None, max_length=MAX_LAST_MODIFIED)
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = None


class Alert(SQLModel, table=True):
    """Outbox row: written in the same transaction as the version that caused it."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)  # idempotency key sent to the channel
    story_id: int = Field(foreign_key="stories.id", index=True, ondelete="CASCADE")
    version_id: int | None = Field(default=None, foreign_key="versions.id", ondelete="CASCADE")
    channel: str = Field(max_length=50)
    status: str = Field(default=AlertStatus.PENDING, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    fingerprint: str | None = Field(default=None, max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = None
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = None


class Worker(SQLModel, table=True):
    __tablename__ = "workers"

    id: str = Field(primary_key=True, max_length=200)
    host: str = Field(max_length=200)
    pid: int
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    checks_done: int = 0
