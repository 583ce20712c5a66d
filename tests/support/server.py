"""A real HTTP/1.1 server on 127.0.0.1 with a programmable route table, for tests.

    def test_something(page_server):
        page_server.set("/story", "<html>...</html>", etag='"v1"')
        page_server.redirect("/old", "/story")
        url = page_server.url("/old")
        ...
        method, path, headers = page_server.requests[-1]
        assert headers["if-none-match"] == '"v1"'

Features: fixed bodies with any status/headers/content type; automatic 304 for routes with
an ETag or Last-Modified when the request's validators match; gzip/brotli bodies; a delay
before answering; streamed (chunked) bodies from a generator, including the endless
``/huge`` route; dynamic handlers for tests that need per-request answers (webhooks that
fail then succeed); and a log of every request with lowercased headers and the body.

Client disconnects (a fetcher giving up on /huge) are swallowed, so test output stays clean.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import brotli
import pytest

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
HUGE_CHUNK = b"x" * 65536


class _RequestFields(NamedTuple):
    method: str
    path: str  # includes the query string
    headers: dict[str, str]  # lowercased names; repeated headers joined with ", "


class LoggedRequest(_RequestFields):
    """One received request; unpacks as ``(method, path, headers)``, body in ``.body``,
    arrival (time.monotonic) in ``.received_at``."""

    body: bytes = b""
    received_at: float = 0.0


@dataclass
class Reply:
    """What a dynamic handler returns."""

    status: int = 200
    body: str | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None  # "gzip" | "br"
    chunks: Callable[[], Iterable[bytes]] | None = None  # streamed with chunked encoding
    handler: Callable[[LoggedRequest], Reply] | None = None
    hits: int = 0


class PageServer:
    """Owns the listening socket, the route table and the request log."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[LoggedRequest] = []
        self.streamed_bytes: dict[str, int] = {}  # bytes written by streamed routes
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.page_server = self
        self._thread = threading.Thread(target=self._serve, name="page-server", daemon=True)
        self.huge("/huge")

    # --- lifecycle -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # idle keep-alive connections block their threads
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def __enter__(self) -> PageServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    # --- programming routes ----------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path if path.startswith('/') else '/' + path}"

    def set(
        self,
        path: str,
        body: str | bytes = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = "text/html; charset=utf-8",
        delay: float = 0.0,
        etag: str | None = None,
        last_modified: str | None = None,
        encoding: str | None = None,
    ) -> None:
        """Serve ``body`` at ``path``. A ``str`` body is encoded with the charset in
        ``content_type`` (utf-8 if none); pass bytes to control the encoding exactly.
        ``content_type=None`` sends no Content-Type header at all. A ``Content-Length`` in
        ``headers`` overrides the real one (to test early rejection)."""
        if encoding not in (None, "gzip", "br"):
            raise ValueError(f"unsupported encoding {encoding!r}")
        self._add(
            path,
            Route(
                status=status,
                body=_to_bytes(body, content_type),
                headers=dict(headers or {}),
                content_type=content_type,
                delay=delay,
                etag=etag,
                last_modified=last_modified,
                encoding=encoding,
            ),
        )

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Redirect ``path`` to ``to`` (a path stays relative in Location, a URL absolute)."""
        self._add(path, Route(status=status, headers={"Location": to}, content_type=None))

    def stream(
        self,
        path: str,
        chunks: Callable[[], Iterable[bytes]],
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Stream ``chunks()`` with chunked transfer encoding; a fresh iterable per request.
        A generator may sleep between chunks to simulate a slow server."""
        route = Route(status=status, headers=dict(headers or {}), content_type=content_type)
        route.chunks, route.delay = chunks, delay
        self._add(path, route)

    def huge(self, path: str = "/huge", content_type: str = "text/html; charset=utf-8") -> None:
        """An endless body (64 KiB chunks until the client hangs up); ``/huge`` by default."""
        self.stream(path, _endless, content_type=content_type)

    def handle(self, path: str, handler: Callable[[LoggedRequest], Reply]) -> None:
        """Answer ``path`` by calling ``handler(request)`` for every request."""
        self._add(path, Route(handler=handler, content_type=None))

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (query strings ignored)."""
        with self._lock:
            route = self.routes.get(path)
            return route.hits if route else 0

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def _add(self, path: str, route: Route) -> None:
        with self._lock:
            self.routes[path] = route

    # --- used by the handler ---------------------------------------------------------

    def _record(self, request: LoggedRequest) -> Route | None:
        request.received_at = time.monotonic()
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path) or self.routes.get(request.path.split("?")[0])
            if route is not None:
                route.hits += 1
            return route

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _count_streamed(self, path: str, size: int) -> None:
        with self._lock:
            self.streamed_bytes[path] = self.streamed_bytes.get(path, 0) + size


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # tests open many connections at once; SYN retries cost 1 s
    allow_reuse_address = True
    page_server: PageServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-body is routine here (size limits, timeouts); anything
        # else is a bug in a test and still gets printed.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked responses, like real servers
    server_version = "storywatch-test/1.0"
    timeout = 10  # idle keep-alive connections give up eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.page_server._track(self.connection, add=True)

    def finish(self) -> None:
        with contextlib.suppress(*_DISCONNECTS, OSError):
            super().finish()
        self.server.page_server._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean; tests read page_server.requests instead

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        owner = self.server.page_server
        request = self._logged_request()
        route = owner._record(request)
        try:
            if route is None:
                self._send(404, b"not found", {}, "text/plain; charset=utf-8")
            elif route.handler is not None:
                reply = route.handler(request)
                body = _to_bytes(reply.body, reply.content_type)
                self._send(reply.status, body, reply.headers, reply.content_type)
            else:
                if route.delay and owner._stopping.wait(route.delay):
                    self.close_connection = True  # server stopping: drop the request
                    return
                self._answer(route, request)
        except _DISCONNECTS:
            self.close_connection = True

    def _logged_request(self) -> LoggedRequest:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        length = int(self.headers.get("Content-Length") or 0)
        request = LoggedRequest(self.command, self.path, headers)
        request.body = self.rfile.read(length) if length else b""
        return request

    def _answer(self, route: Route, request: LoggedRequest) -> None:
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if _not_modified(route, request.headers):
            self._send(304, b"", headers, None)
        elif route.chunks is not None:
            self._stream(route, headers, request.path)
        else:
            body = route.body
            if route.encoding == "gzip":
                body = gzip.compress(body)
            elif route.encoding == "br":
                body = brotli.compress(body)
            if route.encoding:
                headers["Content-Encoding"] = route.encoding
            self._send(route.status, body, headers, route.content_type)

    def _send(
        self, status: int, body: bytes, headers: dict[str, str], content_type: str | None
    ) -> None:
        self.send_response(status)
        names = {name.lower() for name in headers}
        has_body = status not in (204, 304)
        if content_type and "content-type" not in names:
            self.send_header("Content-Type", content_type)
        if "content-length" not in names and has_body:
            self.send_header("Content-Length", str(len(body)))
        elif has_body and headers[_key(headers, "content-length")] != str(len(body)):
            self.close_connection = True  # a deliberately false length poisons the connection
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and has_body:
            self.wfile.write(body)

    def _stream(self, route: Route, headers: dict[str, str], path: str) -> None:
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        assert route.chunks is not None
        owner = self.server.page_server
        for chunk in route.chunks():
            if owner._stopping.is_set():
                self.close_connection = True
                return
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                owner._count_streamed(path.split("?")[0], len(chunk))
        self.wfile.write(b"0\r\n\r\n")


def _endless() -> Iterator[bytes]:
    while True:
        yield HUGE_CHUNK


def _not_modified(route: Route, request_headers: dict[str, str]) -> bool:
    # RFC 9110 13.2.2: If-None-Match wins over If-Modified-Since when both are sent.
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        if not route.etag:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since and route.last_modified:
        try:
            since = parsedate_to_datetime(if_modified_since)
            modified = parsedate_to_datetime(route.last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def _to_bytes(body: str | bytes, content_type: str | None) -> bytes:
    if isinstance(body, bytes):
        return body
    charset = "utf-8"
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return body.encode(charset)


def _key(headers: dict[str, str], lowered: str) -> str:
    return next(name for name in headers if name.lower() == lowered)


def unused_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound then released), for dead-host tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    """A fresh server per test: routes and the request log start empty (except /huge)."""
    with PageServer() as server:
        yield server


@pytest.fixture(scope="session")
def shared_page_server() -> Iterator[PageServer]:
    """One server for the whole session: use unique paths, and filter ``requests`` by path."""
    with PageServer() as server:
        yield server
