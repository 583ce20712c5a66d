"""The settings the viewer commands read, validated without pydantic when it has nothing
new to say.

Validating settings means importing pydantic and building its models: 0.2 s, as long as
the rest of a viewer's start (README, "Performance"). The viewers (list, history, show,
diff and the looks back) read two settings, the database URL and the alert rules
(:class:`ViewerSettings`), and get them:

1. straight from the sources when nothing but the database URL is set: every other
   setting is then its default, and a URL needs no more than to be text;
2. else from a cache, when these very settings passed validation before: the same config
   file bytes, ``STORYWATCH_*`` environment and command-line flags, checked by the same
   code (:func:`_cache_key`);
3. else by validating every setting, as every other command does (a bad one is a
   ConfigError: one line, exit 2), and remembering the result for the next start.

Only settings that passed are remembered, and only under a digest of everything the
verdict depends on, so the cache can never accept what validation would refuse: the rules
stay in settings.py alone, and any change to the settings or to those rules is a miss,
which validates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from storywatch import __version__
from storywatch.config.sources import DEFAULT_ALERT_RULES, AlertRules, Rule, Sources
from storywatch.diff.model import SHIFT_TYPES

# Entries the cache keeps, the latest written last: a few config files and environments
# in use side by side, not every edit ever made.
MAX_ENTRIES = 16


@dataclass(frozen=True, slots=True)
class ViewerSettings:
    """The validated settings a viewer reads."""

    # None when not set: the default location, which depends on the user's data folder
    # rather than on the settings, so it is found afresh (sources.default_database_url).
    database_url: str | None
    alerts: AlertRules = DEFAULT_ALERT_RULES


def default_cache_file() -> Path:
    import platformdirs

    cache_dir = Path(platformdirs.user_cache_dir("storywatch", appauthor=False))
    return cache_dir / "validated-settings.json"


def viewer_settings(
    sources: Sources, validate: Callable[[], ViewerSettings], cache_file: Path | None = None
) -> ViewerSettings:
    """The viewers' settings from ``sources``: as given, remembered (in ``cache_file``,
    by default the user's cache folder), or from ``validate`` (the full validation, which
    raises ConfigError for a bad setting), in that order."""
    plain = _nothing_to_validate(sources)
    if plain is not None:
        return plain
    cache_file = cache_file or default_cache_file()
    key = None
    try:
        key = _cache_key(sources)
        return _decode(_entries(cache_file)[key])
    except (KeyError, ValueError, OSError):
        # Not validated before; an entry that is not ours (replaced below); or a cache
        # file that cannot be read, or a file of this package (then nothing is written).
        pass
    settings = validate()
    if key is not None:
        _remember(cache_file, key, settings)
    return settings


def _nothing_to_validate(sources: Sources) -> ViewerSettings | None:
    """The settings when nothing is set but (maybe) a database URL that is text, as
    validation would have it; None when something must be validated."""
    merged = sources.merged
    if not merged:
        return ViewerSettings(None)
    database = merged.get("database")
    if list(merged) != ["database"] or not isinstance(database, dict):
        return None
    url = database.get("url")
    return ViewerSettings(url) if list(database) == ["url"] and isinstance(url, str) else None


def _cache_key(sources: Sources) -> str:
    """A digest of everything validation's verdict depends on: the settings as given and
    the code that validates them."""
    import hashlib  # not for the settings as given: OpenSSL takes 10 ms to load

    given = [sources.file_digest, sources.env, dict(sources.flags)]
    # ensure_ascii: environment values can hold lone surrogates (undecodable bytes).
    text = json.dumps(given, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(_validator_code() + text.encode("ascii")).hexdigest()


@cache
def _validator_code() -> bytes:
    """The release and the validator's own code: the rules live in this package (a
    development install changes them without a new release), but for the shift types
    alerts.types is checked against."""
    code = [f"{__version__} {SHIFT_TYPES}".encode()]
    code += [module.read_bytes() for module in sorted(Path(__file__).parent.glob("*.py"))]
    return b"\0".join(code)


def _entries(cache_file: Path) -> dict[str, Any]:
    """The remembered settings by key; none when the file is missing or not ours."""
    try:
        entries = json.loads(cache_file.read_bytes())
    except (FileNotFoundError, ValueError):  # none yet; or not JSON: rewritten on a miss
        return {}
    return entries if isinstance(entries, dict) else {}


def _remember(cache_file: Path, key: str, settings: ViewerSettings) -> None:
    """Add ``settings`` to the cache. It is written whole and then renamed into place, so
    starts running alongside read the old file or the new one; and readable by the user
    alone, as the database URL may carry a password."""
    import tempfile  # only on a miss: with shutil, 7 ms of a start

    try:
        entries = _entries(cache_file)
        entries.pop(key, None)
        entries[key] = asdict(settings)
        kept = dict(list(entries.items())[-MAX_ENTRIES:])
        cache_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, prefix=".validated-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                json.dump(kept, out, ensure_ascii=True)
            os.replace(temporary, cache_file)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a read-only or full disk: the next start validates again


def _decode(entry: object) -> ViewerSettings:
    """A remembered entry (asdict of ViewerSettings) back; ValueError if it is not one."""
    match entry:
        case {
            "database_url": str() | None as url,
            "alerts": {"base": base, "tags": dict() as tags, "stories": dict() as stories},
        }:
            return ViewerSettings(url, AlertRules(_rule(base), _rules(tags), _rules(stories)))
    raise ValueError("not remembered settings")


def _rules(entries: dict[str, object]) -> dict[str, Rule]:
    return {key: _rule(entry) for key, entry in entries.items()}


def _rule(entry: object) -> Rule:
    match entry:
        case {
            "min_significance": float() as threshold,
            "types": list() as types,
            "watch_terms": list() as terms,
        } if all(isinstance(text, str) for text in [*types, *terms]):
            return Rule(threshold, tuple(types), tuple(terms))
    raise ValueError("not a remembered alert rule")
