"""Read-only queries for the history viewer.

They select only the columns a view needs (a listing never loads text or HTML blobs) and
decode a story's delta chain in one sequential pass instead of once per version. Each
function is one session, like the repository methods.


SQLAlchemy's ``select`` is used directly: SQLModel's is typed for at most four columns.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from storywatch.diff.model import Shift
from storywatch.errors import StorageError
from storywatch.storage import textstore
from storywatch.storage.models import Story, Version, VersionDiff, as_utc
from storywatch.storage.repository import Store


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
class VersionText:
    number: int
    fetched_at: datetime
    text: str


def _shifts(raw: list[dict[str, object]] | None) -> tuple[Shift, ...]:
    return tuple(Shift.from_dict(item) for item in raw or ())


def version_rows(store: Store, story_id: int) -> list[VersionRow]:
    """Every version of a story, oldest first, without any text."""
    previous = aliased(Version)
    query = (
        select(
            col(Version.number),
            col(Version.fetched_at),
            col(Version.title),
            col(Version.byline),
            col(Version.published),
            col(Version.updated),
            col(Version.word_count),
            col(Version.content_hash),
            col(VersionDiff.id),
            col(previous.number),
            col(VersionDiff.material),
            col(VersionDiff.significance),
            col(VersionDiff.shifts),
            col(VersionDiff.words_added),
            col(VersionDiff.words_removed),
        )
        .join(VersionDiff, col(VersionDiff.version_id) == col(Version.id), isouter=True)
        .join(previous, col(previous.id) == col(VersionDiff.previous_version_id), isouter=True)
        .where(col(Version.story_id) == story_id)
        .order_by(col(Version.number))
    )
    with store._session() as session:
        rows = session.execute(query).all()
    result = []
    for row in rows:
        (number, fetched, title, byline, published, updated, words, digest, diff_id) = row[:9]
        prev_number, material, significance, shifts, added, removed = row[9:]
        result.append(
            VersionRow(
                number=number,
                fetched_at=as_utc(fetched),
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
        )
    return result


def recent_changes(
    store: Store,
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
    PostgreSQL, so that filter runs here while rows stream in; ``limit`` counts the rows
    that pass it. With ``types``, each row keeps only the shifts of those types;
    ``until`` is exclusive, ``tag`` one of the story's tags.
    """
    previous = aliased(Version)
    query = (
        select(
            col(Story.id),
            col(Story.name),
            col(Story.title),
            col(Story.url),
            col(Version.number),
            col(previous.number),
            col(Version.fetched_at),
            col(VersionDiff.material),
            col(VersionDiff.significance),
            col(VersionDiff.shifts),
            col(Version.title),
            col(Version.content_hash),
        )
        .join(Version, col(Version.id) == col(VersionDiff.version_id))
        .join(previous, col(previous.id) == col(VersionDiff.previous_version_id))
        .join(Story, col(Story.id) == col(Version.story_id))
        .order_by(col(Version.fetched_at).desc(), col(Version.id).desc())
    )
    if material_only:
        query = query.where(col(VersionDiff.material).is_(True))
    if since is not None:
        query = query.where(col(Version.fetched_at) >= since)
    if until is not None:
        query = query.where(col(Version.fetched_at) < until)
    if tag:
        query = query.where(_has_tag(tag))
    if story_id is not None:
        query = query.where(col(Version.story_id) == story_id)
    if min_significance is not None:
        query = query.where(col(VersionDiff.significance) >= min_significance)
    wanted = set(types)
    result: list[ChangeRow] = []
    with store._session() as session:
        for row in session.execute(query.execution_options(yield_per=200)):
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
                    fetched_at=as_utc(fetched),
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


_LIKE_ESCAPE = "\\"


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally: % and _ escaped."""
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return text


def _has_tag(tag: str) -> ColumnElement[bool]:
    # Tags are stored comma-separated: ",a,b," holds ",a," whichever place a has.
    tags = literal(",") + col(Story.tags) + literal(",")
    return tags.like(f"%,{_like(tag)},%", escape=_LIKE_ESCAPE)


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of the story list and how many stories match in all."""

    stories: list[Story]
    total: int


def story_page(
    store: Store,
    *,
    text: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> StoryPage:
    """Stories matching every filter given, the most recently changed first; ``text``
    is found in the URL, name or title, ignoring case."""
    conditions: list[ColumnElement[bool]] = []
    if text:
        pattern = f"%{_like(text.lower())}%"
        columns = (col(Story.url), col(Story.name), col(Story.title))
        conditions.append(
            or_(*(func.lower(column).like(pattern, escape=_LIKE_ESCAPE) for column in columns))
        )
    if status:
        conditions.append(col(Story.status) == status)
    if tag:
        conditions.append(_has_tag(tag))
    query = (
        select(Story)
        .where(*conditions)
        .order_by(col(Story.last_changed_at).desc().nulls_last(), col(Story.id).desc())
        .offset(offset)
        .limit(limit)
    )
    counted = select(func.count()).select_from(Story).where(*conditions)
    with store._session() as session:
        stories = list(session.execute(query).scalars().all())
        total = int(session.execute(counted).scalar_one())
    return StoryPage(stories, total)


def all_tags(store: Store) -> list[str]:
    """Every tag any story has, sorted."""
    with store._session() as session:
        rows = session.execute(select(col(Story.tags)).distinct()).scalars().all()
    return sorted({tag for tags in rows for tag in tags.split(",") if tag})


def count_changes(store: Store, *, material_only: bool = True) -> int:
    """How many stored diffs there are (material ones only, by default)."""
    query = select(func.count()).select_from(VersionDiff)
    if material_only:
        query = query.where(col(VersionDiff.material).is_(True))
    with store._session() as session:
        return int(session.execute(query).scalar_one())


def story_texts(store: Store, story_id: int) -> list[VersionText]:
    """Every version's text, oldest first, decoding each delta once against the text
    decoded just before it (``Store.version_text`` per version would re-walk the chain)."""
    query = (
        select(
            col(Version.id),
            col(Version.number),
            col(Version.fetched_at),
            col(Version.base_version_id),
            col(Version.text_blob),
        )
        .where(col(Version.story_id) == story_id)
        .order_by(col(Version.number))
    )
    with store._session() as session:
        rows = session.execute(query).tuples().all()
    return list(_decode_chain(story_id, rows))


def _decode_chain(
    story_id: int, rows: Collection[tuple[int | None, int, datetime, int | None, bytes]]
) -> Iterator[VersionText]:
    decoded: dict[int | None, str] = {}
    for version_id, number, fetched, base_id, blob in rows:
        base = None
        if textstore.is_delta(blob):
            base = decoded.get(base_id)
            if base is None:
                raise StorageError(f"version {number} of story {story_id} is corrupt")
        text = textstore.decode(blob, base)
        decoded[version_id] = text
        yield VersionText(number, as_utc(fetched), text)
