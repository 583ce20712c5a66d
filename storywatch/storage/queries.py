"""Read-only queries for the viewers, in plain SQL over a DB-API connection.

The viewer commands (``list``, ``history``, ``show``, ``diff`` and the other looks back)
must start in a blink, and SQLAlchemy alone takes half a second to import: so these
queries need nothing but the driver. A SQLite file at the current schema revision is
opened with the stdlib ``sqlite3`` (:func:`open_reader`); any other database goes
through the Store (which creates, upgrades or refuses it) and is read over its engine's
DB-API connection (:meth:`Store.reader`). The Store uses the same queries where it needs
the same answers (resolving a story, a version's text, lifecycle events).

They read the tables the alembic migrations make (storage/migrations), selecting only
the columns a view needs (a listing never loads text or HTML blobs), and decode a
story's delta chain in one sequential pass instead of once per version. Rows come back
as small frozen dataclasses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from storywatch.diff.model import Shift
from storywatch.errors import (
    AmbiguousError,
    DatabaseUnavailableError,
    NotFoundError,
    StorageError,
)
from storywatch.storage import sqlite, textstore
from storywatch.storage.schema import (
    LIFECYCLE_OUTCOMES,
    MAX_ID,
    SCHEMA_REVISION,
    as_utc,
    number_from_digits,
    split_tags,
)

# "interval" is quoted: PostgreSQL reads it as the start of an interval literal.
_STORY_COLUMNS = (
    'id, url, name, title, tags, status, version_count, "interval", current_interval,'
    " added_at, last_checked_at, last_changed_at, next_check_at, error_count, last_error"
)
_VERSION_COLUMNS = (
    "v.number, v.fetched_at, v.title, v.byline, v.published, v.updated, v.word_count,"
    " v.content_hash, d.id, p.number, d.material, d.significance, d.shifts, d.words_added,"
    " d.words_removed"
)
# Each version with its stored diff against the previous one (none for the first).
_VERSIONS_WITH_DIFFS = (
    f"SELECT {_VERSION_COLUMNS} FROM versions v"
    " LEFT JOIN version_diffs d ON d.version_id = v.id"
    " LEFT JOIN versions p ON p.id = d.previous_version_id"
    " WHERE v.story_id = ?"
)


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A tracked story as the viewers show it (no lease, validators or page digest)."""

    id: int
    url: str
    name: str | None
    title: str | None
    tags: str
    status: str
    version_count: int
    interval: float | None
    current_interval: float | None
    added_at: datetime
    last_checked_at: datetime | None
    last_changed_at: datetime | None
    next_check_at: datetime
    error_count: int
    last_error: str | None

    @property
    def label(self) -> str:
        return self.name or self.title or self.url


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version's metadata and its stored diff against the previous version."""

    number: int
    fetched_at: datetime
    title: str | None
    byline: str | None
    published: str | None
    updated: str | None
    word_count: int
    content_hash: str
    has_diff: bool = False
    previous_number: int | None = None
    material: bool = False
    significance: float = 0.0
    shifts: tuple[Shift, ...] = ()
    words_added: int = 0
    words_removed: int = 0


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A stored diff with the story it belongs to, for the cross-story log."""

    story_id: int
    story_label: str
    story_url: str
    number: int
    previous_number: int
    fetched_at: datetime
    material: bool
    significance: float
    shifts: tuple[Shift, ...]
    title: str | None = None  # the new version's headline
    content_hash: str = ""  # the new version's


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of the story list and how many stories match in all."""

    stories: list[StoryRow]
    total: int


@dataclass(frozen=True, slots=True)
class VersionText:
    number: int
    fetched_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """A lifecycle event of a story: unpublished, moved, or its URL changed."""

    checked_at: datetime
    outcome: str
    error: str | None
    http_status: int | None


def open_reader(url: str) -> Reader | None:
    """A reader over a SQLite file at the current schema, with the stdlib driver alone;
    None for any other database (or a file that is missing, not a database, or at
    another revision): that one is opened through the Store, which creates, upgrades or
    refuses it with its one-line error."""
    path = sqlite.file_path(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite.connect(path)
    except sqlite3.Error:
        return None
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.Error, TypeError):  # no such table, not a database, no row
        revision = None
    if revision != SCHEMA_REVISION:
        connection.close()
        return None
    return Reader(connection, sqlite3, str(path))


