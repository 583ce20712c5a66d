"""The change report: what a person reads about one edit of a story, everywhere a change
is shown (``check``, ``diff``, ``compare``, ``history``, ``log``, the console channel,
e-mail, Slack and the HTML report), each at its own level of detail.

It is built once from the shifts (and the word diff, when there is one) and always reads
in the same order:

1. the headline change, its changed words marked, with the shifts found in it;
2. each changed sentence once, its changed words marked, with its typed shifts under it
   ("number: six → seven"), the sentence that matters most first;
3. the claims added and removed, their text shortened at a word boundary;
4. the word diff, collapsed.

Changed words are coloured on a terminal, ``[-old-]{+new+}`` without colour and
``<del>``/``<ins>`` in HTML, with a space wherever a deletion meets an insertion. Shifts
the alert rules let pass stay in the report, dimmed, with their significance and the
reason, so nobody wonders why a change did not alert. Pure: no I/O.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment as RichSegment
from rich.text import Text

from storywatch.diff.model import HeadlineChange, Shift
from storywatch.diff.render import (
    display_segments,
    hunk_header,
    marked_html,
    marked_plain,
    marked_rich,
    render_html,
    rewrite_note,
)
from storywatch.diff.text import Hunk, Segment, TextDiff, word_diff

ARROW = " → "
NOTHING = "(none)"
CLAIM_NAMES = {"claim_added": "claim added", "claim_removed": "claim removed"}


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """A shift as the report shows it. ``dropped`` says why no alert rule fired for it
    ("below 0.30"); None when one did, or when no rules were applied."""

    shift: Shift
    dropped: str | None = None

    @property
    def significance(self) -> float:
        return self.shift.significance

    def label(self, claim_limit: int = 100) -> str:
        return shift_label(self.shift, claim_limit)

    def weight(self) -> str:
        """'0.36', or '0.23, no alert: below 0.30'."""
        weight = f"{self.significance:.2f}"
        return f"{weight}, no alert: {self.dropped}" if self.dropped else weight


@dataclass(frozen=True, slots=True)
class SentenceChange:
    """One changed sentence (or the headline): its old and new wording and the shifts
    found in it."""

    old: str | None
    new: str | None
    notes: tuple[Note, ...]

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The word-level edits from old to new (computed when shown: a listing of shift
        lines never needs them)."""
        old, new = one_line(self.old or ""), one_line(self.new or "")
        if old and new:
            hunks = word_diff(old, new).hunks
            return hunks[0].segments if hunks else (Segment("equal", new),)
        if old or new:
            return (Segment("insert" if new else "delete", new or old),)
        return ()

    @property
    def significance(self) -> float:
        return max((note.significance for note in self.notes), default=0.0)

    @property
    def dropped(self) -> bool:
        """No shift of this sentence alerts (and rules were applied)."""
        return bool(self.notes) and all(note.dropped for note in self.notes)


@dataclass(frozen=True, slots=True)
class ChangeReport:
    headline: SentenceChange | None
    sentences: tuple[SentenceChange, ...]
    added: tuple[Note, ...]
    removed: tuple[Note, ...]
    text: TextDiff | None = None

    @property
    def notes(self) -> Iterator[Note]:
        if self.headline is not None:
            yield from self.headline.notes
        for sentence in self.sentences:
            yield from sentence.notes
        yield from self.added
        yield from self.removed

    @property
    def empty(self) -> bool:
        """No shift and no headline rewrite: a wording-only change."""
        return self.headline is None and not self.sentences and not self.added and not self.removed


def shift_label(shift: Shift, claim_limit: int = 100) -> str:
    """'number: six → seven', 'attribution: police → (none)', 'claim added: “European
    leaders will hold…”': the one way a shift is named, everywhere."""
    if shift.type in CLAIM_NAMES:
        return f"{CLAIM_NAMES[shift.type]}: {claim_text(shift, claim_limit)}"
    return f"{shift.type}: {one_line(shift.old or NOTHING)}{ARROW}{one_line(shift.new or NOTHING)}"


