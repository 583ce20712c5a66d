"""Console channel: the alert on stdout, coloured with rich on a terminal, plain otherwise
(pipes, logs and ``make demo`` captured output)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from storywatch.diff.render import render_rich
from storywatch.notifiers.message import (
    CONTEXT_WORDS,
    AlertMessage,
    one_line,
    render_text,
    shift_context,
    shift_summary,
)


def render_console(message: AlertMessage) -> Text:
    """Rich rendering; page text goes in as Text, never as markup, so '[bold]' stays text."""
    if message.is_digest:
        out = Text(message.title + "\n", style="bold")
        for item in message.items:
            out.append_text(_alert_text(item, with_diff=False))
            out.append("\n")
        return out
    return _alert_text(message, with_diff=True)


def _alert_text(message: AlertMessage, *, with_diff: bool) -> Text:
    out = Text()
    out.append("● ", style="yellow")
    out.append(one_line(message.title, 300) + "\n", style="bold")
    for shift in message.key_shifts:
        out.append(f"  {shift_summary(shift)}", style="bold yellow")
        out.append(f"  [{shift.significance:.2f}]\n", style="dim")
        for label, (pre, span, post) in shift_context(shift):
            style = "red strike" if label == "before" else "green"
            out.append(f"    {label + ':':8}", style="dim")
            out.append(pre)
            out.append(span, style=style)
            out.append(post + "\n")
    out.append(
        f"  version {message.version} (was {message.previous_version}) · "
        f"significance {message.significance:.2f} · ",
        style="dim",
    )
    out.append(message.url + "\n", style="underline blue")
    if with_diff:
        out.append_text(render_rich(message.text_diff, context=CONTEXT_WORDS))
        out.append("\n")
    return out


class ConsoleChannel:
    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def send(self, alert: AlertMessage) -> None:
        if self.console.is_terminal:
            self.console.print(render_console(alert))
            return
        # Not a terminal: write the plain rendering as is (no rich wrapping at 80 columns).
        stream = self.console.file
        stream.write(render_text(alert) + "\n\n")
        stream.flush()
