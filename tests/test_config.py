"""Settings: file, environment and overrides, with one-line errors naming the key."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from storywatch.config import load_settings, parse_duration
from storywatch.config.settings import Settings, validate
from storywatch.config.sources import DEFAULT_ALERT_RULES, Rule, Sources, gather
from storywatch.config.validated import MAX_ENTRIES, ViewerSettings, viewer_settings
from storywatch.diff.model import SHIFT_TYPES
from storywatch.errors import ConfigError
from tests.support.fuzz import fuzz_settings, toml_documents, toml_text


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "storywatch.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[database]\nurl = "sqlite:///file.db"\n[fetch]\ntimeout = "30s"\n'
        '[schedule]\ndefault_interval = "15m"\n',
    )
    settings = load_settings(path, environ={})
    assert settings.database.url == "sqlite:///file.db"
    assert settings.fetch.timeout == 30.0 and settings.schedule.default_interval == 900.0
    environ = {"STORYWATCH_DB": "sqlite:///env.db", "STORYWATCH_FETCH__TIMEOUT": "5"}
    settings = load_settings(path, environ=environ)
    assert settings.database.url == "sqlite:///env.db" and settings.fetch.timeout == 5.0
    settings = load_settings(
        path, environ=environ, overrides={"database": {"url": "sqlite:///flag.db"}}
    )
    assert settings.database.url == "sqlite:///flag.db"


def test_list_values_from_the_environment() -> None:
    settings = load_settings(environ={"STORYWATCH_ALERTS__CHANNELS": "console,webhook"})
    assert settings.alerts.channels == ["console", "webhook"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[fetch]\ntimeout = "soon"\n', "'fetch.timeout'.*not a duration"),
        ("[fetch]\ntimeot = 3\n", "'fetch.timeot'.*unknown key"),
        ('[databse]\nurl = "x"\n', "'databse'.*unknown key"),
        ("[fetch]\nmax_bytes = -1\n", "'fetch.max_bytes'.*greater than 0"),
        ("[fetch\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(_write(tmp_path, body), environ={})
    assert "\n" not in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_default_database_is_a_sqlite_file_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = load_settings(environ={}).database.url
    assert url == f"sqlite:///{tmp_path / 'data' / 'storywatch' / 'storywatch.db'}"


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1.5d", 129600)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("15 minutes")


def test_error_names_the_source_of_the_bad_value(tmp_path: Path) -> None:
    path = _write(tmp_path, '[fetch]\ntimeout = "30s"\n')
    with pytest.raises(
        ConfigError, match=re.escape("'fetch.timeout' in the STORYWATCH_* environment")
    ):
        load_settings(path, environ={"STORYWATCH_FETCH__TIMEOUT": "abc"})
    with pytest.raises(
        ConfigError, match=re.escape("'fetch.max_bytes' in the command-line options")
    ):
        load_settings(path, environ={}, overrides={"fetch": {"max_bytes": 0}})
    with pytest.raises(ConfigError, match=re.escape(f"'fetch.timeout' in {path}")):
        load_settings(_write(tmp_path, '[fetch]\ntimeout = "x"\n'), environ={})


# -- the viewers' settings (config/validated.py): the same verdict as validation, faster ------


def _viewer_settings(
    path: Path | None,
    cache: Path,
    environ: dict[str, str] | None = None,
    flags: dict[str, Any] | None = None,
) -> tuple[ViewerSettings | str, int]:
    """What a viewer gets from these sources (the settings, or the error line it prints),
    and how many times it ran the full validation for them."""
    validations = []

    def validated(sources: Sources) -> Callable[[], ViewerSettings]:
        def run() -> ViewerSettings:
            validations.append(sources)
            return validate(sources).for_viewers()

        return run

    try:
        sources = gather(path, overrides=flags, environ=environ or {})
        return viewer_settings(sources, validated(sources), cache), len(validations)
    except ConfigError as exc:
        return str(exc), len(validations)


def _validated(
    path: Path | None, environ: dict[str, str] | None = None, flags: dict[str, Any] | None = None
) -> ViewerSettings | str:
    try:
        return load_settings(path, environ=environ or {}, overrides=flags).for_viewers()
    except ConfigError as exc:
        return str(exc)


# Mostly good values, so that most documents pass and their rules are compared; and now
# and then a bad one, so that the refusals are compared too.
_fractions = st.one_of(
    st.floats(min_value=0, max_value=1),
    st.sampled_from([0, 1, "0.5", -0.1, 1.5, "x", True, [0.5]]),
)
_types = st.one_of(
    st.lists(st.sampled_from(SHIFT_TYPES), min_size=1, max_size=4),
    st.lists(st.sampled_from([*SHIFT_TYPES, "bogus"]), min_size=1, max_size=4),
)
_terms = st.one_of(
    st.lists(st.sampled_from(["Crimea", " tariff ", "", "ceasefire", "Kherson"]), min_size=1),
    st.just([3]),
)
_rules = st.fixed_dictionaries(
    {}, optional={"min_significance": _fractions, "types": _types, "watch_terms": _terms}
)


@st.composite
def alert_documents(draw: st.DrawFn) -> str:
    """A config file as the viewers read it: alert rules, with global, tag and story
    overrides, beside a database URL and other settings, any of them maybe bad."""
    tables: dict[tuple[str, ...], dict[str, Any]] = {("alerts",): draw(_rules)}
    for tag in draw(st.lists(st.sampled_from(["politics", "war", "über"]), unique=True)):
        tables[("alerts", "tags", tag)] = draw(_rules)
    for url in draw(st.lists(st.sampled_from(["https://a.example/1", "b"]), unique=True)):
        tables[("alerts", "stories", url)] = draw(_rules)
    others = {
        ("database",): st.fixed_dictionaries({"url": st.sampled_from(["sqlite:///a.db", 5])}),
        ("fetch",): st.fixed_dictionaries({"timeout": st.sampled_from(["20s", "9m", "soon"])}),
        ("schedule",): st.fixed_dictionaries({"min_interval": st.sampled_from(["1m", "2d"])}),
        ("serve",): st.fixed_dictionaries({"prot": st.just(8080)}),  # not a key
    }
    for table in draw(st.lists(st.sampled_from(sorted(others)), unique=True)):
        tables[table] = draw(others[table])
    return toml_text(tables)


_environments = st.fixed_dictionaries(
    {},
    optional={
        "STORYWATCH_ALERTS__MIN_SIGNIFICANCE": st.sampled_from(["0.7", "0.7", "2"]),
        "STORYWATCH_ALERTS__TYPES": st.sampled_from(["number,date", "number,date", "quote"]),
        "STORYWATCH_DB": st.just("sqlite:///env.db"),
    },
)
_flags = st.sampled_from([{}, {"database": {"url": "sqlite:///flag.db"}}])
# Every kind of rule, each override setting some keys and keeping the others.
RULES = """\
[database]
url = "postgresql://reader:secret@db.internal/storywatch"
[alerts]
min_significance = 0.45
types = ["number", "date", "quote", "negation"]
watch_terms = [" Crimea ", "", "tariff"]
[alerts.tags.war]
watch_terms = ["Kherson", "Zaporizhzhia"]
[alerts.tags."über"]
min_significance = 1
[alerts.stories."https://news.example/world/deal"]
types = ["quote", "claim_added"]
min_significance = 0
"""


@fuzz_settings(120)
@given(st.one_of(alert_documents(), alert_documents(), toml_documents()), _environments, _flags)
@example(RULES, {}, {})
@example(RULES, {"STORYWATCH_ALERTS__MIN_SIGNIFICANCE": "0.7"}, {})
def test_the_viewers_get_what_validation_gives(
    document: str, environ: dict[str, str], flags: dict[str, Any]
) -> None:
    """Run after run, a viewer gets the validated settings, or the very error validation
    gives (the same key, the same source): only the first run of good settings validates."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "storywatch.toml"
        path.write_text(document, encoding="utf-8")
        expected = _validated(path, environ, flags)
        cache = Path(folder) / "cache.json"
        first, _ = _viewer_settings(path, cache, environ, flags)
        again, validations = _viewer_settings(path, cache, environ, flags)
        assert first == expected and again == expected
        if not isinstance(expected, str):
            assert validations == 0
        event("refused" if isinstance(expected, str) else "validated, then remembered")


