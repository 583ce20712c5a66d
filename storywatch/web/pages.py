"""The HTML pages: recent changes, the story list, a story, a diff, a version, search.

Every piece of a change report comes from the report renderer the CLI, `export` and the
e-mails use (storywatch.diff.report, storywatch.history.report_html); the templates lay
those fragments out and escape everything else themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from storywatch.diff.model import SHIFT_TYPES
from storywatch.diff.render import render_html, render_html_side_by_side
from storywatch.diff.report import FULL, SUMMARY, change_report, report_html
from storywatch.diff.text import word_diff
from storywatch.errors import InputError
from storywatch.history.claims import build_claims
from storywatch.history.documents import story_tags
from storywatch.history.lookup import stored_or_computed, versions_to_compare
from storywatch.history.report import plural
from storywatch.history.report_html import claim_item, shift_chips
from storywatch.storage import StoryStatus
from storywatch.storage.queries import VersionRow
from storywatch.web import params
from storywatch.web.common import context, fragment, render, search_hits
from storywatch.web.params import ChangeFilters

PAGE_SIZE = 50
STATUSES = (
    StoryStatus.ACTIVE,
    StoryStatus.FAILING,
    StoryStatus.ARCHIVED,
    StoryStatus.UNPUBLISHED,
    StoryStatus.MOVED,
)


def diff_path(story_id: int, old: int, new: int, view: str = "inline") -> str:
    """The shareable address of a diff: /stories/12/diff/3..5 (?view=side)."""
    return f"/stories/{story_id}/diff/{old}..{new}" + ("?view=side" if view == "side" else "")


def home(request: Request) -> Response:
    ctx = context(request)
    filters = ChangeFilters.read(request, ctx.store.now())
    with ctx.reader() as reader:
        changes = filters.changes(reader)
        stories = {sid: reader.story(sid) for sid in {c.story_id for c in changes}}
        tags = reader.all_tags()
    entries = []
    for change in changes:
        story = stories[change.story_id]
        report = change_report(change.shifts, dropped=ctx.dropped(story))
        entries.append(
            {
                "change": change,
                "diff": diff_path(change.story_id, change.previous_number, change.number),
                "report": fragment(report_html(report, SUMMARY)),
            }
        )
    feed = "/feeds/tags/" + filters.tag + ".atom" if filters.tag else "/feeds/changes.atom"
    return render(
        "home.html",
        title="Recent changes",
        entries=entries,
        filters=filters,
        query=request.query_params,
        tags=tags,
        shift_types=SHIFT_TYPES,
        feed=feed,
    )


def stories(request: Request) -> Response:
    ctx = context(request)
    page_number = params.number(request, "page", low=1, high=1_000_000, default=1)
    status = params.text(request, "status")
    if status is not None and status not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    with ctx.reader() as reader:
        found = reader.story_page(
            text=params.text(request, "q"),
            status=status,
            tag=params.text(request, "tag"),
            offset=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        tags = reader.all_tags()
    pages = max(1, -(-found.total // PAGE_SIZE))
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]

    def page_link(number: int) -> str:
        return "/stories?" + urlencode([*kept, ("page", str(number))])

    return render(
        "stories.html",
        title="Stories",
        stories=[(story, story_tags(story)) for story in found.stories],
        total=found.total,
        page=page_number,
        pages=pages,
        previous=page_link(page_number - 1) if page_number > 1 else None,
        next=page_link(page_number + 1) if page_number < pages else None,
        query=request.query_params,
        statuses=STATUSES,
        tags=tags,
    )


@dataclass(frozen=True)
class Headline:
    """A headline and the versions that carried it."""

    title: str
    first: VersionRow
    last: int


def _headlines(rows: list[VersionRow]) -> list[Headline]:
    runs: list[Headline] = []
    for row in rows:
        if row.title is None:
            continue
        if runs and runs[-1].title == row.title:
            runs[-1] = replace(runs[-1], last=row.number)
        else:
            runs.append(Headline(row.title, row, row.number))
    return runs


def story(request: Request) -> Response:
    from storywatch.diff.semantic import headline_change

    ctx = context(request)
    with ctx.reader() as reader:
        found = reader.story(params.story_id(request))
        rows = reader.version_rows(found.id)
        events = reader.lifecycle_events(found.id)
    dropped = ctx.dropped(found)
    timeline = []
    previous_title: str | None = None
    for row in rows:
        chips = None
        if row.has_diff:
            change = change_report(
                row.shifts, headline=headline_change(previous_title, row.title), dropped=dropped
            )
            chips = fragment(shift_chips(change)) if not change.empty else None
        previous_title = row.title or previous_title
        timeline.append((row, chips))
    timeline.reverse()  # newest first
    claims = build_claims(rows) if rows else []
    return render(
        "story.html",
        title=found.label,
        story=found,
        tags=story_tags(found),
        rows=rows,
        timeline=timeline,
        headlines=_headlines(rows),
        claims=[fragment(claim_item(claim)) for claim in claims],
        events=events,
        versions=plural(len(rows), "version"),
        diff_path=diff_path,
    )


def compare(request: Request) -> Response:
    """The compare form of a story page: to the diff's own address."""
    story_id = params.story_id(request)
    old = params.number(request, "old", low=-(2**31), high=2**31 - 1, default=-2)
    new = params.number(request, "new", low=-(2**31), high=2**31 - 1, default=-1)
    view = "side" if request.query_params.get("view") == "side" else "inline"
    return RedirectResponse(diff_path(story_id, old, new, view), status_code=303)


