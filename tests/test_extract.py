"""Article extraction from real-looking pages (seeds/ and tests/support/pages.py)."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from storywatch.errors import ExtractionError
from storywatch.watcher.extract import (
    Article,
    _with_left_out_headings,
    _with_left_out_lists,
    extract_article,
)
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


def test_page_furniture_stays_out() -> None:
    assert extract_article(FURNISHED, "text/html", "https://news.example/a").paragraphs == (
        FURNISHED_TEXT
    )


# --- failure shapes seen on real publishers' pages (issue 12) -------------------------

BRIDGE = (
    "The district council confirmed on Thursday that the bridge on Mill Road will close for "
    "repairs from 3 March, after inspectors found corrosion in two of its steel supports.",
    "Engineers expect the work to take eleven weeks. Buses will be diverted through the town "
    "centre, adding about ten minutes to journeys between the station and the hospital.",
    "The council said the repairs would cost 1.4 million pounds, most of it paid from a "
    "national fund for ageing bridges, and that a temporary footbridge would open soon.",
    "Residents who live beside the bridge will be offered parking permits for the duration "
    "of the works, a spokesperson said, and a drop-in session will be held at the library.",
)


def test_story_in_plain_divs_is_extracted() -> None:
    # No <p> at all, one <div> a paragraph: fast mode and favor_precision together
    # extracted nothing from it, where trafilatura's defaults read the whole story.
    page = (
        "<html><head><title>Mill Road bridge</title></head><body>"
        "<header><a href='/'>Valley Gazette</a></header><div class='wrapper'>"
        "<h1>Mill Road bridge to close for repairs</h1>"
        + "".join(f"<div class='para'>{text}</div>" for text in BRIDGE)
        + "</div><footer>(c) Valley Gazette</footer></body></html>"
    )

    article = extract_article(page, "text/html", "https://valley.example/bridge")

    assert article.paragraphs == ("Mill Road bridge to close for repairs", *BRIDGE)


def test_story_in_a_layout_table_is_extracted() -> None:
    page = (
        "<html><head><title>Mill Road bridge - Valley Gazette</title></head><body>"
        "<table width='100%'><tr><td class='menu'><a href='/'>Home</a><br>"
        "<a href='/news'>News</a></td><td class='content'>"
        "<h1>Mill Road bridge to close for repairs</h1>"
        + "".join(f"<p>{text}</p>" for text in BRIDGE)
        + "</td></tr></table><div class='footer'>Valley Gazette</div></body></html>"
    )

    text = extract_article(page, "text/html", "https://valley.example/bridge").text

    assert all(paragraph in text for paragraph in BRIDGE)


def test_story_in_an_unspaced_script_is_long_enough() -> None:
    story = (
        "東京都は五日、来年度から都内の公立小学校の給食費を無償にすると発表しました。"
        "対象はおよそ六十万人で、費用は年間三百億円を見込んでいます。"
    )
    page = f"<html><body><article><h1>給食費を無償に</h1><p>{story}</p></article></body></html>"

    assert extract_article(page, "text/html").text.endswith(story)


BUDGET = (
    "The city council approved the new budget on Tuesday after a six-hour debate, with 31 "
    "members voting in favour and 12 against the plan.",
    "The budget raises spending on public transport by 8 percent and freezes council tax for "
    "a second year, the finance committee said.",
    "Opposition members said the plan relied on optimistic forecasts for business rates and "
    "would leave a gap of 40 million pounds by 2027.",
)
COMMENT_COUNTERS = {
    "link to the comments": 'Posted by Sam Hill | <a href="#comments">{count} Comments</a>',
    "counter in a span": 'By <span class="author">Sam Hill</span> '
    '<span class="comments">{count} comments</span>',
    "bare count beside the headline": '<span class="comment-count"><a href="#c">{count}</a></span>',
    "list of tools": '<ul class="tools"><li><a href="#respond">Comments ({count})</a></li></ul>',
}


def commented_page(counter: str, count: int, comments: list[str]) -> str:
    thread = "".join(
        f'<li class="comment"><div class="comment-author">Reader {n}</div>'
        f'<div class="comment-content"><p>{text}</p></div></li>'
        for n, text in enumerate(comments)
    )
    return (
        "<!DOCTYPE html><html><head><title>Council passes budget | Riverside Post</title>"
        "</head><body><div id='page'><div class='entry'>"
        "<h1 class='entry-title'>Council passes budget after six-hour debate</h1>"
        f"<p>{counter.format(count=count)}</p>"
        + "".join(f"<p>{text}</p>" for text in BUDGET)
        + f"</div><div id='comments'><h3>{count} Responses</h3><ol class='comment-list'>"
        f"{thread}</ol></div></div></body></html>"
    )


@pytest.mark.parametrize("counter", COMMENT_COUNTERS.values(), ids=COMMENT_COUNTERS.keys())
def test_comments_and_their_counter_stay_out(counter: str) -> None:
    first = ["Another year of frozen tax while the buses get worse, as usual around here."]
    later = [*first, "The 8 percent is mostly the new depot, which was promised years ago."]
    before = extract_article(commented_page(counter, 214, first), "text/html")
    after = extract_article(commented_page(counter, 215, later), "text/html")

    assert after == before  # a new comment and a counter going up are not an edit
    assert before.paragraphs[-3:] == BUDGET
    assert "214" not in before.text and "Reader" not in before.text


def test_a_link_to_a_comment_inside_the_story_stays() -> None:
    quoted = (
        'The plan is "a promise on a postcard", as <a href="#comment-4512">one reader</a> '
        "put it on Tuesday, and the council has yet to publish its figures in full."
    )
    page = commented_page("", 3, ["Nothing."]).replace("<p></p>", f"<p>{quoted}</p>")

    assert "as one reader put it on Tuesday" in extract_article(page, "text/html").text


HEADLINE = "Council passes budget after six-hour debate"


def titled_page(head: str, body: str) -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in BUDGET)
    return f"<html><head>{head}</head><body>{body}<article>{paragraphs}</article></body></html>"


@pytest.mark.parametrize(
    ("head", "body"),
    [
        pytest.param(  # og:title carries the site's name too; the h1 is the headline
            f'<title>{HEADLINE} | Riverside Post</title><meta property="og:title" '
            f'content="{HEADLINE} | Riverside Post">',
            f"<h1>{HEADLINE}</h1>",
            id="og-title-with-suffix",
        ),
        pytest.param(  # the only h1 is the logo; the site is named by og:site_name
            f'<title>{HEADLINE} - Riverside Post</title><meta property="og:site_name" '
            'content="Riverside Post">',
            "<h1 class='logo'>Riverside Post</h1><h2>Politics</h2>",
            id="logo-h1-and-title-suffix",
        ),
        pytest.param(  # no h1, no og: the <title> alone, site named by the host
            f"<title>Riversidepost.example \u2014 {HEADLINE}</title>",
            "",
            id="title-prefix-from-host",
        ),
        pytest.param(  # no h1, a pipe-separated site name nobody declares
            f"<title>{HEADLINE} | Local News | Riverside</title>",
            "",
            id="title-pipe-suffixes",
        ),
    ],
)
def test_title_is_the_headline_without_the_site_name(head: str, body: str) -> None:
    page = titled_page(head, body)

    assert extract_article(page, "text/html", "https://www.riversidepost.example/a").title == (
        HEADLINE
    )


def test_a_headline_naming_the_publisher_is_not_the_site_name() -> None:
    headline = "Riverside Post fined over report"
    page = titled_page(
        f'<title>{headline} | Riverside Post</title><meta property="og:site_name" '
        'content="Riverside Post">',
        f"<h1>{headline}</h1>",
    )

    assert extract_article(page, "text/html", "https://riversidepost.example/").title == headline


def test_title_prefers_the_visible_headline_and_keeps_its_dashes() -> None:
    headline = "Ukraine - what we know so far about the talks"
    page = titled_page(
        '<meta property="og:title" content="Talks: what we know">', f"<h1>{headline}</h1>"
    )

    assert extract_article(page, "text/html").title == headline
    untitled = titled_page(f"<title>{headline}</title>", "")
    assert extract_article(untitled, "text/html").title == headline


def updates_page(notes: list[str]) -> str:
    history = "".join(
        f'<li><time datetime="2022-09-0{n + 1}">{n + 1} September 2022</time><p>{note}</p></li>'
        for n, note in enumerate(notes)
    )
    return (
        "<html><head><title>Bird flu confirmed in Norfolk - GOV.UK</title></head><body>"
        "<main><h1>Bird flu confirmed in Norfolk</h1>"
        + "".join(f"<p>{text}</p>" for text in BRIDGE[:2])
        + '<div class="published-dates">Published 1 September 2022 '
        '<a href="#history">+ show all updates</a>'
        f'<div class="change-history js-hidden"><ol>{history}</ol></div></div>'
        f"<div hidden><p>{BRIDGE[3]}</p></div>"
        "</main></body></html>"
    )


def test_collapsed_update_notes_and_hidden_blocks_stay_out() -> None:
    # GOV.UK-style pages list their past updates in a block collapsed by default; a new
    # note ("Added translation") is not an edit of the story.
    first = extract_article(updates_page(["First published."]), "text/html")
    later = extract_article(updates_page(["Added translation", "First published."]), "text/html")

    assert first == later
    assert first.paragraphs[:3] == ("Bird flu confirmed in Norfolk", *BRIDGE[:2])
    assert "First published" not in first.text and BRIDGE[3] not in first.text


def test_tables_are_kept_without_their_separator_lines() -> None:
    rows = "".join(
        f"<tr><td>{town}</td><td>{cases}</td></tr>"
        for town, cases in (("Norwich", 12), ("King's Lynn", 7))
    )
    page = (
        "<html><body><article><h1>Cases by town</h1>"
        + "".join(f"<p>{text}</p>" for text in BUDGET)
        + f"<table><tr><th>Town</th><th>Cases</th></tr>{rows}</table></article></body></html>"
    )

    paragraphs = extract_article(page, "text/html").paragraphs

    assert "| Norwich | 12 |" in paragraphs and "| King's Lynn | 7 |" in paragraphs
    assert all(any(char.isalnum() for char in line) for line in paragraphs)


def test_bullet_points_of_a_story_in_plain_divs_are_kept() -> None:
    # With no <article> or <main> around the story trafilatura gathers its paragraphs one
    # by one and leaves its lists out: a press release's bullet points, each a claim.
    bullets = (
        "from 1 April, stall fees will rise by five percent for all traders except charities",
        "food stalls will need a new hygiene certificate from the council every year",
    )
    story = (
        "<p>The council is changing the rules for market traders in the town centre from "
        "next spring. The changes were agreed at a meeting on Monday night.</p>"
        "<p>The changes are:</p><ul>" + "".join(f"<li>{item}</li>" for item in bullets) + "</ul>"
        "<p>Traders who already hold a licence will keep it until it runs out, and can renew "
        "it online or at the town hall, the council added.</p>"
    )
    page = f"<html><body><div><div class='banner'></div><div>{story}</div></div></body></html>"

    paragraphs = extract_article(page, "text/html").paragraphs

    assert paragraphs[2:4] == tuple(f"- {item}" for item in bullets)
    assert paragraphs[1] == "The changes are:" and paragraphs[-1].startswith("Traders who")


STANDFIRST = (
    "Inspectors found corrosion in two steel supports of the Mill Road bridge, which will "
    "close for eleven weeks."
)


def _headed_page(after_headline: str) -> str:
    """A news page whose header block (headline, then what follows it in a second column)
    is apart from the story's <article>, as design systems lay them out: trafilatura
    reads the <article> alone."""
    return (
        "<html><head><title>Mill Road bridge</title></head><body><main>"
        "<div class='row'><div class='column'><div class='title'><span>News story</span>"
        "<h1>Mill Road bridge to close for repairs</h1></div></div>"
        f"<div class='column'>{after_headline}</div></div>"
        "<div class='row'><div class='meta'><dl><dt>From:</dt><dd><a href='/council'>"
        "District council</a></dd></dl></div></div>"
        "<article class='body'>" + "".join(f"<p>{text}</p>" for text in BRIDGE) + "</article>"
        "</main></body></html>"
    )


def test_the_standfirst_under_the_headline_opens_the_story() -> None:
    page = _headed_page(f"<p class='lead-paragraph'>{STANDFIRST}</p>")
    paragraphs = extract_article(page, "text/html", "https://valley.example/bridge").paragraphs
    assert paragraphs == (STANDFIRST, *BRIDGE)


@pytest.mark.parametrize(
    "after_headline",
    [
        "<p>By Jane Okafor, 5 March 2025</p>",  # a byline: too short for a standfirst
        "<p><a href='/more'>More on the bridge closures across the county this spring</a></p>",
    ],
)
def test_a_byline_or_a_link_under_the_headline_is_no_standfirst(after_headline: str) -> None:
    paragraphs = extract_article(
        _headed_page(after_headline), "text/html", "https://valley.example/bridge"
    ).paragraphs
    assert paragraphs == BRIDGE


def test_a_list_under_a_heading_after_the_story_is_kept() -> None:
    # The notes a press release ends on: a heading ("More information"), then a list whose
    # items are claims of their own. The same one-by-one gathering left the list out.
    notes = (
        "The council provided 2.5 million pounds towards the new market hall last year",
        "The cost of the repairs will come within the council's existing capital budget",
    )
    story = (
        "<p>The council is changing the rules for market traders in the town centre from "
        "next spring. The changes were agreed at a meeting on Monday night.</p>"
        "<p>Traders who already hold a licence will keep it until it runs out, and can renew "
        "it online or at the town hall, the council added.</p>"
        "<h3>More information</h3><ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"
    )
    page = f"<html><body><div><div class='banner'></div><div>{story}</div></div></body></html>"

    paragraphs = extract_article(page, "text/html").paragraphs

    assert set(f"- {note}" for note in notes) <= set(paragraphs)
    assert paragraphs[1].startswith("Traders who")


def test_key_points_listed_above_the_first_paragraph_are_kept() -> None:
    # A story that opens on its key points, a list with no lead-in above it: the same
    # one-by-one gathering left it out, and an item moved into the list from a paragraph
    # read as a claim removed.
    points = (
        "The bridge will close for eight weeks from Monday 3 March",
        "Buses will divert through Station Road while the work goes on",
    )
    story = (
        "<ul>" + "".join(f"<li>{p}</li>" for p in points) + "</ul>"
        "<p>The council is replacing the deck of the Mill Road bridge, which was damaged in "
        "the floods last winter. The work will cost 1.2 million pounds.</p>"
        "<p>Pedestrians will still be able to cross on a temporary walkway, the council "
        "added in a statement on Friday.</p>"
    )
    page = f"<html><body><div><div class='banner'></div><div>{story}</div></div></body></html>"

    paragraphs = extract_article(page, "text/html").paragraphs

    assert [f"- {point}" for point in points] == list(paragraphs[:2])
    assert paragraphs[2].startswith("The council is replacing")


def test_a_heading_left_out_between_two_extracted_paragraphs_is_put_back() -> None:
    # When trafilatura's own extractor loses to its fallbacks, the story comes without its
    # headings; here one carries the date of the event the next paragraph describes.
    story = (
        "<div><p>Councils can bid for a share of the river fund until the end of May.</p>"
        "<h2>Webinar</h2><h4>21 September 2025</h4>"
        "<p>The webinar will explain the rules and how to submit a bid.</p>"
        "<h3>Related links</h3><ul><li><a href='/x'>River fund guidance</a></li></ul></div>"
    )
    text = (
        "Councils can bid for a share of the river fund until the end of May.\n"
        "The webinar will explain the rules and how to submit a bid."
    )

    restored = _with_left_out_headings(fromstring(story), text)

    assert restored.splitlines() == [
        "Councils can bid for a share of the river fund until the end of May.",
        "Webinar",
        "21 September 2025",
        "The webinar will explain the rules and how to submit a bid.",
    ]


@pytest.mark.parametrize(
    "before",
    [
        # notes under a label paragraph rather than a heading
        "<p><strong>Background:</strong></p>",
        # key points in a box of their own above the first paragraph
        "",
    ],
)
def test_a_list_under_a_label_or_in_a_box_is_kept(before: str) -> None:
    points = (
        "The bridge will close for eight weeks from Monday 3 March",
        "Buses will divert through Station Road while the work goes on",
    )
    box = "<ul>" + "".join(f"<li>{p}</li>" for p in points) + "</ul>"
    story = (
        "<p>The council is replacing the deck of the Mill Road bridge, which was damaged in "
        "the floods last winter. The work will cost 1.2 million pounds.</p>"
        "<p>Pedestrians will still be able to cross on a temporary walkway, the council "
        "added in a statement on Friday.</p>"
    )
    body = f"{story}{before}{box}" if before else f"<div class='call-to-action'>{box}</div>{story}"
    page = f"<html><body><div><div class='banner'></div><div>{body}</div></div></body></html>"

    paragraphs = extract_article(page, "text/html").paragraphs

    assert {f"- {point}" for point in points} <= set(paragraphs)


def test_a_heading_left_out_over_a_table_is_put_back() -> None:
    # What a table covers is in its heading ("... and mobile testing units"): an edit
    # there is an edit of every row.
    story = (
        "<div><p>There will be a weekend collection service on 26 and 27 December.</p>"
        "<h3>Opening hours for testing sites (including mobile testing units)</h3>"
        "<table><tr><th>Date</th><th>Opening hours</th></tr>"
        "<tr><td>24 December</td><td>8am to 4pm</td></tr></table></div>"
    )
    text = (
        "There will be a weekend collection service on 26 and 27 December.\n"
        "Date | Opening hours\n24 December | 8am to 4pm"
    )

    restored = _with_left_out_headings(fromstring(story), text).splitlines()

    assert restored[1] == "Opening hours for testing sites (including mobile testing units)"
    assert restored[2] == "Date | Opening hours"


def test_a_speaker_heading_left_out_over_a_block_quote_is_put_back() -> None:
    # "The minister said:" set as a heading over the quotation: without it the quote is
    # nobody's, and a page that keeps it on one version only reads as a new statement.
    story = (
        "<div><p>The deal removes tariffs on nine in ten goods traded between the two.</p>"
        "<h4>The Trade Secretary, Jo Lee, said:</h4>"
        "<blockquote><p>This deal will slash red tape for our exporters.</p>"
        "<p>Trade between us will grow for years to come.</p></blockquote></div>"
    )
    text = (
        "The deal removes tariffs on nine in ten goods traded between the two.\n"
        "This deal will slash red tape for our exporters.\n"
        "Trade between us will grow for years to come."
    )

    restored = _with_left_out_headings(fromstring(story), text).splitlines()

    assert restored[1] == "The Trade Secretary, Jo Lee, said:"


@pytest.mark.parametrize(
    ("items", "kept"),
    [
        (
            (
                "25 October: Regional economy webinar with the chief economist",
                "2 November: Data skills drop-in session for new analysts",
            ),
            True,
        ),
        (("Read our guide to living in Malta", "Sign up for email alerts from the council"), False),
    ],
)
def test_a_programme_left_out_is_put_back_and_a_list_of_links_is_not(
    items: tuple[str, ...], kept: bool
) -> None:
    # trafilatura may leave a list of links out even in its recall mode: a programme of
    # events, each a link to its booking page, was gone from the story. Links without
    # dates are the page's navigation.
    lead = "Find out about the latest events for analysts across the country this autumn."
    after = "Every event is free, and recordings are shared with members after each one."
    listed = "".join(f"<li><a href='/e{k}'>{item}</a></li>" for k, item in enumerate(items))
    story = fromstring(f"<div><p>{lead}</p><h2>October</h2><ul>{listed}</ul><p>{after}</p></div>")

    restored = _with_left_out_lists(story, f"{lead}\n{after}").splitlines()

    assert restored == ([lead, *(f"- {item}" for item in items), after] if kept else [lead, after])


def test_a_link_styled_as_furniture_inside_a_sentence_keeps_its_words() -> None:
    # An inline attachment link whose class names furniture ("attachment", "meta") was
    # dropped by trafilatura's class rules, taking words out of the sentence around it.
    sentence = (
        'The council has <span class="attachment-inline"><a href="/letter.pdf">written to the'
        ' regulator</a> (<span class="file-size">180KB</span>)</span> to ask for more time.'
    )
    story = "".join(f"<p>{text}</p>" for text in BRIDGE[:2]) + f"<p>{sentence}</p>"
    page = f"<html><body><article><h1>Mill Road bridge</h1>{story}</article></body></html>"

    paragraphs = extract_article(page, "text/html").paragraphs

    assert "The council has written to the regulator (180KB) to ask for more time." in paragraphs
    # A furniture element standing alone in its paragraph is still trafilatura's to judge.
    alone = page.replace(sentence, '<span class="timestamp">5 March 2025</span>')
    assert not any("5 March" in p for p in extract_article(alone, "text/html").paragraphs)
