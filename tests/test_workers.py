"""Several real `storywatch run` processes sharing one PostgreSQL database.

250 pages, three workers; every page changes once midway and one worker is SIGKILLed
right after. Every change must be stored exactly once: no version twice, none missed,
and no story checked by two workers at once.
"""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path

import pytest

from storywatch.storage import Store
from tests.support.databases import postgres_schema_url
from tests.support.newsroom import (
    assert_no_duplicate_versions,
    checks_by_story,
    publish,
    stop,
    track,
    versions_by_story,
    wait_for,
    workers,
)
from tests.support.server import PageServer

PAGES = 100  # five batches of 20: each worker claims some, and the kill finds one mid-cycle


def _all_have(store: Store, versions: int) -> bool:
    return all(story.version_count >= versions for story in store.list_stories())


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_share_the_work_and_survive_a_sigkill(
    page_server: PageServer, tmp_path: Path
) -> None:
    with postgres_schema_url() as url:
        store = Store.open(url)
        try:
            ids = track(store, page_server, PAGES)
            publish(page_server, PAGES, edition=1)
            with workers(url, tmp_path, 3) as procs:
                wait_for(lambda: _all_have(store, 1), 60, "every first version")
                publish(page_server, PAGES, edition=2)
                time.sleep(0.3)  # the victim is mid-cycle, holding leases
                procs[0].send_signal(signal.SIGKILL)
                procs[0].wait(timeout=10)
                wait_for(lambda: _all_have(store, 2), 60, "every changed version")
                time.sleep(1.5)  # a few more quiet cycles: nothing may be stored again
                for proc in procs[1:]:
                    code, _took = stop(proc, timeout=20)
                    assert code == 0

            assert_no_duplicate_versions(store)
            versions = versions_by_story(store)
            assert sorted(versions) == sorted(ids)
            for story_id, stored in versions.items():
                assert len(stored) == 2, (story_id, [v.number for v in stored])
            checks = checks_by_story(store)
            assert len({c.worker for per in checks.values() for c in per}) == 3
            for per_story in checks.values():
                # One worker at a time: the same story is never checked twice in less
                # than its interval (1 s, no jitter); a double claim would be ms apart.
                times = [c.checked_at for c in per_story]
                gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
                assert min(gaps, default=1.0) >= 0.9, gaps
            leased = [s.id for s in store.list_stories() if s.lease_owner is not None]
            # Only the killed worker may still hold (expired) leases.
            assert all(
                s.lease_owner is None or s.lease_owner.split(":")[1] == str(procs[0].pid)
                for s in store.list_stories()
            ), leased
        finally:
            store.close()
