"""Article extraction: the story text and metadata out of a fetched page.

HTML goes through trafilatura; plain text is split into paragraphs. The body is run
through ``normalise_text`` so ``Article.text`` is exactly what gets hashed and stored.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import html
import itertools
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from lxml.etree import XPath

from storywatch.errors import ExtractionError
from storywatch.watcher.decoding import FEED_TYPES, HTML_TYPES, TEXT_TYPES, decode_body
from storywatch.watcher.headline import headline
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
_WORDLIKE = re.compile(r"\w")

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
# Chinese and Japanese put no spaces between words: there every two of these characters
# count as a word (a word is one to three of them).
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# In one pass over the page (see _drop_unseen_and_counters): what a reader does not see
# when the page opens, that is the standard hidden attribute and the js-hidden class of
# GOV.UK-style design systems, which collapses a page's list of past updates ("First
# published.", "Added translation": notes about edits, not the story); and candidate
# comment counters: links into the comment section, elements whose class or id names
# comments ("comment-count").
_UNSEEN_OR_COMMENTS = XPath(
    '//*[@hidden or contains(@class, "js-hidden")'
    ' or contains(@class, "omment") or contains(@id, "omment")'
    ' or contains(@href, "#comment") or contains(@href, "#respond")'
    ' or contains(@href, "#disqus_thread")]'
)
# A counter is a few words in at most this many elements ("<a><i></i> 214</a>").
_COUNTER_MAX_ELEMENTS = 4
_COUNTER_MAX_CHARS = 40
_COUNTER_MAX_WORDS = 5
# A one-line extraction shorter than this is checked against a precision extraction
# (see _from_html). On trafilatura's evaluation pages the check ran on 9 pages of 990
# and changed two, neither for the worse; at 3,000 it also took real text from a longer one.
_RESCUE_MAX_CHARS = 1000
# Lists whose items trafilatura may have left out (see _left_out_a_list); items shorter
# than this are menus and tag lists, not claims.
_LISTS = XPath("//ul|//ol")
# Inline elements with a class or id, directly inside a paragraph (see
# _keep_words_of_sentences).
_INLINE_IN_PARAGRAPH = XPath(
    "//p/*[self::span or self::a or self::abbr or self::em or self::strong or self::b"
    " or self::i or self::small or self::time][@class or @id]"
)
_LIST_ITEM_MIN_WORDS = 4
_BLOCK_MIN_WORDS = 2
# A day of a month, either way round: "25 October", "October 25th", "3 Nov".
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_OF_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?!\w)|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_LABEL_MAX_WORDS = 4
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_SUBHEADINGS = XPath("//h2|//h3|//h4|//h5|//h6")
# The standfirst (dek, lead paragraph): the first paragraph after the headline, in the
# page's header block, i.e. within a few levels of the <h1>. trafilatura takes it or leaves
# it with the rest of the header, and a page that grew elsewhere can tip it either way.
_FIRST_HEADLINE = XPath("(//h1)[1]")
_PARAGRAPH_AFTER = XPath("following::p[1]")
_STANDFIRST_LEVELS = 3
_STANDFIRST_MIN_WORDS = 8


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
    if _word_count(article.text) < _MIN_WORDS:
        raise ExtractionError(f"no article text found at {where}")
    if _looks_like_wall(article.text):
        raise ExtractionError(
            f"no article text found at {where} (looks like a consent, bot-check or paywall page)"
        )
    return article


def _from_html(body: str, url: str | None) -> Article:
    # Imported here: trafilatura costs a tenth of a second to import, and the worker
    # process only extracts in its extraction processes (and only when a page changed).
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_title
    from trafilatura.utils import load_html

    tree = load_html(body)
    if tree is None:
        return Article(None, None, None, None, ())
    # trafilatura's full metadata pass costs more than the body itself (its licence probe
    # walks every footer link), so only the parts we store are asked for, cheapest first.
    meta = examine_meta(tree)
    title = headline(tree, (meta.title, _html_title(body)), meta.sitename, url) or _clean(
        extract_title(tree)
    )
    byline = _clean(meta.author) or _clean(extract_author(tree))
    published = _meta_date(_PUBLISHED, body) or _clean(
        find_date(tree, extensive_search=False, original_date=True)
    )
    text = _story_text(tree, url)
    return Article(
        title=title,
        byline=byline,
        published=published,
        updated=_meta_date(_MODIFIED, body),
        # Lines without a letter or digit ("|---|---|" under a table's header row, "* * *")
        # say nothing, and would change whenever a table gains a column.
        paragraphs=tuple(line for line in _paragraphs(text) if _WORDLIKE.search(line)),
    )


def _story_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's text of the story, comments and what readers do not see left out."""
    _drop_unseen_and_counters(tree)
    _keep_words_of_sentences(tree)
    options = copy.copy(_extractor(datetime.now(UTC).date()))
    options.url = options.source = url
    text = _body_text(tree, options)
    if text and next(_left_out_lists(tree, text), None) is not None:
        # When trafilatura finds no container for the story it gathers its paragraphs one
        # by one, and lists are not among what it gathers (its recall mode takes them): a
        # press release's bullet points, each a claim, were gone. The recall extraction
        # is kept when it has every paragraph the first one had; what it still leaves
        # out (lists of links) is put back by hand.
        options.focus = "recall"
        fuller = _body_text(tree, options)
        if _holds_every_line(fuller, text):
            text = fuller
        text = _with_left_out_lists(tree, text)
    if text:
        text = _with_left_out_headings(tree, text)
    lead = _standfirst(tree)
    if text and lead is not None and _flat(lead) not in _flat(text):
        text = f"{lead}\n\n{text}"
    if "\n" not in text and len(text) < _RESCUE_MAX_CHARS:
        # One short line is the shape of trafilatura's last resort (a page region dumped
        # whole when its extractors found little: headline, byline, share links and
        # captions in one line with the story). A precision extraction whose every
        # paragraph is in that line is the same story, in paragraphs, without furniture.
        options.focus = "precision"
        precise = _body_text(tree, options)
        if _word_count(precise) >= _MIN_WORDS and _holds_every_line(text, precise):
            text = precise
    return text


