"""What every command gets: settings resolved once, the store opened on first use, and
output helpers that honour --json, NO_COLOR and pipes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from storywatch.config import Settings, load_settings
from storywatch.history import times
from storywatch.storage import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    config_file: Path | None
    overrides: dict[str, Any]
    _settings: Settings | None = None
    _store: Store | None = None
    # soft_wrap: piped output keeps one line per sentence instead of wrapping at 80 columns
    console: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file, overrides=self.overrides)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.database.url)
        return self._store

    def close(self) -> None:
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
