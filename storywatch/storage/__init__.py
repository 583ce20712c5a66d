"""Persistence: SQLModel tables, the repository (:class:`Store`), migrations, and the
plain-SQL reader the viewers use (:mod:`storywatch.storage.queries`).

The names below are imported on first use (PEP 562): the viewer commands import
``storywatch.storage.queries`` and ``storywatch.storage.schema``, and importing this
package must not load SQLAlchemy for them (half a second of every start)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storywatch.storage.db import create_db_engine, current_revision, head_revision, migrate
    from storywatch.storage.models import Alert, Check, Feed, Story, Version, VersionDiff, Worker
    from storywatch.storage.records import (
        AlertDraft,
        CheckRecord,
        DiffData,
        NewVersion,
        ScheduleUpdate,
    )
    from storywatch.storage.repository import Store, VersionEntry
    from storywatch.storage.schema import AlertStatus, CheckOutcome, StoryStatus, as_utc, utcnow

_MODULES = {
    "db": ("create_db_engine", "current_revision", "head_revision", "migrate"),
    "models": ("Alert", "Check", "Feed", "Story", "Version", "VersionDiff", "Worker"),
    "records": ("AlertDraft", "CheckRecord", "DiffData", "NewVersion", "ScheduleUpdate"),
    "repository": ("Store", "VersionEntry"),
    "schema": ("AlertStatus", "CheckOutcome", "StoryStatus", "as_utc", "utcnow"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

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


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:  # a submodule (``from storywatch.storage import claims``) or a typo
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
