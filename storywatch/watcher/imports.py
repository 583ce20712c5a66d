"""Lists of URLs to track, in the formats other tools keep them: read (``import``) and
written back (``export --stories``).

- one URL a line (blank lines and ``#`` comments ignored);
- OPML, as feed readers and diffengine export it: an outline with ``xmlUrl`` is a feed,
  one with only ``htmlUrl`` (or ``url``) a story;
- a urlwatch ``urls.yaml``: its ``url`` jobs, with their ``name``; jobs that storywatch
  has no meaning for (``command``, ``navigate``) are listed as skipped;
- a sitemap or a Google News sitemap (``news:`` tags, the way newsrooms list their new
  articles): each ``<loc>`` a story, named by its ``news:title``; a sitemap index lists
  sitemaps, which are feeds.

Pure: bytes in, entries out; :func:`trackable` validates their URLs as ``add`` does.
Nothing here touches the database or the network.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator
from typing import Any

from storywatch.errors import InputError, StorywatchError
from storywatch.watcher.urls import url_to_track


class Kind(enum.StrEnum):
    STORY = "story"
    FEED = "feed"


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    url: str
    kind: Kind = Kind.STORY
    name: str | None = None
    where: str = ""  # "line 3", "job 2", "outline 5": for messages


@dataclasses.dataclass(frozen=True, slots=True)
class Skipped:
    where: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class ImportList:
    format: str  # "urls", "opml", "urlwatch", "sitemap", "sitemap index"
    entries: tuple[Entry, ...]
    skipped: tuple[Skipped, ...] = ()


_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# urlwatch job keys that make a job something other than "fetch this URL".
_URLWATCH_NOT_URL = ("command", "navigate")


def read_import(data: bytes) -> ImportList:
    """Parse a list of URLs, sniffing its format; raise InputError when it is none."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the list is not UTF-8 text") from None
    head = text.lstrip()[:512].lower()
    if head.startswith("<"):
        return _read_xml(data)
    if _looks_like_yaml(text):
        return _read_urlwatch(text)
    return _read_lines(text)


def _looks_like_yaml(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped == "---" or stripped.split(":", 1)[0] in ("url", "name", "kind", "command")
    return False


def _read_lines(text: str) -> ImportList:
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(stripped.split()) > 1:
            skipped.append(Skipped(f"line {number}", f"not one URL: {stripped[:80]!r}"))
            continue
        entries.append(Entry(stripped, where=f"line {number}"))
    return ImportList("urls", tuple(entries), tuple(skipped))


def _read_urlwatch(text: str) -> ImportList:
    import yaml

    try:
        documents = list(yaml.safe_load_all(text))
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"not a readable urlwatch urls.yaml: {first}") from None
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    for number, job in enumerate((d for d in documents if d is not None), start=1):
        where = f"job {number}"
        if not isinstance(job, dict):
            skipped.append(Skipped(where, "not a job (a mapping of keys)"))
            continue
        kind = next((key for key in _URLWATCH_NOT_URL if key in job), None)
        if kind is not None:
            skipped.append(Skipped(where, f"a {kind} job: storywatch only fetches URLs"))
            continue
        url = job.get("url")
        if not isinstance(url, str) or not url.strip():
            skipped.append(Skipped(where, "no url"))
            continue
        name = job.get("name")
        entries.append(Entry(url.strip(), name=_text(name), where=where))
    return ImportList("urlwatch", tuple(entries), tuple(skipped))


def _read_xml(data: bytes) -> ImportList:
    from lxml import etree

    # Hostile files: no entities, no network, no huge trees.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc}") from None
    tag = etree.QName(root).localname.lower()
    if tag == "opml":
        return _read_opml(root)
    if tag == "urlset":
        return _read_sitemap(root)
    if tag == "sitemapindex":
        sitemaps = _locations(root, "sitemap")
        return ImportList(
            "sitemap index", tuple(Entry(url, Kind.FEED, where=w) for url, w, _ in sitemaps)
        )
    raise InputError(f"unknown list format: an XML <{tag}> (expected OPML or a sitemap)")


def _read_opml(root: Any) -> ImportList:
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    for number, outline in enumerate(root.iter("outline"), start=1):
        where = f"outline {number}"
        name = _text(outline.get("title") or outline.get("text"))
        feed = _text(outline.get("xmlUrl"))
        page = _text(outline.get("htmlUrl") or outline.get("url"))
        if feed:
            entries.append(Entry(feed, Kind.FEED, name, where))
        elif page:
            entries.append(Entry(page, Kind.STORY, name, where))
        elif len(outline) == 0:
            skipped.append(Skipped(where, "no xmlUrl, htmlUrl or url"))
    return ImportList("opml", tuple(entries), tuple(skipped))


def _read_sitemap(root: Any) -> ImportList:
    entries = [Entry(url, Kind.STORY, name, where) for url, where, name in _locations(root, "url")]
    return ImportList("sitemap", tuple(entries))


def _locations(root: Any, element: str) -> Iterator[tuple[str, str, str | None]]:
    """(loc, where, news title) of each <url> or <sitemap> element, with or without the
    sitemap namespace."""
    for number, item in enumerate(_children(root, element), start=1):
        loc = _first_text(item, "loc")
        if loc:
            title = _first_text(item, f"{_NEWS_NS}news/{_NEWS_NS}title")
            yield loc, f"{element} {number}", title


def _children(root: Any, element: str) -> list[Any]:
    found: list[Any] = root.findall(f"{_SITEMAP_NS}{element}") or root.findall(element)
    return found


def _first_text(item: Any, path: str) -> str | None:
    found = item.find(f"{_SITEMAP_NS}{path}") if "{" not in path else item.find(path)
    if found is None and "{" not in path:
        found = item.find(path)
    return _text(found.text if found is not None else None)


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def trackable(
    entries: Iterable[Entry], *, allow_private: bool
) -> tuple[list[Entry], list[Skipped]]:
    """The entries whose URL may be tracked (validated, private literals refused, as
    ``add`` does), and a line for each that may not."""
    valid: list[Entry] = []
    invalid: list[Skipped] = []
    for entry in entries:
        try:
            url = url_to_track(entry.url, allow_private=allow_private)
        except StorywatchError as exc:
            invalid.append(Skipped(entry.where, str(exc)))
        else:
            valid.append(Entry(url, entry.kind, entry.name, entry.where))
    return valid, invalid


def url_list(entries: Iterable[Entry]) -> str:
    """One URL a line: what ``import`` reads back."""
    return "".join(f"{entry.url}\n" for entry in entries)


def opml_document(entries: Iterable[Entry], title: str = "storywatch") -> str:
    """OPML 2.0: feeds as ``xmlUrl`` outlines, stories as ``htmlUrl`` ones."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for entry in entries:
        attribute = "xmlUrl" if entry.kind is Kind.FEED else "htmlUrl"
        outline = etree.SubElement(body, "outline", text=entry.name or entry.url)
        outline.set("type", "rss" if entry.kind is Kind.FEED else "link")
        outline.set(attribute, entry.url)
    document: bytes = etree.tostring(
        root, pretty_print=True, xml_declaration=True, encoding="UTF-8"
    )
    return document.decode("utf-8")
