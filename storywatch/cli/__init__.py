"""The ``storywatch`` command: a thin layer over the library.

Every error a user can cause is a :class:`StorywatchError`; it is printed as one line on
stderr with exit status 2 (click's own usage errors exit 2 too).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from storywatch import __version__
from storywatch.cli.alerts import alerts_group, notify_group
from storywatch.cli.compare import compare
from storywatch.cli.context import AppContext
from storywatch.cli.daemon import add_feed, feeds, remove_feed, run, status
from storywatch.cli.stories import add, check, init, list_stories, remove
from storywatch.cli.viewer import claims, export, log, search
from storywatch.cli.views import diff, history, show
from storywatch.errors import StorywatchError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorywatchError as exc:
            click.echo(f"storywatch: error: {exc}", err=True)
            sys.exit(2)
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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


for command in (
    init,
    add,
    list_stories,
    remove,
    check,
    history,
    show,
    diff,
    compare,
    claims,
    log,
    search,
    export,
    alerts_group,
    notify_group,
    run,
    status,
    add_feed,
    feeds,
    remove_feed,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="storywatch")