def in_sentence(shift: Shift) -> bool:
    """A claim added to or dropped from a sentence that stays ("Apple and Google" ->
    "Apple"), rather than a whole sentence added or removed."""
    return shift.type in CLAIM_NAMES and bool(shift.old_sentence) and bool(shift.new_sentence)


def claim_text(shift: Shift, limit: int = 100) -> str:
    """What a claim added or removed says: the name dropped from a list as it is, a whole
    sentence quoted and shortened at a word boundary."""
    value = shift.new if shift.type == "claim_added" else shift.old
    if in_sentence(shift) and value:
        return one_line(value)
    sentence = shift.new_sentence if shift.type == "claim_added" else shift.old_sentence
    return f"“{shorten(sentence or value or '', limit)}”"


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` characters."""
    flat = one_line(text)
    if limit <= 0 or len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[len(cut)] != " " and space > limit // 2:  # not already at a word's end
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def change_report(
    shifts: Sequence[Shift],
    *,
    headline: HeadlineChange | None = None,
    text: TextDiff | None = None,
    dropped: Callable[[Shift], str | None] | None = None,
) -> ChangeReport:
    """Group ``shifts`` by sentence. ``dropped(shift)`` says why the alert rules let a
    shift pass (None: it alerts); without it nothing is dimmed."""

    def note(shift: Shift) -> Note:
        return Note(shift, dropped(shift) if dropped else None)

    headline_notes = [note(s) for s in shifts if s.field == "headline"]
    head = None
    if headline is not None or headline_notes:
        old = headline.old if headline else headline_notes[0].shift.old_sentence
        new = headline.new if headline else headline_notes[0].shift.new_sentence
        head = SentenceChange(old, new, _ranked(headline_notes))
    groups: dict[tuple[str | None, str | None], list[Note]] = {}
    added: list[Note] = []
    removed: list[Note] = []
    for shift in shifts:
        if shift.field == "headline":
            continue
        if shift.type == "claim_added" and not in_sentence(shift):
            added.append(note(shift))
        elif shift.type == "claim_removed" and not in_sentence(shift):
            removed.append(note(shift))
        else:
            groups.setdefault((shift.old_sentence, shift.new_sentence), []).append(note(shift))
    sentences = [SentenceChange(old, new, _ranked(n)) for (old, new), n in groups.items()]
    # The sentence that matters most first; those no rule alerts on after the rest.
    sentences.sort(key=lambda s: (s.dropped, -s.significance))
    return ChangeReport(
        head, tuple(sentences), tuple(_ranked(added)), tuple(_ranked(removed)), text
    )


def _ranked(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=lambda n: (n.dropped is not None, -n.significance)))


def trimmed(segments: Sequence[Segment], context: int) -> list[Segment]:
    """A sentence's segments with unchanged runs cut to ``context`` words (negative: all)."""
    shown = list(display_segments(Hunk(0, 1, 0, 1, tuple(segments)), context))
    if shown and shown[-1].op == "equal":
        shown[-1] = Segment("equal", shown[-1].text.rstrip())
    return shown


def _notes(items: Sequence[SentenceChange] | Sequence[Note]) -> Iterator[Note]:
    for item in items:
        if isinstance(item, Note):
            yield item
        else:
            yield from item.notes


# -- levels of detail -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detail:
    """How much of the report a place shows."""

    sentences: bool = True  # each changed sentence, words marked; False: shift lines only
    context: int = 12  # unchanged words kept each side of an edit in a sentence (-1: all)
    claim_limit: int = 100  # characters of an added or removed claim's text
    word_diff: int | None = None  # context words of the word diff; None: left out


LISTING = Detail(sentences=False, claim_limit=60)  # history: one line a shift
SUMMARY = Detail()  # check, log, the console channel, Slack: sentences, no word diff
FULL = Detail(context=-1, claim_limit=300, word_diff=8)  # diff, compare, e-mail, HTML


# -- terminal: colour, or [-old-]{+new+} markers --------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    indent: int
    text: Text


def report_lines(
    report: ChangeReport, detail: Detail, *, markers: bool, indent: int = 0
) -> list[Line]:
    """The report as indented lines of styled text; with ``markers`` the changed words
    carry ``[-old-]{+new+}`` (for output without colour)."""
    out: list[Line] = []

    def notes(items: Iterable[Note], at: int) -> None:
        for item in items:
            line = Text()
            line.append(item.label(detail.claim_limit), style="dim" if item.dropped else "bold")
            line.append(f"  {item.weight()}", style="dim")
            out.append(Line(at, line))

    note = rewrite_note(report.text) if report.text is not None else None
    if note:
        out.append(Line(indent, Text.assemble((note, "bold yellow"))))
    if report.headline is not None:
        line = Text()
        line.append("Headline: ", style="bold")
        line.append_text(_words(report.headline.segments, markers))
        out.append(Line(indent, line))
        notes(report.headline.notes, indent + 2)
    if not detail.sentences:
        # One line a shift: what matters most first, whichever sentence it is in.
        body = (
            n for group in (report.sentences, report.added, report.removed) for n in _notes(group)
        )
        notes(_ranked(body), indent)
        return out
    for sentence in report.sentences:
        if out:
            out.append(Line(0, Text()))
        words = _words(trimmed(sentence.segments, detail.context), markers)
        if sentence.dropped:
            words.stylize("dim")
        out.append(Line(indent, words))
        notes(sentence.notes, indent + 2)
    if detail.sentences and out and (report.added or report.removed):
        out.append(Line(0, Text()))
    notes(report.added, indent)
    notes(report.removed, indent)
    if detail.word_diff is not None and report.text is not None and report.text.changed:
        out.append(Line(0, Text()))
        out.append(Line(indent, Text.assemble(("Word diff:", "bold"))))
        for hunk in report.text.hunks:
            out.append(Line(indent + 2, Text.assemble((hunk_header(hunk), "cyan"))))
            words = _words(list(display_segments(hunk, detail.word_diff)), markers)
            # A changed stretch of several paragraphs: one line each, all indented.
            for paragraph in words.split("\n"):
                paragraph.rstrip()
                out.append(Line(indent + 2, paragraph))
    return out


def _words(segments: Sequence[Segment], markers: bool) -> Text:
    if markers:
        return Text(marked_plain(segments))
    return marked_rich(segments)


def renderable(lines: Sequence[Line], *, wrap: bool) -> RenderableType:
    """For ``console.print``: with ``wrap`` (a terminal), long lines wrap under their own
    indent; without, each line stays whole (piped output, for grep)."""
    if wrap:
        return Group(*(_Indented(line) for line in lines))
    out = Text()
    for number, line in enumerate(lines):
        if number:
            out.append("\n")
        out.append(" " * line.indent)
        out.append_text(line.text)
    return out


class _Indented:
    """A line wrapped to the console's width under its indent, without the trailing
    padding rich's Padding adds."""

    def __init__(self, line: Line) -> None:
        self.line = line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = self.line.indent
        width = max(options.max_width - indent, 20)
        for wrapped in self.line.text.wrap(console, width) or [Text()]:
            if indent:
                yield RichSegment(" " * indent)
            yield from wrapped.render(console)
            yield RichSegment.line()


def plain_text(lines: Sequence[Line]) -> str:
    """The lines as text, for e-mail bodies and logs."""
    return "\n".join(" " * line.indent + line.text.plain for line in lines)


# -- HTML -------------------------------------------------------------------------------------

# Inline styles for e-mail, where clients drop <style> sheets; the report page styles the
# same classes from its own sheet.
EMAIL_STYLES = {
    "del": "background:#fdd;color:#900;text-decoration:line-through",
    "ins": "background:#dfd;color:#060;text-decoration:none",
    "shifts": "margin:.25em 0 1em;padding-left:1.2em",
    "dropped": "color:#777",
    "sig": "color:#777;font-size:90%",
    "type": "color:#555;font-size:85%;text-transform:uppercase",
    "words": "margin:.75em 0 .25em",
    "hunk-header": "color:#069;margin:.75em 0 0",
    "hunk-text": "white-space:pre-wrap",
}


def report_html(report: ChangeReport, detail: Detail = FULL, *, email: bool = False) -> str:
    """The report as an HTML fragment, every piece of page text escaped. For ``email``
    the styles are inline, since mail clients drop style sheets."""

    def attrs(css_class: str) -> str:
        style = EMAIL_STYLES.get(css_class) if email else None
        return f' class="{css_class}"' + (f' style="{style}"' if style else "")

    tags = {tag: EMAIL_STYLES[tag] for tag in ("del", "ins")} if email else {}
    tag_attrs = {tag: f'style="{style}"' for tag, style in tags.items()}

    def shift_items(notes: Iterable[Note]) -> str:
        items = []
        for note in notes:
            kind = CLAIM_NAMES.get(note.shift.type, note.shift.type)
            items.append(
                f"<li{attrs('dropped') if note.dropped else ''}>"
                f"<span{attrs('type')}>{html.escape(kind)}</span> "
                f"{note_html(note, detail.claim_limit, tag_attrs)}"
                f" <span{attrs('sig')}>{html.escape(note.weight())}</span></li>"
            )
        return f"<ul{attrs('shifts')}>{''.join(items)}</ul>" if items else ""

    parts = []
    note = rewrite_note(report.text) if report.text is not None else None
    if note:
        parts.append(f"<p{attrs('rewritten')}><strong>{html.escape(note)}</strong></p>")
    if report.headline is not None:
        words = marked_html(report.headline.segments, tag_attrs)
        parts.append(f"<p{attrs('headline')}><strong>Headline:</strong> {words}</p>")
        parts.append(shift_items(report.headline.notes))
    for sentence in report.sentences:
        words = marked_html(trimmed(sentence.segments, detail.context), tag_attrs)
        css = "words dropped" if sentence.dropped else "words"
        style = f' style="{EMAIL_STYLES["words"]}"' if email else ""
        parts.append(f'<p class="{css}"{style}>{words}</p>')
        parts.append(shift_items(sentence.notes))
    if report.added or report.removed:
        parts.append(shift_items((*report.added, *report.removed)))
    text = report.text
    if detail.word_diff is not None and text is not None and text.changed:
        summary = f"Word diff: +{text.words_added} -{text.words_removed} words"
        if email:
            parts.append(f"<h3>{summary}</h3>")
            for hunk in text.hunks:
                segments = display_segments(hunk, detail.word_diff)
                parts.append(f"<p{attrs('hunk-header')}>{html.escape(hunk_header(hunk))}</p>")
                parts.append(f"<div{attrs('hunk-text')}>{marked_html(segments, tag_attrs)}</div>")
        else:
            diff = render_html(text, context=detail.word_diff)
            parts.append(f"<details><summary>{summary}</summary>{diff}</details>")
    return "\n".join(part for part in parts if part)


def note_html(
    note: Note, claim_limit: int = 100, tag_attrs: Mapping[str, str] | None = None
) -> str:
    """A shift's values as HTML: ``<del>six</del> → <ins>seven</ins>``, or the text of a
    claim added (``<ins>``) or removed (``<del>``), shortened."""
    shift = note.shift
    tag_attrs = tag_attrs or {}

    def tagged(tag: str, value: str) -> str:
        extra = tag_attrs.get(tag)
        return f"<{tag}{' ' + extra if extra else ''}>{html.escape(value)}</{tag}>"

    if shift.type in CLAIM_NAMES:
        tag = "ins" if shift.type == "claim_added" else "del"
        return tagged(tag, claim_text(shift, claim_limit).strip("“”"))
    old = tagged("del", one_line(shift.old)) if shift.old else NOTHING
    new = tagged("ins", one_line(shift.new)) if shift.new else NOTHING
    return f"{old}{ARROW}{new}"