class Reader:
    """The viewers' queries over one DB-API connection (closed with the reader)."""

    def __init__(self, connection: Any, driver: Any, database: str) -> None:
        """``driver`` is the DB-API module of ``connection`` (sqlite3, psycopg)."""
        self._connection = connection
        self._driver = driver
        self._database = database  # the file or server, for error messages
        self._sqlite = driver.__name__.split(".")[0] == "sqlite3"  # sqlite3 or sqlite3.dbapi2
        # Every query is written with qmark placeholders; psycopg takes %s.
        self._placeholder = "?" if driver.paramstyle == "qmark" else "%s"

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- stories -------------------------------------------------------------------------

    def story(self, story_id: int) -> StoryRow:
        rows = self._rows(f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,))
        if not rows:
            raise NotFoundError(f"no story with id {story_id}")
        return _story(rows[0])

    def resolve_story(self, ref: str | int) -> StoryRow:
        """Find a story by numeric id, a unique URL prefix, or words of its title/name."""
        text = str(ref).strip()
        if text.isascii() and text.isdigit():  # not "²": str.isdigit() takes it, int() not
            story_id = number_from_digits(text)
            if story_id > MAX_ID:  # cannot exist, and the driver would overflow on it
                raise NotFoundError(f"no story with id {text} (ids go up to {MAX_ID})")
            return self.story(story_id)
        bare = text.split("://", 1)[-1]
        rows = self._rows(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE url LIKE ? OR url LIKE ? ORDER BY id",
            (text + "%", "%://" + bare + "%"),
        )
        if not rows:
            pattern = f"%{text.lower()}%"
            rows = self._rows(
                f"SELECT {_STORY_COLUMNS} FROM stories"
                " WHERE lower(title) LIKE ? OR lower(name) LIKE ? ORDER BY id",
                (pattern, pattern),
            )
        matches = [_story(row) for row in rows]
        if not matches:
            raise NotFoundError(f"no story matches {text!r} (use an id from `storywatch list`)")
        if len(matches) > 1:
            candidates = "; ".join(f"{s.id}: {s.label}" for s in matches[:5])
            more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
            raise AmbiguousError(f"{text!r} matches {len(matches)} stories: {candidates}{more}")
        return matches[0]

    def list_stories(self, status: str | None = None) -> list[StoryRow]:
        where, params = (" WHERE status = ?", (status,)) if status else ("", ())
        query = f"SELECT {_STORY_COLUMNS} FROM stories{where} ORDER BY id"
        return [_story(row) for row in self._rows(query, params)]

    def lifecycle_events(self, story_id: int) -> list[Event]:
        """The story's lifecycle events (unpublished, moved, URL changed), oldest first."""
        rows = self._rows(
            "SELECT checked_at, outcome, error, http_status FROM checks"
            " WHERE story_id = ? AND outcome IN (?, ?, ?) ORDER BY checked_at, id",
            (story_id, *LIFECYCLE_OUTCOMES),
        )
        return [Event(_time(when), outcome, error, status) for when, outcome, error, status in rows]

    # -- versions ------------------------------------------------------------------------

    def version_rows(self, story_id: int) -> list[VersionRow]:
        """Every version of a story, oldest first, without any text."""
        rows = self._rows(f"{_VERSIONS_WITH_DIFFS} ORDER BY v.number", (story_id,))
        return [_version(row) for row in rows]

    def get_version(self, story_id: int, number: int) -> VersionRow:
        """Version by number; negative numbers count from the latest (-1 is the latest).
        A missing one is an error naming the versions that exist."""
        asked = number
        if number < 0:
            number = self.story(story_id).version_count + 1 + number
        rows = self._rows(f"{_VERSIONS_WITH_DIFFS} AND v.number = ?", (story_id, number))
        if not rows:
            raise NotFoundError(f"no version {asked}: {self.versions_span(story_id)}")
        return _version(rows[0])

    def versions_span(self, story_id: int) -> str:
        """'story 1 has versions 1-5' (with an en dash), 'story 1 has only version 1', or
        how to get one."""
        count = self.story(story_id).version_count
        if count == 0:
            return f"story {story_id} has no versions yet (run `storywatch check {story_id}`)"
        if count == 1:
            return f"story {story_id} has only version 1"
        return f"story {story_id} has versions 1\u2013{count} (-1 is the latest)"

    def version_text(self, story_id: int, number: int) -> str:
        """The text of a version: its blob, or the deltas back to the nearest full copy.
        The chain is at most KEYFRAME_EVERY long: one query fetches all of it."""
        rows = self._rows(
            "SELECT id, number, base_version_id, text_blob FROM versions"
            " WHERE story_id = ? AND number <= ? AND number >= ?",
            (story_id, number, number - textstore.KEYFRAME_EVERY),
        )
        links = {version_id: (base_id, bytes(blob)) for version_id, _, base_id, blob in rows}
        current = next((row[0] for row in rows if row[1] == number), None)
        path: list[bytes] = []
        while current is not None:
            if current not in links:
                raise StorageError(f"version {number} of story {story_id} is corrupt")
            base_id, link = links[current]
            path.append(link)
            current = base_id if textstore.is_delta(link) else None
        if not path:
            raise NotFoundError(f"no version {number}: {self.versions_span(story_id)}")
        text: str | None = None
        for link in reversed(path):
            text = textstore.decode(link, text)
        assert text is not None
        return text

    def story_texts(self, story_id: int) -> list[VersionText]:
        """Every version's text, oldest first, decoding each delta once against the text
        decoded just before it (``version_text`` per version would re-walk the chain)."""
        rows = self._rows(
            "SELECT id, number, fetched_at, base_version_id, text_blob FROM versions"
            " WHERE story_id = ? ORDER BY number",
            (story_id,),
        )
        decoded: dict[int, str] = {}
        texts = []
        for version_id, number, fetched, base_id, blob in rows:
            base = None
            if textstore.is_delta(blob):
                base = decoded.get(base_id)
                if base is None:
                    raise StorageError(f"version {number} of story {story_id} is corrupt")
            text = textstore.decode(bytes(blob), base)
            decoded[version_id] = text
            texts.append(VersionText(number, _time(fetched), text))
        return texts

    # -- changes across stories ----------------------------------------------------------

    def recent_changes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        tag: str | None = None,
        story_id: int | None = None,
        min_significance: float | None = None,
        types: Collection[str] = (),
        material_only: bool = True,
        limit: int = 50,
    ) -> list[ChangeRow]:
        """Stored diffs across stories, newest first.

        Shift types live in a JSON column whose text form differs between SQLite and
        PostgreSQL, so that filter runs here while rows stream in; ``limit`` counts the
        rows that pass it. With ``types``, each row keeps only the shifts of those types;
        ``until`` is exclusive, ``tag`` one of the story's tags.
        """
        conditions: list[str] = []
        params: list[object] = []
        if material_only:
            conditions.append("d.material = ?")
            params.append(True)
        if since is not None:
            conditions.append("v.fetched_at >= ?")
            params.append(self._time_param(since))
        if until is not None:
            conditions.append("v.fetched_at < ?")
            params.append(self._time_param(until))
        if tag:
            conditions.append(_has_tag("s.tags"))
            params.append(_tag_pattern(tag))
        if story_id is not None:
            conditions.append("v.story_id = ?")
            params.append(story_id)
        if min_significance is not None:
            conditions.append("d.significance >= ?")
            params.append(min_significance)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        query = (
            "SELECT s.id, s.name, s.title, s.url, v.number, p.number, v.fetched_at,"
            " d.material, d.significance, d.shifts, v.title, v.content_hash"
            " FROM version_diffs d"
            " JOIN versions v ON v.id = d.version_id"
            " JOIN versions p ON p.id = d.previous_version_id"
            f" JOIN stories s ON s.id = v.story_id{where}"
            " ORDER BY v.fetched_at DESC, v.id DESC"
        )
        wanted = set(types)
        result: list[ChangeRow] = []
        for row in self._stream(query, params):
            sid, name, title, url, number, prev_number, fetched, material, sig, raw = row[:10]
            headline, digest = row[10:]
            shifts = _shifts(raw)
            if wanted:
                shifts = tuple(s for s in shifts if s.type in wanted)
                if not shifts:
                    continue
            result.append(
                ChangeRow(
                    story_id=sid,
                    story_label=name or title or url,
                    story_url=url,
                    number=number,
                    previous_number=prev_number,
                    fetched_at=_time(fetched),
                    material=bool(material),
                    significance=float(sig),
                    shifts=shifts,
                    title=headline,
                    content_hash=digest,
                )
            )
            if len(result) >= limit:
                break
        return result

    def story_page(
        self,
        *,
        text: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> StoryPage:
        """Stories matching every filter given, the most recently changed first; ``text``
        is found in the URL, name or title, ignoring case."""
        conditions: list[str] = []
        params: list[object] = []
        if text:
            pattern = f"%{_like(text.lower())}%"
            conditions.append(
                "(lower(url) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\'"
                " OR lower(title) LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern] * 3)
        if status:
            conditions.append("status = ?")
            params.append(status)
        if tag:
            conditions.append(_has_tag("tags"))
            params.append(_tag_pattern(tag))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._rows(
            f"SELECT {_STORY_COLUMNS} FROM stories{where}"
            # Never-changed stories last, in both databases (NULLS LAST is not SQLite's).
            " ORDER BY last_changed_at IS NULL, last_changed_at DESC, id DESC"
            f" LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        [(total,)] = self._rows(f"SELECT count(*) FROM stories{where}", params)
        return StoryPage([_story(row) for row in rows], int(total))

    def all_tags(self) -> list[str]:
        """Every tag any story has, sorted."""
        rows = self._rows("SELECT DISTINCT tags FROM stories")
        return sorted({tag for (tags,) in rows for tag in split_tags(tags)})

    def count_changes(self, *, material_only: bool = True) -> int:
        """How many stored diffs there are (material ones only, by default)."""
        where, params = (" WHERE material = ?", (True,)) if material_only else ("", ())
        [(count,)] = self._rows(f"SELECT count(*) FROM version_diffs{where}", params)
        return int(count)

    # -- plumbing ------------------------------------------------------------------------

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return list(self._stream(query, params))

    def _stream(self, query: str, params: Sequence[object] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query``, fetched 200 at a time; a driver error is a StorageError
        (DatabaseUnavailableError when the database itself failed)."""
        if self._placeholder != "?":
            query = query.replace("?", self._placeholder)
        cursor = None
        try:
            cursor = self._connection.cursor()
            cursor.execute(query, tuple(params))
            while batch := cursor.fetchmany(200):
                yield from batch
        except self._driver.Error as exc:
            unavailable = (self._driver.OperationalError, self._driver.InterfaceError)
            raise database_error(
                first_line(exc), self._database, unavailable=isinstance(exc, unavailable)
            ) from None
        finally:
            if cursor is not None:
                cursor.close()

    def _time_param(self, moment: datetime) -> object:
        # SQLite keeps times as text, naive UTC, in the form SQLAlchemy writes them:
        # compared as text, a parameter must have that form too.
        if self._sqlite:
            return as_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds")
        return moment


def database_error(reason: str, database: str, *, unavailable: bool) -> StorageError:
    """The StorageError for a database error, telling an outage apart. A database that
    cannot be written (a read-only file, folder or mount) is no outage: it will not pass
    by waiting, so it is named with its file."""
    if "readonly database" in reason:
        where = database.removeprefix("file:").split("?")[0]
        return StorageError(f"cannot write database {where}: it is read-only ({reason})")
    kind = DatabaseUnavailableError if unavailable else StorageError
    return kind(f"database error: {reason}")


def first_line(exc: BaseException) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip()
    return detail.splitlines()[0] if detail else type(exc).__name__


def _has_tag(column: str) -> str:
    """The condition that ``column`` holds the tag given as a ``_tag_pattern``. Tags are
    stored comma-separated: ",a,b," holds ",a," whichever place a has."""
    return f"(',' || {column} || ',') LIKE ? ESCAPE '\\'"


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally: \\, % and _ escaped."""
    for special in ("\\", "%", "_"):
        text = text.replace(special, "\\" + special)
    return text


def _tag_pattern(tag: str) -> str:
    return f"%,{_like(tag)},%"


def _time(value: datetime | str) -> datetime:
    """A stored time as aware UTC: SQLite gives back the text SQLAlchemy wrote."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _optional_time(value: datetime | str | None) -> datetime | None:
    return None if value is None else _time(value)


def _shifts(raw: str | list[dict[str, object]] | None) -> tuple[Shift, ...]:
    # A JSON column: text in SQLite, already decoded by psycopg.
    items = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(Shift.from_dict(item) for item in items or ())


def _story(row: Sequence[Any]) -> StoryRow:
    (story_id, url, name, title, tags, status, count, interval, current) = row[:9]
    added, checked, changed, due, errors, last_error = row[9:]
    return StoryRow(
        id=story_id,
        url=url,
        name=name,
        title=title,
        tags=tags,
        status=status,
        version_count=count,
        interval=interval,
        current_interval=current,
        added_at=_time(added),
        last_checked_at=_optional_time(checked),
        last_changed_at=_optional_time(changed),
        next_check_at=_time(due),
        error_count=errors,
        last_error=last_error,
    )


def _version(row: Sequence[Any]) -> VersionRow:
    (number, fetched, title, byline, published, updated, words, digest, diff_id) = row[:9]
    prev_number, material, significance, shifts, added, removed = row[9:]
    return VersionRow(
        number=number,
        fetched_at=_time(fetched),
        title=title,
        byline=byline,
        published=published,
        updated=updated,
        word_count=words,
        content_hash=digest,
        has_diff=diff_id is not None,
        previous_number=prev_number,
        material=bool(material),
        significance=float(significance or 0.0),
        shifts=_shifts(shifts),
        words_added=added or 0,
        words_removed=removed or 0,
    )
