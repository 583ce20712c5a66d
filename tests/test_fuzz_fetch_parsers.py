"""Properties of everything the fetch side parses from the outside world: URLs (from
users, feeds and redirects), response header values, charset labels and feed entries.
Each takes any text and either refuses it with its own error or returns a value that
the next step can use as it is."""

from __future__ import annotations

import codecs
import ipaddress
import math
import socket
import string
import unicodedata
from datetime import UTC, datetime, timedelta
from encodings.aliases import aliases

import feedparser
import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from storywatch.config import ScheduleSettings
from storywatch.errors import BlockedURLError, InvalidURLError
from storywatch.httputil import (
    MAX_ETAG,
    MAX_RETRY_AFTER,
    parse_content_length,
    parse_retry_after,
    usable_validator,
)
from storywatch.storage import CheckOutcome, Story
from storywatch.watcher.decoding import decode_body
from storywatch.watcher.feeds import entry_links
from storywatch.watcher.fetch import parse_content_type
from storywatch.watcher.schedule import next_schedule
from storywatch.watcher.urls import (
    MAX_URL_LENGTH,
    literal_address,
    refuse_private_literal,
    validate_url,
)
from tests.support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

# -- URLs -------------------------------------------------------------------------------

_HOST_CHARS = (
    string.ascii_letters + string.digits + ".-_[]:%@" + "¾ßİı\u200b\u202eé\uff10\uff58\x00\x7f\x85 "
)
hosts = st.one_of(
    st.text(_HOST_CHARS, max_size=30),
    st.sampled_from(["xn--", "xn--a", "xn--ls8h", "[::1]", "[::ffff:127.0.0.1]", "0x7f.1"]),
    st.ip_addresses().map(lambda a: f"[{a}]" if a.version == 6 else str(a)),
)
urls = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", ""]),
        hosts,
        st.one_of(st.just(""), st.integers(-1, 70000).map(lambda p: f":{p}"), st.text(max_size=6)),
        st.text(max_size=40),
    ),
)


@fuzz_settings(600)
@given(urls)
@example("http://xn--/")
@example("http://¾27.0.0.1/")
@example("http://a.example/\x00")
def test_a_valid_url_is_one_httpx_can_request(url: str) -> None:
    try:
        cleaned = validate_url(url)
    except InvalidURLError as exc:
        message = str(exc)
        assert message.isprintable() and len(message) < 500
        return
    assert len(cleaned) <= MAX_URL_LENGTH
    assert not any(unicodedata.category(c) in ("Cc", "Cs") or c.isspace() for c in cleaned)
    assert cleaned.split(":", 1)[0] in ("http", "https")
    httpx.Request("GET", cleaned, headers={"Host-Check": "1"})  # what the fetcher builds
    assert validate_url(cleaned) == cleaned  # validated once: the stored form stays valid


@fuzz_settings(400)
@given(urls)
def test_the_add_time_guard_refuses_only_with_its_own_error(url: str) -> None:
    try:
        cleaned = validate_url(url)
    except InvalidURLError:
        return
    try:
        refuse_private_literal(cleaned, allow_private=False)
    except BlockedURLError as exc:
        assert "--allow-private" in str(exc)


ipv4_spellings = st.lists(
    st.one_of(
        st.integers(0, 2**32).map(str),
        st.integers(0, 2**32).map(lambda n: f"0x{n:x}"),
        st.integers(0, 2**32).map(lambda n: f"0{n:o}"),
        st.text("0123456789abcdefxX", min_size=0, max_size=12),
    ),
    min_size=1,
    max_size=5,
).map(".".join)


@fuzz_settings(800)
@given(ipv4_spellings)
def test_ipv4_literals_are_read_as_inet_aton_reads_them(text: str) -> None:
    try:
        expected: ipaddress.IPv4Address | None = ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        expected = None
    parsed = literal_address(text)
    if expected is not None:
        assert parsed == expected
    elif parsed is not None:
        # Where glibc is stricter ("0x" alone) we read more as literal, never a different
        # address: what a browser (WHATWG) reads, refused too if it is private.
        assert isinstance(parsed, ipaddress.IPv4Address)


@fuzz_settings(300)
@given(st.text(max_size=60))
def test_any_host_text_is_an_address_or_a_name(text: str) -> None:
    assert literal_address(text) is None or isinstance(
        literal_address(text), ipaddress.IPv4Address | ipaddress.IPv6Address
    )