def _standfirst(tree: HtmlElement) -> str | None:
    """The paragraph that follows the headline in the article's header, if it is prose
    (a standfirst, not a byline, a date or a link)."""
    found = _FIRST_HEADLINE(tree)
    if not found:
        return None
    heading = found[0]
    following = _PARAGRAPH_AFTER(heading)
    if not following:
        return None
    paragraph = following[0]
    header = next(itertools.islice(heading.iterancestors(), _STANDFIRST_LEVELS - 1, None), None)
    if header is None or header not in paragraph.iterancestors():
        return None
    lead = _flat(paragraph.text_content())
    linked = sum(len(_flat(a.text_content())) for a in paragraph.iter("a"))
    if len(lead.split()) < _STANDFIRST_MIN_WORDS or linked * 2 >= len(lead):
        return None
    return lead


def _body_text(tree: HtmlElement, options: Extractor) -> str:
    import trafilatura

    # bare_extraction works on a copy: ``tree`` stays whole for a second extraction.
    document = trafilatura.bare_extraction(tree, options=options)
    return (getattr(document, "text", None) or "") if document is not None else ""


def _left_out_lists(tree: HtmlElement, text: str) -> Iterator[tuple[list[str], str, bool]]:
    """The lists beside a block of ``text`` that have none of their items in ``text``:
    after their lead-in ("The changes are:", maybe with a heading between), or before the
    block that follows them (the key points that open a story, above its first
    paragraph). Each as (its items, the text of that block next to the list, whether the
    list comes after it)."""
    extracted = _flat(text)
    for found in _LISTS(tree):
        items = [_flat(item.text_content()) for item in found.iterchildren("li")]
        items = [item for item in items if len(item.split()) >= _LIST_ITEM_MIN_WORDS]
        if not items or any(item in extracted for item in items):
            continue
        # A list alone in a wrapper (a key-points box) stands where the wrapper stands.
        while (
            (parent := found.getparent()) is not None and parent.tag == "div" and len(parent) == 1
        ):
            found = parent
        # Its lead-in: the paragraph before it, or before the heading or label above it
        # ("More information", "Background:" between the story's last paragraph and its
        # notes).
        lead_in = found.getprevious()
        while lead_in is not None and (lead_in.tag in _HEADINGS or _is_label(lead_in)):
            lead_in = lead_in.getprevious()
        for neighbour, after in ((lead_in, True), (found.getnext(), False)):
            anchor = _block_text(neighbour, first=not after)
            if anchor is not None and anchor in extracted:
                yield items, anchor, after
                break


