"""Article extraction from real-looking pages (seeds/ and tests/support/pages.py)."""

from __future__ import annotations

import pytest

from storywatch.errors import ExtractionError
from storywatch.watcher import extract as extract_module
from storywatch.watcher.extract import Article, extract_article
from storywatch.watcher.normalise import content_hash, normalise_text
from tests.support.pages import BOILERPLATE_MARKERS, article_html, seed_html, seed_text

SEED_VERSIONS = [
    "us-russia-deal-v1",
    "us-russia-deal-v1-cosmetic",
    "us-russia-deal-v2",
    "us-russia-deal-v3",
]


def seed_paragraphs(name: str) -> list[str]:
    return [line for line in seed_text(name).splitlines() if line.strip()]


@pytest.mark.parametrize("name", SEED_VERSIONS)
def test_seed_pages_extract_to_exactly_the_seed_text(name: str) -> None:
    article = extract_article(seed_html(name), "text/html; charset=utf-8", "https://news.example/a")

    assert article.text == normalise_text(seed_text(name))
    assert len(article.paragraphs) == len(seed_paragraphs(name))
    assert not any(marker in article.text for marker in BOILERPLATE_MARKERS)


def test_seed_metadata() -> None:
    article = extract_article(seed_html("us-russia-deal-v1-cosmetic"), "text/html")

    assert article.title == "US and Russia seek deal that would cement occupation of Ukrainian land"
    assert article.byline == "Maria Ortega"
    assert article.published == "2025-08-08T21:10:00Z"
    assert article.updated == "2025-08-08T21:25:00Z"


def test_cosmetic_edit_hashes_like_the_original() -> None:
    v1, cosmetic, v2 = (extract_article(seed_html(name), "text/html") for name in SEED_VERSIONS[:3])
    assert content_hash(v1.text) == content_hash(cosmetic.text)
    assert content_hash(v1.text) != content_hash(v2.text)


def test_boilerplate_stays_out_of_the_article() -> None:
    paragraphs = seed_paragraphs("us-russia-deal-v1")
    page = article_html(
        "US and Russia seek deal",
        paragraphs,
        byline="Maria Ortega",
        published="2025-08-08T21:10:00Z",
        modified="2025-08-09T06:40:00Z",
    )

    article = extract_article(page, "text/html")

    assert article.paragraphs == tuple(normalise_text(p) for p in paragraphs)
    assert (article.title, article.byline) == ("US and Russia seek deal", "Maria Ortega")
    assert (article.published, article.updated) == ("2025-08-08T21:10:00Z", "2025-08-09T06:40:00Z")


def test_one_paragraph_story_gets_no_header_or_share_bar() -> None:
    text = (
        "A strong earthquake struck the coastal region on Monday morning, officials said, "
        "and emergency services were sent to the worst-hit towns."
    )
    article = extract_article(article_html("Quake hits coast", [text], byline="Desk"), "text/html")

    assert article.paragraphs == (text,)


def test_repeated_extraction_is_stable() -> None:
    # trafilatura's deduplicate=True keeps a process-wide cache and drops paragraphs it has
    # seen a few times, which would empty out an unchanged article on its fourth fetch.
    page = seed_html("us-russia-deal-v1")
    first = extract_article(page, "text/html")

    for _ in range(5):
        assert extract_article(page, "text/html") == first


def test_dates_from_json_ld_and_non_iso_values_ignored() -> None:
    page = article_html("T", seed_paragraphs("us-russia-deal-v1")[:4])
    page = page.replace(
        "</head>",
        '<meta property="article:modified_time" content="yesterday">'
        '<script type="application/ld+json">{"dateModified": "2025-08-09T06:40:00+00:00"}</script>'
        "</head>",
    )

    assert extract_article(page, "text/html").updated == "2025-08-09T06:40:00+00:00"


def test_published_falls_back_to_trafilatura_date() -> None:
    page = article_html("T", seed_paragraphs("us-russia-deal-v1")[:4]).replace(
        "<header><h1", '<header><p class="date">Published 8 August 2025</p><h1'
    )

    assert extract_article(page, "text/html").published == "2025-08-08"


