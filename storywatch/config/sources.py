"""Where settings come from, before pydantic validates them (settings.py): the built-in
defaults that are needed without it, the TOML file, the ``STORYWATCH_*`` environment and
the command-line flags.

Precedence (later wins): built-in defaults < config file < ``STORYWATCH_*`` environment
variables < CLI flags. Nested keys use ``__`` in the environment, for example
``STORYWATCH_FETCH__TIMEOUT=20``; ``STORYWATCH_DB`` is a short alias for ``database.url``.

Nothing here imports pydantic: the viewers read their settings without it when it has
nothing to add (config/validated.py), and take the plain forms of validated values (the
alert rules) from here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storywatch.diff.model import SHIFT_TYPES
from storywatch.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("storywatch.toml")
MAX_CONFIG_BYTES = 1_000_000
ENV_PREFIX = "STORYWATCH_"
_ENV_ALIASES = {"DB": ("database", "url")}


def default_database_url() -> str:
    # platformdirs only when no URL is given: the viewers are mostly run with one.
    import platformdirs

    data_dir = Path(platformdirs.user_data_dir("storywatch", appauthor=False))
    return f"sqlite:///{data_dir / 'storywatch.db'}"


@dataclass(frozen=True, slots=True)
class Rule:
    """When a shift is worth an alert, as notifiers/rules.py applies it: a validated
    ``[alerts]``, ``alerts.tags.<tag>`` or ``alerts.stories.<url>`` rule. Its defaults
    are the settings' defaults (settings.AlertRule takes them from DEFAULT_RULE)."""

    min_significance: float = 0.3
    types: tuple[str, ...] = SHIFT_TYPES
    watch_terms: tuple[str, ...] = ()


DEFAULT_RULE = Rule()


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Every alert rule of validated settings, each override already laid over the
    ``[alerts]`` rule (settings.AlertSettings.rules): what notifiers/rules.py chooses from
    for a story."""

    base: Rule = DEFAULT_RULE
    tags: dict[str, Rule] = field(default_factory=dict)
    stories: dict[str, Rule] = field(default_factory=dict)  # keyed by story URL


DEFAULT_ALERT_RULES = AlertRules()


@dataclass(frozen=True, slots=True)
class Sources:
    """The settings as given, unvalidated, each source apart (an error names the one
    that set the bad value)."""

    config_file: Path | None
    file: dict[str, Any]
    # SHA-256 of the very bytes ``file`` was parsed from (None: no file): what the cache of
    # validated settings is keyed on (config/validated.py).
    file_digest: str | None
    env: dict[str, Any]
    flags: Mapping[str, Any]

    @property
    def merged(self) -> dict[str, Any]:
        return _merge(_merge(self.file, self.env), self.flags)


def gather(
    config_file: Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Sources:
    """Read the file (if any), the environment and explicit overrides.

    ``config_file`` None means ``$STORYWATCH_CONFIG`` or ``./storywatch.toml`` when present.
    """
    environ = os.environ if environ is None else environ
    if config_file is None and environ.get("STORYWATCH_CONFIG"):
        config_file = Path(environ["STORYWATCH_CONFIG"])
    if config_file is None and DEFAULT_CONFIG_FILE.is_file():
        config_file = DEFAULT_CONFIG_FILE
    data: dict[str, Any] = {}
    digest = None
    if config_file:
        import hashlib  # only when there is a file, as tomllib

        raw = _read_file(config_file)
        data, digest = _parse_toml(config_file, raw), hashlib.sha256(raw).hexdigest()
    return Sources(config_file, data, digest, _env_overrides(environ), overrides or {})


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = target
    for key in path[:-1]:
        existing = node.get(key)
        if not isinstance(existing, dict):
            existing = {}
            node[key] = existing
        node = existing
    node[path[-1]] = value


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == "STORYWATCH_CONFIG":
            continue
        key = name[len(ENV_PREFIX) :]
        path = _ENV_ALIASES.get(key) or tuple(part.lower() for part in key.split("__"))
        _set_path(overrides, path, _env_value(value))
    return overrides


def _env_value(raw: str) -> Any:
    # Lists come as comma-separated values; everything else is left to pydantic's coercion.
    if "," in raw and "://" not in raw:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # bounded: --config /dev/zero
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is larger than {MAX_CONFIG_BYTES:,} bytes")
    return raw


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    import tomllib  # only when there is a file: most starts have none

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(f"config file {path} nests arrays or tables too deeply") from None
