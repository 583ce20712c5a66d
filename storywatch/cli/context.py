"""What every command gets: settings resolved once, the database opened on first use, and
output helpers that honour --json, NO_COLOR and pipes.

The viewers start fast (README, "Performance"): they read through the plain-SQL reader
(storage/queries.py), and take the two settings they read without loading pydantic when
it has nothing new to say (config/validated.py). Writing commands get the SQLAlchemy
Store."""

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

from storywatch.config.sources import AlertRules, Sources, default_database_url, gather
from storywatch.config.validated import ViewerSettings, viewer_settings
from storywatch.history import times
from storywatch.storage.queries import Reader, open_reader

if TYPE_CHECKING:
    from storywatch.config.settings import Settings
    from storywatch.storage.repository import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    config_file: Path | None
    overrides: dict[str, Any]
    _sources: Sources | None = None
    _settings: Settings | None = None
    _viewer_settings: ViewerSettings | None = None
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
    def viewer_settings(self) -> ViewerSettings:
        """The settings the viewers read, validated; without pydantic when nothing but
        the database URL is set, or when these very settings were validated before."""
        if self._viewer_settings is None:
            if self._settings is not None:
                self._viewer_settings = self._settings.for_viewers()
            else:
                self._viewer_settings = viewer_settings(
                    self.sources, lambda: self.settings.for_viewers()
                )
        return self._viewer_settings

    @property
    def database_url(self) -> str:
        url = self.viewer_settings.database_url
        return default_database_url() if url is None else url

    @property
    def alert_rules(self) -> AlertRules:
        return self.viewer_settings.alerts

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