def _with_left_out_lists(tree: HtmlElement, text: str) -> str:
    """``text`` with the items of the programmes even trafilatura's recall mode left out
    (a list of links, each an event on its day: "25 October: ONS Economic Forum
    Webinar"), put beside the paragraph they follow or precede."""
    lines = text.split("\n")
    for items, paragraph, after in list(_left_out_lists(tree, text)):
        # Only a programme: a list of links without dates is the page's navigation.
        if not all(_DAY_OF_MONTH.search(item) for item in items):
            continue
        at = next((k for k, line in enumerate(lines) if paragraph in _flat(line)), None)
        if at is not None:
            at += after
            lines[at:at] = [f"- {item}" for item in items]
    return "\n".join(lines)


def _is_label(element: HtmlElement) -> bool:
    """A paragraph that only names what follows: "Background:", "Notes to editors:"."""
    if element.tag != "p":
        return False
    text = _flat(element.text_content())
    return text.endswith(":") and len(text.split()) <= _LABEL_MAX_WORDS


# The parts of a block that an extraction puts on lines of their own.
_BLOCK_PARTS = XPath(".//td|.//th|.//li|.//p")


def _block_text(element: HtmlElement | None, *, first: bool) -> str | None:
    """The text of a paragraph, or of the first (or last) cell, item or paragraph of a
    table, a list or a block quote, to find the block in an extraction; None for anything
    else, or too short."""
    if element is None:
        return None
    if element.tag == "p":
        text = _flat(element.text_content())
        return text if len(text.split()) >= _BLOCK_MIN_WORDS else None
    if element.tag not in ("table", "ul", "ol", "blockquote"):
        return None
    cells = [_flat(cell.text_content()) for cell in _BLOCK_PARTS(element)]
    cells = [cell for cell in cells if len(cell.split()) >= _BLOCK_MIN_WORDS]
    return (cells[0] if first else cells[-1]) if cells else None


def _with_left_out_headings(tree: HtmlElement, text: str) -> str:
    """``text`` with the headings trafilatura left out between two of its paragraphs. When
    its own extractor loses to its fallbacks, the story comes without its headings, and a
    heading may carry a claim: the date of an event ("Webinar", then "21 September
    2022"), a place, what a table covers. A heading counts when the block before it and
    the one after it (a paragraph, a table or a list; other headings between aside) are
    both in ``text``."""
    lines = text.split("\n")
    flat_lines = [_flat(line) for line in lines]
    extracted = "\n".join(flat_lines)
    for heading in _SUBHEADINGS(tree):
        title = _flat(heading.text_content())
        if not title or title in extracted:
            continue
        before, after = heading.getprevious(), heading.getnext()
        while before is not None and before.tag in _HEADINGS:
            before = before.getprevious()
        while after is not None and after.tag in _HEADINGS:
            after = after.getnext()
        following = _block_text(after, first=True)
        preceding = _block_text(before, first=False)
        if following is None or preceding is None:
            continue
        if following not in extracted or preceding not in extracted:
            continue
        at = next((k for k, line in enumerate(flat_lines) if following in line), None)
        if at is not None:
            lines.insert(at, title)
            flat_lines.insert(at, title)
            extracted = "\n".join(flat_lines)
    return "\n".join(lines)


