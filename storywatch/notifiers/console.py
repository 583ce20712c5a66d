"""Console channel: the alert on stdout as the change report, coloured with rich on a
terminal, with ``[-old-]{+new+}`` marks otherwise (pipes, logs, ``make demo``)."""

from __future__ import annotations

from collections.abc import Collection

from rich.console import Console, Group, RenderableType
from rich.text import Text

from storywatch.diff.report import SUMMARY, renderable, report_lines
from storywatch.notifiers.message import (
    AlertMessage,
    diff_hint,
    meta_line,
    one_line,
    render_text,
)


def render_console(message: AlertMessage) -> RenderableType:
    """Rich rendering; page text goes in as Text, never as markup, so '[bold]' stays text."""
    if message.is_digest:
        return Group(Text(message.title, style="bold"), *map(_alert, message.items))
    return _alert(message)


def _alert(message: AlertMessage) -> RenderableType:
    title = Text()
    title.append("● ", style="yellow")
    title.append(one_line(message.title, 300), style="bold")
    meta = Text(f"  {meta_line(message)} · ", style="dim")
    meta.append(message.url, style="underline blue")
    lines = report_lines(message.report(), SUMMARY, markers=False, indent=2)
    parts: list[RenderableType] = [title, meta, Text(), renderable(lines, wrap=True)]
    if message.text_diff.changed:
        parts.append(Text(f"  {diff_hint(message)}", style="dim"))
    return Group(*parts)


class ConsoleChannel:
    """``shown``: (story id, version) pairs already printed in full by the command that
    is delivering (``check`` prints its own report), so they are not printed twice."""

    name = "console"

    def __init__(
        self, console: Console | None = None, shown: Collection[tuple[int, int]] = ()
    ) -> None:
        self.console = console or Console(highlight=False)
        self.shown = set(shown)

    def send(self, alert: AlertMessage) -> None:
        if (alert.story_id, alert.version) in self.shown:
            return
        if self.console.is_terminal:
            self.console.print(render_console(alert))
            return
        # Not a terminal: write the plain rendering as is (no rich wrapping at 80 columns).
        stream = self.console.file
        stream.write(render_text(alert, SUMMARY) + "\n\n")
        stream.flush()
