"""The HTML report in a real browser: self-contained, readable on a phone, the changed
words highlighted, and hostile story text shown as text, never run or parsed as markup."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storywatch.diff.render import render_html
from storywatch.diff.text import word_diff
from storywatch.storage import Store
from tests.support.browser import PHONE, dump_dom, find_chromium, screenshot, summarise_png
from tests.support.history import build_story, invoke_viewer, seed_texts, utc_local_time

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)

HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)> & "Deal"'
HOSTILE_URL = 'https://evil.example/a?q="><script>alert(2)</script>'
HOSTILE_V1 = (
    "Officials said 50% of the <b>budget</b> was spent. <script>alert(3)</script>\n"
    'A source wrote " onmouseover="alert(4)" and </style><style>body{display:none}</style>.\n'
    "The vote is on Friday."
)
HOSTILE_V2 = (
    "Officials said 25% of the <b>budget</b> was spent. <script>alert(3)</script>\n"
    'A source wrote " onmouseover="alert(4)" and </style><style>body{display:none}</style>.\n'
    "The vote is on Monday. <iframe src=https://evil.example/></iframe>"
)
# Everything the report may contain; anything else came from story text.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1",
    "h2", "h3", "p", "a", "ol", "ul", "li", "span", "time", "ins", "del", "mark", "strong",
    "br", "div", "details", "summary",
}  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> str:
    browser, reason = find_chromium()
    if browser is None:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return browser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _export(tmp_path: Path, texts: list[str], title: str, url: str) -> Path:
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    store = Store.open(db)
    build_story(store, url, texts, title=title)
    store.close()
    report = tmp_path / "report.html"
    result = invoke_viewer(db, "export", "1", "--format", "html", "-o", str(report))
    assert result.code == 0, result.stderr
    return report


def test_hostile_text_is_escaped_everywhere(tmp_path: Path, chromium: str) -> None:
    report = _export(tmp_path, [HOSTILE_V1, HOSTILE_V2], HOSTILE_TITLE, HOSTILE_URL)
    source = report.read_text(encoding="utf-8")
    lowered = source.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in source
    # No script could run even if one slipped in.
    assert "default-src 'none'" in source

    dom = dump_dom(chromium, report, tmp_path / "profile")
    parser = _Tags()
    parser.feed(dom)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    for tag, attrs in parser.tags:
        assert not [name for name, _ in attrs if name.startswith("on") or name == "src"], attrs
        if tag == "a":
            href = dict(attrs).get("href") or ""
            assert href.startswith(("#v", "https://evil.example/a?q=")), href
    assert len([tag for tag, _ in parser.tags if tag == "style"]) == 1
    assert "alert(3)" in dom  # shown as text
    assert "<del>50%</del>" in dom and "<ins>25%</ins>" in dom

    markdown = invoke_viewer(f"sqlite:///{tmp_path / 'sw.db'}", "export", "1", "--format", "md")
    outside_fences = markdown.stdout.split("```")[::2]
    assert not any("<script" in part.lower() for part in outside_fences)


def test_report_renders_on_a_phone_with_changes_highlighted(tmp_path: Path, chromium: str) -> None:
    report = _export(tmp_path, seed_texts(), "US and Russia seek deal", "https://news.example/d")
    source = report.read_text(encoding="utf-8")
    # Self-contained: nothing to fetch, one inline style sheet that fits phone screens.
    for external in ("src=", "<link", "@import", "url(", "<script"):
        assert external not in source
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in source
    assert "@media (max-width: 600px)" in source
    png = tmp_path / "phone.png"
    screenshot(chromium, report, png, tmp_path / "profile")
    summary = summarise_png(png)
    assert (summary.width, summary.height) == PHONE
    assert summary.colours > 50 and summary.ink > 0.05, summary  # text and highlights drawn

    dom = dump_dom(chromium, report, tmp_path / "profile")
    parser = _Tags()
    parser.feed(dom)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    assert "<del>Bloomberg sources</del> <ins>Reuters</ins>" in dom
    assert "<del>50%</del> → <ins>25%</ins>" in dom  # timeline and shift lists
    assert dom.count('<h3 id="v') == 3
    assert "tariffs on Indian products" in dom


def test_render_html_escapes_and_marks_edits() -> None:
    fragment = render_html(word_diff("a <b> 1 & c", "a <b> 2 & c"))
    # A space between a deletion and the insertion that replaces it: never "12".
    assert "&lt;b&gt; <del>1</del> <ins>2</ins> &amp; c" in fragment
    assert render_html(word_diff("same", "same")) == '<p class="no-change">(no text changes)</p>'


# A probe for the test's copy of a page (the report itself forbids scripts): how far each
# insertion starts after the deletion it replaces, on the rendered page.
_GAP_PROBE = """<script>
const gaps = [];
for (const del of document.querySelectorAll("del")) {
  const ins = del.nextElementSibling;
  if (!ins || ins.tagName !== "INS") continue;
  let between = "";
  for (let node = del.nextSibling; node && node !== ins; node = node.nextSibling) {
    between += node.textContent;
  }
  if (between.trim()) continue;  // other words between them: not a replacement
  const last = [...del.getClientRects()].pop(), first = ins.getClientRects()[0];
  if (Math.abs(last.top - first.top) < 2) gaps.push(first.left - last.right);
}
document.body.dataset.gaps = JSON.stringify(gaps);
</script>"""


def _gaps(chromium: str, page: Path, tmp_path: Path) -> list[float]:
    source = page.read_text(encoding="utf-8")
    probed = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", source)
    copy = tmp_path / f"probed-{page.name}"
    copy.write_text(probed.replace("</body>", _GAP_PROBE + "</body>"), encoding="utf-8")
    dom = dump_dom(chromium, copy, tmp_path / "profile")
    found = re.search(r'data-gaps="([^"]*)"', dom)
    assert found, dom[-500:]
    return [float(gap) for gap in json.loads(html.unescape(found.group(1)))]


def test_deletions_and_insertions_are_visibly_apart(tmp_path: Path, chromium: str) -> None:
    report = _export(tmp_path, seed_texts(), "US and Russia seek deal", "https://news.example/d")
    diff_page = tmp_path / "diff.html"
    written = invoke_viewer(
        f"sqlite:///{tmp_path / 'sw.db'}", "diff", "1", "2", "3", "--html", str(diff_page)
    )
    assert written.code == 0, written.stderr
    for page in (report, diff_page):
        gaps = _gaps(chromium, page, tmp_path)
        # "Bloomberg sources" then "Reuters", "like" then "want", …: never glued together.
        assert len(gaps) >= 3, (page.name, gaps)
        assert min(gaps) >= 3, (page.name, gaps)  # at least a space's width, in CSS pixels
        source = page.read_text(encoding="utf-8")
        assert "</del><ins>" not in source


def test_diff_page_escapes_hostile_text(tmp_path: Path, chromium: str) -> None:
    _export(tmp_path, [HOSTILE_V1, HOSTILE_V2], HOSTILE_TITLE, HOSTILE_URL)
    page = tmp_path / "diff.html"
    assert (
        invoke_viewer(f"sqlite:///{tmp_path / 'sw.db'}", "diff", "1", "--html", str(page)).code == 0
    )
    dom = dump_dom(chromium, page, tmp_path / "profile")
    parser = _Tags()
    parser.feed(dom)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    assert not [n for _, attrs in parser.tags for n, _ in attrs if n.startswith("on") or n == "src"]
    assert "alert(3)" in dom and "<script" not in page.read_text(encoding="utf-8").lower()