def diff(request: Request) -> Response:
    ctx = context(request)
    first, second = params.version_pair(request.path_params["pair"])
    with ctx.reader() as reader:
        found = reader.story(params.story_id(request))
        old, new = versions_to_compare(reader, found, first, second)
        if (old.number, new.number) != (first, second):  # -2..-1: to the shareable address
            view = request.query_params.get("view", "inline")
            return RedirectResponse(diff_path(found.id, old.number, new.number, view), 303)
        old_text = reader.version_text(found.id, old.number)
        new_text = reader.version_text(found.id, new.number)
    semantic = stored_or_computed(old, new, old_text, new_text)
    text = word_diff(old_text, new_text)
    report = change_report(
        semantic.shifts, headline=semantic.headline, text=text, dropped=ctx.dropped(found)
    )
    side = request.query_params.get("view") == "side"
    titles = (f"v{old.number}", f"v{new.number}")
    words = (
        render_html_side_by_side(
            text, context=FULL.word_diff or -1, old_title=titles[0], new_title=titles[1]
        )
        if side
        else render_html(text, context=FULL.word_diff or -1)
    )
    return render(
        "diff.html",
        title=f"{found.label}: v{old.number} → v{new.number}",
        story=found,
        old=old,
        new=new,
        semantic=semantic,
        text=text,
        side=side,
        report=fragment(report_html(report, replace(FULL, word_diff=None))),
        words=fragment(words),
        numbers=range(1, found.version_count + 1),
        diff_path=diff_path,
    )


def version(request: Request) -> Response:
    with context(request).reader() as reader:
        found = reader.story(params.story_id(request))
        shown = reader.get_version(found.id, int(request.path_params["number"]))
        text = reader.version_text(found.id, shown.number)
    return render(
        "version.html",
        title=f"{found.label}: version {shown.number}",
        story=found,
        version=shown,
        paragraphs=text.split("\n"),
    )


def search(request: Request) -> Response:
    phrase = params.text(request, "q")
    found = search_hits(request, phrase) if phrase is not None else None
    return render("search.html", title="Search", phrase=phrase or "", found=found)


ROUTES = [
    Route("/", home),
    Route("/stories", stories),
    Route("/stories/{story_id:int}", story),
    Route("/stories/{story_id:int}/compare", compare),
    Route("/stories/{story_id:int}/diff/{pair}", diff),
    Route("/stories/{story_id:int}/versions/{number:int}", version),
    Route("/search", search),
]
