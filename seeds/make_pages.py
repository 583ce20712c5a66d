"""Regenerate the seed HTML pages from the seed texts: `python seeds/make_pages.py`.

Each page wraps the article in the boilerplate a real news site has (navigation, cookie
banner, share buttons, related links, footer) so extraction is exercised for real.
"""

from __future__ import annotations

import html
from pathlib import Path

HERE = Path(__file__).parent
TITLE = "US and Russia seek deal that would cement occupation of Ukrainian land"
PAGES = {
    "us-russia-deal-v1": ("2025-08-08T21:10:00Z", "2025-08-08T21:10:00Z"),
    "us-russia-deal-v1-cosmetic": ("2025-08-08T21:10:00Z", "2025-08-08T21:25:00Z"),
    "us-russia-deal-v2": ("2025-08-08T21:10:00Z", "2025-08-09T06:40:00Z"),
    "us-russia-deal-v3": ("2025-08-08T21:10:00Z", "2025-08-09T14:05:00Z"),
}

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | The Daily Wire Desk</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{title}">
<meta name="author" content="Maria Ortega">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{modified}">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<div id="cookie-banner" class="consent">We use cookies to improve your experience.
<button>Accept all</button> <button>Manage preferences</button></div>
<header class="site-header">
<a class="logo" href="/">The Daily Wire Desk</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/tech">Technology</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
</header>
<main>
<article>
<h1>{title}</h1>
<p class="byline">By <span class="author">Maria Ortega</span>,
<time datetime="{published}">August 8, 2025</time></p>
<div class="share"><a href="#">Share on X</a> <a href="#">Share on Facebook</a>
<a href="#">Email</a></div>
<div class="article-body">
{paragraphs}
</div>
</article>
<aside class="related"><h2>Related coverage</h2><ul>
<li><a href="/world/1">Zelensky rejects any deal that cedes Donbas</a></li>
<li><a href="/world/2">Europe prepares its own peace plan</a></li>
<li><a href="/business/3">Oil prices fall on hopes of ceasefire</a></li></ul></aside>
</main>
<footer><p>&copy; 2025 The Daily Wire Desk. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a> | <a href="/contact">Contact</a></p>
</footer>
</body>
</html>
"""


def render(name: str) -> str:
    published, modified = PAGES[name]
    text = (HERE / f"{name}.txt").read_text(encoding="utf-8")
    paragraphs = "\n".join(
        f"<p>{html.escape(line, quote=False)}</p>" for line in text.splitlines() if line.strip()
    )
    return TEMPLATE.format(
        title=html.escape(TITLE), published=published, modified=modified, paragraphs=paragraphs
    )


def main() -> None:
    for name in PAGES:
        (HERE / f"{name}.html").write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    main()
