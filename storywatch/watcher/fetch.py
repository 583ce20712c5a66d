"""Async fetching of tracked pages: SSRF-guarded redirects, conditional GET, size caps.

One shared httpx transport (its connection pool) serves every fetch. Redirects are
followed by hand so that each hop is validated and checked against the SSRF guard before
we connect to it, and the body is decompressed by hand so that a small gzip/brotli bomb
cannot balloon in memory before the size limit is checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import select
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Iterable
from types import TracebackType
from typing import Any, Protocol, Self

import brotli
import httpcore
import httpx

from storywatch.config.settings import FetchSettings
from storywatch.errors import FetchError, HTTPStatusError, InvalidURLError, TooLargeError
from storywatch.httputil import (
    MAX_ETAG,
    MAX_LAST_MODIFIED,
    parse_content_length,
    parse_retry_after,
    usable_validator,
)
from storywatch.watcher.decoding import FEED_TYPES, HTML_TYPES, TEXT_TYPES, decode_body
from storywatch.watcher.urls import guard_url, one_line, validate_url

ACCEPTED_TYPES = HTML_TYPES | TEXT_TYPES | FEED_TYPES

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
)
# Only encodings we can decompress with an output bound (see _Decoder).
_ACCEPT_ENCODING = "gzip, deflate, br"


@dataclasses.dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # final URL after redirects
    status_code: int  # 2xx, or 304
    not_modified: bool  # True on 304
    raw: bytes | None  # the body as served, decompressed (None on 304)
    charset: str | None  # from the Content-Type header, if it named one
    content_type: str  # media type only, lowercased, e.g. "text/html"
    # Validators exactly as served, or None when unusable (httputil.usable_validator).
    etag: str | None
    last_modified: str | None
    elapsed_ms: int
    # SHA-256 of the body exactly as served (None on 304): equal digests mean the same
    # page, so its article need not be extracted again.
    page_hash: str | None = None

    @property
    def body(self) -> str | None:
        """The body decoded to text (afresh on every access; None on 304). Pages to
        extract travel to the extraction processes as ``raw`` bytes and are decoded
        there, off the event loop."""
        if self.raw is None:
            return None
        return decode_body(self.raw, self.charset, self.content_type)


class Fetcher:
    """Fetch pages with the limits in ``FetchSettings``; safe to share between tasks."""

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._settings = settings
        # The transport alone, not an httpx.AsyncClient: redirects are followed by hand
        # here anyway, and the client's cookie jar, auth and event hooks cost a fifth of
        # every request while adding nothing (and a jar shared by every story for
        # months would be tracking state nobody asked for).
        self._transport = transport or _default_transport()
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }
        self._timeout = httpx.Timeout(settings.timeout).as_dict()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given) and decode the body.

        Raises FetchError or one of its subclasses, always with a one-line message that
        names the URL.
        """
        url = validate_url(url)
        started = time.monotonic()
        try:
            # One deadline for the whole fetch: httpx's timeouts are per socket operation,
            # so a server dripping a byte a second would otherwise never time out.
            async with asyncio.timeout(self._settings.timeout):
                result = await self._fetch(url, etag, last_modified)
        except (TimeoutError, httpx.TimeoutException):
            raise FetchError(
                f"timed out after {self._settings.timeout:g}s fetching {url}"
            ) from None
        elapsed_ms = round((time.monotonic() - started) * 1000)
        return dataclasses.replace(result, elapsed_ms=elapsed_ms)

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers = {**self._headers, **_conditional_headers(etag, last_modified)}
        # Cookies set along one fetch's redirects go with its later hops (cookie-check
        # redirects); none outlive the fetch, as with urlwatch's plain requests.
        cookies: httpx.Cookies | None = None
        current = url
        for _hop in range(self._settings.max_redirects + 1):
            await guard_url(current, allow_private=self._settings.allow_private)
            request = _request(current, headers, self._timeout)
            if cookies:
                cookies.set_cookie_header(request)
            response = await self._send(request, current)
            try:
                target = _redirect_target(response, current)
                if target is None:
                    return await self._result(response, current, etag, last_modified)
                if "Set-Cookie" in response.headers:
                    cookies = cookies or httpx.Cookies()
                    cookies.extract_cookies(response)
            finally:
                await response.aclose()
            current = target
        raise FetchError(
            f"too many redirects (more than {self._settings.max_redirects}) fetching {url}"
        )

    async def _send(self, request: httpx.Request, url: str) -> httpx.Response:
        host = request.url.host
        try:
            response = await self._transport.handle_async_request(request)
        except httpx.TimeoutException:
            raise  # reported with the configured timeout by fetch()
        except httpx.ConnectError as exc:
            raise FetchError(
                f"cannot connect to host: {host} ({_reason(exc)}) fetching {url}"
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise InvalidURLError(f"not an http(s) URL: {url} ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(
                f"connection to {host} failed fetching {url}: {_reason(exc)}"
            ) from None
        response.request = request
        return response

    async def _result(
        self, response: httpx.Response, url: str, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        status = response.status_code
        if status == 304:
            return FetchResult(
                url=url,
                status_code=304,
                not_modified=True,
                raw=None,
                charset=None,
                content_type="",
                # A 304 may omit validators; keep the caller's so the next GET is conditional.
                etag=_validator(response, "ETag") or etag,
                last_modified=_validator(response, "Last-Modified") or last_modified,
                elapsed_ms=0,
            )
        _check_status(response, url)
        media_type, charset = parse_content_type(response.headers.get("Content-Type", ""))
        if media_type and media_type not in ACCEPTED_TYPES:
            raise FetchError(f"unsupported content type {media_type} at {url}")
        _check_content_length(response, url, self._settings.max_bytes)
        raw = await _read_body(response, url, self._settings.max_bytes)
        media_type = media_type or _sniff_media_type(raw, url)
        return FetchResult(
            url=url,
            status_code=status,
            not_modified=False,
            raw=raw,
            charset=charset,
            content_type=media_type,
            etag=_validator(response, "ETag"),
            last_modified=_validator(response, "Last-Modified"),
            elapsed_ms=0,
            page_hash=hashlib.sha256(raw).hexdigest(),
        )


_VALIDATOR_LIMITS = {"ETag": MAX_ETAG, "Last-Modified": MAX_LAST_MODIFIED}


def _validator(response: httpx.Response, name: str) -> str | None:
    return usable_validator(response.headers.get(name), _VALIDATOR_LIMITS[name])


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    # Sent on every hop: the validators belong to the final URL, and a redirecting hop
    # simply ignores them.
    headers: dict[str, str] = {}
    usable = (usable_validator(etag, MAX_ETAG), usable_validator(last_modified, MAX_LAST_MODIFIED))
    if usable != (etag, last_modified):
        # Stored before validators were checked (clipped with "…", or not ASCII): a plain
        # GET, whose answer replaces them.
        return headers
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _request(url: str, headers: dict[str, str], timeout: dict[str, float | None]) -> httpx.Request:
    try:
        return httpx.Request("GET", url, headers=headers, extensions={"timeout": timeout})
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        # validate_url accepted it, so this is a gap between it and httpx: still the URL's
        # fault, and one line.
        raise InvalidURLError(f"not an http(s) URL: {one_line(url)} ({_reason(exc)})") from None


def _redirect_target(response: httpx.Response, url: str) -> str | None:
    if response.status_code not in _REDIRECT_STATUSES:
        return None
    location = response.headers.get("Location")
    if not location:
        raise FetchError(f"HTTP {response.status_code} redirect without a Location at {url}")
    try:
        target = str(response.url.join(location.strip()))
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise InvalidURLError(f"{url} redirects to an invalid URL: {one_line(location)}") from None
    try:
        return validate_url(target)
    except InvalidURLError as exc:
        raise InvalidURLError(f"{url} redirects to an unusable URL: {exc}") from None


def _check_status(response: httpx.Response, url: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status >= 400:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        suffix = f" (retry after {retry_after:g}s)" if retry_after is not None else ""
        raise HTTPStatusError(
            f"HTTP {status} {response.reason_phrase} from {url}{suffix}", status, retry_after
        )
    raise FetchError(f"unexpected HTTP {status} {response.reason_phrase} from {url}")


def _check_content_length(response: httpx.Response, url: str, max_bytes: int) -> None:
    declared = parse_content_length(response.headers.get("Content-Length"))
    if declared is not None and declared > max_bytes:
        raise TooLargeError(
            f"{url} is too large: Content-Length {declared} exceeds the {max_bytes} byte limit"
        )


def parse_content_type(header: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'; ("", None) when absent."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


# --- body reading ---------------------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes:
        """Decompress ``data``, producing at most ``limit`` bytes (more means too large)."""
        ...


class _Identity:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data


class _Zlib:
    """gzip and deflate, with zlib's max_length so output stays bounded per call."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._decompressor = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback  # "deflate" is sometimes sent without a header

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            return self._decompressor.decompress(data, limit)
        except zlib.error:
            if not self._raw_fallback:
                raise
            self._raw_fallback = False
            self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._decompressor.decompress(data, limit)


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        # output_buffer_limit arrived in brotli 1.2; older versions cannot bound output.
        self._bounded = hasattr(self._decompressor, "can_accept_more_data")

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._bounded:
            output: bytes = self._decompressor.process(data, output_buffer_limit=limit)
        else:
            output = self._decompressor.process(data)
        return output


def _decoder_for(response: httpx.Response, url: str) -> _Decoder:
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 32)  # | 32: accept a gzip or zlib header
    if encoding == "deflate":
        return _Zlib(zlib.MAX_WBITS, raw_fallback=True)
    if encoding == "br":
        return _Brotli()
    raise FetchError(f"unsupported content encoding {encoding} at {url}")


async def _read_body(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    decoder = _decoder_for(response, url)
    body = bytearray()
    try:
        async for chunk in _raw_chunks(response):
            # Ask for one byte more than the budget: getting it proves the body is too big
            # without ever holding more than max_bytes + 1 decoded bytes.
            body += decoder.decode(chunk, max_bytes - len(body) + 1)
            if len(body) > max_bytes:
                raise TooLargeError(f"{url} is larger than the {max_bytes} byte limit")
    except (zlib.error, brotli.error) as exc:
        raise FetchError(f"cannot decompress the body of {url}: {_reason(exc)}") from None
    return bytes(body)


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.TimeoutException:
        raise
    except httpx.HTTPError as exc:
        raise FetchError(
            f"connection dropped while reading {response.request.url}: {_reason(exc)}"
        ) from None


def _sniff_media_type(raw: bytes, url: str) -> str:
    # Servers that send no Content-Type at all: accept only what is unmistakable.
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")):
        return "text/html"
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return "application/xml"
    raise FetchError(f"unsupported content type (none declared) at {url}")


def _reason(exc: BaseException) -> str:
    return one_line(str(exc)) or type(exc).__name__


# -- the connection pool's idle probe ----------------------------------------------------


def _default_transport() -> httpx.AsyncHTTPTransport:
    """httpx's own transport (as the client would build it), with the network backend
    below. If httpx ever stops exposing its pool this way, the stock backend stays."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = _ProbeCachingBackend()
    return transport


PROBE_TTL = 0.005  # seconds an idle connection's "is it readable?" answer is reused


class _ProbeCachingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio (anyio) backend, with streams that answer the pool's
    ``is_readable`` probe cheaply; see :class:`_ProbeCachingStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _ProbeCachingStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _ProbeCachingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _ProbeCachingStream(httpcore.AsyncNetworkStream):
    """A stream of httpcore's backend that keeps its socket at hand.

    Whenever a request starts or ends, httpcore's pool asks every idle connection
    whether its socket is readable (a server hang-up). anyio answers by rebuilding its
    whole table of socket attributes, a getpeername() system call included, before the
    poll() that matters. Here the probe is the poll() alone, and its answer for an idle
    connection is reused for PROBE_TTL: the pool asks about every connection several
    times per request (thirty-odd polls a request with ten connections), and each poll
    hands the GIL to the writer and extraction threads, to be waited for again. A server
    that hangs up within those milliseconds is no likelier than one that hangs up just
    after a fresh poll. Every other question is passed on."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")
        self._readable = False
        self._probed_at = -PROBE_TTL

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._probed_at = -PROBE_TTL  # in use: the next idle probe polls afresh
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._probed_at = -PROBE_TTL
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _ProbeCachingStream(stream)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            now = time.monotonic()
            if now - self._probed_at >= PROBE_TTL:
                self._readable, self._probed_at = _is_readable(self._socket), now
            return self._readable
        return self._stream.get_extra_info(info)


def _is_readable(sock: socket.socket | None) -> bool:
    """As httpcore's own probe: a closed or missing socket counts as readable (gone)."""
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    return bool(poll.poll(0))
