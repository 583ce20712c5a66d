"""What the code knows of the stored schema without the ORM: its revision, the values its
columns hold (statuses, outcomes, the id range) and how times are kept. The viewers read
the database with these alone (storage/queries.py); the SQLModel tables use them too."""

from __future__ import annotations

from datetime import UTC, datetime

# The newest migration in migrations/versions (a test keeps the two equal). A database
# already at this revision opens without importing alembic, and the viewers read it
# without SQLAlchemy; any other is opened through the Store, which upgrades it.
SCHEMA_REVISION = "0003"

#: The largest id or version number a row can have: they are INTEGER columns, 32 bits
#: in PostgreSQL.
MAX_ID = 2**31 - 1


def number_from_digits(digits: str) -> int:
    """What a string of ASCII digits stands for, as an id: anything past MAX_ID is
    MAX_ID + 1 (no row has it, and int() refuses more than 4,300 digits)."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(MAX_ID)):
        return MAX_ID + 1
    return min(int(significant), MAX_ID + 1)


def split_tags(stored: str) -> list[str]:
    """A story's tags as the ``tags`` column keeps them: "a,b" (empty when none)."""
    return [tag for tag in stored.split(",") if tag]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC. SQLite keeps no offset, so a naive value read back is UTC, never local."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class StoryStatus:
    ACTIVE = "active"
    FAILING = "failing"
    ARCHIVED = "archived"
    # Lifecycle: a story that had versions and now answers 404/410, or redirects to
    # another article. Still checked (at the failing interval): it may come back.
    UNPUBLISHED = "unpublished"
    MOVED = "moved"


class CheckOutcome:
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    SUSPICIOUS = "suspicious"
    # Lifecycle events, each stored once, when the story's state changes.
    UNPUBLISHED = "unpublished"  # a story with versions answers 404 or 410
    MOVED = "moved"  # it redirects to a page that is not the same article
    URL_CHANGED = "url_changed"  # it redirects to the same article at a new URL


LIFECYCLE_OUTCOMES = (CheckOutcome.UNPUBLISHED, CheckOutcome.MOVED, CheckOutcome.URL_CHANGED)


class AlertStatus:
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    SUPPRESSED = "suppressed"


class OutboxStatus(AlertStatus):
    DIGEST = "digest"  # waiting to be folded into the next digest of its channel
    DIGESTED = "digested"  # folded into a digest row (see its ``reason``)
