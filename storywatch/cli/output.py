"""Output shared by the commands: the change report on a terminal, word diffs, times, and
the JSON form of a story.

The report renderer and the word diff under it are imported by the functions that print
them: `list` and `show` print neither, and they cost a tenth of a second of every start."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from storywatch.storage.schema import as_utc

if TYPE_CHECKING:
    from storywatch.diff.report import ChangeReport, Detail
    from storywatch.diff.text import TextDiff


def use_color(console: Console) -> bool:
    return console.is_terminal and not os.environ.get("NO_COLOR")


def when(moment: datetime | None) -> str:
    """'Nov 30 18:30' in local time: short enough for a table at 80 columns."""
    if moment is None:
        return "-"
    return as_utc(moment).astimezone().strftime("%b %d %H:%M")


def fitted_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, shrink: int, width: int
) -> Table:
    """A table within ``width`` columns: every column keeps its width except column
    ``shrink`` (a title, a message), which takes what is left and is cut with an
    ellipsis, never wrapped into a column of single words. Cells are rich markup."""
    gap = 2
    widths = [
        max([len(header), *(Text.from_markup(row[index]).cell_len for row in rows)])
        for index, header in enumerate(headers)
    ]
    others = sum(w for index, w in enumerate(widths) if index != shrink)
    room = max(width - others - gap * (len(headers) - 1), 10)
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, gap, 0, 0))
    for index, header in enumerate(headers):
        if index == shrink:
            table.add_column(
                header, no_wrap=True, overflow="ellipsis", max_width=min(room, widths[index])
            )
        else:
            table.add_column(header, no_wrap=True, min_width=widths[index])
    for row in rows:
        table.add_row(*row)
    return table


def print_report(console: Console, report: ChangeReport, detail: Detail, indent: int = 0) -> None:
    """The change report: coloured on a terminal, ``[-old-]{+new+}`` marks without colour;
    on a terminal long lines wrap under their indent, piped ones stay whole."""
    from storywatch.diff.report import renderable, report_lines  # see the module docstring

    if report.empty:
        console.print(Text(" " * indent + "No claim shifted (wording only).", style="dim"))
    lines = report_lines(report, detail, markers=not use_color(console), indent=indent)
    if lines:
        console.print(renderable(lines, wrap=console.is_terminal))


def print_side_by_side(
    console: Console, text: TextDiff, *, context: int, titles: tuple[str, str]
) -> None:
    """Old and new in two columns; without colour the edits keep wdiff markers."""
    from storywatch.diff.render import render_side_by_side  # see the module docstring

    console.print(
        render_side_by_side(
            text,
            context=context,
            markers=not use_color(console),
            old_title=titles[0],
            new_title=titles[1],
        )
    )
