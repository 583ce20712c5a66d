"""Plain data handed to the repository: what a check found, ready to be written at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NewVersion:
    text: str
    content_hash: str
    word_count: int
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    updated: str | None = None
    html: str | None = None


@dataclass(frozen=True, slots=True)
class DiffData:
    material: bool
    significance: float
    shifts: list[dict[str, Any]]
    words_added: int
    words_removed: int


@dataclass(frozen=True, slots=True)
class AlertDraft:
    channel: str
    key: str
    payload: dict[str, Any]
    fingerprint: str | None = None
    status: str = "pending"
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleUpdate:
    next_check_at: datetime
    current_interval: float
    status: str
    error_count: int


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """Everything one check produced; ``Store.record_check`` commits it in one transaction."""

    outcome: str
    checked_at: datetime
    schedule: ScheduleUpdate
    http_status: int | None = None
    duration_ms: int = 0
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # The fetched page's digest, when its article is (or equals) the latest version.
    page_hash: str | None = None
    version: NewVersion | None = None
    # The article's new address, when it redirected there (a slug changed): the story
    # keeps its identity and its history under the new URL.
    new_url: str | None = None
    # The story's version count the diff was computed against; a mismatch means another
    # worker stored a version meanwhile, and this one is refused rather than mis-diffed.
    expected_versions: int | None = None
    diff: DiffData | None = None
    alerts: list[AlertDraft] = field(default_factory=list)
    worker: str | None = None
