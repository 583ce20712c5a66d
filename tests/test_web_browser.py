"""The web pages in real headless Chromium (Debian's, driven by Playwright): a reader
walks home → story → diff → back, the changed words are highlighted in the DOM, hostile
titles and text stay text with no script run, and screenshots at 1280 and 400 px are
kept as artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import find_chromium
from tests.support.web import Served, artifacts_dir, build_database, serve_process

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip("playwright.sync_api")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{folder / 'storywatch.db'}"
    seed, hostile = build_database(db_url)
    with serve_process(db_url) as base:
        yield Served(db_url, base, seed, hostile)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable, reason = find_chromium()
    if executable is None:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


def test_walk_home_story_diff_and_back(served: Served, browser: object, tmp_path: Path) -> None:
    shots = artifacts_dir(tmp_path / "screenshots")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served.base + "/")
    assert page.title() == "Recent changes · storywatch"
    page.click(f'h2 a[href="/stories/{served.seed}"]')
    page.wait_for_url(f"{served.base}/stories/{served.seed}")
    assert page.locator("h1").inner_text() == "US-Russia deal talks"
    page.screenshot(path=str(shots / "story-1280.png"), full_page=True)
    page.click(f'a.diff-link[href="/stories/{served.seed}/diff/1..2"]')
    page.wait_for_url(f"{served.base}/stories/{served.seed}/diff/1..2")
    inserted = page.locator("section.report ins").all_inner_texts()
    deleted = page.locator("section.report del").all_inner_texts()
    assert "Friday" in inserted and "next week" in deleted
    assert page.locator("section.word-diff ins").count() > 0
    page.screenshot(path=str(shots / "diff-1280.png"), full_page=True)
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=str(shots / "diff-400.png"), full_page=True)
    # The page fits a phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.go_back()
    page.wait_for_url(f"{served.base}/stories/{served.seed}")
    assert page.locator("h1").inner_text() == "US-Russia deal talks"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(served.base + "/")
    page.screenshot(path=str(shots / "home-1280.png"), full_page=True)
    assert errors == []
    for name in ("story-1280.png", "diff-1280.png", "diff-400.png", "home-1280.png"):
        assert (shots / name).stat().st_size > 10_000, name
    page.close()


def test_hostile_story_renders_as_text_and_runs_nothing(served: Served, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (
        f"/stories/{served.hostile}",
        f"/stories/{served.hostile}/diff/1..2",
        f"/stories/{served.hostile}/versions/2",
        "/",
        "/stories",
    ):
        page.goto(served.base + path)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("main script, main img, main textarea, main b").count() == 0, path
    page.goto(f"{served.base}/stories/{served.hostile}")
    assert page.title().startswith("<script>window.__pwned = 1</script><img src=x")
    assert "</textarea>" in page.locator("h1").inner_text()
    page.goto(f"{served.base}/stories/{served.hostile}/versions/2")
    assert "<script>window.__pwned = 3</script>" in page.locator("article").inner_text()
    assert dialogs == []
    page.close()
