"""Every --json output, the export and the alert document against the JSON reference in
the README: the same objects with exactly the fields listed there, times in ISO 8601 UTC
with a Z, paragraphs counted from 1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from storywatch.config import load_settings
from storywatch.notifiers.planning import plan_lifecycle_alerts
from storywatch.storage import Store, Story
from storywatch.storage.outbox import list_alerts
from tests.support.alerts import T0
from tests.support.cli import run_cli
from tests.support.history import ROOT, utc_local_time
from tests.support.pages import seed_html
from tests.support.server import PageServer

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)
SEEDS = ROOT / "seeds"
_ROW = re.compile(r"^\| (.+?) \| (.+) \|$")
_FIELD = re.compile(r"`([^`]+)`")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# Any date-and-time written some other way ("2026-11-30 15:36:48", "…+00:00").
_OTHER_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?!:?\d*Z)(?![\d:.])")


@dataclass(frozen=True)
class Field:
    name: str
    holds: str | None = None  # the object it holds
    many: bool = False  # a list of them


def _tables() -> tuple[dict[str, list[Field]], dict[str, str]]:
    """(objects, commands) from the README's "## JSON" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## JSON\n", 1)[1].split("\n## ", 1)[0]
    raw: dict[str, list[str]] = {}
    commands: dict[str, str] = {}
    table = ""
    for line in section.splitlines():
        row = _ROW.match(line)
        if not row or row.group(1) == "---":
            continue
        if row.group(1) in ("object", "command"):
            table = row.group(1)
            continue
        fields = _FIELD.findall(row.group(2))
        if table == "command":
            commands[row.group(1).replace("`", "")] = fields[0]
        else:
            raw[row.group(1)] = fields
    objects = {name: list(_expand(name, raw)) for name in raw}
    return objects, commands


def _expand(name: str, raw: dict[str, list[str]]) -> Iterator[Field]:
    for spec in raw[name]:
        if spec.startswith("..."):
            yield from _expand(spec[3:], raw)
            continue
        field, _, holds = spec.partition(": ")
        if not holds:
            yield Field(field)
        elif holds.startswith("["):
            yield Field(field, holds.strip("[]"), many=True)
        else:
            yield Field(field, holds)


OBJECTS, COMMANDS = _tables()


def conforms(value: Any, kind: str, where: str = "$") -> None:
    """``value`` is a ``kind`` object (or null) with exactly the reference's fields."""
    if value is None:
        return
    if kind.startswith("["):
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            conforms(item, kind.strip("[]"), f"{where}[{index}]")
        return
    fields = OBJECTS[kind]
    assert isinstance(value, dict), (where, value)
    names = {field.name for field in fields}
    assert set(value) == names, (
        where,
        kind,
        "extra",
        set(value) - names,
        "missing",
        names - set(value),
    )
    for field in fields:
        item, path = value[field.name], f"{where}.{field.name}"
        if field.holds is None:
            if field.name.endswith("_at") and item is not None:
                assert _TIME.fullmatch(item), (path, item)
        elif field.many:
            conforms(item, f"[{field.holds}]", path)
        else:
            conforms(item, field.holds, path)
    if kind == "hunk":
        assert value["old_start"] >= 1 and value["new_start"] >= 1, (where, value)  # ¶1 first


def _no_other_times(text: str) -> None:
    assert not _OTHER_TIME.findall(text), _OTHER_TIME.findall(text)[:3]


@pytest.fixture(scope="module")
def story_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """The seed story tracked and checked through the real CLI (the last check's JSON
    kept), with its alerts delivered through the console channel."""
    db = ["--db", f"sqlite:///{tmp_path_factory.mktemp('json') / 'sw.db'}", "--allow-private"]
    with PageServer() as server:
        path = "/world/deal"
        added = run_cli(*db, "add", server.url(path), "--name", "Deal talks", "--json")
        assert added.code == 0, added.stderr
        checked: dict[str, Any] = {}
        for version in ("v1", "v2", "v3"):
            server.set(path, seed_html(f"us-russia-deal-{version}"), etag=f'"{version}"')
            result = run_cli(*db, "check", "1", "--now", "--json")
            assert result.code == 0, result.stderr
            checked = result.json()
        yield db, {"add": added.json(), "check": checked}


