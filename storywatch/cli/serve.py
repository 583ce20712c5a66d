"""`storywatch serve`: the history in a browser, a JSON API and Atom feeds (read-only)."""

from __future__ import annotations

import click

from storywatch.cli.context import AppContext, examples, pass_app
from storywatch.cli.params import TEXT


@click.command(
    epilog=examples(
        "storywatch serve",
        "storywatch serve --port 8000",
        "storywatch serve --host 0.0.0.0   # with serve.token set (or STORYWATCH_SERVE__TOKEN)",
    )
)
@click.option("--host", type=TEXT, help="Address to listen on (default: serve.host, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port to listen on (default: serve.port, 8080)."
)
@click.option(
    "--token",
    type=TEXT,
    help="Every request must carry it (Bearer, Basic password or ?token=); required off"
    " loopback. Better in serve.token or STORYWATCH_SERVE__TOKEN than on a command line.",
)
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, token: str | None) -> None:
    """Serve the stored history read-only: pages, a JSON API under /api/ and Atom feeds
    under /feeds/. Any address but loopback needs a token."""
    from storywatch.web.server import WebServer

    settings = app.settings.serve
    if token is None and settings.token is not None:
        token = settings.token.get_secret_value()
    server = WebServer(
        app.settings,
        host or settings.host,
        settings.port if port is None else port,
        token or None,
    )
    protected = " (token required)" if token else ""
    click.echo(f"serving {server.address}{protected}, read-only; Ctrl-C stops", err=True)
    server.run()
