"""The change report through the real CLI: `check` shows each change once, every message
says what was asked and what exists, tables fit the terminal, and every --help ends with
real examples."""

from __future__ import annotations

import shlex
import warnings
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from storywatch.cli import COMMANDS, cli
from storywatch.storage import Store
from tests.support.cli import run_cli
from tests.support.history import run_viewer, utc_local_time
from tests.support.pages import seed_html
from tests.support.pipeline import build_seed_database, pipeline_settings
from tests.support.server import PageServer

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)
LONG_NAME = "A very long story name that would wrap over eight lines at eighty columns " * 2


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed story checked three times through the pipeline, plus a long-named story."""
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'sw.db'}"
    store = Store.open(url)
    with PageServer() as server:
        build_seed_database(store, server, pipeline_settings(url))
    store.add_story("https://news.example/long", name=LONG_NAME)
    store.close()
    yield url


def _error(result: object, message: str) -> None:
    code, stderr = result.code, result.stderr  # type: ignore[attr-defined]
    assert code == 2, (code, result.stdout, stderr)  # type: ignore[attr-defined]
    assert stderr == f"storywatch: error: {message}\n", stderr


def test_check_shows_each_change_once(tmp_path: Path, page_server: PageServer) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'sw.db'}", "--allow-private"]
    page_server.set("/deal", seed_html("us-russia-deal-v1"), etag='"1"')
    run_cli(*db, "add", page_server.url("/deal"), "--name", "Deal talks")
    assert run_cli(*db, "check", "1", "--now").code == 0
    page_server.set("/deal", seed_html("us-russia-deal-v3"), etag='"3"')
    checked = run_cli(*db, "check", "1", "--now")  # the default console channel delivers the alert
    assert checked.code == 0, checked.stderr
    out = checked.stdout
    for once in (
        "according to [-Bloomberg sources-]{+Reuters+}.",
        "attribution: Bloomberg sources → Reuters  0.65",
        "phone conversations since February",
        "claim added: “European leaders will hold",
        "Yuri Ushakov → Dmitry Peskov",
    ):
        assert out.count(once) == 1, (once, out)
    # The shift below the 0.30 threshold is there, saying why it did not alert.
    assert "entity: Yuri Ushakov → Dmitry Peskov  0.24, no alert: below 0.30" in out
    assert "alerts: sent 1" in out
    [alert] = run_cli(*db, "alerts", "--json").json()
    assert (alert["channel"], alert["status"]) == ("console", "sent")
    assert alert["summary"] == "negation: has not been → has been (+7 more)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("diff", "1", "7"), "no version 7: story 1 has versions 1\u20133 (-1 is the latest)"),
        (
            ("diff", "1", "1"),
            "version 1 is the first: there is nothing before it to compare (story 1 has"
            " versions 1\u20133 (-1 is the latest)); give two versions, e.g. 1 2",
        ),
        (
            ("diff", "1", "3", "-1"),
            "version 3 compared with itself: there is nothing to show; give two different"
            " versions (story 1 has versions 1\u20133 (-1 is the latest))",
        ),
        (("show", "1", "-4"), "no version -4: story 1 has versions 1\u20133 (-1 is the latest)"),
        (("show", "1", "0"), "no version 0: story 1 has versions 1\u20133 (-1 is the latest)"),
        (
            ("diff", "2"),
            "nothing to compare yet: story 2 has no versions yet (run `storywatch check 2`)",
        ),
    ],
)
def test_a_version_that_does_not_exist_names_those_that_do(
    seed_db: str, args: tuple[str, ...], message: str
) -> None:
    _error(run_viewer(seed_db, *args), message)


def test_negative_version_numbers_count_back_from_the_latest(seed_db: str) -> None:
    latest = run_viewer(seed_db, "show", "1", "-1", "--json")
    assert latest.code == 0, latest.stderr
    assert latest.json()["number"] == 3
    assert run_viewer(seed_db, "show", "1", "-3", "--json").json()["number"] == 1
    between = run_viewer(seed_db, "diff", "1", "-3", "-1", "--json").json()
    assert (between["old_version"], between["new_version"]) == (1, 3)
    one = run_viewer(seed_db, "diff", "1", "-1", "--json").json()  # N-1 against N
    assert (one["old_version"], one["new_version"]) == (2, 3)


def test_an_empty_filter_says_what_it_filtered(seed_db: str, tmp_path: Path) -> None:
    failing = run_viewer(seed_db, "list", "--status", "failing")
    assert failing.stdout == "no story is failing (2 tracked)\n"
    archived = run_viewer(seed_db, "list", "--status", "archived")
    assert archived.stdout == "no story is archived (2 tracked)\n"
    empty = run_cli("--db", f"sqlite:///{tmp_path / 'empty.db'}", "list")
    assert empty.stdout == "no stories tracked yet: storywatch add URL\n"
    log = run_viewer(seed_db, "log", "--type", "negation", "--story", "2")
    assert (
        log.stdout == "no material change of type negation in story 2 (2 in all: storywatch log)\n"
    )
    dead = run_viewer(seed_db, "alerts", "--failed")
    assert dead.stdout == "no alert has failed (2 in the outbox)\n"


def test_tables_fit_80_columns_and_cut_long_names(seed_db: str) -> None:
    listing = run_viewer(seed_db, "list", env={"COLUMNS": "80"})
    lines = listing.stdout.splitlines()
    assert len(lines) == 3 and all(len(line) <= 80 for line in lines), lines
    assert lines[2].startswith("2   A very long story n") and "…" in lines[2]
    assert lines[2].split()[-5:] == ["active", "0", "auto", "-", "-"]  # the rest stay whole
    alerts = run_viewer(seed_db, "alerts", env={"COLUMNS": "80"}).stdout.splitlines()
    assert len(alerts) == 3 and all(len(line) <= 80 for line in alerts), alerts


# -- --help examples --------------------------------------------------------------------------


def _commands() -> Iterator[tuple[str, click.Command]]:
    yield "storywatch", cli
    context = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(context, name)
        assert command is not None
        yield f"storywatch {name}", command
        if isinstance(command, click.Group):
            for sub, subcommand in command.commands.items():
                yield f"storywatch {name} {sub}", subcommand


@pytest.mark.parametrize(("path", "command"), list(_commands()), ids=lambda value: str(value))
def test_every_help_ends_with_real_examples(path: str, command: click.Command) -> None:
    shown = run_cli(*path.split()[1:], "--help")
    assert shown.code == 0, shown.stderr
    tail = shown.stdout.rstrip("\n").split("\n\n")[-1].splitlines()
    assert tail[0] == "  Examples:", shown.stdout
    examples = [line.strip() for line in tail[1:]]
    assert 1 <= len(examples) <= 3
    for example in examples:
        argv = _storywatch_words(example)
        # Each example parses, options and arguments, down to a command of this help.
        with cli.make_context("storywatch", argv[1:], resilient_parsing=False) as context:
            chain = _parse_to_the_end(context)
        assert command in chain, example


def _storywatch_words(example: str) -> list[str]:
    """The words of the storywatch command in an example's pipeline, without comments or
    a redirection."""
    lexer = shlex.shlex(example, posix=True, punctuation_chars="|>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    stages: list[list[str]] = [[]]
    for word in lexer:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    [stage] = [stage for stage in stages if stage and stage[0] == "storywatch"]
    return stage[: stage.index(">")] if ">" in stage else stage


def _parse_to_the_end(context: click.Context) -> list[click.Command]:
    """Parse down to the command an example names, as click would run it; the commands on
    the way."""
    chain = [context.command]
    while isinstance(context.command, click.Group):
        # Until click 9 the words after a group's options are split in two lists, one of
        # them deprecated; click itself still reads both.
        with warnings.catch_warnings(action="ignore", category=DeprecationWarning):
            rest = [*context.protected_args, *context.args]
        if not rest:
            break
        sub = context.command.get_command(context, rest[0])
        assert sub is not None, rest[0]
        context = sub.make_context(rest[0], rest[1:], parent=context)
        chain.append(sub)
    return chain
