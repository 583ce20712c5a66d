"""``storywatch compare OLD NEW``: two local files, no database."""

from __future__ import annotations

from pathlib import Path

import click

from storywatch.cli.context import AppContext, emit_json, json_option, pass_app
from storywatch.cli.output import print_shifts, print_word_diff
from storywatch.cli.params import CONTEXT
from storywatch.diff.analysis import analyse
from storywatch.errors import InputError, StorywatchError
from storywatch.watcher.extract import extract_article
from storywatch.watcher.normalise import normalise_text

context_option = click.option(
    "--context",
    type=CONTEXT,
    default=8,
    show_default=True,
    help="Unchanged words shown around each edit.",
)


def read_article_file(path: Path) -> str:
    """A local file as article text: HTML is extracted, plain text normalised."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    head = content[:1024].lstrip().lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith(("<!doctype html", "<html")):
        try:
            return extract_article(content, "text/html").text
        except StorywatchError as exc:
            raise InputError(f"{path}: {exc}") from None
    return normalise_text(content)


@click.command()
@click.argument("old_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new_file", type=click.Path(path_type=Path, dir_okay=False))
@context_option
@json_option
@pass_app
def compare(app: AppContext, old_file: Path, new_file: Path, context: int, as_json: bool) -> None:
    """Compare two files (text or HTML) without touching the database."""
    old_text, new_text = read_article_file(old_file), read_article_file(new_file)
    analysis = analyse(old_text, new_text)
    if as_json:
        emit_json({**analysis.semantic.to_dict(), "text_diff": analysis.text.to_list()})
        return
    verdict = "material" if analysis.semantic.material else "not material"
    app.console.print(f"[bold]{verdict}[/bold] (significance {analysis.semantic.significance:.2f})")
    print_shifts(app.console, analysis.semantic.shifts)
    click.echo()
    print_word_diff(app.console, analysis.text, context=context)
