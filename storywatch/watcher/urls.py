"""URL validation and the SSRF guard applied to every fetched hop.

storywatch fetches URLs that users (and redirects chosen by remote servers) give it, so
a tracked "article" must not be able to point the daemon at the metadata service, the
database or anything else on the private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import string
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import httpx

from storywatch.errors import BlockedURLError, FetchError, InvalidURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2048  # the size of the stories' and feeds' url column
# Control characters, and lone surrogates (undecodable bytes in a command-line argument):
# neither can be requested, nor stored in PostgreSQL.
_UNUSABLE = frozenset({"Cc", "Cs"})
# How to permit what the guard refuses, in every message that refuses it.
ALLOW_PRIVATE_HINT = "pass --allow-private or set fetch.allow_private to permit"


def validate_url(url: str) -> str:
    """Return ``url`` stripped and checked to be an absolute http(s) URL with a host, that
    httpx can request as it is: no whitespace or control characters anywhere, a valid
    port, a host that is valid IDNA, and no longer than MAX_URL_LENGTH. Raise
    InvalidURLError (one line) otherwise.

    Every URL is checked here once, where it enters: ``add``, ``add-feed``, a feed's entry
    links and each redirect's Location; so the fetch never meets one it cannot request.
    Credentials in the URL are allowed (some paywalled feeds need them); the scheme and
    host are lowercased because both are case-insensitive and stories are keyed by URL.
    """
    cleaned = url.strip()
    if len(cleaned) > MAX_URL_LENGTH:
        raise _invalid(cleaned, f"longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or unicodedata.category(char) in _UNUSABLE for char in cleaned):
        raise _invalid(cleaned, "whitespace, a control character or a lone surrogate")
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed or out-of-range port
    except ValueError:
        raise _invalid(cleaned) from None
    if parts.scheme.lower() not in _SCHEMES or not host:
        raise _invalid(cleaned)
    try:
        # httpx's own parse, which the request will use: it checks the host as IDNA, and
        # .host decodes an A-label ("xn--" alone fails only there).
        if not httpx.URL(cleaned).host:
            raise _invalid(cleaned)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise _invalid(cleaned, one_line(str(exc))) from None
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    netloc = f"{userinfo}{at}{hostport.lower()}"
    # An empty path and "/" are the same resource; normalise so they hash alike.
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def url_to_track(url: str, *, allow_private: bool) -> str:
    """A URL a user asks to track (``add``, ``add-feed``, ``import``), validated once and
    refused at once when it names a non-public address."""
    cleaned = validate_url(url)
    refuse_private_literal(cleaned, allow_private=allow_private)
    return cleaned


def refuse_private_literal(url: str, *, allow_private: bool) -> None:
    """Raise BlockedURLError if ``url`` (validated) names a non-public address literally:
    an IP address in any spelling a resolver accepts (``0x7f.1``, ``2130706433``,
    ``[::ffff:127.0.0.1]``...) or localhost. Run where a URL is added, so the user hears
    at once what the fetch guard would refuse at every check. Other host names are left
    to that guard, which resolves them when they are fetched."""
    if allow_private:
        return
    host = httpx.URL(url).raw_host.decode("ascii")
    if host.rstrip(".") == "localhost" or host.rstrip(".").endswith(".localhost"):
        address: IPAddress | None = ipaddress.IPv4Address("127.0.0.1")  # RFC 6761
    else:
        address = literal_address(host)
    if address is not None and is_blocked_address(address):
        raise BlockedURLError(
            f"refusing {one_line(url)}: {host} is the non-public address {address}"
            f" ({ALLOW_PRIVATE_HINT})"
        )


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, read as resolvers read IP literals, or None for a name.

    IPv4 takes inet_aton's forms as well as dotted quads: one to four parts, each
    decimal, octal (a leading 0) or hex (0x), the last filling the bytes left, so
    ``127.1``, ``0177.0.0.1``, ``0x7f000001`` and ``2130706433`` are all 127.0.0.1; a
    trailing dot is dropped, as browsers do. IPv6 may come in brackets and with a zone.
    """
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            return None
    return _inet_aton(host.removesuffix("."))


def _inet_aton(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_inet_number(part) for part in parts]
    *leading, last = numbers
    if last is None or any(n is None or n > 255 for n in leading):
        return None
    if last >= 256 ** (5 - len(parts)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += (number or 0) << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _inet_number(part: str) -> int | None:
    if part[:2].lower() == "0x":
        digits, base, allowed = part[2:], 16, string.hexdigits
    elif len(part) > 1 and part.startswith("0"):
        digits, base, allowed = part[1:], 8, string.octdigits
    else:
        digits, base, allowed = part, 10, string.digits
    if not part or not all(char in allowed for char in digits):
        return None
    digits = digits.lstrip("0") or "0"
    # Anything longer overflows 32 bits in every base (and int() of thousands of digits
    # would raise).
    return int(digits, base) if len(digits) <= 11 else None


def is_blocked_address(address: IPAddress) -> bool:
    """True for anything that is not a plain public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 smuggled inside IPv6 (::ffff:127.0.0.1, 6to4, Teredo) is judged as IPv4,
        # because the OS may route it to that IPv4 host.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_blocked_address(embedded)
        if address.teredo is not None:
            return any(is_blocked_address(part) for part in address.teredo)
    return (
        not address.is_global  # covers private, CGNAT 100.64/10, documentation ranges
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


async def guard_url(url: str, *, allow_private: bool) -> None:
    """Raise BlockedURLError if the URL's host resolves to ANY non-public address.

    Checking every address (not just the first) matters: a hostname with one public and
    one private A record would otherwise let the connection land on the private one.
    """
    if allow_private:
        return
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise InvalidURLError(f"not an http(s) URL: {one_line(url)}") from None
    # Resolve the IDNA-2008 form httpx will connect to, not Python's IDNA-2003 encoding.
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise InvalidURLError(f"not an http(s) URL: {one_line(url)}")
    for address in await _resolve(host, parsed.port, url):
        if is_blocked_address(address):
            raise BlockedURLError(
                f"refusing to fetch {one_line(url)}: {host} resolves to non-public "
                f"address {address} ({ALLOW_PRIVATE_HINT})"
            )


async def _resolve(host: str, port: int | None, url: str) -> list[IPAddress]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]  # no DNS round trip for literal addresses
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise FetchError(f"cannot resolve host {host} for {one_line(url)}: {reason}") from None
    addresses = [literal_address(str(info[4][0])) for info in infos]
    resolved = [address for address in addresses if address is not None]
    if not resolved:
        raise FetchError(f"cannot resolve host {host} for {one_line(url)}: no addresses")
    return resolved


def _invalid(url: str, reason: str | None = None) -> InvalidURLError:
    detail = f" ({reason})" if reason else ""
    return InvalidURLError(f"not an http(s) URL: {one_line(url)}{detail}")


def one_line(text: str, limit: int = 300) -> str:
    """``text`` for a one-line message: whitespace runs as one space, control characters
    escaped (a NUL would end the line in a terminal and be refused by PostgreSQL)."""
    words = " ".join(text.split())
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in words)[:limit]
