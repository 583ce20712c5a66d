"""A real HTTP receiver on 127.0.0.1 that records requests and answers from a script:
200, 500, 429 with Retry-After, or hang (until released or the receiver closes)."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


OK = Reply()


def error(status: int = 500) -> Reply:
    return Reply(status, b"server error")


def too_many(retry_after: str = "120") -> Reply:
    return Reply(429, b"rate_limited", {"Retry-After": retry_after})


HANG = Reply(hang=True)


class HTTPReceiver:
    """``with HTTPReceiver() as hook: hook.queue(too_many(), OK); ... hook.requests``."""

    def __init__(self, default: Reply = OK) -> None:
        self.default = default
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = receiver._record(Recorded("POST", self.path, headers, body))
                if reply.hang:
                    receiver._release.wait(10)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:  # the client gave up (timeout): nothing to answer
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _record(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._script.popleft() if self._script else self.default

    def queue(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, then with the default."""
        with self._lock:
            self._script.extend(replies)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/T000/B000/s3cr3t-token-value"

    def __enter__(self) -> HTTPReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
