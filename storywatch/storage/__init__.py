"""Persistence: SQLModel tables, the repository (:class:`Store`) and migrations."""

from storywatch.storage.db import create_db_engine, current_revision, head_revision, migrate
from storywatch.storage.models import (
    Alert,
    AlertStatus,
    Check,
    CheckOutcome,
    Feed,
    Story,
    StoryStatus,
    Version,
    VersionDiff,
    Worker,
    as_utc,
    utcnow,
)
from storywatch.storage.records import (
    AlertDraft,
    CheckRecord,
    DiffData,
    NewVersion,
    ScheduleUpdate,
)
from storywatch.storage.repository import Store, VersionEntry

__all__ = [
    "Alert",
    "AlertDraft",
    "AlertStatus",
    "Check",
    "CheckOutcome",
    "CheckRecord",
    "DiffData",
    "Feed",
    "NewVersion",
    "ScheduleUpdate",
    "Store",
    "Story",
    "StoryStatus",
    "Version",
    "VersionDiff",
    "VersionEntry",
    "Worker",
    "as_utc",
    "create_db_engine",
    "current_revision",
    "head_revision",
    "migrate",
    "utcnow",
]
