"""The media types we handle, and fetched bytes decoded to text as a browser would.

Kept apart from fetching so that the extraction processes, which decode the pages they
extract, need neither httpx nor the connection pool.
"""

from __future__ import annotations

import codecs
import re

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml"}
)

_SNIFF_BYTES = 2048
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: pages labelled latin-1/ascii are decoded as windows-1252 by every browser, and
# news CMSes rely on that for curly quotes in the 0x80-0x9f range.
_WHATWG_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
_MAX_LABEL = 40  # the longest WHATWG label is 24 characters
# Text codecs in Python's sense that are no web encoding (WHATWG lists none of them): the
# first two fail on most bytes even with errors="replace", the others rewrite the page's
# backslashes and plus signs.
_NOT_PAGE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"}
)


def decode_body(raw: bytes, header_charset: str | None, media_type: str) -> str:
    """Decode with the browser's precedence: BOM, Content-Type charset, in-document
    declaration, then UTF-8 if valid, then a statistical guess."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(name, errors="replace")
    encoding = _codec(header_charset) or _codec(_declared_in_document(raw, media_type))
    if encoding:
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only for pages that declare nothing and are not UTF-8

    guess = charset_normalizer.from_bytes(raw).best()
    if guess is not None and _codec(guess.encoding):
        return raw.decode(guess.encoding, errors="replace")
    return raw.decode("utf-8", errors="replace")


def _declared_in_document(raw: bytes, media_type: str) -> str | None:
    head = raw[:_SNIFF_BYTES]
    pattern = _XML_ENCODING if media_type in FEED_TYPES else _META_CHARSET
    match = pattern.search(head)
    if match is None and media_type == "application/xhtml+xml":
        match = _XML_ENCODING.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    # WHATWG: a meta tag cannot truthfully declare UTF-16 in an ASCII-compatible byte
    # stream (it would not have been readable), so browsers take UTF-8.
    return "utf-8" if name.startswith("utf-16") else name


def _codec(name: str | None) -> str | None:
    """The Python codec for a charset label, or None for a label to ignore, as browsers
    ignore unknown ones: the page or its server chose it, so it may name anything Python
    knows that is not a text encoding at all (base64, rot13, zlib) or no web encoding
    (idna, unicode-escape)."""
    if not name or len(name) > _MAX_LABEL:
        return None
    try:
        info = codecs.lookup(name)
        if not info._is_text_encoding or info.name in _NOT_PAGE_ENCODINGS:
            return None
        b"<".decode(info.name, errors="replace")  # "undefined" refuses everything
    except (LookupError, ValueError):  # ValueError: a NUL in the label; UnicodeError too
        return None
    return _WHATWG_ALIASES.get(info.name, info.name)
