"""Settings: file, environment and overrides, with one-line errors naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storywatch.config import load_settings, parse_duration
from storywatch.errors import ConfigError


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
