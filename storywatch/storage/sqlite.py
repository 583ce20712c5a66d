"""SQLite files as storywatch opens them, whether through SQLAlchemy (db.py) or directly
with the stdlib driver (the viewers, queries.py): the pragmas, and the read-only mode for
a database we may not write."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

BUSY_TIMEOUT = 30  # seconds a statement waits for another writer's lock
# A plain file URL: anything else (memory, URI parameters, percent escapes) is left to
# SQLAlchemy's URL parser and the Store.
_FILE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///(?P<path>[^?#%]+)")


def file_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL, as SQLAlchemy reads it; None for any
    other URL."""
    match = _FILE_URL.fullmatch(url)
    if match is None or match["path"] == ":memory:":
        return None
    return Path(match["path"]).expanduser()


def read_only_access(path: Path) -> str:
    """The SQLite URI parameters to read ``path`` without writing it, or "" when it can
    be written. A database on a read-only mount or in a folder we cannot write cannot
    keep its WAL index either: it is opened as immutable."""
    if not path.exists():
        return ""
    folder = path.parent
    mount_read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    if mount_read_only or not os.access(folder, os.W_OK):
        return "mode=ro&immutable=1"
    return "" if os.access(path, os.W_OK) else "mode=ro"


def set_pragmas(dbapi_connection: Any, read_only: bool) -> None:
    """WAL, foreign keys and the busy timeout on a new connection; on a read-only one the
    timeout, and SQLite's refusal of every write (a writable file opened read-only on
    purpose, as `serve` does)."""
    cursor = dbapi_connection.cursor()
    if read_only:
        cursor.execute("PRAGMA query_only=ON")
    else:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    cursor.close()


def connect(path: Path) -> sqlite3.Connection:
    """An existing database file, opened read-only when we may not write it."""
    access = read_only_access(path)
    if access:
        connection = sqlite3.connect(f"file:{path}?{access}", uri=True, timeout=BUSY_TIMEOUT)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
    try:
        set_pragmas(connection, bool(access))
    except sqlite3.Error:
        connection.close()
        raise
    return connection