def test_plain_text_paragraphs_by_blank_lines() -> None:
    body = "First para\nstill first.\n\n\nSecond \u201cquoted\u201d para.\r\n\r\nThird.\n"

    article = extract_article(body, "text/plain; charset=utf-8")

    assert article.paragraphs == ("First para still first.", 'Second "quoted" para.', "Third.")
    assert article.title is None


def test_plain_text_paragraphs_by_lines() -> None:
    assert extract_article(
        "One line here.\nTwo more words here.\nThree at the end.", "text/plain"
    ).paragraphs == (
        "One line here.",
        "Two more words here.",
        "Three at the end.",
    )


def test_article_text_joins_paragraphs() -> None:
    assert Article(None, None, None, None, ("a", "b")).text == "a\nb"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav><footer>(c) 2025</footer></body></html>",
    ],
)
def test_empty_pages_raise(body: str) -> None:
    with pytest.raises(
        ExtractionError, match=r"^no article text found at https://news\.example/x$"
    ):
        extract_article(body, "text/html", "https://news.example/x")


CONSENT_WALL = """<!DOCTYPE html><html><head><title>Before you continue</title></head>
<body><div class="consent"><h1>Before you continue to our site</h1>
<p>We use cookies and data to deliver and maintain our services, track outages and protect
against spam, fraud and abuse. If you choose to Accept all, we will also use cookies and data
to develop and improve new services and deliver and measure the effectiveness of ads.</p>
<p>Select More options to see additional information, including details about managing your
privacy settings.</p><button>Reject all</button><button>Accept all</button></div></body></html>"""


def test_consent_wall_raises() -> None:
    with pytest.raises(ExtractionError, match="consent"):
        extract_article(CONSENT_WALL, "text/html", "https://news.example/x")


def test_short_story_about_cookies_is_not_a_wall() -> None:
    text = (
        "Regulators fined three websites on Tuesday for setting cookies before visitors "
        "had agreed, the first penalties under the new rules."
    )
    article = extract_article(article_html("Cookie fines", [text]), "text/html")

    assert article.paragraphs == (text,)


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "application/atom+xml", "text/xml"]
)
def test_feeds_point_to_add_feed(content_type: str) -> None:
    with pytest.raises(ExtractionError, match="is a feed, add it with add-feed"):
        extract_article("<rss/>", content_type, "https://news.example/feed")


def test_other_types_are_refused() -> None:
    with pytest.raises(ExtractionError, match="image/png"):
        extract_article("\x89PNG", "image/png")


FURNISHED = (
    "<html><head><title>Deal talks</title></head><body>"
    "<nav><ul>"
    + "".join(f"<li><a href='/s/{n}'>Section {n}</a></li>" for n in range(80))
    + "</ul></nav>"
    "<aside class='related'><p>Related: talks resume in Geneva after a pause of weeks.</p></aside>"
    "<article><h1>Deal talks</h1>"
    "<p>Officials said the two sides met five times in August to narrow the gaps.</p>"
    "<figure><img src='x.jpg'><figcaption>A caption nobody quotes.</figcaption></figure>"
    "<p>The ceasefire would take effect on Friday, the agency reported, citing sources.</p>"
    "</article><footer><p>All rights reserved. Subscribe to our newsletter.</p></footer>"
    "</body></html>"
)  # fmt: skip


FURNISHED_TEXT = (  # the headline and the story: no menu, aside, caption or footer
    "Deal talks",
    "Officials said the two sides met five times in August to narrow the gaps.",
    "The ceasefire would take effect on Friday, the agency reported, citing sources.",
)


@pytest.mark.parametrize("name", [*SEED_VERSIONS, "furnished"])
def test_dropping_page_furniture_first_changes_no_extracted_text(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The menus, asides and footers are stripped before trafilatura runs (for speed);
    # trafilatura alone, which deletes them itself, must extract the very same article.
    page = FURNISHED if name == "furnished" else seed_html(name)
    furnished = extract_article(page, "text/html", "https://news.example/a")
    monkeypatch.setattr(extract_module, "_drop_page_furniture", lambda tree: None)
    assert extract_article(page, "text/html", "https://news.example/a") == furnished
    if name == "furnished":
        assert furnished.paragraphs == FURNISHED_TEXT
