"""Repository: the only code that opens a database session.

Every public method is one short transaction, so a crash or ``kill -9`` between two calls
leaves the database consistent: a check, its version, its diff and its alerts are written
together or not at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    bindparam,
    case,
    insert,
    update,
)
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, col, select

from storywatch.errors import (
    DatabaseUnavailableError,
    NotFoundError,
    StorageError,
    StorywatchError,
)
from storywatch.storage import queries, textstore
from storywatch.storage.db import create_db_engine, migrate, require_current_schema
from storywatch.storage.models import Alert, Check, Story, Version, VersionDiff
from storywatch.storage.queries import Event, Reader, first_line
from storywatch.storage.records import CheckRecord
from storywatch.storage.schema import (
    StoryStatus,
    utcnow,
)

# Built once: the columns set come from the parameters of each execution, and a reused
# statement keeps its cache key, so a check costs no statement construction.
_IN_CHUNK = 500  # values in one IN (...): under every backend's parameter limit
_STORIES = Story.__table__  # type: ignore[attr-defined]
_VERSIONS = Version.__table__  # type: ignore[attr-defined]
# The check ends the lease it ran under, and only that one: a worker whose lease ran out
# and whose story another worker took over writes late without freeing the new lease.
_OWN_LEASE = _STORIES.c.lease_owner == bindparam("worker")
_UPDATE_STORY = (
    update(_STORIES)
    .where(_STORIES.c.id == bindparam("story"))
    .values(
        lease_owner=case((_OWN_LEASE, None), else_=_STORIES.c.lease_owner),
        lease_expires_at=case((_OWN_LEASE, None), else_=_STORIES.c.lease_expires_at),
    )
)
_UPDATE_STORY_VERSIONS = _UPDATE_STORY.where(_STORIES.c.version_count == bindparam("expected"))
_STORY_VERSIONS = select(_STORIES.c.version_count).where(_STORIES.c.id == bindparam("story"))
_STORY_VERSIONS_FOR_UPDATE = _STORY_VERSIONS.with_for_update()
_VERSION_BY_NUMBER = select(_VERSIONS.c.id).where(
    _VERSIONS.c.story_id == bindparam("story"), _VERSIONS.c.number == bindparam("number")
)
_INSERT_CHECK = insert(Check.__table__)  # type: ignore[attr-defined]
_INSERT_VERSION = insert(_VERSIONS)
_INSERT_DIFF = insert(VersionDiff.__table__)  # type: ignore[attr-defined]
_INSERT_ALERT = insert(Alert.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """A version with the diff against its predecessor (None for the first version)."""

    version: Version
    diff: VersionDiff | None


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, read_only: bool = False) -> Store:
        """Open a database, creating or upgrading its schema unless ``upgrade`` is False.
        A ``read_only`` store refuses every write and needs the current schema."""
        engine = create_db_engine(url, read_only=read_only)
        if read_only:
            require_current_schema(engine)
        elif upgrade:
            migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def reader(self) -> Reader:
        """The viewers' queries (storage/queries.py) over a connection of this store's
        pool; close the reader (``with store.reader() as reader:``) to give it back."""
        try:
            connection = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise database_error(exc, self.engine) from None
        return Reader(connection, self.engine.dialect.loaded_dbapi, _where(self.engine))

    @contextmanager
    def _session(self) -> Iterator[Session]:
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except IntegrityError:
            session.rollback()
            raise
        except SQLAlchemyError as exc:
            session.rollback()
            raise database_error(exc, self.engine) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A Core connection in one transaction, with the errors mapped as ``_session``."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise database_error(exc, self.engine) from None

    # -- stories -------------------------------------------------------------------------

    def add_story(
        self,
        url: str,
        *,
        name: str | None = None,
        interval: float | None = None,
        tags: Sequence[str] = (),
        feed_id: int | None = None,
        respect_robots: bool | None = None,
    ) -> Story:
        story = Story(
            url=url,
            name=name,
            interval=interval,
            tags=",".join(tags),
            feed_id=feed_id,
            respect_robots=respect_robots,
        )
        try:
            with self._session() as session:
                session.add(story)
                session.flush()
                session.refresh(story)
        except IntegrityError:
            existing = self.find_story_by_url(url)
            which = f" as story {existing.id}" if existing else ""
            raise StorageError(f"already tracking {url}{which}") from None
        return story

    def add_stories(
        self,
        urls: Sequence[tuple[str, str | None]],
        *,
        interval: float | None = None,
        tags: Sequence[str] = (),
        respect_robots: bool | None = None,
    ) -> tuple[list[Story], list[Story]]:
        """Track many (url, name) pairs in one transaction: (added, already tracked).
        A URL given twice is added once."""
        wanted: dict[str, str | None] = {}
        for url, name in urls:
            wanted.setdefault(url, name)  # the first name given for a URL wins
        with self._session() as session:
            existing: dict[str, Story] = {}
            listed = list(wanted)
            for start in range(0, len(listed), _IN_CHUNK):
                chunk = listed[start : start + _IN_CHUNK]
                for story in session.exec(select(Story).where(col(Story.url).in_(chunk))):
                    existing[story.url] = story
            added = [
                Story(
                    url=url,
                    name=name,
                    interval=interval,
                    tags=",".join(tags),
                    respect_robots=respect_robots,
                )
                for url, name in wanted.items()
                if url not in existing
            ]
            session.add_all(added)
            session.flush()
            for story in added:
                session.refresh(story)
        return added, [existing[url] for url in wanted if url in existing]

    def find_story_by_url(self, url: str) -> Story | None:
        with self._session() as session:
            return session.exec(select(Story).where(Story.url == url)).first()

    def get_story(self, story_id: int) -> Story:
        with self._session() as session:
            story = session.get(Story, story_id)
        if story is None:
            raise NotFoundError(f"no story with id {story_id}")
        return story

    def resolve_story(self, ref: str | int) -> Story:
        """Find a story by numeric id, a unique URL prefix, or words of its title/name
        (as the viewers do: Reader.resolve_story)."""
        with self.reader() as reader:
            story_id = reader.resolve_story(ref).id
        return self.get_story(story_id)

    def list_stories(self, status: str | None = None) -> list[Story]:
        with self._session() as session:
            query = select(Story).order_by(col(Story.id))
            if status:
                query = query.where(Story.status == status)
            return list(session.exec(query).all())

    def archive_story(self, story_id: int) -> Story:
        """Stop checking a story, keeping its whole history."""
        with self._session() as session:
            story = session.get(Story, story_id)
            if story is None:
                raise NotFoundError(f"no story with id {story_id}")
            story.status = StoryStatus.ARCHIVED
            story.lease_owner = None
            session.add(story)
            session.flush()
            session.refresh(story)
        return story

    def remove_story(self, story_id: int) -> Story:
        with self._session() as session:
            story = session.get(Story, story_id)
            if story is None:
                raise NotFoundError(f"no story with id {story_id}")
            # Delete children explicitly: SQLite only cascades when foreign keys are on,
            # and versions reference each other as delta bases.
            for model in (Alert, Check):
                for row in session.exec(select(model).where(model.story_id == story_id)):
                    session.delete(row)
            version_ids = select(Version.id).where(Version.story_id == story_id)
            for diff in session.exec(
                select(VersionDiff).where(col(VersionDiff.version_id).in_(version_ids))
            ):
                session.delete(diff)
            session.flush()
            for version in session.exec(
                select(Version)
                .where(Version.story_id == story_id)
                .order_by(col(Version.number).desc())
            ):
                session.delete(version)
                session.flush()
            session.delete(story)
        return story

    def set_story_status(self, story_id: int, status: str) -> None:
        with self._session() as session:
            story = session.get(Story, story_id)
            if story is None:
                raise NotFoundError(f"no story with id {story_id}")
            story.status = status
            story.error_count = 0 if status == StoryStatus.ACTIVE else story.error_count
            session.add(story)

    # -- versions ------------------------------------------------------------------------

    def latest_version(self, story_id: int) -> Version | None:
        with self._session() as session:
            return session.exec(
                select(Version)
                .where(Version.story_id == story_id)
                .order_by(col(Version.number).desc())
                .limit(1)
            ).first()

    def history(self, story_id: int) -> list[VersionEntry]:
        with self._session() as session:
            rows = session.exec(
                select(Version, VersionDiff)
                .join(VersionDiff, col(VersionDiff.version_id) == col(Version.id), isouter=True)
                .where(Version.story_id == story_id)
                .order_by(col(Version.number))
            ).all()
        return [VersionEntry(version, diff) for version, diff in rows]

    def version_text(self, version: Version) -> str:
        if not textstore.is_delta(version.text_blob):
            return textstore.decode(version.text_blob)
        with self.reader() as reader:
            return reader.version_text(version.story_id, version.number)

    def version_html(self, version: Version) -> str | None:
        if version.html_blob is None:
            return None
        return zlib.decompress(version.html_blob).decode("utf-8")

    def has_hash(self, story_id: int, content_hash: str) -> bool:
        with self._session() as session:
            return (
                session.exec(
                    select(Version.id).where(
                        Version.story_id == story_id, Version.content_hash == content_hash
                    )
                ).first()
                is not None
            )

    # -- checks --------------------------------------------------------------------------

    def record_check(self, story_id: int, record: CheckRecord) -> tuple[Check, Version | None]:
        """Write a check with its version, diff and alerts, and update the story: all or
        nothing. A version number already taken (another worker stored it first) raises
        StorageError and writes nothing.

        Core statements, not the ORM: this runs once per check, thousands of times a
        cycle, and a unit of work cost several times the statements themselves.
        """
        try:
            with self._transaction() as connection:
                check, version = self._write_check(connection, story_id, record)
        except IntegrityError as exc:
            raise StorageError(
                f"story {story_id} changed concurrently; check not recorded ({first_line(exc)})"
            ) from None
        return Check(**check), Version(**version) if version else None

    def _write_check(
        self, connection: Connection, story_id: int, record: CheckRecord
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The rows of one check (and its version) written in ``connection``."""
        # The story's UPDATE comes first: on PostgreSQL it takes the row lock (as SELECT
        # ... FOR UPDATE does) until the commit, so concurrent writers of one story queue
        # here; on SQLite it takes the write lock at once.
        version = None
        if record.version is None:
            self._update_story(connection, story_id, record, _story_update(record))
            self._insert_alerts(connection, story_id, None, record)  # lifecycle events
        else:
            version = self._add_version(connection, story_id, record)
        check = _check_row(story_id, record, version["id"] if version else None)
        check["id"] = _primary_key(connection.execute(_INSERT_CHECK, check))
        return check, version

    def record_checks(
        self, items: Sequence[tuple[int, CheckRecord]]
    ) -> list[StorywatchError | None]:
        """Record checks that store no version, all in one transaction (a group commit);
        return each one's error, or None. If any fails (its story was removed), the
        others are written one at a time, so only that one is lost."""
        if any(record.version is not None for _, record in items):
            raise ValueError("record_checks takes checks without a version")
        # executemany needs one set of columns per statement: group the updates by theirs.
        updates: dict[tuple[str, ...], list[dict[str, object]]] = {}
        # In id order, so two PostgreSQL workers' groups seldom lock a story both touch (one's
        # lease ran out mid-check) in opposite orders; a deadlock PostgreSQL breaks fails
        # the whole group, and its stories are simply checked again.
        for story_id, record in sorted(items, key=lambda item: item[0]):
            values = _story_update(record)
            updates.setdefault(tuple(values), []).append(_story_params(story_id, record, values))
        try:
            with self._transaction() as connection:
                for rows in updates.values():
                    connection.execute(_UPDATE_STORY, rows)
                # A removed story's check violates its foreign key: IntegrityError.
                connection.execute(
                    _INSERT_CHECK, [_check_row(story_id, record) for story_id, record in items]
                )
            return [None] * len(items)
        except IntegrityError:
            pass
        return [
            outcome if isinstance(outcome, StorywatchError) else None
            for outcome in self._one_by_one(items)
        ]

    def record_versions(
        self, items: Sequence[tuple[int, CheckRecord]]
    ) -> list[int | StorywatchError]:
        """Record checks that store a new version, all in one transaction (a group
        commit); return each one's version number, or its error. If any fails (another
        worker stored a version first, its story was removed), the others are written one
        at a time, so only that one is refused. The database failing fails the group at
        once: one at a time, each would wait out the busy timeout again."""
        if any(record.version is None for _, record in items):
            raise ValueError("record_versions takes checks with a version")
        numbers: dict[int, int] = {}
        try:
            with self._transaction() as connection:
                # In id order, as record_checks: PostgreSQL row locks taken in one order.
                for index, (story_id, record) in sorted(
                    enumerate(items), key=lambda item: item[1][0]
                ):
                    _, version = self._write_check(connection, story_id, record)
                    assert version is not None
                    numbers[index] = version["number"]
            return [numbers[index] for index in range(len(items))]
        except DatabaseUnavailableError:
            raise
        except (IntegrityError, StorywatchError):
            pass

        return [
            outcome if isinstance(outcome, StorywatchError) else _number(outcome)
            for outcome in self._one_by_one(items)
        ]

    def _one_by_one(
        self, items: Sequence[tuple[int, CheckRecord]]
    ) -> list[Version | StorywatchError | None]:
        """The checks of a failed group, each in its own transaction: the version each
        stored (None for a plain check), or its error. The database failing is raised,
        not given to each check in turn."""
        outcomes: list[Version | StorywatchError | None] = []
        for story_id, record in items:
            try:
                outcomes.append(self.record_check(story_id, record)[1])
            except DatabaseUnavailableError:
                raise
            except StorywatchError as exc:
                outcomes.append(exc)
        return outcomes

    def _update_story(
        self,
        connection: Connection,
        story_id: int,
        record: CheckRecord,
        values: dict[str, object],
        expected_versions: int | None = None,
    ) -> None:
        params = _story_params(story_id, record, values)
        if expected_versions is None:
            updated = connection.execute(_UPDATE_STORY, params)
        else:
            updated = connection.execute(
                _UPDATE_STORY_VERSIONS, {**params, "expected": expected_versions}
            )
        if updated.rowcount == 1:
            return
        if connection.execute(_STORY_VERSIONS, {"story": story_id}).first() is None:
            raise NotFoundError(f"no story with id {story_id}")
        raise StorageError(f"story {story_id} changed concurrently; version not stored twice")

    def _add_version(
        self, connection: Connection, story_id: int, record: CheckRecord
    ) -> dict[str, Any]:
        """Insert the check's version (with its diff and alerts); return its row."""
        new = record.version
        assert new is not None
        expected = record.expected_versions
        if expected is None:
            row = connection.execute(_STORY_VERSIONS_FOR_UPDATE, {"story": story_id}).first()
            if row is None:
                raise NotFoundError(f"no story with id {story_id}")
            expected = row.version_count
        number = expected + 1
        story_values = _story_update(record) | {
            "version_count": number,
            "last_changed_at": record.checked_at,
        }
        if new.title:
            story_values["title"] = _clip(new.title, 1000)
        # Guarded by the count the caller diffed against: a version stored meanwhile by
        # another worker refuses this one rather than storing it mis-diffed.
        self._update_story(connection, story_id, record, story_values, expected)
        previous = (
            connection.execute(_VERSION_BY_NUMBER, {"story": story_id, "number": expected}).first()
            if expected
            else None  # a story's first version: nothing before it to look up
        )
        base_text = None
        if previous is not None and number % textstore.KEYFRAME_EVERY != 1:
            base_text = _reader(connection).version_text(story_id, expected)
        blob, is_delta = textstore.encode(new.text, base_text)
        # Plain rows, not model instances: building and dumping a SQLModel object cost
        # more than the INSERT it fed.
        version: dict[str, Any] = {
            "story_id": story_id,
            "number": number,
            "fetched_at": record.checked_at,
            "content_hash": new.content_hash,
            "title": _clip(new.title, 1000),
            "byline": _clip(new.byline, 500),
            "published": _clip(new.published, 50),
            "updated": _clip(new.updated, 50),
            "word_count": new.word_count,
            "text_blob": blob,
            "base_version_id": previous.id if (is_delta and previous) else None,
            "html_blob": zlib.compress(new.html.encode("utf-8"), 9) if new.html else None,
        }
        version["id"] = version_id = _primary_key(connection.execute(_INSERT_VERSION, version))
        if record.diff is not None and previous is not None:
            diff = VersionDiff(
                version_id=version_id,
                previous_version_id=previous.id,
                material=record.diff.material,
                significance=record.diff.significance,
                shifts=record.diff.shifts,
                words_added=record.diff.words_added,
                words_removed=record.diff.words_removed,
            )
            connection.execute(_INSERT_DIFF, diff.model_dump(exclude={"id"}))
        self._insert_alerts(connection, story_id, version_id, record)
        return version

    def _insert_alerts(
        self, connection: Connection, story_id: int, version_id: int | None, record: CheckRecord
    ) -> None:
        if record.alerts:
            alerts = [
                Alert(
                    key=draft.key,
                    story_id=story_id,
                    version_id=version_id,
                    channel=draft.channel,
                    status=draft.status,
                    reason=draft.reason,
                    fingerprint=draft.fingerprint,
                    payload=draft.payload,
                    created_at=record.checked_at,
                    next_attempt_at=record.checked_at,
                ).model_dump(exclude={"id"})
                for draft in record.alerts
            ]
            connection.execute(_INSERT_ALERT, alerts)

    def lifecycle_events(self, story_id: int) -> list[Event]:
        """The story's lifecycle events (unpublished, moved, URL changed), oldest first."""
        with self.reader() as reader:
            return reader.lifecycle_events(story_id)

    def checks(self, story_id: int, limit: int = 50) -> list[Check]:
        with self._session() as session:
            return list(
                session.exec(
                    select(Check)
                    .where(Check.story_id == story_id)
                    .order_by(col(Check.checked_at).desc(), col(Check.id).desc())
                    .limit(limit)
                ).all()
            )

    def now(self) -> datetime:
        return utcnow()


