"""A hostile web server on 127.0.0.1: raw bytes on a socket, so an answer can be anything
an HTTP library would never send (malformed status lines and headers, lying lengths,
NUL bytes, bombs, bytes trickled forever).

    with HostileServer(hostile_answers(seed=13, randoms=30)) as server:
        urls = [server.url(path) for path in server.answers]

Every connection answers one request and is closed. The catalogue is fixed cases named
after what they try, plus ``randoms`` answers drawn from a seeded generator, so a failure
names its case and reproduces with the same seed.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import random
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import brotli

from tests.support.fuzz import FUZZ

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]

# Extraction takes about 65 µs per empty paragraph, and each pass of the test extracts
# the page again (a page with no article stores no page hash): 200,000 of them cost
# 15 s a pass and show nothing 20,000 do not. `make fuzz` keeps the big page.
UNCLOSED_TAGS = 200_000 if FUZZ else 20_000

ARTICLE = (
    "<html><head><title>Council approves the budget</title></head><body><article>"
    "<h1>Council approves the budget</h1>"
    + "".join(
        f"<p>Paragraph {n}: the council said on Tuesday that {n * 3} projects would be funded "
        f"and {n} delayed, according to officials who asked not to be named.</p>"
        for n in range(1, 9)
    )
    + "</article></body></html>"
).encode()


def raw(data: bytes) -> Answer:
    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return send


def response(
    body: bytes = ARTICLE,
    *,
    status: bytes = b"200 OK",
    headers: tuple[bytes, ...] = (b"Content-Type: text/html; charset=utf-8",),
    length: bool = True,
) -> bytes:
    """An HTTP/1.1 answer with exactly these header lines (and a true Content-Length
    unless ``length`` is False or a header line gives one)."""
    lines = [b"HTTP/1.1 " + status, *headers]
    if length and not any(line.lower().startswith(b"content-length:") for line in headers):
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def trickle(head: bytes, every: float = 0.25) -> Answer:
    """``head``, then one byte every ``every`` seconds until the client hangs up."""

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        while True:
            await writer.drain()
            await asyncio.sleep(every)
            writer.write(b"x")

    return send


def hang() -> Answer:
    async def send(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    return send


@functools.cache
def _bomb(encoding: str, size: int = 30_000_000) -> bytes:
    zeros = b"\0" * size
    if encoding == "gzip":
        return gzip.compress(zeros, 9)
    return brotli.compress(zeros, quality=5)


def _nested(tag: str, depth: int) -> bytes:
    return (
        f"<html><body>{f'<{tag}>' * depth}deep text{f'</{tag}>' * depth}</body></html>"
    ).encode()


def _fixed(path: Callable[[str], str]) -> dict[str, Answer]:
    """The named cases; ``path`` turns a case name into its URL path (for redirects)."""
    html = b"Content-Type: text/html; charset=utf-8"
    retry_afters = {
        "superscript": b"\xb2",
        "nines-400": b"9" * 400,
        "nines-30": b"9" * 30,
        "negative": b"-1",
        "float": b"1e400",
        "year-9999": b"Fri, 31 Dec 9999 23:59:59 GMT",
        "year-0": b"Mon, 01 Jan 0000 00:00:00 GMT",
        "garbage": b"\xff\xfe soon",
    }
    cases: dict[str, Answer] = {
        # -- status lines and framing
        "empty": raw(b""),
        "not-http": raw(b"SSH-2.0-OpenSSH_9.6\r\n"),
        "http-0.9": raw(ARTICLE),
        "status-garbage": raw(response(status=b"abc OK")),
        "status-999": raw(response(status=b"999 Weird")),
        "status-only": raw(b"HTTP/1.1 200 OK\r\n"),
        "status-100": raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 50),
        "first-304": raw(response(b"", status=b"304 Not Modified", headers=(b'ETag: "x"',))),
        "204": raw(response(b"", status=b"204 No Content")),
        # -- headers
        "huge-header": raw(response(headers=(html, b"X-Big: " + b"a" * 200_000))),
        "many-headers": raw(response(headers=(html, *[b"X-N: 1"] * 20_000))),
        "header-no-colon": raw(response(headers=(html, b"this is not a header"))),
        "header-nul": raw(response(headers=(html, b"X-A: a\x00b"))),
        "header-folded": raw(response(headers=(html, b"X-A: a", b" folded"))),
        "header-latin1": raw(response(headers=(html, b"X-A: caf\xe9"))),
        # -- lengths and transfer codings
        "length-superscript": raw(response(headers=(html, b"Content-Length: \xb2"))),
        "length-negative": raw(response(headers=(html, b"Content-Length: -1"))),
        "length-absurd": raw(response(headers=(html, b"Content-Length: " + b"9" * 30))),
        "length-5000-digits": raw(response(headers=(html, b"Content-Length: " + b"9" * 5000))),
        "length-short": raw(response(headers=(html, b"Content-Length: 10"))),
        "length-long": raw(response(headers=(html, b"Content-Length: 100000"))),
        "length-twice": raw(response(headers=(html, b"Content-Length: 10", b"Content-Length: 20"))),
        "chunked-bad-size": raw(
            response(b"zz\r\nxx\r\n", headers=(html, b"Transfer-Encoding: chunked"), length=False)
        ),
        "chunked-huge-size": raw(
            response(
                b"ffffffffffffffffffff\r\nxx\r\n",
                headers=(html, b"Transfer-Encoding: chunked"),
                length=False,
            )
        ),
        "chunked-and-length": raw(
            response(
                b"5\r\nhello\r\n0\r\n\r\n",
                headers=(html, b"Transfer-Encoding: chunked", b"Content-Length: 3"),
            )
        ),
        "close-mid-body": raw(response(headers=(html, b"Content-Length: 900000"))[:-200]),
        # -- content types and charsets
        "charset-base64": raw(response(headers=(b"Content-Type: text/html; charset=base64",))),
        "charset-rot13": raw(response(headers=(b"Content-Type: text/html; charset=rot13",))),
        "charset-idna": raw(
            response(ARTICLE + b"\xff\xfe", headers=(b"Content-Type: text/html; charset=idna",))
        ),
        "charset-unknown": raw(response(headers=(b"Content-Type: text/html; charset=klingon",))),
        "charset-empty": raw(response(headers=(b"Content-Type: text/html; charset=",))),
        "charset-utf16-odd": raw(
            response(ARTICLE + b"!", headers=(b"Content-Type: text/html; charset=utf-16",))
        ),
        "meta-charset-base64": raw(response(b'<meta charset="base64">' + ARTICLE)),
        "meta-charset-idna": raw(
            response(b'<meta charset="idna">' + ARTICLE + b"\xff", headers=())
        ),
        "meta-charset-utf7": raw(response(b'<meta charset="utf-7">+ADw-p+AD4-' + ARTICLE)),
        "invalid-utf8": raw(response(ARTICLE.replace(b"council", b"c\xffo\xc3\x28uncil"))),
        "utf8-surrogates": raw(response(ARTICLE.replace(b"council", b"\xed\xa0\x80council"))),
        "no-content-type-binary": raw(response(bytes(range(256)) * 10, headers=())),
        "content-type-garbage": raw(response(headers=(b"Content-Type: ;;;==;charset",))),
        "content-type-long": raw(response(headers=(b"Content-Type: text/html; x=" + b"y" * 9000,))),
        "content-type-image": raw(response(b"\x89PNG\r\n", headers=(b"Content-Type: image/png",))),
        # -- bodies
        "gzip-bomb": raw(response(_bomb("gzip"), headers=(html, b"Content-Encoding: gzip"))),
        "brotli-bomb": raw(response(_bomb("br"), headers=(html, b"Content-Encoding: br"))),
        "gzip-corrupt": raw(
            response(b"\x1f\x8b" + b"\xff" * 500, headers=(html, b"Content-Encoding: gzip"))
        ),
        "gzip-truncated": raw(
            response(gzip.compress(ARTICLE)[:60], headers=(html, b"Content-Encoding: gzip"))
        ),
        "deflate-raw": raw(
            response(zlib.compress(ARTICLE)[2:-4], headers=(html, b"Content-Encoding: deflate"))
        ),
        "encoding-twice": raw(
            response(gzip.compress(ARTICLE), headers=(html, b"Content-Encoding: gzip, br"))
        ),
        "encoding-unknown": raw(response(headers=(html, b"Content-Encoding: compress"))),
        "nul-bytes": raw(response(ARTICLE.replace(b"council", b"coun\x00cil"))),
        "nul-title": raw(response(ARTICLE.replace(b"<title>", b"<title>\x00\x00"))),
        "control-chars": raw(response(ARTICLE.replace(b" ", bytes(range(1, 32))))),
        "deep-divs": raw(response(_nested("div", 80_000))),
        "deep-bold": raw(response(_nested("b", 80_000))),
        "deep-tables": raw(response(_nested("table", 20_000))),
        "unclosed-tags": raw(response(b"<p>" * UNCLOSED_TAGS)),
        "many-paragraphs": raw(
            response(b"<html><body>" + b"<p>Officials said so.</p>" * 30_000 + b"</body></html>")
        ),
        "one-long-word": raw(response(b"<html><body><p>" + b"a" * 900_000 + b"</p></body></html>")),
        "huge-title": raw(response(b"<title>" + b"T" * 300_000 + b"</title>" + ARTICLE)),
        "only-whitespace": raw(response(b" \n\t" * 10_000)),
        "bidi-zero-width": raw(
            response(ARTICLE.replace(b"council", "c\u202eou\u200bncil\ufeff".encode()))
        ),
        "billion-laughs": raw(
            response(
                b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                + b"".join(
                    b'<!ENTITY %c "%s">' % (98 + n, b"&%c;" % (97 + n) * 10) for n in range(8)
                )
                + b"]><html><body><p>&i;</p></body></html>",
                headers=(b"Content-Type: application/xhtml+xml",),
            )
        ),
        # -- redirects
        "redirect-loop": raw(
            response(
                b"", status=b"302 Found", headers=(b"Location: " + path("redirect-loop").encode(),)
            )
        ),
        "redirect-xn": raw(
            response(b"", status=b"302 Found", headers=(b"Location: http://xn--/",))
        ),
        "redirect-idna": raw(
            response(b"", status=b"302 Found", headers=("Location: http://¾27.0.0.1/".encode(),))
        ),
        "redirect-del": raw(response(b"", status=b"302 Found", headers=(b"Location: /a\x7fb",))),
        "redirect-huge": raw(
            response(b"", status=b"302 Found", headers=(b"Location: /" + b"a" * 20_000,))
        ),
        "redirect-latin1": raw(
            response(b"", status=b"302 Found", headers=(b"Location: /caf\xe9",))
        ),
        "redirect-empty": raw(response(b"", status=b"301 Moved", headers=(b"Location: ",))),
        "redirect-javascript": raw(
            response(b"", status=b"302 Found", headers=(b"Location: javascript:alert(1)",))
        ),
        "redirect-port": raw(
            response(b"", status=b"307 Temporary", headers=(b"Location: http://127.0.0.1:99999/",))
        ),
        "redirect-ipv6": raw(
            response(b"", status=b"302 Found", headers=(b"Location: http://[::1/",))
        ),
        "redirect-port-0": raw(
            response(b"", status=b"302 Found", headers=(b"Location: http://127.0.0.1:0/",))
        ),
        # -- validators
        "etag-long": raw(response(headers=(html, b'ETag: "' + b"e" * 600 + b'"'))),
        "etag-latin1": raw(response(headers=(html, b'ETag: "caf\xe9"'))),
        "etag-utf8": raw(response(headers=(html, 'ETag: "café"'.encode()))),
        "etag-empty": raw(response(headers=(html, b"ETag: "))),
        "last-modified-long": raw(
            response(headers=(html, b"Last-Modified: Fri, 08 Aug 2025 " + b"9" * 200))
        ),
        "last-modified-garbage": raw(response(headers=(html, b"Last-Modified: \xff yesterday"))),
        # -- time
        "trickle-body": trickle(response(length=False, headers=(html,))),
        "trickle-headers": trickle(b"HTTP/1.1 200 OK\r\nX-Slow: "),
        "hang": hang(),
    }
    for name, value in retry_afters.items():
        for status in (b"429 Too Many Requests", b"503 Unavailable"):
            case = f"retry-after-{name}-{status[:3].decode()}"
            cases[case] = raw(response(b"busy", status=status, headers=(b"Retry-After: " + value,)))
    return cases


# Ingredients of the random answers: each one hostile on its own.
_STATUSES = (
    b"200 OK",
    b"200 OK",
    b"203 X",
    b"206 Partial",
    b"301 M",
    b"302 F",
    b"304 N",
    b"400 B",
    b"404 N",
    b"410 G",
    b"429 T",
    b"451 L",
    b"500 E",
    b"503 U",
    b"999 W",
    b"20 OK",
    b"200",
)
_HEADERS = (
    b"Content-Type: text/html; charset=utf-8",
    b"Content-Type: text/html; charset=base64",
    b'Content-Type: text/html; charset=""',
    b"Content-Type: application/rss+xml",
    b"Content-Type: text/plain; charset=utf-16",
    b"Content-Type: \xff\xfe",
    b"Content-Encoding: gzip",
    b"Content-Encoding: br",
    b"Content-Encoding: deflate",
    b"Content-Length: 0",
    b"Content-Length: 99999999999999999999",
    b"Transfer-Encoding: chunked",
    b"Location: http://xn--/",
    b"Location: /\xe9",
    b"Location: //",
    b"Location: http://[::ffff:127.0.0.1]:1/",
    b"ETag: " + b"\xe9" * 700,
    b'ETag: W/"1"',
    b"Last-Modified: " + b"M" * 150,
    b"Retry-After: " + b"9" * 400,
    b"Retry-After: \xb2",
    b"Set-Cookie: " + b"c" * 5000,
    b"X-Junk: \x01\x02",
)
_BODIES = (
    ARTICLE,
    b"",
    b"\x00" * 1000,
    bytes(range(256)) * 4,
    b"<div>" * 20_000,
    ARTICLE.replace(b"the", b"\xff\xfe"),
    gzip.compress(ARTICLE),
    b'<?xml version="1.0"?><rss><channel><item><link>http://xn--/</link></item></channel></rss>',
    b"<html><head><meta http-equiv=refresh content='0;url=javascript:x'></head></html>",
)


def _random_answer(rng: random.Random) -> Answer:
    if rng.random() < 0.2:  # a valid answer with some of its bytes flipped
        data = bytearray(response())
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return raw(bytes(data))
    headers = tuple(rng.sample(_HEADERS, rng.randint(0, 5)))
    body = rng.choice(_BODIES)
    return raw(
        response(body, status=rng.choice(_STATUSES), headers=headers, length=rng.random() < 0.8)
    )


def hostile_answers(*, seed: int, randoms: int, prefix: str = "/h/") -> dict[str, Answer]:
    """Path -> answer: every fixed case, then ``randoms`` seeded random ones."""
    answers = {f"{prefix}{name}": answer for name, answer in _fixed(lambda n: prefix + n).items()}
    rng = random.Random(seed)
    for number in range(randoms):
        answers[f"{prefix}random-{seed}-{number}"] = _random_answer(rng)
    return answers


@dataclass
class HostileServer:
    answers: dict[str, Answer]

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=256)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            target = head.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
            answer = self.answers.get(target) or raw(
                response(b"not found", status=b"404 Not Found", headers=())
            )
            await answer(writer)
        except (
            asyncio.CancelledError,  # the server is stopping
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            IndexError,
            TimeoutError,
        ):
            pass  # the client gave up (a timeout, a size limit): routine here
        finally:
            writer.close()


def _rss(links: list[bytes]) -> bytes:
    items = b"".join(b"<item><title>t</title><link>%s</link></item>" % link for link in links)
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>%s</channel></rss>'
        % (items)
    )


def hostile_feeds(article_url: str, missing_url: str, prefix: str = "/f/") -> dict[str, Answer]:
    """Feeds whose entries link anywhere: control characters, bad IDNA, other schemes,
    over-long URLs; and feeds that are bombs or garbage. ``article_url`` is an answer
    tracked already (no new story), ``missing_url`` a valid URL that answers 404."""
    rss = b"Content-Type: application/rss+xml"
    links = [
        b"http://a.example/x&#0;y",
        b"http://a.example/x\x7fy",
        "http://¾27.0.0.1/".encode(),
        b"http://xn--/",
        b"javascript:alert(1)",
        b"http://a.example/" + b"a" * 3000,
        b"http://[::1",
        b"http://a.example:99999/",
        article_url.encode(),
        missing_url.encode(),
    ]
    feeds = {
        "bad-links": _rss(links),
        "many-entries": _rss([article_url.encode()] * 5000),
        "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %c "%s">' % (98 + n, b"&%c;" % (97 + n) * 10) for n in range(8))
        + b"]>"
        + _rss([b"&i;"])[len(b'<?xml version="1.0"?>') :],
        "deep": b"<rss><channel>" + b"<item>" * 50_000 + b"</channel></rss>",
        "garbage": bytes(range(256)) * 100,
        "not-utf8": _rss([missing_url.encode() + b"\xff\xfe"]),
    }
    answers = {
        f"{prefix}{name}": raw(response(body, headers=(rss,))) for name, body in feeds.items()
    }
    answers[f"{prefix}gzip-bomb"] = raw(
        response(_bomb("gzip"), headers=(rss, b"Content-Encoding: gzip"))
    )
    return answers
