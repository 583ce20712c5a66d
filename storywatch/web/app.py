"""The web application: an app factory over an open (read-only) store.

Starlette, because the documents the API serves are already built by the library
(storywatch.history.documents, the same as every ``--json``); a framework that derives
them from its own models (FastAPI, Litestar) would be a second description of the same
documents to keep in step. Endpoints are plain functions, which Starlette runs in its
thread pool, so a slow query never stalls the event loop.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from storywatch.config import Settings
from storywatch.errors import InputError, NotFoundError, StorywatchError
from storywatch.history import report_html
from storywatch.storage import Store
from storywatch.web import api, feeds, pages
from storywatch.web.common import Context, render
from storywatch.web.security import Guard


def _report_css(_request: Request) -> Response:
    # The report renderer's own style sheet: the pages share it with `export` and `diff --html`.
    return Response(report_html.CSS, media_type="text/css")


async def _error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 400
    message = str(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    if request.url.path.startswith("/feeds/"):
        return Response(message + "\n", status_code=status, media_type="text/plain")
    return render(
        "error.html",
        status=status,
        title="Not found" if status == 404 else "Error",
        message=message,
    )


def create_app(store: Store, settings: Settings, *, token: str | None = None) -> Starlette:
    """The application over ``store``, which the caller opened (read-only) and closes."""
    routes = [
        *pages.ROUTES,
        *api.ROUTES,
        *feeds.ROUTES,
        Route("/static/report.css", _report_css),
        Mount("/static", StaticFiles(packages=[("storywatch.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={StorywatchError: _error, InputError: _error},
    )
    app.state.context = Context(store, settings)
    app.add_middleware(Guard, token=token)
    return app
