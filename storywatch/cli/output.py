"""Terminal rendering shared by the commands: shift lists, word diffs, times."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
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
        line = Text("• headline", style="bold")
        line.append(f": {headline.old} -> {headline.new}")
        console.print(line)
    if not shifts:
        console.print("No claim shifted (wording only).")
        return
    # One Text printed once: a rewritten page has thousands of shifts, and each
    # console.print call costs more than the line it prints.
    out = Text()
    for shift in shifts:
        out.append(f"• {shift.type}", style="bold")
        out.append(f": {shift.short}  ")
        out.append(f"(significance {shift.significance:.2f})", style="dim")
        if sentences:
            if shift.old_sentence:
                out.append("\n    ")
                out.append("before:", style="red")
                out.append(f" {shift.old_sentence}")
            if shift.new_sentence:
                out.append("\n    ")
                out.append("after: ", style="green")
                out.append(f" {shift.new_sentence}")
        out.append("\n")
    out.rstrip()
    console.print(out)


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
