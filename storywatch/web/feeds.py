"""Atom feeds of material changes: all of them, one story's, one tag's.

An entry's id is derived from the story and the version it reports (its number and
content hash), never from the time of the request, so a feed reader shows each change
once however often the feed is read or the server restarted. Each entry holds the
headline, the change report (typed shifts, changed words marked) and the diff's link."""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storywatch.diff.report import SUMMARY, change_report, report_html
from storywatch.history import times
from storywatch.storage.queries import ChangeRow, StoryRow
from storywatch.web import params
from storywatch.web.common import context, render_text
from storywatch.web.pages import diff_path

ENTRIES = 50


def entry_id(change: ChangeRow) -> str:
    """Stable across restarts, and unique to the stored version it reports."""
    name = f"storywatch:story/{change.story_id}/version/{change.number}/{change.content_hash}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _changes(
    request: Request, *, story_id: int | None = None, tag: str | None = None
) -> tuple[list[ChangeRow], dict[int, StoryRow]]:
    """The newest material changes and their stories."""
    with context(request).reader() as reader:
        changes = reader.recent_changes(story_id=story_id, tag=tag, limit=ENTRIES)
        return changes, {sid: reader.story(sid) for sid in {c.story_id for c in changes}}


def _feed(
    request: Request,
    title: str,
    changes: Sequence[ChangeRow],
    stories: dict[int, StoryRow],
    page: str,
) -> Response:
    ctx = context(request)
    base = str(request.base_url).rstrip("/")
    entries = []
    for change in changes:
        report = change_report(change.shifts, dropped=ctx.dropped(stories[change.story_id]))
        link = base + diff_path(change.story_id, change.previous_number, change.number)
        headline = f"<p><strong>{html.escape(change.title)}</strong></p>" if change.title else ""
        # Plain text to the template, which escapes it once more for the XML.
        content = (
            headline
            + report_html(report, SUMMARY)
            + f'<p><a href="{html.escape(link)}">the diff</a></p>'
        )
        entries.append({"id": entry_id(change), "change": change, "link": link, "content": content})
    self_url = base + request.url.path
    updated = changes[0].fetched_at if changes else ctx.store.now()
    body = render_text(
        "feed.xml",
        title=title,
        feed_id=uuid.uuid5(uuid.NAMESPACE_URL, self_url).urn,
        self_url=self_url,
        page=base + page,
        updated=times.iso(updated),
        entries=entries,
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def all_changes(request: Request) -> Response:
    changes, stories = _changes(request)
    return _feed(request, "storywatch: material changes", changes, stories, "/")


def story_changes(request: Request) -> Response:
    with context(request).reader() as reader:
        story = reader.story(params.story_id(request))
    changes, stories = _changes(request, story_id=story.id)
    title = f"storywatch: {story.label}"
    return _feed(request, title, changes, stories, f"/stories/{story.id}")


def tag_changes(request: Request) -> Response:
    tag = request.path_params["tag"]
    changes, stories = _changes(request, tag=tag)
    title = f"storywatch: stories tagged {tag}"
    return _feed(request, title, changes, stories, "/?" + urlencode({"tag": tag}))


ROUTES = [
    Route("/feeds/changes.atom", all_changes),
    Route("/feeds/stories/{story_id:int}.atom", story_changes),
    Route("/feeds/tags/{tag}.atom", tag_changes),
]
