"""`storywatch extract FILE|URL`: the real command, on files written here and on a page
served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from storywatch.watcher.extract import extract_article
from tests.support.cli import Result, run_cli
from tests.support.pages import seed_html
from tests.support.server import PageServer, unused_port
from tests.test_extract import BUDGET, COMMENT_COUNTERS, commented_page

KEYS = {"url", "title", "byline", "published", "updated", "paragraphs"}


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.code == 2, result
    assert fragment in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_file_shows_numbered_paragraphs_as_compared(tmp_path: Path) -> None:
    html = commented_page(COMMENT_COUNTERS["link to the comments"], 214, ["First!"])
    page = tmp_path / "budget.html"
    page.write_text(html, encoding="utf-8")
    paragraphs = extract_article(html, "text/html").paragraphs

    result = run_cli("extract", str(page))

    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "title:     Council passes budget after six-hour debate",
        "byline:    -",
        "published: -",
        "updated:   -",
        f"{len(paragraphs)} paragraphs:",
        *(f"{number}  {text}" for number, text in enumerate(paragraphs, 1)),
    ]
    assert paragraphs[-3:] == BUDGET and "214" not in result.stdout


def test_file_json_is_the_stored_article(tmp_path: Path) -> None:
    html = seed_html("us-russia-deal-v1")
    page = tmp_path / "story.html"
    page.write_text(html, encoding="utf-8")
    article = extract_article(html, "text/html")

    data = run_cli("extract", "--json", str(page)).json()

    assert set(data) == KEYS and data["url"] is None
    assert (data["title"], data["byline"]) == (article.title, article.byline)
    assert (data["published"], data["updated"]) == (article.published, article.updated)
    assert data["paragraphs"] == list(article.paragraphs)


def test_text_file_is_a_paragraph_a_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("First \u201cline\u201d here.\n\nSecond line.\n", encoding="utf-8")

    data = run_cli("extract", "--json", str(notes)).json()

    assert data["paragraphs"] == ['First "line" here.', "Second line."]
    assert data["title"] is None


def test_url_is_fetched_through_the_guarded_fetcher(page_server: PageServer) -> None:
    page_server.set("/story", seed_html("us-russia-deal-v2"))
    page_server.redirect("/old", "/story")

    refused = run_cli("extract", page_server.url("/old"))
    assert_one_line_error(refused, "127.0.0.1")
    assert page_server.hits("/old") == 0
    data = run_cli("--allow-private", "extract", "--json", page_server.url("/old")).json()

    assert data["url"] == page_server.url("/story")
    expected = extract_article(seed_html("us-russia-deal-v2"), "text/html")
    assert data["paragraphs"] == list(expected.paragraphs)
    assert data["title"] == expected.title


def test_bad_input_is_one_line_exit_2(tmp_path: Path, page_server: PageServer) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)))
    empty = tmp_path / "menu.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    page_server.set("/menu", empty.read_text())
    page_server.set("/logo.png", b"\x89PNG\r\n", content_type="image/png")

    assert_one_line_error(run_cli("extract", str(tmp_path / "gone.html")), "no such file")
    assert_one_line_error(run_cli("extract", str(binary)), "not an HTML or UTF-8 text file")
    assert_one_line_error(run_cli("extract", str(empty)), "no article text found")
    private = ("--allow-private", "extract")
    dead = f"http://127.0.0.1:{unused_port()}/story"
    assert_one_line_error(run_cli(*private, dead), "cannot connect")
    assert_one_line_error(run_cli(*private, page_server.url("/menu")), "no article text found")
    assert_one_line_error(run_cli(*private, page_server.url("/logo.png")), "image/png")
    assert_one_line_error(run_cli("extract", "ftp://example.com/x"), "not an http(s) URL")