def _reader(connection: Connection) -> Reader:
    """The viewers' queries inside a transaction of ``connection`` (not closed by them)."""
    return Reader(connection.connection, connection.dialect.loaded_dbapi, _where(connection.engine))


def _where(engine: Engine) -> str:
    return engine.url.database or engine.url.render_as_string(hide_password=True)


def _check_row(story_id: int, record: CheckRecord, version_id: int | None = None) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "checked_at": record.checked_at,
        "outcome": record.outcome,
        "http_status": record.http_status,
        "duration_ms": record.duration_ms,
        "error": _clip(record.error),
        "version_id": version_id,
        "worker": record.worker,
    }


def _number(version: Version | None) -> int:
    assert version is not None  # a check with a version stored one
    return version.number


def _primary_key(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _story_update(record: CheckRecord) -> dict[str, object]:
    """The story columns a check sets: its schedule, its last error, the validators for
    the next conditional GET and the page digest (the lease is ended by _UPDATE_STORY)."""
    values: dict[str, object] = {
        "last_checked_at": record.checked_at,
        "next_check_at": record.schedule.next_check_at,
        "current_interval": record.schedule.current_interval,
        "status": record.schedule.status,
        "error_count": record.schedule.error_count,
        "last_error": _clip(record.error),
    }
    if record.etag is not None or record.last_modified is not None or record.version:
        # Exactly as served, never clipped: they are sent back to the server, and the
        # fetcher keeps only those that fit (httputil.usable_validator).
        values["etag"] = record.etag
        values["last_modified"] = record.last_modified
    if record.page_hash is not None:
        values["page_hash"] = record.page_hash
    if record.new_url is not None:
        values["url"] = record.new_url
    return values


def _story_params(
    story_id: int, record: CheckRecord, values: dict[str, object]
) -> dict[str, object]:
    """Parameters of _UPDATE_STORY: the story, the worker whose lease the check ends, and
    the columns it sets."""
    return {"story": story_id, "worker": record.worker, **values}


def _clip(value: str | None, limit: int = 2000) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


# The database itself failing (down, unreachable, locked past the busy timeout, out of
# connections), as opposed to a statement it refused: see DatabaseUnavailableError.
_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def database_error(exc: SQLAlchemyError, engine: Engine) -> StorageError:
    """The StorageError to raise for a SQLAlchemy error (see queries.database_error)."""
    return queries.database_error(
        first_line(exc), _where(engine), unavailable=isinstance(exc, _UNAVAILABLE)
    )
