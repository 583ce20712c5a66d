"""Schema migrations: an empty database and a populated old one both reach head intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from storywatch.errors import StorageError
from storywatch.storage import Store, create_db_engine, current_revision, head_revision, migrate
from storywatch.storage.schema import SCHEMA_REVISION


def test_empty_database_upgrades_to_head_matching_the_models(db_url: str) -> None:
    engine = create_db_engine(db_url)
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert drift == [], f"models and migrations disagree: {drift}"
    engine.dispose()


def test_populated_old_database_upgrades_without_losing_data(db_url: str) -> None:
    engine = create_db_engine(db_url)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stories (url, tags, added_at, next_check_at, status, error_count,"
                " version_count) VALUES ('https://old.example/story', '', :t, :t, 'active', 0, 0)"
            ),
            {"t": "2025-01-02 03:04:05+00:00"},
        )
    engine.dispose()
    store = Store.open(db_url)  # opening upgrades on start
    try:
        assert current_revision(store.engine) == head_revision()
        [story] = store.list_stories()
        assert story.url == "https://old.example/story"
        assert story.added_at.year == 2025
    finally:
        store.close()


def test_database_from_a_newer_storywatch_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = create_db_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="newer than this storywatch"):
        migrate(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysqlx://nobody@localhost/x", "unsupported database URL"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open database"),
    ],
)
def test_bad_database_urls_give_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as caught:
        Store.open(url)
    assert "\n" not in str(caught.value)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_fast_path_revision_is_the_newest_migration() -> None:
    # Store.open skips alembic when the database is at SCHEMA_REVISION; a new migration
    # must move that constant too, or old databases would not be upgraded.
    assert head_revision() == SCHEMA_REVISION


def test_upgrade_to_0003_drops_made_up_etags_and_keeps_real_ones(db_url: str) -> None:
    engine = create_db_engine(db_url)
    migrate(engine, "0002")
    with engine.begin() as connection:
        for url, etag in (("https://a.example/made-up", 'W/"storywatch-0a1b"'),
                          ("https://b.example/real", '"v7"')):  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO stories (url, tags, added_at, next_check_at, status,"
                    " error_count, version_count, etag) VALUES (:url, '', :t, :t, 'active', 0,"
                    " 0, :etag)"
                ),
                {"url": url, "t": "2025-01-02 03:04:05+00:00", "etag": etag},
            )
    migrate(engine)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT url, etag FROM stories")).all())
    engine.dispose()
    assert rows == {"https://a.example/made-up": None, "https://b.example/real": '"v7"'}
