"""Terminal rendering shared by the commands: shift lists, word diffs, times."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from storywatch.diff.model import Shift
from storywatch.diff.render import render_plain, render_rich
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


def print_shifts(console: Console, shifts: Sequence[Shift], *, sentences: bool = True) -> None:
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


def print_text_diff(console: Console, diff: TextDiff, *, context: int = 8) -> None:
    if use_color(console):
        console.print(render_rich(diff, context=context))
    else:
        # Plain markers survive pipes and NO_COLOR, where strike-through would vanish.
        sys.stdout.write(render_plain(diff, context=context) + "\n")
        sys.stdout.flush()
