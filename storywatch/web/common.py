"""What the pages, the API and the feeds share: the templates (autoescaped), the store
and settings of the running app, and the JSON form of a document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from storywatch.config import Settings
from storywatch.errors import InputError
from storywatch.history import times
from storywatch.history.documents import SearchHit
from storywatch.history.lookup import search_stories
from storywatch.history.search import phrase_pattern
from storywatch.notifiers.rules import Dropped, story_rules
from storywatch.storage import Store
from storywatch.storage.queries import Reader, StoryRow
from storywatch.storage.schema import MAX_ID
from storywatch.web import params

_TEMPLATES = Environment(
    loader=PackageLoader("storywatch.web", "templates"),
    autoescape=select_autoescape(["html", "xml"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["short"] = times.short
_TEMPLATES.filters["full"] = times.full
_TEMPLATES.filters["iso"] = times.iso


@dataclass(frozen=True)
class Context:
    """What every endpoint reads: the store and the settings (for the alert rules)."""

    store: Store
    settings: Settings

    def reader(self) -> Reader:
        """The viewers' queries over a connection of the store's pool, for one request
        (``with context(request).reader() as reader:`` gives it back)."""
        return self.store.reader()

    def dropped(self, story: StoryRow) -> Dropped:
        """Why the story's alert rules let a shift pass, as `log` and `diff` say it."""
        return story_rules(self.settings.alerts.rules, story.url, story.tags)


def context(request: Request) -> Context:
    found = request.app.state.context
    assert isinstance(found, Context)
    return found


def search_hits(request: Request, phrase: str) -> list[SearchHit]:
    """The stories whose versions contain ``phrase`` (``?story=ID``: that story's only),
    for the search page and ``/api/search`` alike."""
    try:
        pattern = phrase_pattern(phrase)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    story_id = params.number(request, "story", low=1, high=MAX_ID, default=0)
    with context(request).reader() as reader:
        candidates = [reader.story(story_id)] if story_id else reader.list_stories()
        return search_stories(reader, pattern, candidates)


def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(_TEMPLATES.get_template(name).render(**values), status_code=status)


def render_text(name: str, **values: Any) -> str:
    return _TEMPLATES.get_template(name).render(**values)


def fragment(html: str) -> Markup:
    """HTML built by the report renderer, which escapes every piece of page text."""
    return Markup(html)


def json_response(document: Any) -> Response:
    """A document exactly as ``--json`` prints it (same indent, Unicode kept)."""
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type="application/json")
