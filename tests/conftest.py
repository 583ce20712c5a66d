"""Shared fixtures: real SQLite files, the local PostgreSQL, and a real HTTP server."""

from __future__ import annotations

import compileall
from collections.abc import Iterator
from pathlib import Path

import pytest

import storywatch
from storywatch.storage import Store
from tests.support.databases import database_url
from tests.support.server import page_server, shared_page_server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True, scope="session")
def cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where storywatch keeps validated settings (config/validated.py) while the tests
    run, in this process and the CLIs it starts: not the user's own cache."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile storywatch first, as a wheel install is: the suite starts hundreds
    of storywatch processes (the CLI, workers, extraction children), and where
    PYTHONDONTWRITEBYTECODE is set, as in CI images, each would otherwise compile every
    module it imports, a fifth of its start-up. Stale files are never used: Python
    checks each against its source."""
    compileall.compile_dir(Path(storywatch.__file__).parent, quiet=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test against a SQLite file and a private PostgreSQL schema."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'storywatch.db'}")
    yield opened
    opened.close()
