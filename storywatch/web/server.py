"""Serving the app with uvicorn: in the foreground (`serve`) or beside the watcher in
its own thread (`run --serve`)."""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from storywatch.config import Settings
from storywatch.errors import ConfigError
from storywatch.storage import Store
from storywatch.web.app import create_app
from storywatch.web.security import check_binding

log = logging.getLogger(__name__)


class WebServer:
    """The read-only store, the app and a bound socket: binding happens here, so a busy
    port or a refused address is one clear error before anything is served."""

    def __init__(self, settings: Settings, host: str, port: int, token: str | None) -> None:
        check_binding(host, token)
        self.store = Store.open(settings.database.url, read_only=True)
        try:
            self.socket = _bind(host, port)
        except BaseException:
            self.store.close()
            raise
        self.address = f"http://{_url_host(host)}:{self.socket.getsockname()[1]}/"
        app = create_app(self.store, settings, token=token)
        # No access log: uvicorn's prints query strings, and a feed reader's ?token=.
        config = uvicorn.Config(
            app, access_log=False, log_level="warning", server_header=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM (uvicorn handles them in the main thread)."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.close()

    def start(self) -> None:
        """Serve from a thread, beside the watcher (`run --serve`)."""
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="web", daemon=True
        )
        self._thread.start()
        log.info("serving %s (read-only)", self.address)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.close()

    def close(self) -> None:
        self.socket.close()
        self.store.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        raise ConfigError(f"serve: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host.strip('[]')}]" if ":" in host else host
