"""The ``storywatch`` command: a thin layer over the library.

Every error a user can cause is a :class:`StorywatchError`; it is printed as one line on
stderr with exit status 2, and so is a usage error in a command's options and arguments.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from storywatch import __version__
from storywatch.cli.context import AppContext, examples
from storywatch.errors import StorywatchError

# name -> "module:attribute". Commands are imported when run, not at start-up: the
# extraction, semantic-diff and scheduler stacks would otherwise add a third of a second
# to every command, `list` and `history` included.
COMMANDS = {
    "init": "stories:init",
    "add": "stories:add",
    "list": "stories:list_stories",
    "remove": "stories:remove",
    "check": "check:check",
    "history": "views:history",
    "show": "views:show",
    "diff": "views:diff",
    "compare": "compare:compare",
    "extract": "extract:extract",
    "claims": "viewer:claims",
    "log": "viewer:log",
    "search": "viewer:search",
    "export": "viewer:export",
    "alerts": "alerts:alerts_group",
    "notify": "alerts:notify_group",
    "run": "daemon:run",
    "status": "daemon:status",
    "add-feed": "daemon:add_feed",
    "import": "importing:import_list",
    "feeds": "daemon:feeds",
    "remove-feed": "daemon:remove_feed",
    "serve": "serve:serve",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(f"storywatch.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorywatchError as exc:
            _fail(str(exc))
        except click.UsageError as exc:
            # A bad value or argument of a command: one line like every other user error,
            # not click's usage block. It names the option, and for a number the range.
            hint = f" (see `{exc.ctx.command_path} -h`)" if exc.ctx is not None else ""
            _fail(exc.format_message().rstrip(".") + hint)
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close()


def _fail(message: str) -> NoReturn:
    # One line even when the message quotes a value with line breaks in it (from argv, a
    # file or a web page).
    click.echo("storywatch: error: " + " ".join(message.splitlines()), err=True)
    sys.exit(2)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        'storywatch add https://example.com/news/story --name "Deal talks"',
        "storywatch check",
        "storywatch diff 1",
    ),
)
@click.version_option(__version__, prog_name="storywatch")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="STORYWATCH_CONFIG",
    help="TOML config file (default: ./storywatch.toml when present).",
)
@click.option(
    "--db", help="Database URL (sqlite:///file.db or postgresql://...). Env: STORYWATCH_DB."
)
@click.option(
    "--allow-private",
    is_flag=True,
    default=None,
    help="Allow fetching private/loopback addresses (off by default: SSRF guard).",
)
@click.pass_context
def cli(
    ctx: click.Context, config_file: Path | None, db: str | None, allow_private: bool | None
) -> None:
    """Watch news stories as they are edited and tell which claims changed."""
    overrides: dict[str, Any] = {}
    if db:
        overrides["database"] = {"url": db}
    if allow_private:
        overrides["fetch"] = {"allow_private": True}
    ctx.obj = AppContext(config_file=config_file, overrides=overrides)


def main() -> NoReturn:
    """The ``storywatch`` console script: the command, then a quick exit (see _exit)."""
    try:
        cli(prog_name="storywatch")
    except SystemExit as exc:  # click ends every command with sys.exit
        _exit(exc.code)
    _exit(0)


def _exit(code: int | str | None) -> NoReturn:
    """End the process without the interpreter's teardown.

    By the time a command returns it has closed what it opened (the database, the
    extraction processes, the HTTP client), and destroying the module graph of
    SQLAlchemy, pydantic and httpx object by object cost a fifth of a second of CPU on
    every command. What that teardown would still do for us is done here: the logs and
    the output flushed, a message given to sys.exit printed."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `storywatch history 1 | head`: the reader left, not an error
        pass
    os._exit(code or 0)