# -- header values ----------------------------------------------------------------------

header_text = st.one_of(
    st.text(max_size=60),
    st.text(string.digits, max_size=500),
    st.from_regex(r"\A[0-9]{1,5}(\.[0-9]+)?\Z"),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
)


@fuzz_settings(600)
@given(header_text)
@example("²")
@example("9" * 400)
@example("9" * 30)
@example("Fri, 31 Dec 9999 23:59:59 GMT")
def test_retry_after_is_bounded_and_schedulable(value: str) -> None:
    now = datetime(2025, 8, 8, 12, 0, tzinfo=UTC)
    seconds = parse_retry_after(value, now=now)
    if seconds is None:
        return
    assert math.isfinite(seconds) and 0 <= seconds <= MAX_RETRY_AFTER
    settings = ScheduleSettings()
    story = Story(url="https://news.example/a", added_at=now - timedelta(days=1))
    update = next_schedule(story, CheckOutcome.FAILED, now, settings, retry_after=seconds)
    assert update.next_check_at - now <= timedelta(seconds=settings.max_interval * 1.2)


@fuzz_settings(400)
@given(header_text)
def test_content_length_is_a_size_or_nothing(value: str) -> None:
    size = parse_content_length(value)
    assert size is None or size >= 0


@fuzz_settings(500)
@given(st.one_of(st.text(max_size=700), st.text(string.printable, max_size=700)))
def test_a_usable_validator_is_exactly_what_can_be_sent_back(value: str) -> None:
    kept = usable_validator(value, MAX_ETAG)
    if kept is None:
        return
    assert kept == value and len(kept) <= MAX_ETAG
    request = httpx.Request("GET", "http://news.example/", headers={"If-None-Match": kept})
    assert request.headers["If-None-Match"] == kept


labels = st.one_of(
    st.sampled_from(sorted(set(aliases) | set(aliases.values()))),
    st.sampled_from(["base64", "rot13", "idna", "punycode", "zlib", "hex", "utf-7", "mbcs"]),
    st.text(max_size=20),
)


@fuzz_settings(500)
@given(labels, st.binary(max_size=300), st.sampled_from(["text/html", "application/rss+xml"]))
def test_any_charset_label_decodes_or_is_ignored(label: str, body: bytes, media: str) -> None:
    media_type, charset = parse_content_type(f"{media}; charset={label}")
    assert media_type == media
    assert isinstance(decode_body(body, charset, media_type), str)
    declared = b'<meta charset="' + label.encode("utf-8", "replace") + b'">' + body
    assert isinstance(decode_body(declared, None, "text/html"), str)


@fuzz_settings(300)
@given(st.text(max_size=200))
def test_any_content_type_header_parses(header: str) -> None:
    media_type, charset = parse_content_type(header)
    assert media_type == media_type.strip().lower()
    if charset is not None:
        codecs_label = charset  # any text: decode_body is the one to judge it
        assert isinstance(decode_body(b"<p>x</p>", codecs_label, media_type), str)


def test_python_codec_names_that_are_no_text_encoding_are_ignored() -> None:
    for label in ("base64", "rot13", "zlib", "idna", "punycode", "utf\x00"):
        assert decode_body("café".encode(), label, "text/html") == "café"
    assert codecs.lookup("latin-1")  # and real labels still work:
    assert decode_body("café".encode("latin-1"), "latin-1", "text/html") == "café"


# -- feed entries -----------------------------------------------------------------------

entries = st.lists(
    st.fixed_dictionaries(
        {"link": st.one_of(urls, st.none()), "title": st.text(max_size=30)},
    ),
    max_size=8,
)


class _Parsed:
    def __init__(self, items: list[dict[str, str | None]]) -> None:
        self.entries = items


@fuzz_settings(400)
@given(entries, st.sampled_from([None, "", "a", "^http", r"\d"]))
def test_feed_entries_become_only_valid_urls(
    items: list[dict[str, str | None]], include: str | None
) -> None:
    links = entry_links(_Parsed(items), include, None)
    for link in links:
        assert validate_url(link) == link


@fuzz_settings(150)
@given(st.lists(urls, max_size=6))
def test_links_through_feedparser_become_only_valid_urls(links: list[str]) -> None:
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;")

    items = "".join(f"<item><title>t</title><link>{escape(link)}</link></item>" for link in links)
    parsed = feedparser.parse(
        f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    for link in entry_links(parsed, None, None):
        assert validate_url(link) == link
