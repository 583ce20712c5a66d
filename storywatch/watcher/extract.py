"""Article extraction: the story text and metadata out of a fetched page.

HTML goes through trafilatura; plain text is split into paragraphs. The body is run
through ``normalise_text`` so ``Article.text`` is exactly what gets hashed and stored.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import html
import logging
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from storywatch.errors import ExtractionError
from storywatch.watcher.decoding import FEED_TYPES, HTML_TYPES, TEXT_TYPES, decode_body
from storywatch.watcher.normalise import normalise_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Extractor

# trafilatura, htmldate and justext log warnings for every odd page; a daemon fetching
# thousands of pages cannot afford that noise, and failures surface as ExtractionError.
for _name in ("trafilatura", "htmldate", "justext", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
# Open Graph / article meta tags in either attribute order, JSON-LD and microdata.
_META_TEMPLATE = (
    r"""<meta\b[^>]*?(?:property|name|itemprop)\s*=\s*["'](?:{keys})["'][^>]*?"""
    r"""content\s*=\s*["']([^"']+)["']"""
    r"""|<meta\b[^>]*?content\s*=\s*["']([^"']+)["'][^>]*?"""
    r"""(?:property|name|itemprop)\s*=\s*["'](?:{keys})["']"""
    r"""|"(?:{json_keys})"\s*:\s*"([^"]+)\""""
)
_MODIFIED = re.compile(
    _META_TEMPLATE.format(
        keys=r"article:modified_time|og:updated_time|dateModified|last-modified",
        json_keys="dateModified",
    ),
    re.I,
)
_PUBLISHED = re.compile(
    _META_TEMPLATE.format(
        keys=r"article:published_time|datePublished|pubdate|publishdate",
        json_keys="datePublished",
    ),
    re.I,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

# Phrases of cookie walls, consent dialogs, bot checks and hard paywalls. A short page
# carrying two of them is the wall, not a story; one alone is allowed because a brief
# article can mention "cookies" or "subscribe".
_WALL_PHRASES = re.compile(
    r"we use cookies|accept all|reject all|manage (?:your )?(?:cookie|privacy)|"
    r"privacy settings|cookie (?:policy|settings|preferences)|before you continue|"
    r"consent to (?:the use of )?cookies|enable javascript|verify (?:that )?you are (?:a )?human|"
    r"are you a robot|subscribe to (?:continue|keep) reading|sign in to (?:continue|read)|"
    r"this content is for subscribers",
    re.I,
)
_WALL_MAX_CHARS = 1500
# Below this the "article" is a stray nav link or a headline, not a story; trafilatura's
# fallbacks happily return such scraps from pages without any article.
_MIN_WORDS = 8
_HEADLINE_MAX_WORDS = 25
_LEFT_FOR_TRAFILATURA = frozenset({"form", "math", "script", "head"})


@dataclasses.dataclass(frozen=True, slots=True)
class Article:
    title: str | None
    byline: str | None
    published: str | None  # ISO 8601: the page's timestamp, else trafilatura's date
    updated: str | None  # ISO 8601 from article:modified_time / dateModified, if any
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def extract_page(raw: bytes, charset: str | None, media_type: str, url: str) -> Article:
    """Decode a fetched page (see ``decode_body``) and extract its article: the whole of
    an extraction process's work, so that only the bytes cross to it."""
    return extract_article(decode_body(raw, charset, media_type), media_type, url)


def extract_article(body: str, content_type: str, url: str | None = None) -> Article:
    """Extract the article from a fetched body; raise ExtractionError if there is none."""
    media_type = content_type.partition(";")[0].strip().lower()
    where = url or "the page"
    if media_type in FEED_TYPES:
        raise ExtractionError(f"{where} is a feed, add it with add-feed")
    if media_type in TEXT_TYPES:
        article = _from_plain_text(body)
    elif media_type in HTML_TYPES or not media_type:
        article = _from_html(body, url)
    else:
        raise ExtractionError(f"cannot extract an article from {media_type} at {where}")
    if len(article.text.split()) < _MIN_WORDS:
        raise ExtractionError(f"no article text found at {where}")
    if _looks_like_wall(article.text):
        raise ExtractionError(
            f"no article text found at {where} (looks like a consent, bot-check or paywall page)"
        )
    return article


def _from_html(body: str, url: str | None) -> Article:
    # Imported here: trafilatura costs a tenth of a second to import, and the worker
    # process only extracts in its extraction processes (and only when a page changed).
    import trafilatura
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_title
    from trafilatura.utils import load_html

    tree = load_html(body)
    if tree is None:
        return Article(None, None, None, None, ())
    # Metadata first: the body extraction below prunes the tree in place. trafilatura's
    # full metadata pass costs more than the body itself (its licence probe walks every
    # footer link), so only the parts we store are asked for, cheapest first.
    meta = examine_meta(tree)
    title = _clean(meta.title) or _clean(extract_title(tree)) or _html_title(body)
    byline = _clean(meta.author) or _clean(extract_author(tree))
    published = _meta_date(_PUBLISHED, body) or _clean(
        find_date(tree, extensive_search=False, original_date=True)
    )
    _drop_page_furniture(tree)
    _drop_hidden(tree)
    options = copy.copy(_extractor(datetime.now(UTC).date()))
    options.url = options.source = url
    document = trafilatura.bare_extraction(tree, options=options)
    text = (getattr(document, "text", None) or "") if document is not None else ""
    return Article(
        title=title,
        byline=byline,
        published=published,
        updated=_meta_date(_MODIFIED, body),
        paragraphs=_paragraphs(text),
    )


def warm_up() -> None:
    """An extraction process's start-up, done before the first page arrives: trafilatura
    imported (a tenth of a second), its options and our tag list built."""
    import trafilatura  # noqa: F401

    _extractor(datetime.now(UTC).date())
    _furniture()


def _drop_page_furniture(tree: HtmlElement) -> None:
    """Remove, before trafilatura sees the tree, the elements its own cleaning deletes.

    trafilatura runs regex XPaths over the raw tree before it cleans it; on a news page
    whose menus, related lists and footer hold hundreds of links, that took half of every
    extraction. Deleting them first (tails kept, as trafilatura's cleaning keeps them)
    leaves the text it extracts unchanged and halves the time.
    """
    from lxml import etree

    etree.strip_elements(tree, *_furniture(), with_tail=False)


# What the reader never sees is not part of the article: collapsed change histories,
# screen-reader labels ("Share on"), templates kept for scripts.
_HIDDEN = (
    "//*[@hidden or @aria-hidden='true'"
    " or contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' js-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' is-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' visually-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' govuk-visually-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sr-only ')]"
)


def _drop_hidden(tree: HtmlElement) -> None:
    """Remove the elements a browser would not show (tails kept: the text after a hidden
    element is visible)."""
    for element in tree.xpath(_HIDDEN):
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()


@functools.lru_cache(maxsize=1)
def _extractor(today: date) -> Extractor:
    """trafilatura's options, built once a day (they carry today's date for its date
    search) rather than per page: reading them out of its ConfigParser cost a tenth of
    an extraction."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        links=False,
        comments=False,
        tables=False,
        # Precision keeps headers and share bars out of short stories, which would
        # otherwise show up as spurious edits; on full articles it loses nothing.
        precision=True,
        # fast: no second opinion from readability/jusText; it doubled the cost of every
        # extraction without changing the text of a single seed or test page.
        fast=True,
        # trafilatura's deduplication is a process-wide cache: after a few extractions of
        # the same story it starts dropping paragraphs seen before, i.e. every unchanged
        # paragraph of a re-fetched article. Never enable it here.
        dedup=False,
        with_metadata=False,
    )


@functools.cache
def _furniture() -> tuple[str, ...]:
    from trafilatura.settings import MANUALLY_CLEANED

    # Kept for trafilatura: forms it may turn into content, <math> it salvages formulas
    # from, scripts (JSON-LD marks forum pages), <head> (small).
    return tuple(tag for tag in MANUALLY_CLEANED if tag not in _LEFT_FOR_TRAFILATURA)


def _from_plain_text(body: str) -> Article:
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK_LINE.search(text):
        # Blank-line separated paragraphs may be hard-wrapped: rejoin their lines.
        blocks = [" ".join(block.split("\n")) for block in _BLANK_LINE.split(text)]
        text = "\n".join(blocks)
    paragraphs = _paragraphs(text)
    if len(paragraphs) > 1 and _is_headline(paragraphs[0]):
        return Article(paragraphs[0], None, None, None, paragraphs[1:])
    return Article(None, None, None, None, paragraphs)


def _is_headline(line: str) -> bool:
    """A text article's first line is its headline when it reads like one: short, and
    not closed like a sentence (a headline may ask or exclaim, it does not end on a
    full stop)."""
    stripped = line.rstrip()
    short = len(stripped.split()) <= _HEADLINE_MAX_WORDS
    return short and not stripped.endswith((".", ":", ";", ","))


def _paragraphs(text: str) -> tuple[str, ...]:
    normalised = normalise_text(text)
    return tuple(normalised.split("\n")) if normalised else ()


def _html_title(body: str) -> str | None:
    match = _TITLE.search(body, 0, 200_000)
    return _clean(html.unescape(match.group(1))) if match else None


def _meta_date(pattern: re.Pattern[str], body: str) -> str | None:
    """The first ISO 8601 value of a date meta tag; non-ISO values are skipped."""
    for match in pattern.finditer(body):
        value = html.unescape(next(group for group in match.groups() if group)).strip()
        try:
            datetime.fromisoformat(value)
        except ValueError:
            continue
        return value
    return None


def _looks_like_wall(text: str) -> bool:
    if len(text) > _WALL_MAX_CHARS:
        return False
    found = {match.group(0).lower() for match in _WALL_PHRASES.finditer(text)}
    return len(found) >= 2


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