def _outputs(db: list[str], kept: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield "add", json.dumps(kept["add"])
    yield "check", json.dumps(kept["check"])
    for command, args in (
        ("list", ["list"]),
        ("history", ["history", "1"]),
        ("show", ["show", "1", "2"]),
        ("diff", ["diff", "1"]),
        ("log", ["log"]),
        ("claims", ["claims", "1"]),
        ("search", ["search", "has not been finalized"]),
        ("alerts", ["alerts"]),
    ):
        result = run_cli(*db, *args, "--json")
        assert result.code == 0, (command, result.stderr)
        yield command, result.stdout
    exported = run_cli(*db, "export", "1", "--format", "json")
    assert exported.code == 0, exported.stderr
    yield "export --format json", exported.stdout
    compared = run_cli(
        "compare",
        str(SEEDS / "us-russia-deal-v1.html"),
        str(SEEDS / "us-russia-deal-v2.html"),
        "--json",
    )
    yield "compare", compared.stdout
    extracted = run_cli("extract", str(SEEDS / "us-russia-deal-v1.html"), "--json")
    assert extracted.code == 0, extracted.stderr
    yield "extract", extracted.stdout


def test_every_json_output_matches_the_reference(
    story_db: tuple[list[str], dict[str, Any]],
) -> None:
    db, kept = story_db
    seen = set()
    for command, text in _outputs(db, kept):
        data = json.loads(text)
        assert data, command  # something to check
        conforms(data, COMMANDS[command], command)
        _no_other_times(text)
        seen.add(command)
    # Every command of the reference was run (the alert document has its own test).
    assert seen == set(COMMANDS) - {
        "webhook body, alert payload",
        "the same, for a lifecycle event",
    }


def test_the_alert_document_matches_the_reference(
    story_db: tuple[list[str], dict[str, Any]],
) -> None:
    db, _ = story_db
    store = Store.open(db[1])
    try:
        payloads = [alert.payload for alert in list_alerts(store)]
    finally:
        store.close()
    assert len(payloads) == 2  # v2 and v3 each alerted once, through the console
    for payload in payloads:
        conforms(payload, COMMANDS["webhook body, alert payload"], "payload")
        _no_other_times(json.dumps(payload))
        assert payload["story"]["name"] == "Deal talks"
        assert (
            payload["story"]["title"]
            == "US and Russia seek deal that would cement occupation of Ukrainian land"
        )
    dropped = [s for p in payloads for s in p["shifts"] if not s["matched"]]
    assert dropped and all(s["reason"] == "below 0.30" for s in dropped)


def test_the_reference_catches_a_stray_field() -> None:
    with pytest.raises(AssertionError):
        conforms({"id": 1, "url": "u", "name": None, "title": None, "label": "x"}, "story")
    with pytest.raises(AssertionError):
        conforms(
            {"value": None, "version": 1, "fetched_at": "2026-11-30 15:36:48+00:00"}, "claim state"
        )
    with pytest.raises(AssertionError):
        _no_other_times('{"at": "2026-11-30T15:36:48.123456+00:00"}')
    _no_other_times('{"at": "2026-11-30T15:36:48Z"}')


def test_the_lifecycle_document_matches_the_reference() -> None:
    story = Story(id=4, url="https://news.example/gone", name="Gone", title="A story", tags="a,b")
    settings = load_settings(environ={}, overrides={"alerts": {"lifecycle": True}}).alerts
    [draft] = plan_lifecycle_alerts(story, "unpublished", "HTTP 404", settings, T0)
    conforms(draft.payload, COMMANDS["the same, for a lifecycle event"], "payload")
    assert draft.payload["story"]["tags"] == ["a", "b"]
    assert draft.payload["created_at"] == "2026-11-25T10:00:00Z"