def test_nothing_configured_is_the_validated_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing set but a URL, the viewers take the defaults pydantic would give,
    without validating or remembering anything."""
    monkeypatch.chdir(tmp_path)
    assert Settings().alerts.rules == DEFAULT_ALERT_RULES
    assert Settings().for_viewers() == ViewerSettings(None, DEFAULT_ALERT_RULES)
    cache = tmp_path / "cache.json"
    assert _viewer_settings(None, cache) == (ViewerSettings(None), 0)
    flags = {"database": {"url": "sqlite:///x.db"}}
    assert _viewer_settings(None, cache, flags=flags) == (ViewerSettings("sqlite:///x.db"), 0)
    environ = {"STORYWATCH_DB": "sqlite:///y.db"}
    assert _viewer_settings(None, cache, environ) == (ViewerSettings("sqlite:///y.db"), 0)
    # Anything else set, or a URL that is not text, goes through the validator.
    environ = {"STORYWATCH_DB": "a,b"}  # a list
    assert _viewer_settings(None, cache, environ) == (_validated(None, environ), 1)
    assert "'database.url'" in str(_validated(None, environ))
    assert not cache.exists()
    url_only = _write(tmp_path, '[database]\nurl = "sqlite:///z.db"\n')  # ./storywatch.toml
    assert _viewer_settings(None, cache) == (ViewerSettings("sqlite:///z.db"), 0)
    url_only.write_text('[database]\nurl = "sqlite:///z.db"\nstore_html = true\n')
    assert _viewer_settings(None, cache) == (ViewerSettings("sqlite:///z.db"), 1)


def test_tag_and_story_rules_override_only_the_keys_they_set(tmp_path: Path) -> None:
    rules = load_settings(_write(tmp_path, RULES), environ={}).alerts.rules
    base = Rule(0.45, ("number", "date", "quote", "negation"), ("Crimea", "tariff"))
    assert rules.base == base
    assert rules.tags == {
        "war": Rule(0.45, base.types, ("Kherson", "Zaporizhzhia")),
        "über": Rule(1.0, base.types, base.watch_terms),
    }
    assert rules.stories == {
        "https://news.example/world/deal": Rule(0.0, ("quote", "claim_added"), base.watch_terms)
    }


GOOD = "[alerts]\nmin_significance = 0.5\n"


@pytest.mark.parametrize(
    ("body", "environ", "flags", "key"),
    [
        ("[alerts]\nmin_significance = 5\n", {}, {}, "'alerts.min_significance' in"),
        (GOOD + "[fetch]\ntimeout = 'soon'\n", {}, {}, "'fetch.timeout' in"),
        (GOOD + "[fetch]\ntimeot = 3\n", {}, {}, "'fetch.timeot' in"),
        (GOOD + "[alerts.tags.war]\ntypes = ['rumour']\n", {}, {}, "'alerts.tags.war.types'"),
        (GOOD, {"STORYWATCH_ALERTS__TYPES": "number,bogus"}, {}, "STORYWATCH_* environment"),
        (GOOD, {"STORYWATCH_SCHEDULE__TICK": "0"}, {}, "'schedule.tick' in the STORYWATCH_*"),
        (GOOD, {}, {"fetch": {"allow_private": "perhaps"}}, "the command-line options"),
    ],
)
def test_settings_validated_before_do_not_let_a_change_through(
    tmp_path: Path, body: str, environ: dict[str, str], flags: dict[str, Any], key: str
) -> None:
    """Good settings remembered, then one of them changed for a bad one, in the file, the
    environment or the flags: refused as validation refuses it, every time."""
    path = _write(tmp_path, GOOD)
    cache = tmp_path / "cache.json"
    good = _viewer_settings(path, cache)
    assert good == (_validated(path), 1) and _viewer_settings(path, cache) == (good[0], 0)
    path.write_text(body, encoding="utf-8")
    refused = _validated(path, environ, flags)
    assert isinstance(refused, str) and key in refused
    for _ in range(2):
        assert _viewer_settings(path, cache, environ, flags) == (refused, 1)
    path.write_text(GOOD, encoding="utf-8")
    assert _viewer_settings(path, cache) == (good[0], 0)  # still remembered


def test_a_cache_that_is_not_ours_is_validated_again_and_replaced(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    cache = tmp_path / "cache.json"
    expected = _validated(path)
    for junk in ("not json", "[]", '{"key": 1}'):
        cache.write_text(junk)
        assert _viewer_settings(path, cache) == (expected, 1)
        assert _viewer_settings(path, cache) == (expected, 0)
    # An entry of the right key but the wrong shape (a threshold that is text).
    cache.unlink()
    _viewer_settings(path, cache)
    entries = json.loads(cache.read_text())
    [entry] = entries.values()
    entry["alerts"]["base"]["min_significance"] = "0.5"
    cache.write_text(json.dumps(entries))
    assert _viewer_settings(path, cache) == (expected, 1)
    assert _viewer_settings(path, cache) == (expected, 0)
    assert cache.stat().st_mode & 0o777 == 0o600  # the database URL may hold a password


def test_a_cache_that_cannot_be_written_costs_a_validation_each_time(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    blocked = tmp_path / "a file"
    blocked.write_text("")
    cache = blocked / "cache.json"  # its folder is a file
    for _ in range(2):
        assert _viewer_settings(path, cache) == (_validated(path), 1)


def test_the_cache_keeps_the_latest_settings_only(tmp_path: Path) -> None:
    path = tmp_path / "storywatch.toml"
    cache = tmp_path / "cache.json"
    thresholds = [round(0.01 * n, 2) for n in range(MAX_ENTRIES + 1)]
    for threshold in thresholds:
        path.write_text(f"[alerts]\nmin_significance = {threshold}\n")
        _viewer_settings(path, cache)
    assert len(json.loads(cache.read_text())) == MAX_ENTRIES
    assert _viewer_settings(path, cache)[1] == 0  # the latest: remembered
    path.write_text(f"[alerts]\nmin_significance = {thresholds[0]}\n")
    assert _viewer_settings(path, cache)[1] == 1  # the first: forgotten
