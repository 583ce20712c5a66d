"""Terminal rendering shared by the commands: shift lists, word diffs, times."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from storywatch.diff.model import HeadlineChange, Shift
from storywatch.diff.render import render_plain, render_rich, render_side_by_side
from storywatch.diff.text import TextDiff
from storywatch.storage.models import as_utc


def use_color(console: Console) -> bool:
    return console.is_terminal and not os.environ.get("NO_COLOR")


def when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return as_utc(moment).astimezone().strftime("%Y-%m-%d %H:%M")


def shift_line(shift: Shift) -> str:
    return f"{shift.type}: {shift.short}"


def print_shifts(
    console: Console,
    shifts: Sequence[Shift],
    *,
    sentences: bool = True,
    headline: HeadlineChange | None = None,
) -> None:
    """The headline rewrite first, if any, then each shift."""
    if headline is not None:
        console.print(f"[bold]• headline[/bold]: {escape(headline.old)} -> {escape(headline.new)}")
    if not shifts:
        console.print("No claim shifted (wording only).")
        return
    for shift in shifts:
        console.print(
            f"[bold]• {escape(shift.type)}[/bold]: {escape(shift.short)}"
            f"  [dim](significance {shift.significance:.2f})[/dim]"
        )
        if sentences:
            if shift.old_sentence:
                console.print(f"    [red]before:[/red] {escape(shift.old_sentence)}")
            if shift.new_sentence:
                console.print(f"    [green]after: [/green] {escape(shift.new_sentence)}")


def print_word_diff(
    console: Console,
    text: TextDiff,
    *,
    context: int,
    side_by_side: bool = False,
    titles: tuple[str, str] = ("old", "new"),
) -> None:
    """Inline or two-column word diff; without colour the edits keep wdiff markers.

    Prints only through ``console``, so a pager capturing the console captures it too."""
    color = use_color(console)
    if side_by_side:
        console.print(
            render_side_by_side(
                text, context=context, markers=not color, old_title=titles[0], new_title=titles[1]
            )
        )
    elif color:
        console.print(render_rich(text, context=context))
    else:
        # soft_wrap: piped plain text keeps its own lines instead of rich's 80 columns.
        console.print(Text(render_plain(text, context=context)), soft_wrap=True)
