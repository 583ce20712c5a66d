"""Every number, duration and id a user gives has a range (issue 13, defects 5, 6 and 7).

Out of range, or of the wrong type, is one line on stderr naming the option or the config
key and what it accepts, with exit status 2: never a traceback, and never a value taken
that a later check, listing or delivery then overflows on. Through the real CLI: in a
subprocess for each defect as reported, in this process (click's runner) for the many
variants, where a subprocess would add only its start-up time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from storywatch.cli import cli
from storywatch.config.durations import MAX_DURATION, format_duration, parse_duration
from storywatch.errors import NotFoundError
from storywatch.storage import Store
from tests.support.cli import Result, run_cli
from tests.support.pages import seed_html
from tests.support.server import PageServer

HUGE_ID = "99999999999999999999999999"


def _one_line_error(result: Result, *fragments: str) -> None:
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def invoke(*args: str) -> Result:
    done = CliRunner().invoke(cli, list(args))
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    monkeypatch.chdir(tmp_path)  # no ./storywatch.toml but the test's own
    for name in [name for name in os.environ if name.startswith("STORYWATCH_")]:
        monkeypatch.delenv(name)
    return ("--db", f"sqlite:///{tmp_path / 'sw.db'}", "--allow-private")


# -- defect 5: durations and limits ----------------------------------------------------------


def test_interval_beyond_ten_years_is_refused_and_the_longest_one_checks(
    db: tuple[str, ...], page_server: PageServer
) -> None:
    page_server.set("/a", seed_html("us-russia-deal-v1"))
    url = page_server.url("/a")
    # Was accepted, and then every `check 1` died: OverflowError: date value out of range.
    _one_line_error(run_cli(*db, "add", url, "--interval", "3000000d"), "--interval", "3650d")
    _one_line_error(run_cli(*db, "add", url, "--interval", "0"), "--interval", "more than 0s")
    assert run_cli(*db, "add", url, "--interval", "3650d").code == 0
    checked = run_cli(*db, "check", "1", "--now")
    assert checked.code == 0 and "stored version 1" in checked.stdout, checked.stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("log", "--since", "3000000d"), ("--since", "3650d")),
        (("add-feed", "http://127.0.0.1/f", "--interval", "3000000d"), ("--interval", "3650d")),
        (("run", "--once", "--grace", "2h"), ("--grace", "at most 1h")),
        (("alerts", "--limit", "99999999999999999999"), ("--limit", "1<=x<=10000")),
        (("notify", "deliver", "--limit", "99999999999999999999"), ("--limit", "1<=x<=10000")),
        (("log", "--limit", "0"), ("--limit", "1<=x<=10000")),
        (("log", "--min-significance", "nan"), ("--min-significance", "from 0 to 1")),
        (("compare", "--context=-1", "a", "b"), ("--context", "0<=x<=1000")),
    ],
)
def test_duration_and_count_options_out_of_range(
    db: tuple[str, ...], args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    _one_line_error(invoke(*db, *args), *fragments)


def test_limit_as_reported(db: tuple[str, ...]) -> None:
    _one_line_error(run_cli(*db, "alerts", "--limit", "99999999999999999999"), "--limit")


# -- defect 7: ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", HUGE_ID),
        ("remove", HUGE_ID),
        ("check", HUGE_ID),
        ("claims", HUGE_ID),
        ("search", "words", "--story", HUGE_ID),
        ("alerts", "--story", HUGE_ID),
        ("show", "1", HUGE_ID),
        ("alerts", "retry", HUGE_ID),
        ("remove-feed", HUGE_ID),
    ],
)
def test_huge_ids_name_the_range(db: tuple[str, ...], args: tuple[str, ...]) -> None:
    _one_line_error(invoke(*db, *args), "1", "2147483647")


def test_huge_id_as_reported(db: tuple[str, ...]) -> None:
    _one_line_error(run_cli(*db, "show", HUGE_ID), "story id", "2147483647")


def test_a_superscript_digit_is_not_an_id(db: tuple[str, ...]) -> None:
    # str.isdigit() takes "²", int() does not: ValueError in the repository.
    _one_line_error(invoke(*db, "show", "²"), "no story matches '²'")


def test_repository_refuses_ids_no_row_can_have(store: Store) -> None:
    for ref in (HUGE_ID, "2147483648", "9" * 5000):
        with pytest.raises(NotFoundError, match="no story with id"):
            store.resolve_story(ref)
    with pytest.raises(NotFoundError, match=r"no story with id 2147483647$"):
        store.resolve_story("2147483647")


# -- found by the fuzz tests ------------------------------------------------------------------


def test_bytes_that_are_not_utf8_in_argv(db: tuple[str, ...]) -> None:
    # Python hands them over as lone surrogates, which SQLite could not encode: a traceback.
    _one_line_error(run_cli(*db, "show", "\udcff"), "STORY_REF", "not valid UTF-8")
    for args in (
        ("add", "http://127.0.0.1/\udcff"),
        ("add", "http://127.0.0.1/", "--tag", "\udcff"),
    ):
        _one_line_error(invoke(*db, *args), "not valid UTF-8")


def test_a_line_break_in_a_quoted_value_keeps_the_error_on_one_line(db: tuple[str, ...]) -> None:
    _one_line_error(invoke(*db, "log", "--type", "a\nb"), "unknown shift type")


@pytest.mark.parametrize(("seconds", "text"), [(1_000_000, "1000000s"), (1.5, "1.5s"), (90, "90s")])
def test_a_formatted_duration_reads_back(seconds: float, text: str) -> None:
    # format_duration gave "1e+06s", which parse_duration (rightly) refuses.
    assert parse_duration(format_duration(seconds)) == seconds and format_duration(seconds) == text


def test_an_endless_config_file_is_refused(db: tuple[str, ...]) -> None:
    _one_line_error(invoke("--config", "/dev/zero", *db, "list"), "larger than 1,000,000 bytes")


# -- defects 5 and 6: the config file --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ("[schedule]\ntick = []\n", ("'schedule.tick'", "not a duration")),
        ("[schedule]\ntick = {}\n", ("'schedule.tick'", "not a duration")),
        ("[schedule]\ntick = 1979-05-27T07:32:00Z\n", ("'schedule.tick'", "not a duration")),
        ("[schedule]\ntick = nan\n", ("'schedule.tick'", "not a duration")),
        ("[schedule]\ntick = inf\n", ("'schedule.tick'", "at most 3650d")),
        ('[schedule]\ndefault_interval = "3000000d"\n', ("'schedule.default_interval'", "3650d")),
        ("[channels.email]\ntimeout = 0\n", ("'channels.email.timeout'", "more than 0s")),
        ('[fetch]\ntimeout = "2h"\n', ("'fetch.timeout'", "at most 1h")),
        ("[channels.email]\nport = 70000\n", ("'channels.email.port'", "65535")),
        ("[alerts]\nretry_base = 0\n", ("'alerts.retry_base'", "more than 0s")),
        ("[schedule]\nbatch_size = 9223372036854775807\n", ("'schedule.batch_size'", "10000")),
        (
            '[schedule]\nmin_interval = "1d"\nmax_interval = "1h"\n',
            ("schedule.min_interval (1d)", "schedule.max_interval (1h)"),
        ),
        # Sent as a header: non-ASCII failed every request as it was built (UnicodeEncodeError).
        ('[fetch]\nuser_agent = "café"\n', ("'fetch.user_agent'", "printable ASCII")),
        ('[fetch]\nuser_agent = "a\\nb"\n', ("'fetch.user_agent'", "printable ASCII")),
        ("[schedule]\ntick = " + "[" * 5000 + "]" * 5000 + "\n", ("too deeply",)),
    ],
)
def test_bad_config_values_are_one_line_naming_file_and_key(
    db: tuple[str, ...], tmp_path: Path, body: str, fragments: tuple[str, ...]
) -> None:
    config = tmp_path / "storywatch.toml"
    config.write_text(body, encoding="utf-8")
    _one_line_error(invoke("--config", str(config), *db, "list"), str(config), *fragments)


def test_config_durations_as_reported(tmp_path: Path) -> None:
    config = tmp_path / "storywatch.toml"
    config.write_text("[schedule]\ntick = []\n", encoding="utf-8")
    _one_line_error(run_cli("--config", str(config), "list"), "schedule.tick")


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    config = tmp_path / "storywatch.toml"
    config.write_bytes(b'[fetch]\nuser_agent = "caf\xe9"\n')
    _one_line_error(run_cli("--config", str(config), "list"), str(config), "not UTF-8")


def test_email_timeout_zero_is_refused_before_any_mail(tmp_path: Path) -> None:
    # Was accepted, then `notify test email` died in smtplib: ValueError (non-blocking socket).
    config = tmp_path / "storywatch.toml"
    config.write_text(
        '[channels.email]\nhost = "127.0.0.1"\nport = 1\nrecipients = ["a@example.com"]\n'
        "timeout = 0\n",
        encoding="utf-8",
    )
    _one_line_error(
        run_cli("--config", str(config), "notify", "test", "email"), "channels.email.timeout"
    )


# -- the parser itself ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[], {}, None, True, float("nan"), b"1s", "1\u00b2s", "1\u017fs"])
def test_duration_of_a_wrong_type_is_a_value_error(value: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(value)


@pytest.mark.parametrize("value", [10**400, float("inf"), "9" * 400, "3651d", -1, "0"])
def test_duration_out_of_range(value: object) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_duration(value, positive=True)


def test_duration_bounds_are_inclusive() -> None:
    assert parse_duration("3650d") == MAX_DURATION
    assert parse_duration(0) == 0.0 and parse_duration("1H") == 3600.0