def _holds_every_line(text: str, lines: str) -> bool:
    """Whether every line of ``lines`` is in ``text``, whitespace aside."""
    flat = _flat(text)
    return all(_flat(line) in flat for line in lines.splitlines())


def _flat(text: str) -> str:
    return " ".join(text.split())


def warm_up() -> None:
    """An extraction process's start-up, done before the first page arrives: trafilatura
    imported (a tenth of a second) and its options built."""
    import trafilatura  # noqa: F401

    _extractor(datetime.now(UTC).date())


@functools.lru_cache(maxsize=1)
def _extractor(today: date) -> Extractor:
    """trafilatura's default extraction, comments left out, with options built once a day
    (they carry today's date for its date search) rather than per page: reading them out
    of its ConfigParser cost a tenth of an extraction.

    No speed shortcut: fast mode (no readability/jusText second opinion), favor_precision
    and deleting page furniture before trafilatura each lost article text on trafilatura's
    own evaluation pages (eval/extraction_eval.py), whole articles on some pages; every
    fallback tried (re-extracting when the fast result looked short) still lost some.
    """
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        links=False,
        # Reader comments change with every visit; they are not the story.
        comments=False,
        # trafilatura's deduplication is a process-wide cache: after a few extractions of
        # the same story it starts dropping paragraphs seen before, i.e. every unchanged
        # paragraph of a re-fetched article. Never enable it here.
        dedup=False,
        with_metadata=False,
    )


def _drop_unseen_and_counters(tree: HtmlElement) -> None:
    """Remove, before trafilatura runs, what is hidden from readers and comment counters
    ("214 comments", "Comments (214)" linking to the comment section): beside a headline
    or a byline trafilatura keeps a counter as text, and a counter going up is not an
    edit. Of what names comments only a few words with a number go (the comment section
    itself is trafilatura's to drop); tails stay."""
    for element in _UNSEEN_OR_COMMENTS(tree):
        if element.get("hidden") is not None or "js-hidden" in (element.get("class") or "").split():
            element.drop_tree()
        elif next(itertools.islice(element.iter(), _COUNTER_MAX_ELEMENTS, None), None) is None:
            text = element.text_content()
            if _is_short(text) and any(char.isdigit() for char in text):
                element.drop_tree()


def _keep_words_of_sentences(tree: HtmlElement) -> None:
    """Strip the class and id of inline elements in the middle of a paragraph's sentence.
    trafilatura drops any element whose class names page furniture ("attachment",
    "meta", "timestamp"), and inline in a sentence that cut words out of it: "The
    <span class=attachment-inline><a>Education Secretary has today written to
    Ofqual</a> (PDF, 180KB)</span> to ask ..." came out as "The to ask ..."."""
    for element in _INLINE_IN_PARAGRAPH(tree):
        paragraph = element.getparent()
        words_before = element.getprevious() is not None or bool((paragraph.text or "").strip())
        words_after = element.getnext() is not None or bool((element.tail or "").strip())
        if words_before and words_after:
            element.attrib.pop("class", None)
            element.attrib.pop("id", None)


def _is_short(text: str) -> bool:
    return len(text) <= _COUNTER_MAX_CHARS and len(text.split()) <= _COUNTER_MAX_WORDS


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


def _word_count(text: str) -> int:
    return len(text.split()) + len(_UNSPACED_SCRIPT.findall(text)) // 2


def _looks_like_wall(text: str) -> bool:
    if len(text) > _WALL_MAX_CHARS:
        return False
    found = {match.group(0).lower() for match in _WALL_PHRASES.finditer(text)}
    return len(found) >= 2


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
