"""What every command gets: settings resolved once, the database opened on first use, and
output helpers that honour --json, NO_COLOR and pipes.

The viewers start fast (README, "Performance"): they read through the plain-SQL reader
(storage/queries.py), and when nothing is configured but the database URL they take the
built-in defaults without loading pydantic. Writing commands get the SQLAlchemy Store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from storywatch.config.sources import Sources, gather
from storywatch.history import times
from storywatch.storage.queries import Reader, open_reader

if TYPE_CHECKING:
    from storywatch.config.settings import AlertSettings, Settings
    from storywatch.storage.repository import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    config_file: Path | None
    overrides: dict[str, Any]
    _sources: Sources | None = None
    _settings: Settings | None = None
    _store: Store | None = None
    _reader: Reader | None = None
    # soft_wrap: piped output keeps one line per sentence instead of wrapping at 80 columns
    console: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))

    @property
    def sources(self) -> Sources:
        if self._sources is None:
            self._sources = gather(self.config_file, overrides=self.overrides)
        return self._sources

    @property
    def settings(self) -> Settings:
        """Every setting, validated (a bad one is a ConfigError: one line, exit 2)."""
        if self._settings is None:
            # pydantic only once a setting needs it: loading it takes about 0.3 s.
            from storywatch.config.settings import validate

            self._settings = validate(self.sources)
        return self._settings

    @property
    def database_url(self) -> str:
        """The database URL; read without validating when nothing else is set."""
        url = self.sources.plain_database_url() if self._settings is None else None
        return url if url is not None else self.settings.database.url

    @property
    def alerts(self) -> AlertSettings | None:
        """The alert rules; None when nothing is configured (then they are the built-in
        defaults, config/sources.DEFAULT_RULE, and nothing is validated)."""
        if self._settings is None and self.sources.plain_database_url() is not None:
            return None
        return self.settings.alerts

    @property
    def store(self) -> Store:
        """The database through SQLAlchemy, created or upgraded as needed: for commands
        that write."""
        if self._store is None:
            # SQLAlchemy only for the commands that use it: its import takes half a second.
            from storywatch.storage.repository import Store

            self._store = Store.open(self.database_url)
        return self._store

    @property
    def reader(self) -> Reader:
        """The viewers' queries: straight over sqlite3 for a SQLite file at the current
        schema, else over the Store's connection (which creates or upgrades it)."""
        if self._reader is None:
            self._reader = open_reader(self.database_url) or self.store.reader()
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._store is not None:
            self._store.close()


pass_app = click.make_pass_decorator(AppContext)


def examples(*commands: str) -> str:
    """The end of a command's --help: one to three real command lines (sqlite-utils
    style); the \\b keeps click from rewrapping them."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def emit_json(data: Any) -> None:
    """Every command's ``--json``: times as ISO 8601 UTC with Z (README, "JSON")."""
    json.dump(data, sys.stdout, indent=2, default=_json_value, ensure_ascii=False)
    sys.stdout.write("\n")


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return times.iso(value)
    return str(value)
