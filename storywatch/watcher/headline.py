"""The article's headline, as the page shows it: the h1, else the title the page announces
(og:title and kin, then <title>), without the site's name titles carry ("... | Site").

The headline is stored per version and compared on its own, so a site name that comes
and goes, or a logo set in an h1, must not read as a rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# A bar, hyphen, en or em dash, middle dot, bullet, guillemet, slash or "::" with spaces
# around it: what titles put between a headline and the site's or section's name.
_SEPARATOR = re.compile(r"(\s+(?:[|\u2013\u2014\u00b7\u2022\u00bb\u00ab/-]|::)\s+)")
_NOT_WORD = re.compile(r"\W+")
# Above this many words a part of a title is a headline, not a site or section name.
_NAME_MAX_WORDS = 4
_NAME_EXTRA_CHARS = 8  # a site's name and a section: "bbc" + "sport", "cnn" + "politics"
_HEADLINE_MAX_CHARS = 300
_SHORTEST_H1_HEADLINE = 3  # words; shorter single h1s are section labels ("World")
# Second-level labels under country codes: co.uk, com.au, gov.uk, ac.jp ...
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"})


def headline(
    tree: HtmlElement,
    titles: Sequence[str | None],
    site_name: str | None,
    url: str | None,
) -> str | None:
    """The headline from the page's h1s and its ``titles``, best first (og:title or a
    headline meta tag, then <title>); None when the page has neither."""
    names = _site_keys(site_name, url)
    h1s = [
        text
        for element in tree.iter("h1")
        if (text := _clean(element.text_content()))
        and len(text) <= _HEADLINE_MAX_CHARS
        and not _is_site(text, names)
    ]
    stripped = [strip_site_name(_clean(title), site_name, url, h1s) for title in titles]
    for title in filter(None, stripped):
        for text in h1s:
            if _key(text) == _key(title):
                return text
    best = next(filter(None, stripped), None)
    if len(h1s) == 1 and (not best or len(h1s[0].split()) >= _SHORTEST_H1_HEADLINE):
        return h1s[0]
    return best


def strip_site_name(
    title: str | None, site_name: str | None, url: str | None, headlines: Sequence[str] = ()
) -> str | None:
    """``title`` without the site's name before or after it. The part kept is one of the
    page's ``headlines`` when there is one; else the parts naming the site
    (``site_name``, or the URL's host) go, and a short last part after " | "."""
    if not title:
        return None
    # Parts at even indexes, the separators between them at odd ones.
    pieces = _SEPARATOR.split(title)
    if len(pieces) == 1:
        return title
    wanted = {_key(text) for text in headlines}
    for first in range(0, len(pieces), 2):
        for last in range(len(pieces) - 1, first - 1, -2):
            if _key("".join(pieces[first : last + 1])) in wanted:
                return "".join(pieces[first : last + 1])
    names = _site_keys(site_name, url)
    while len(pieces) > 1 and _is_site(pieces[-1], names):
        pieces = pieces[:-2]
    while len(pieces) > 1 and _is_site(pieces[0], names):
        pieces = pieces[2:]
    if len(pieces) > 1 and pieces[-2].strip() == "|":
        name_words, rest_words = len(pieces[-1].split()), len("".join(pieces[:-2]).split())
        if name_words <= _NAME_MAX_WORDS and name_words < rest_words:
            pieces = pieces[:-2]
    return "".join(pieces)


def _site_keys(site_name: str | None, url: str | None) -> tuple[str, ...]:
    keys = [_key(site_name)] if site_name else []
    labels = ((urlsplit(url).hostname or "") if url else "").split(".")
    if len(labels) >= 2:
        # The name a site registered: "cnn" of edition.cnn.com, "bbc" of bbc.co.uk.
        core = labels[-2]
        if core in _SECOND_LEVEL and len(labels) >= 3:
            core = labels[-3]
        keys.append(_key(core))
    return tuple(key for key in keys if len(key) >= 3)


def _is_site(part: str, names: tuple[str, ...]) -> bool:
    key = _key(part)
    if len(key) < 3 or len(part.split()) > _NAME_MAX_WORDS:
        return False
    # "BBC" and "BBC News" name bbc.co.uk, "Sport" may be part of the name "BBC Sport";
    # "BBC fined over report" only mentions it.
    return any(
        key in name or (name in key and len(key) - len(name) <= _NAME_EXTRA_CHARS) for name in names
    )


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
