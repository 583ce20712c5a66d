"""Who may read the pages, and what a browser may do with them.

Page text comes from the web and is hostile: the templates escape it, and every answer
carries a Content-Security-Policy that runs no script but our own file and loads nothing
from elsewhere. Off loopback, every request needs the token; it is compared in constant
time and never logged (uvicorn's access log, which prints query strings, is off).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storywatch.errors import ConfigError

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
COOKIE = "storywatch_session"
TOKEN_PARAMETER = "token"
MACHINE_PATHS = ("/api/", "/feeds/")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and the name localhost: only this machine can connect."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Any address but loopback is reachable from other machines: only with a token."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"serve: binding {host} (not a loopback address) needs a token:"
            " give --token or set serve.token (or STORYWATCH_SERVE__TOKEN)"
        )


class Guard:
    """ASGI middleware: the security headers on every answer and, with a token, the
    token on every request (Authorization: Bearer or Basic password, the cookie a valid
    ``?token=`` sets, or ``?token=`` itself, for feed readers)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        if self.token is not None:
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            given = [value for key, value in query if key == TOKEN_PARAMETER]
            if given and self._valid(given[0]):
                if not scope["path"].startswith(MACHINE_PATHS):
                    # A person's browser: from a cookie on, the token leaves the address
                    # bar and the history. Feed readers and scripts keep their URL.
                    cookie = self._cookie_value()
                    await _redirect_with_cookie(scope, query, cookie, send_with_headers)
                    return
            elif not self._authorised(scope):
                await _refuse(send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)

    def _valid(self, candidate: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(candidate.encode(), self.token)

    def _cookie_value(self) -> str:
        """What the cookie holds: derived from the token, never the token itself."""
        assert self.token is not None
        return hmac.new(self.token, b"storywatch serve cookie", hashlib.sha256).hexdigest()

    def _authorised(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self._valid(value.strip()):
            return True
        if scheme.lower() == "basic" and self._valid(_basic_password(value)):
            return True
        cookie = _cookie(headers.get("cookie", ""))
        return cookie is not None and hmac.compare_digest(cookie, self._cookie_value())


def _basic_password(value: str) -> str:
    """The password of HTTP Basic credentials (any user name goes)."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def _cookie(header: str) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(header)
    except CookieError:  # a malformed Cookie header is no credential, not an error
        return None
    return cookie[COOKIE].value if COOKIE in cookie else None


async def _refuse(send: Send) -> None:
    body = b"storywatch: this server needs its token (Authorization: Bearer, or ?token=)\n"
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"www-authenticate", b'Basic realm="storywatch", charset="UTF-8"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect_with_cookie(
    scope: Scope, query: list[tuple[str, str]], cookie_value: str, send: Send
) -> None:
    rest = urlencode([(key, value) for key, value in query if key != TOKEN_PARAMETER])
    location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
    cookie = f"{COOKIE}={cookie_value}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1", "replace")),
                (b"set-cookie", cookie.encode("latin-1", "replace")),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
