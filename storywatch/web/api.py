"""The JSON API: each route answers the document the matching CLI command prints with
``--json`` (README, "JSON"), built by the same functions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storywatch.diff.text import word_diff
from storywatch.errors import InputError
from storywatch.history.claims import build_claims
from storywatch.history.documents import (
    change_document,
    claims_document,
    diff_document,
    history_document,
    search_document,
    shown_version,
    tracked_story,
)
from storywatch.history.lookup import stored_or_computed, versions_to_compare
from storywatch.web import params
from storywatch.web.common import context, json_response, search_hits
from storywatch.web.params import ChangeFilters


def stories(request: Request) -> Response:
    """`list --json` (``?status=``)."""
    with context(request).reader() as reader:
        found = reader.list_stories(params.text(request, "status"))
    return json_response([tracked_story(story) for story in found])


def story(request: Request) -> Response:
    """One `list --json` entry."""
    with context(request).reader() as reader:
        return json_response(tracked_story(reader.story(params.story_id(request))))


def history(request: Request) -> Response:
    """`history ID --json`."""
    with context(request).reader() as reader:
        found = reader.story(params.story_id(request))
        rows = reader.version_rows(found.id)
        return json_response(history_document(found, rows, reader.lifecycle_events(found.id)))


def version(request: Request) -> Response:
    """`show ID N --json`."""
    with context(request).reader() as reader:
        found = reader.story(params.story_id(request))
        shown = reader.get_version(found.id, int(request.path_params["number"]))
        text = reader.version_text(found.id, shown.number)
    return json_response(shown_version(found, shown, text))


def diff(request: Request) -> Response:
    """`diff ID A B --json`."""
    with context(request).reader() as reader:
        found = reader.story(params.story_id(request))
        pair = params.version_pair(request.path_params["pair"])
        old, new = versions_to_compare(reader, found, *pair)
        old_text = reader.version_text(found.id, old.number)
        new_text = reader.version_text(found.id, new.number)
    semantic = stored_or_computed(old, new, old_text, new_text)
    return json_response(diff_document(found, old, new, semantic, word_diff(old_text, new_text)))


def claims(request: Request) -> Response:
    """`claims ID --json`."""
    with context(request).reader() as reader:
        found = reader.story(params.story_id(request))
        rows = reader.version_rows(found.id)
    return json_response(claims_document(found, len(rows), build_claims(rows)))


def changes(request: Request) -> Response:
    """`log --json` (``?since=2d&type=number&min_significance=0.5&story=1&tag=T&limit=50``)."""
    app = context(request)
    filters = ChangeFilters.read(request, app.store.now())
    with app.reader() as reader:
        found = filters.changes(reader)
        owners = {story.id: story for story in reader.list_stories()}
    return json_response([change_document(c, owners.get(c.story_id)) for c in found])


def search(request: Request) -> Response:
    """`search TEXT --json` (``?q=TEXT&story=ID``)."""
    phrase = params.text(request, "q")
    if phrase is None:
        raise InputError("q: give the phrase to search for")
    return json_response(search_document(phrase, search_hits(request, phrase)))


ROUTES = [
    Route("/api/stories", stories),
    Route("/api/stories/{story_id:int}", story),
    Route("/api/stories/{story_id:int}/history", history),
    Route("/api/stories/{story_id:int}/versions/{number:int}", version),
    Route("/api/stories/{story_id:int}/diff/{pair}", diff),
    Route("/api/stories/{story_id:int}/claims", claims),
    Route("/api/changes", changes),
    Route("/api/search", search),
]
