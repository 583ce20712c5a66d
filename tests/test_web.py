"""`storywatch serve` as a real process on 127.0.0.1, over a database the real pipeline
built: every API route answers what the CLI's --json prints for the same data, the
pages show the change report, the Atom feeds parse and keep their entry ids across
restarts, and the token and binding rules hold. SQLite and PostgreSQL alike."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest

from storywatch.errors import StorageError
from storywatch.storage import Store
from tests.support.cli import run_cli
from tests.support.databases import database_url
from tests.support.history import invoke_viewer
from tests.support.web import HOSTILE_TITLE, Served, build_database, serve_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with database_url(request.param, tmp_path_factory.mktemp("web")) as db_url:
        seed, hostile = build_database(db_url)
        with serve_process(db_url) as base:
            yield Served(db_url, base, seed, hostile)


def _api(served: Served, path: str) -> Any:
    answer = httpx.get(served.base + path, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()


def _cli(served: Served, *args: str) -> Any:
    done = invoke_viewer(served.db_url, *args, "--json")
    assert done.code == 0, done.stderr
    return json.loads(done.stdout)


def test_every_api_route_answers_what_the_cli_prints(served: Served) -> None:
    seed, hostile = str(served.seed), str(served.hostile)
    listed = _cli(served, "list")
    assert _api(served, "/api/stories") == listed
    assert _api(served, f"/api/stories/{seed}") == next(s for s in listed if s["id"] == served.seed)
    pairs = [
        (f"/api/stories/{seed}/history", ("history", seed)),
        (f"/api/stories/{hostile}/history", ("history", hostile)),
        (f"/api/stories/{seed}/versions/2", ("show", seed, "2")),
        (f"/api/stories/{seed}/diff/1..3", ("diff", seed, "1", "3")),  # computed
        (f"/api/stories/{seed}/diff/2..3", ("diff", seed, "2", "3")),  # stored
        (f"/api/stories/{seed}/claims", ("claims", seed)),
        ("/api/changes", ("log",)),
        (
            "/api/changes?type=number&min_significance=0.3",
            ("log", "--type", "number", "--min-significance", "0.3"),
        ),
        (f"/api/changes?story={seed}&limit=1", ("log", "--story", seed, "--limit", "1")),
        ("/api/search?q=has+not+been+finalized", ("search", "has not been finalized")),
    ]
    for path, command in pairs:
        assert _api(served, path) == _cli(served, *command), path
    assert _api(served, f"/api/stories/{seed}/diff/1..3")["shifts"], "a diff with no shift"


def test_api_errors_are_json_with_a_status(served: Served) -> None:
    missing = httpx.get(f"{served.base}/api/stories/999999", timeout=30)
    assert missing.status_code == 404 and "no story with id 999999" in missing.json()["error"]
    same = httpx.get(f"{served.base}/api/stories/{served.seed}/diff/2..2", timeout=30)
    assert same.status_code == 400 and "compared with itself" in same.json()["error"]
    bad = httpx.get(f"{served.base}/api/changes?type=colour", timeout=30)
    assert bad.status_code == 400 and "unknown shift type colour" in bad.json()["error"]


def test_pages_show_the_change_report(served: Served) -> None:
    home = httpx.get(served.base + "/", timeout=30)
    assert home.status_code == 200
    assert f'href="/stories/{served.seed}/diff/2..3"' in home.text
    assert "US-Russia deal talks" in home.text
    assert "content-security-policy" in home.headers
    assert "script-src 'self'" in home.headers["content-security-policy"]
    diff = httpx.get(f"{served.base}/stories/{served.seed}/diff/1..2", timeout=30).text
    assert "<del>next week</del>" in diff and "<ins>Friday</ins>" in diff
    side = httpx.get(f"{served.base}/stories/{served.seed}/diff/1..2?view=side", timeout=30).text
    assert 'class="side-by-side"' in side
    story = httpx.get(f"{served.base}/stories/{served.seed}", timeout=30).text
    assert "tariffs on Indian products" in story  # the claim timeline
    latest = httpx.get(f"{served.base}/stories/{served.seed}/diff/-2..-1", follow_redirects=False)
    assert latest.status_code == 303
    assert latest.headers["location"] == f"/stories/{served.seed}/diff/2..3"
    found = httpx.get(served.base + "/search", params={"q": "has not been finalized"}).text
    assert "vanished in" in found and f"/stories/{served.seed}/diff/1..2" in found
    filtered = httpx.get(served.base + "/", params={"tag": "world"}).text
    assert f"/stories/{served.hostile}/diff/1..2" in filtered
    assert f"/stories/{served.seed}/diff" not in filtered


def test_hostile_text_is_escaped_everywhere(served: Served) -> None:
    for path in (
        "/",
        "/stories",
        f"/stories/{served.hostile}",
        f"/stories/{served.hostile}/diff/1..2",
        f"/stories/{served.hostile}/versions/1",
        "/search?q=caption",
    ):
        page = httpx.get(served.base + path, timeout=30).text
        assert "<script>window" not in page and "<img src=x" not in page, path
        assert "</textarea><b>" not in page, path
    story = httpx.get(f"{served.base}/stories/{served.hostile}", timeout=30).text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in story


def test_story_list_pages_and_searches(served: Served) -> None:
    listed = httpx.get(served.base + "/stories", params={"q": "deal talks"}, timeout=30).text
    assert f'href="/stories/{served.seed}"' in listed
    assert f'href="/stories/{served.hostile}"' not in listed
    assert "1 story" in listed
    beyond = httpx.get(served.base + "/stories", params={"page": "5"}, timeout=30).text
    assert "<tbody>\n</tbody>" in beyond
    bad = httpx.get(served.base + "/stories", params={"page": "x"}, timeout=30)
    assert bad.status_code == 400 and "page must be a whole number" in bad.text


def _entries(base: str, path: str) -> list[Any]:
    answer = httpx.get(base + path, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return list(parsed.entries)


def test_feeds_parse_and_keep_their_ids_across_restarts(served: Served) -> None:
    paths = ("/feeds/changes.atom", f"/feeds/stories/{served.seed}.atom", "/feeds/tags/world.atom")
    first = {path: _entries(served.base, path) for path in paths}
    changes = first["/feeds/changes.atom"]
    assert len(changes) == 3  # two seed changes and the hostile one, all material
    seed = first[f"/feeds/stories/{served.seed}.atom"]
    assert [e.link for e in seed] == [
        f"{served.base}/stories/{served.seed}/diff/2..3",
        f"{served.base}/stories/{served.seed}/diff/1..2",
    ]
    assert "Friday" in seed[1].content[0].value and "date" in seed[1].summary
    assert "<del>next week</del>" in seed[1].content[0].value
    tagged = first["/feeds/tags/world.atom"]
    assert [e.link for e in tagged] == [f"{served.base}/stories/{served.hostile}/diff/1..2"]
    # The hostile headline arrives as text inside the entry's HTML, not as markup.
    assert "&lt;script&gt;" in tagged[0].content[0].value
    assert HOSTILE_TITLE in tagged[0].title
    with serve_process(served.db_url) as again:
        for path in paths:
            assert [e.id for e in _entries(again, path)] == [e.id for e in first[path]], path


def test_the_web_store_refuses_writes(served: Served) -> None:
    store = Store.open(served.db_url, read_only=True)
    try:
        assert store.get_story(served.seed).id == served.seed
        with pytest.raises(StorageError):
            store.add_story("https://news.example/new")
    finally:
        store.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_a_non_loopback_address_needs_a_token(tmp_path: Path, host: str) -> None:
    done = run_cli("--db", f"sqlite:///{tmp_path / 'x.db'}", "serve", "--host", host)
    assert done.code == 2
    assert done.stderr.count("\n") == 1
    assert f"binding {host} (not a loopback address) needs a token" in done.stderr


def test_with_a_token_every_request_needs_it(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'token.db'}"
    Store.open(db_url).close()
    token = "s3cret-Token"
    with serve_process(db_url, env={"STORYWATCH_SERVE__TOKEN": token}) as base:
        for path in ("/", "/api/stories", "/feeds/changes.atom", "/static/style.css"):
            refused = httpx.get(base + path, timeout=30)
            assert refused.status_code == 401, path
            assert token not in refused.text
        wrong = httpx.get(base + "/api/stories", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        bearer = httpx.get(base + "/api/stories", headers={"Authorization": f"Bearer {token}"})
        assert bearer.status_code == 200 and bearer.json() == []
        basic = base64.b64encode(f"reader:{token}".encode()).decode()
        assert httpx.get(base + "/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        # A feed reader keeps ?token= in its URL; a browser gets a cookie and a clean URL.
        assert httpx.get(base + "/feeds/changes.atom", params={"token": token}).status_code == 200
        with httpx.Client(base_url=base) as browser:
            first = browser.get("/stories", params={"token": token, "q": "x"})
            assert first.status_code == 303 and first.headers["location"] == "/stories?q=x"
            assert token not in first.headers["set-cookie"]
            assert browser.get("/stories?q=x").status_code == 200
        assert httpx.get(base + "/", params={"token": token + "x"}).status_code == 401


def test_the_token_is_never_printed(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'quiet.db'}"
    Store.open(db_url).close()
    token = "never-printed-token"
    done = run_cli(
        "--db", db_url, "serve", "--host", "127.0.0.1", "--port", "99999", "--token", token
    )
    assert done.code == 2 and token not in done.stderr + done.stdout
