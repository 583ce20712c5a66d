"""``storywatch compare OLD NEW``: two local files, no database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from storywatch.cli.context import AppContext, emit_json, examples, json_option, pass_app
from storywatch.cli.output import print_report
from storywatch.cli.params import context_option
from storywatch.diff.analysis import analyse
from storywatch.diff.report import FULL, change_report
from storywatch.errors import InputError, StorywatchError
from storywatch.watcher.decoding import decode_body
from storywatch.watcher.extract import Article, extract_article
from storywatch.watcher.normalise import normalise_text


def read_article(path: Path) -> Article:
    """A local file as storywatch compares it: HTML is decoded as a fetched page would be
    and extracted to its article; any other text is normalised, a paragraph a line, its
    first line the headline when it reads like one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        try:
            return extract_article(decode_body(raw, None, "text/html"), "text/html")
        except StorywatchError as exc:
            raise InputError(f"{path}: {exc}") from None
    try:
        content: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = None
    if content is None or "\x00" in content:  # binary, even where it happens to decode
        raise InputError(f"{path} is not an HTML or UTF-8 text file")
    try:
        return extract_article(content, "text/plain")
    except StorywatchError:
        # A short text is still compared as it is: a sentence against a sentence.
        paragraphs = tuple(filter(None, normalise_text(content).split("\n")))
        return Article(None, None, None, None, paragraphs)


@click.command(
    epilog=examples(
        "storywatch compare old.html new.html",
        "storywatch compare seeds/us-russia-deal-v1.txt seeds/us-russia-deal-v2.txt --json",
    )
)
@click.argument("old_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new_file", type=click.Path(path_type=Path, dir_okay=False))
@context_option
@json_option
@pass_app
def compare(app: AppContext, old_file: Path, new_file: Path, context: int, as_json: bool) -> None:
    """Compare two files (text or HTML) without touching the database."""
    old, new = read_article(old_file), read_article(new_file)
    analysis = analyse(old.text, new.text, old.title, new.title)
    if as_json:
        emit_json(
            {
                **analysis.semantic.to_dict(),
                "text_diff": analysis.text.to_list(),
                "rewritten": analysis.text.rewritten,
            }
        )
        return
    semantic = analysis.semantic
    verdict = "material" if semantic.material else "not material"
    app.console.print(
        f"[bold]{verdict}[/bold] · significance {semantic.significance:.2f}"
        f" · +{analysis.text.words_added} -{analysis.text.words_removed} words\n"
    )
    report = change_report(semantic.shifts, headline=semantic.headline, text=analysis.text)
    print_report(app.console, report, replace(FULL, word_diff=context))
