"""Realistic news-page HTML for tests: the article wrapped in the clutter real sites add.

``article_html`` puts a cookie banner, navigation, breadcrumbs, share buttons, an in-body
newsletter promo, related links, a comments teaser and a footer around the paragraphs, so
extraction tests fail when boilerplate leaks into the article text.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SHARED_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Text that appears on the page but must never be extracted as article text.
BOILERPLATE_MARKERS = (
    "We use cookies",
    "Accept all",
    "Sign up for our morning briefing",
    "Related coverage",
    "All rights reserved",
    "Share on Facebook",
    "Most read",
)


def seed_text(name: str) -> str:
    """The text of a seed article (``seeds/<name>.txt``, else the shared copy)."""
    for folder in (SEEDS, SHARED_SEEDS):
        path = folder / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"seed {name!r} not found in {SEEDS} or {SHARED_SEEDS}")


def seed_html(name: str) -> str:
    """The seed page ``seeds/<name>.html`` when present, else one built from its text."""
    path = SEEDS / f"{name}.html"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    paragraphs = [line for line in seed_text(name).splitlines() if line.strip()]
    return article_html(
        "US and Russia seek deal that would cement occupation of Ukrainian land",
        paragraphs,
        byline="Maria Ortega",
        published="2025-08-08T21:10:00Z",
    )


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    byline: str | None = None,
    published: str | None = None,
    modified: str | None = None,
    charset: str = "utf-8",
) -> str:
    """A complete news page around ``paragraphs`` (plain text, escaped here)."""
    esc = html.escape
    body = [f"<p>{esc(text, quote=False)}</p>" for text in paragraphs]
    # Real sites interrupt the story with a promo a few paragraphs in.
    body.insert(min(3, len(body)), _PROMO)
    meta = [f'<meta property="og:title" content="{esc(title)}">']
    if byline:
        meta.append(f'<meta name="author" content="{esc(byline)}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{esc(published)}">')
    if modified:
        meta.append(f'<meta property="article:modified_time" content="{esc(modified)}">')
    byline_html = f'<p class="byline">By <a rel="author">{esc(byline)}</a></p>' if byline else ""
    time_html = f'<time datetime="{esc(published)}">{esc(published)}</time>' if published else ""
    return _PAGE.format(
        charset=charset,
        title=esc(title),
        meta="\n".join(meta),
        json_ld=_json_ld(title, byline, published, modified),
        byline=byline_html,
        time=time_html,
        body="\n".join(body),
    )


def _json_ld(title: str, byline: str | None, published: str | None, modified: str | None) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
    }
    if byline:
        data["author"] = {"@type": "Person", "name": byline}
    if published:
        data["datePublished"] = published
    if modified:
        data["dateModified"] = modified
    # "</" must not end the script element early.
    return json.dumps(data).replace("</", "<\\/")


_PROMO = """<aside class="newsletter-promo"><h3>Sign up for our morning briefing</h3>
<p>Get the day's top stories in your inbox.</p>
<form><input type="email" placeholder="Email address"><button>Sign up</button></form></aside>"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="{charset}">
<title>{title} | The Evening Ledger</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{meta}
<script type="application/ld+json">{json_ld}</script>
<link rel="stylesheet" href="/assets/main.css">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
</head>
<body>
<div id="consent-banner" class="cookie-consent" role="dialog">
<p>We use cookies and similar technologies to personalise content and ads and to analyse
our traffic. By clicking "Accept all" you agree to this.</p>
<button>Accept all</button> <button>Reject all</button> <a href="/cookies">Manage settings</a>
</div>
<header class="masthead">
<a class="logo" href="/">The Evening Ledger</a>
<nav aria-label="Main"><ul>
<li><a href="/news">News</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/culture">Culture</a></li><li><a href="/subscribe">Subscribe</a></li>
<li><a href="/login">Sign in</a></li></ul></nav>
</header>
<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/world">World</a></nav>
<main id="content">
<article class="story">
<header><h1 class="headline">{title}</h1>
{byline}
{time}
</header>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a>
<a href="#">Copy link</a></div>
<div class="story-body" itemprop="articleBody">
{body}
</div>
<div class="comments-teaser"><a href="#comments">Read 214 comments</a></div>
</article>
<aside class="related"><h2>Related coverage</h2><ul>
<li><a href="/world/a">Ministers meet as talks stall</a></li>
<li><a href="/world/b">What we know so far</a></li>
<li><a href="/world/c">Analysis: the deal nobody wanted</a></li></ul></aside>
<aside class="most-read"><h2>Most read</h2><ol>
<li><a href="/1">Storm warning for the weekend</a></li>
<li><a href="/2">Markets close higher on rate hopes</a></li></ol></aside>
</main>
<footer class="site-footer">
<p>&copy; 2025 The Evening Ledger. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms</a> |
<a href="/contact">Contact us</a> | <a href="/advertise">Advertise</a></p>
</footer>
</body>
</html>
"""
