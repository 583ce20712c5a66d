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
from storywatch.history.lookup import search_stories, stored_or_computed, versions_to_compare
from storywatch.history.search import phrase_pattern
from storywatch.storage.queries import recent_changes, version_rows
from storywatch.web import params
from storywatch.web.common import context, json_response
from storywatch.web.params import ChangeFilters


def stories(request: Request) -> Response:
    """`list --json` (``?status=``)."""
    found = context(request).store.list_stories(params.text(request, "status"))
    return json_response([tracked_story(story) for story in found])


def story(request: Request) -> Response:
    """One `list --json` entry."""
    return json_response(tracked_story(context(request).store.get_story(params.story_id(request))))


def history(request: Request) -> Response:
    """`history ID --json`."""
    store = context(request).store
    found = store.get_story(params.story_id(request))
    assert found.id is not None
    rows = version_rows(store, found.id)
    return json_response(history_document(found, rows, store.lifecycle_events(found.id)))


def version(request: Request) -> Response:
    """`show ID N --json`."""
    store = context(request).store
    found = store.get_story(params.story_id(request))
    assert found.id is not None
    shown = store.get_version(found.id, int(request.path_params["number"]))
    return json_response(shown_version(found, shown, store.version_text(shown)))


def diff(request: Request) -> Response:
    """`diff ID A B --json`."""
    store = context(request).store
    found = store.get_story(params.story_id(request))
    old, new = versions_to_compare(store, found, *params.version_pair(request.path_params["pair"]))
    old_text, new_text = store.version_text(old), store.version_text(new)
    semantic = stored_or_computed(store, old, new, old_text, new_text)
    return json_response(diff_document(found, old, new, semantic, word_diff(old_text, new_text)))


def claims(request: Request) -> Response:
    """`claims ID --json`."""
    store = context(request).store
    found = store.get_story(params.story_id(request))
    assert found.id is not None
    rows = version_rows(store, found.id)
    return json_response(claims_document(found, len(rows), build_claims(rows)))


def changes(request: Request) -> Response:
    """`log --json` (``?since=2d&type=number&min_significance=0.5&story=1&tag=T&limit=50``)."""
    store = context(request).store
    filters = ChangeFilters.read(request, store.now())
    found = recent_changes(
        store,
        since=filters.since,
        until=filters.until,
        tag=filters.tag,
        story_id=filters.story,
        min_significance=filters.min_significance,
        types=filters.types,
        limit=filters.limit,
    )
    owners = {sid: store.get_story(sid) for sid in {change.story_id for change in found}}
    return json_response([change_document(c, owners.get(c.story_id)) for c in found])


def search(request: Request) -> Response:
    """`search TEXT --json` (``?q=TEXT&story=ID``)."""
    store = context(request).store
    phrase = params.text(request, "q")
    if phrase is None:
        raise InputError("q: give the phrase to search for")
    try:
        pattern = phrase_pattern(phrase)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    story_id = params.number(request, "story", low=1, high=2**31 - 1, default=0)
    candidates = [store.get_story(story_id)] if story_id else store.list_stories()
    return json_response(search_document(phrase, search_stories(store, pattern, candidates)))


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
