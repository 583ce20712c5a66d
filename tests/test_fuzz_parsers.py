"""Fuzzing what users type: durations, config files, the environment, command-line numbers
and ids, and the files given to `compare` (issue 13).

Pass means: a value is taken, within its range, or refused with one line naming where it
came from (exit 2 on the command line); never another exception, never a traceback. The
example counts and `make fuzz` are explained in tests/support/fuzz.py.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from storywatch.cli import cli
from storywatch.config import Settings, format_duration, load_settings, parse_duration
from storywatch.config.durations import MAX_DURATION
from storywatch.errors import ConfigError
from storywatch.storage import Store, utcnow
from tests.support.alerts import T0, queue_alerts
from tests.support.cli import Result
from tests.support.fuzz import (
    SETTING_KEYS,
    article_texts,
    fuzz_settings,
    hostile_files,
    toml_documents,
    toml_values,
    typed_numbers,
    undecodable,
)

pytestmark = pytest.mark.fuzz


# -- durations ---------------------------------------------------------------------------------

anything = st.one_of(typed_numbers, toml_values, st.integers(), st.floats(), st.binary())


@fuzz_settings(300)
@given(anything, st.floats(min_value=1, max_value=MAX_DURATION), st.booleans())
def test_a_duration_is_in_range_or_a_one_line_value_error(
    value: object, maximum: float, positive: bool
) -> None:
    try:
        seconds = parse_duration(value, maximum=maximum, positive=positive)
    except ValueError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 200, message
        return
    assert 0 <= seconds <= maximum and (seconds > 0 or not positive)
    now = utcnow()  # the arithmetic every caller does with a duration cannot overflow
    assert now - timedelta(seconds=seconds) <= now + timedelta(seconds=seconds)


@fuzz_settings(200)
@given(st.integers(min_value=0, max_value=int(MAX_DURATION)))
def test_a_formatted_duration_parses_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


# -- the settings loader -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("configs")


def _assert_sane(settings: Settings) -> None:
    """What a loaded configuration promises the code that uses it."""

    def numbers(node: Any) -> Iterator[float]:
        if isinstance(node, dict):
            for item in node.values():
                yield from numbers(item)
        elif isinstance(node, list):
            for item in node:
                yield from numbers(item)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            yield node

    for number in numbers(settings.model_dump()):
        assert math.isfinite(number) and -(2**63) <= number <= 2**63 - 1
        if isinstance(number, float):  # durations (and fractions): date arithmetic is safe
            assert 0 <= number <= MAX_DURATION
    schedule = settings.schedule
    assert 0 < schedule.min_interval <= schedule.max_interval and schedule.tick > 0
    assert 0 < settings.fetch.timeout <= 3600 and 0 < settings.channels.email.timeout <= 3600


def _load(path: Path, environ: dict[str, str]) -> None:
    try:
        settings = load_settings(path, environ=environ)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 500, message
        assert str(path) in message or "STORYWATCH_" in message, message
        event("refused")  # --hypothesis-show-statistics: how much was taken, how much not
    else:
        _assert_sane(settings)
        event("loaded")


@fuzz_settings(150)
@given(toml_documents())
def test_any_toml_document_loads_or_is_one_line(config_dir: Path, document: str) -> None:
    path = config_dir / "doc.toml"
    path.write_text(document, encoding="utf-8")
    _load(path, {})


@fuzz_settings(50)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_file_loads_or_is_one_line(config_dir: Path, content: bytes) -> None:
    path = config_dir / "raw.toml"
    path.write_bytes(content)
    _load(path, {})


@fuzz_settings(80)
@given(
    st.dictionaries(
        st.sampled_from(SETTING_KEYS).map(lambda key: "STORYWATCH_" + "__".join(key).upper()),
        st.one_of(typed_numbers, st.text(max_size=20)),
        max_size=4,
    )
)
def test_any_environment_loads_or_is_one_line(config_dir: Path, environ: dict[str, str]) -> None:
    path = config_dir / "empty.toml"
    path.write_text("", encoding="utf-8")
    _load(path, environ)


# -- numbers, durations and ids on the command line ---------------------------------------------


@pytest.fixture(scope="module")
def cli_base(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Global options for a database holding a story with two versions and alerts."""
    directory = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{directory / 'sw.db'}"
    store = Store.open(url)
    settings = load_settings(None, environ={})
    queue_alerts(store, settings.alerts)
    queue_alerts(store, settings.alerts, at=T0 + timedelta(hours=1))
    store.close()
    config = directory / "storywatch.toml"
    config.write_text("", encoding="utf-8")
    return ["--config", str(config), "--db", url, "--allow-private"]


_URLS = itertools.count()
# Each takes one typed value, V, where a user would type a number, duration or story id.
_COMMANDS: list[tuple[str, ...]] = [
    ("add", "http://127.0.0.1/story-{n}", "--interval=V"),
    ("add-feed", "http://127.0.0.1/feed-{n}", "--interval=V"),
    ("log", "--since=V"),
    ("log", "--limit=V"),
    ("log", "--min-significance=V"),
    ("log", "--type=V"),
    ("alerts", "--limit=V"),
    ("alerts", "--story=V"),
    ("alerts", "retry", "--", "V"),
    ("notify", "deliver", "--limit=V"),
    ("show", "--", "V"),
    ("show", "1", "--", "V"),
    ("history", "--", "V"),
    ("claims", "--", "V"),
    ("diff", "1", "--", "V"),
    ("diff", "1", "1", "--", "V"),
    ("diff", "--context=V", "1"),
    ("search", "--story=V", "killed"),
    ("search", "--", "V"),
    ("export", "--format=md", "--", "V"),
    ("remove-feed", "--", "V"),
]


def _invoke(args: list[str]) -> Result:
    done = CliRunner().invoke(cli, args, env={"STORYWATCH_CONFIG": None, "STORYWATCH_DB": None})
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


def assert_clean_exit(result: Result) -> None:
    event(f"exit {result.code}")
    assert result.code in (0, 2), (result.code, result.stderr)
    if result.code == 2:
        assert result.stderr.startswith("storywatch: error: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@fuzz_settings(120)
@given(st.sampled_from(_COMMANDS), st.one_of(typed_numbers, undecodable))
def test_typed_numbers_and_ids_exit_0_or_one_line(
    cli_base: list[str], command: tuple[str, ...], value: str
) -> None:
    n = next(_URLS)
    args = [part.replace("{n}", str(n)).replace("V", value) for part in command]
    assert_clean_exit(_invoke([*cli_base, *args]))


# -- compare ------------------------------------------------------------------------------------


@st.composite
def file_pairs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    old = draw(hostile_files())
    if draw(st.booleans()):
        return old, draw(hostile_files())
    # An edit of the same text: the common case, where both diffs have work to do.
    text = old.decode("utf-8", "replace")
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    return old, (text[:cut] + draw(article_texts(max_words=30)) + text[cut:]).encode()


@fuzz_settings(40)
@given(file_pairs(), st.sampled_from([".txt", ".html"]), st.booleans())
def test_compare_any_pair_of_files(
    config_dir: Path, pair: tuple[bytes, bytes], suffix: str, as_json: bool
) -> None:
    old, new = config_dir / f"old{suffix}", config_dir / f"new{suffix}"
    old.write_bytes(pair[0])
    new.write_bytes(pair[1])
    result = _invoke(["compare", str(old), str(new), *(["--json"] if as_json else [])])
    assert_clean_exit(result)
    if result.code == 0 and as_json:
        assert set(json.loads(result.stdout)) == {
            "material",
            "significance",
            "headline",
            "shifts",
            "text_diff",
            "rewritten",
        }
