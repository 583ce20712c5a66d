"""`storywatch import`: the lists other tools keep, through the real CLI on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from storywatch.errors import InputError
from storywatch.watcher.imports import Kind, read_import
from tests.support.cli import run_cli

URLWATCH_YAML = """\
name: Deal talks
url: https://news.example/world/deal
---
url: https://news.example/politics/budget
filter: html2text
---
name: Disk space
command: df -h
---
name: Live blog
url: https://news.example/live/1
navigate: https://news.example/live/1
"""

OPML = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Watched</title></head>
  <body>
    <outline text="World news" xmlUrl="https://news.example/world.rss" />
    <outline text="Folder">
      <outline text="Budget story" htmlUrl="https://news.example/politics/budget" />
    </outline>
    <outline text="Nothing here" />
  </body>
</opml>
"""

NEWS_SITEMAP = """\
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example/world/deal</loc>
    <news:news>
      <news:publication>
        <news:name>Example News</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-30T08:00:00Z</news:publication_date>
      <news:title>US and Russia seek deal</news:title>
    </news:news>
  </url>
  <url><loc>https://news.example/world/floods</loc></url>
</urlset>
"""


def _db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'sw.db'}"]


def test_a_url_list_reports_duplicates_and_invalid_lines_and_imports_the_rest(
    tmp_path: Path,
) -> None:
    db = _db(tmp_path)
    run_cli(*db, "add", "https://news.example/world/deal")
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# stories to watch\n"
        "https://news.example/world/deal\n"
        "https://news.example/world/floods\n"
        "\n"
        "ftp://news.example/file\n"
        "https://news.example/world/floods\n"
        "two words\n",
        encoding="utf-8",
    )
    result = run_cli(*db, "import", str(listing))
    assert result.code == 0, result.stderr
    assert "imported 1 story" in result.stdout
    assert "already tracked: https://news.example/world/deal (story 1)" in result.stderr
    assert "invalid line 5" in result.stderr and "skipped line 7" in result.stderr
    urls = [s["url"] for s in run_cli(*db, "list", "--json").json()]
    assert urls == ["https://news.example/world/deal", "https://news.example/world/floods"]


def test_urlwatch_jobs_keep_their_names_and_other_jobs_are_listed_as_skipped(
    tmp_path: Path,
) -> None:
    listing = tmp_path / "urls.yaml"
    listing.write_text(URLWATCH_YAML, encoding="utf-8")
    result = run_cli(*_db(tmp_path), "import", str(listing), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["format"] == "urlwatch"
    assert [s["url"] for s in data["stories_added"]] == [
        "https://news.example/world/deal",
        "https://news.example/politics/budget",
    ]
    assert [s["where"] for s in data["skipped"]] == ["job 3", "job 4"]
    stories = run_cli(*_db(tmp_path), "list", "--json").json()
    assert stories[0]["name"] == "Deal talks"


def test_opml_feeds_become_feeds_and_pages_become_stories(tmp_path: Path) -> None:
    listing = tmp_path / "subscriptions.opml"
    listing.write_text(OPML, encoding="utf-8")
    result = run_cli(*_db(tmp_path), "import", str(listing))
    assert result.code == 0, result.stderr
    assert "imported 1 story and 1 feed from an OPML file" in result.stdout
    feeds = run_cli(*_db(tmp_path), "feeds", "--json").json()
    assert [f["url"] for f in feeds] == ["https://news.example/world.rss"]


def test_a_news_sitemap_from_stdin_names_stories_by_their_news_title(tmp_path: Path) -> None:
    result = run_cli(*_db(tmp_path), "import", "-", "--tag", "world", stdin=NEWS_SITEMAP)
    assert result.code == 0, result.stderr
    stories = run_cli(*_db(tmp_path), "list", "--json").json()
    assert [(s["name"], s["tags"]) for s in stories] == [
        ("US and Russia seek deal", ["world"]),
        (None, ["world"]),
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"<opml><body><outline", "not well-formed XML"),
        (b"<rss version='2.0'></rss>", "unknown list format"),
        (b"url: [unclosed\n", "not a readable urlwatch urls.yaml"),
    ],
)
def test_unreadable_lists_are_one_line_and_exit_2(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    listing = tmp_path / "list"
    listing.write_bytes(content)
    result = run_cli(*_db(tmp_path), "import", str(listing))
    assert result.code == 2 and fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_xml_entities_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<urlset><url><loc>https://news.example/&lol2;</loc></url></urlset>"
    )
    listing = read_import(bomb)
    assert all("lollol" not in entry.url for entry in listing.entries)


def test_a_sitemap_index_lists_sitemaps_as_feeds() -> None:
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://news.example/sitemap-1.xml</loc></sitemap></sitemapindex>"
    )
    listing = read_import(index)
    assert [(e.url, e.kind) for e in listing.entries] == [
        ("https://news.example/sitemap-1.xml", Kind.FEED)
    ]
    with pytest.raises(InputError):
        read_import(b"<html></html>")


def test_export_stories_writes_a_list_import_reads_back(tmp_path: Path) -> None:
    listing = tmp_path / "subscriptions.opml"
    listing.write_text(OPML, encoding="utf-8")
    run_cli(*_db(tmp_path), "import", str(listing))
    for fmt in ("urls", "opml"):
        exported = tmp_path / f"out.{fmt}"
        result = run_cli(
            *_db(tmp_path), "export", "--stories", "--format", fmt, "-o", str(exported)
        )
        assert result.code == 0, result.stderr
        again = tmp_path / f"again-{fmt}.db"
        back = run_cli("--db", f"sqlite:///{again}", "import", str(exported), "--json").json()
        assert [s["url"] for s in back["stories_added"]] == ["https://news.example/politics/budget"]
        if fmt == "opml":
            assert back["feeds_added"] == ["https://news.example/world.rss"]
    refused = run_cli(*_db(tmp_path), "export", "1", "--stories")
    assert refused.code == 2 and "--stories takes no story" in refused.stderr


def test_private_addresses_are_refused_at_import_as_at_add(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("http://127.1/story\nhttps://news.example/story\n", encoding="utf-8")
    result = run_cli(*_db(tmp_path), "import", str(listing))
    assert result.code == 0 and "imported 1 story" in result.stdout
    assert "invalid line 1" in result.stderr and "--allow-private" in result.stderr


def test_add_takes_many_urls_and_reports_each_problem_on_its_own_line(tmp_path: Path) -> None:
    db = _db(tmp_path)
    run_cli(*db, "add", "https://news.example/a")
    result = run_cli(
        *db, "add", "https://news.example/a", "https://news.example/b", "not a url", "--tag", "x"
    )
    assert result.code == 0, result.stderr
    assert "tracking story 2: https://news.example/b" in result.stdout
    assert "already tracked: https://news.example/a (story 1)" in result.stderr
    assert "not added: not an http(s) URL: not a url" in result.stderr
    refused = run_cli(*db, "add", "https://news.example/c", "https://news.example/d", "--name", "x")
    assert refused.code == 2 and "--name names one story" in refused.stderr
