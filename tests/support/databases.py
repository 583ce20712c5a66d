"""Real databases for tests: SQLite files in tmp dirs, and a private schema per test on
the local PostgreSQL (127.0.0.1:5432, database ``test``), skipped with a printed reason
only when that server cannot be reached."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=5"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_unavailable() -> str | None:
    try:
        with psycopg.connect(PG_DSN, autocommit=True):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL on 127.0.0.1:5432 unreachable: {str(exc).strip().splitlines()[0]}"


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A database URL whose search_path is a fresh schema, dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'storywatch.db'}"


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "postgresql":
        with postgres_schema_url() as url:
            yield url
    else:
        yield sqlite_url(tmp_path)
