"""URL validation and the SSRF guard applied to every fetched hop.

storywatch fetches URLs that users (and redirects chosen by remote servers) give it, so
a tracked "article" must not be able to point the daemon at the metadata service, the
database or anything else on the private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import httpx

from storywatch.errors import BlockedURLError, FetchError, InvalidURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = frozenset({"http", "https"})


def validate_url(url: str) -> str:
    """Return ``url`` stripped and checked to be an absolute http(s) URL with a host.

    Credentials in the URL are allowed (some paywalled feeds need them); the scheme and
    host are lowercased because both are case-insensitive and stories are keyed by URL.
    """
    cleaned = url.strip()
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed or out-of-range port
    except ValueError:
        raise InvalidURLError(f"not an http(s) URL: {_one_line(cleaned)}") from None
    if parts.scheme.lower() not in _SCHEMES or not host or any(c.isspace() for c in cleaned):
        raise InvalidURLError(f"not an http(s) URL: {_one_line(cleaned)}")
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    netloc = f"{userinfo}{at}{hostport.lower()}"
    # An empty path and "/" are the same resource; normalise so they hash alike.
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


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
        raise InvalidURLError(f"not an http(s) URL: {_one_line(url)}") from None
    # Resolve the IDNA-2008 form httpx will connect to, not Python's IDNA-2003 encoding.
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise InvalidURLError(f"not an http(s) URL: {_one_line(url)}")
    for address in await _resolve(host, parsed.port, url):
        if is_blocked_address(address):
            raise BlockedURLError(
                f"refusing to fetch {_one_line(url)}: {host} resolves to non-public "
                f"address {address} (set fetch.allow_private to permit)"
            )


async def _resolve(host: str, port: int | None, url: str) -> list[IPAddress]:
    literal = _parse_ip(host)
    if literal is not None:
        return [literal]  # no DNS round trip for literal addresses
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise FetchError(f"cannot resolve host {host} for {_one_line(url)}: {reason}") from None
    addresses = [_parse_ip(str(info[4][0])) for info in infos]
    resolved = [address for address in addresses if address is not None]
    if not resolved:
        raise FetchError(f"cannot resolve host {host} for {_one_line(url)}: no addresses")
    return resolved


def _parse_ip(text: str) -> IPAddress | None:
    # Zone ids (fe80::1%eth0) are link-local anyway; drop them so ipaddress can parse.
    try:
        return ipaddress.ip_address(text.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
