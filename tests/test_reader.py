"""The viewers' plain-SQL reader (storage/queries.py) and the start-up it buys.

Every query runs on a SQLite file and a PostgreSQL schema made by the real migrations (so
a column renamed in a migration fails here), through the CLI: over sqlite3 directly, and
over the Store's psycopg connection. The viewer commands must not import SQLAlchemy, nor
pydantic once a config file has been validated: half a second of every start. How fast
they start is measured by `make bench` (bench/bench_startup.py), not here."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from storywatch.storage import CheckOutcome, CheckRecord, ScheduleUpdate, Store, StoryStatus
from storywatch.storage.queries import open_reader
from tests.support.history import (
    START,
    build_story,
    invoke_viewer,
    run_viewer,
    seed_texts,
    utc_local_time,
)
from tests.support.pages import seed_text

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)

URL = "https://news.example/world/deal"
VIEWERS = (("list",), ("history", "1"), ("diff", "1"), ("show", "1"))
LOOKS_BACK = (("claims", "1"), ("log",), ("search", "Reuters"), ("export", "1", "--format", "md"))


def _fill(store: Store) -> None:
    """The seed story's three versions, then its page answering 404."""
    story_id = build_story(store, URL, seed_texts())
    at = START + timedelta(days=1)
    store.record_check(
        story_id,
        CheckRecord(
            outcome=CheckOutcome.UNPUBLISHED,
            checked_at=at,
            schedule=ScheduleUpdate(at + timedelta(hours=6), 21600.0, StoryStatus.UNPUBLISHED, 0),
            http_status=404,
            error=f"{URL} answers HTTP 404",
        ),
    )


def test_the_viewers_read_every_query_on_both_databases(db_url: str) -> None:
    store = Store.open(db_url)
    _fill(store)
    store.close()
    [story] = invoke_viewer(db_url, "list", "--json").json()
    assert (story["url"], story["versions"], story["status"]) == (URL, 3, "unpublished")
    assert story["added_at"].endswith("Z") and story["interval"] is None
    assert invoke_viewer(db_url, "list", "--status", "active").stdout.startswith(
        "no story is active"
    )

    history = invoke_viewer(db_url, "history", "news.example/world", "--json").json()  # URL part
    assert [v["number"] for v in history["versions"]] == [1, 2, 3]
    assert history["versions"][2]["shifts"][0] == {
        **history["versions"][2]["shifts"][0],
        "type": "attribution",
        "old": "Bloomberg sources",
        "new": "Reuters",
    }
    assert history["events"] == [
        {
            "checked_at": "2025-08-09T21:10:00Z",
            "event": "unpublished",
            "detail": f"{URL} answers HTTP 404",
        }
    ]

    shown = invoke_viewer(db_url, "show", "1", "-2", "--json").json()
    assert (shown["number"], shown["text"]) == (2, seed_text("us-russia-deal-v2"))
    assert shown["fetched_at"] == "2025-08-08T22:10:00Z"
    # The stored diff of versions 2 and 3; and 1 with 3, which the engine computes.
    stored = invoke_viewer(db_url, "diff", "1", "--json").json()
    assert (stored["old_version"], stored["new_version"]) == (2, 3)
    assert stored["shifts"] == history["versions"][2]["shifts"]
    computed = invoke_viewer(db_url, "diff", "1", "1", "3", "--json").json()
    assert computed["new_version"] == 3 and computed["shifts"]

    changes = invoke_viewer(db_url, "log", "--json").json()
    assert [c["version"] for c in changes] == [3, 2]
    found = invoke_viewer(db_url, "search", "Reuters", "--json").json()
    assert found["stories"][0]["matches"][0]["first"] == 3
    missing = invoke_viewer(db_url, "show", "1", "7")
    assert missing.code == 2 and "no version 7: story 1 has versions 1\u20133" in missing.stderr


def _imported(args: tuple[str, ...], cwd: Path, db: str) -> tuple[set[str], str]:
    """The top-level packages the real CLI imports to run ``args``, and what it prints."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "storywatch", "--db", db, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**environ, "NO_COLOR": "1", "TZ": "UTC"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in lines}, done.stdout


HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "httpx"}


def test_viewers_import_neither_sqlalchemy_nor_pydantic(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    store = Store.open(db)
    _fill(store)
    store.close()
    for args in (*VIEWERS, *LOOKS_BACK):
        imported, _ = _imported(args, tmp_path, db)
        assert "storywatch" in imported and not imported & HEAVY, (args, imported & HEAVY)
    # What the check would see if a viewer regressed: a writer loads the ORM.
    assert {"sqlalchemy", "sqlmodel"} <= _imported(("init",), tmp_path, db)[0]


def test_a_config_file_is_validated_once_then_viewers_go_without_pydantic(
    tmp_path: Path,
) -> None:
    """The first start with a config file validates it (pydantic, still not the ORM);
    the next ones read what passed (config/validated.py), and print the same."""
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    store = Store.open(db)
    _fill(store)
    store.close()
    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / "storywatch.toml").write_text("[alerts]\nmin_significance = 0.5\n")
    imported, validated = _imported(("history", "1"), configured, db)
    assert "pydantic" in imported and "sqlalchemy" not in imported
    assert "0.24, no alert: below 0.50" in validated  # the file's threshold, not 0.30
    imported, remembered = _imported(("history", "1"), configured, db)
    assert remembered == validated and not imported & HEAVY
    for args in VIEWERS:
        imported, _ = _imported(args, configured, db)
        assert not imported & HEAVY, (args, imported & HEAVY)


def test_a_database_the_reader_cannot_take_goes_through_the_store(tmp_path: Path) -> None:
    """A missing file, a file that is not a database, or another schema revision: the
    Store creates, upgrades or refuses it, with its one-line errors."""
    missing = tmp_path / "new.db"
    assert open_reader(f"sqlite:///{missing}") is None and not missing.exists()
    assert run_viewer(f"sqlite:///{missing}", "list").stdout.startswith("no stories tracked")
    reader = open_reader(f"sqlite:///{missing}")  # created and migrated by the Store
    assert reader is not None
    reader.close()
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    assert open_reader(f"sqlite:///{text}") is None
    refused = run_viewer(f"sqlite:///{text}", "history", "1")
    assert refused.code == 2 and "file is not a database" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", VIEWERS)
def test_a_bad_setting_is_refused_by_every_viewer(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    bad = run_viewer(db, *args, env={"STORYWATCH_ALERTS__MIN_SIGNIFICANCE": "2"})
    assert bad.code == 2 and "invalid setting 'alerts.min_significance'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
