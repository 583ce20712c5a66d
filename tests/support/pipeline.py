"""Run the real pipeline (HTTP server -> fetch -> extract -> store -> diff) in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from storywatch.config import Settings, load_settings
from storywatch.storage import Store
from storywatch.watcher.fetch import Fetcher
from storywatch.watcher.pipeline import Checker, CheckReport
from tests.support.pages import seed_html
from tests.support.server import PageServer

SEED_PATH = "/world/us-russia-deal"
SEED_VERSIONS = ("us-russia-deal-v1", "us-russia-deal-v2", "us-russia-deal-v3")


def pipeline_settings(db_url: str, **sections: dict[str, Any]) -> Settings:
    overrides: dict[str, Any] = {"database": {"url": db_url}, "fetch": {"allow_private": True}}
    for name, values in sections.items():
        overrides[name] = {**overrides.get(name, {}), **values}
    return load_settings(overrides=overrides, environ={})


def check_once(store: Store, settings: Settings, story_id: int) -> CheckReport:
    async def run() -> CheckReport:
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, fetcher, settings)
            try:
                return await checker.check(store.get_story(story_id))
            finally:
                checker.close()

    return asyncio.run(run())


def build_seed_database(
    store: Store,
    server: PageServer,
    settings: Settings,
    pages: Sequence[str] = SEED_VERSIONS,
    path: str = SEED_PATH,
) -> int:
    """Serve each seed page in turn and check the story after each; returns its id."""
    story = store.add_story(server.url(path), name="US-Russia deal talks")
    assert story.id is not None
    for page in pages:
        server.set(path, seed_html(page), etag=f'"{page}"')
        report = check_once(store, settings, story.id)
        assert report.error is None, report.error
    return story.id
