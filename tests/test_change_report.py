"""The change report, rendered: snapshots of the plain, coloured and HTML forms on the seed
story's edits and on two real edits of GOV.UK news pages, plus the rules every rendering
keeps (each sentence once, shifts under it, claims with their text, dropped shifts dimmed
with why, a visible boundary between a deletion and an insertion).

Snapshots live in tests/snapshots/. After an intended change to the report (or to the
semantic engine's findings), look at the new output and rewrite them with
``STORYWATCH_SNAPSHOTS=update .venv/bin/python -m pytest tests/test_change_report.py``.
"""

from __future__ import annotations

import io
import json
import os
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console

from storywatch.config import load_settings
from storywatch.diff.analysis import analyse
from storywatch.diff.model import HeadlineChange, Shift
from storywatch.diff.report import (
    FULL,
    SUMMARY,
    ChangeReport,
    change_report,
    plain_text,
    renderable,
    report_html,
    report_lines,
    shorten,
)
from storywatch.notifiers.rules import story_rules
from storywatch.watcher.extract import extract_article

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SEEDS = ROOT / "seeds"
# Contains public sector information licensed under the Open Government Licence v3.0.
# (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)
REAL_NEWS = ROOT.parent / "shared" / "eval" / "real_news_dev.jsonl"
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
REAL_PAIRS = (
    "govuk-dev-meeting-british-citizens-across-italy-04ab49e",
    "govuk-dev-new-board-members-appointed-to-the-joint-natu-d99a949",
)
UPDATE = os.environ.get("STORYWATCH_SNAPSHOTS") == "update"


def _rules() -> partial[str | None]:
    """The default alert rules (min_significance 0.3, every type) of a story."""
    rules = load_settings(environ={}, overrides={}).alerts.rules
    return story_rules(rules, "https://news.example/story", "")  # type: ignore[return-value]


def _report(old: str, new: str, old_title: str | None, new_title: str | None) -> ChangeReport:
    analysis = analyse(old, new, old_title, new_title)
    return change_report(
        analysis.semantic.shifts,
        headline=analysis.semantic.headline,
        text=analysis.text,
        dropped=_rules(),
    )


def _seed(name: str) -> tuple[str | None, str]:
    """A seed version's headline and text, extracted from its page."""
    article = extract_article((SEEDS / f"{name}.html").read_text(encoding="utf-8"), "text/html")
    return article.title, article.text


def _renderings(report: ChangeReport) -> dict[str, str]:
    coloured = io.StringIO()
    console = Console(file=coloured, width=80, force_terminal=True, color_system="standard")
    console.print(renderable(report_lines(report, FULL, markers=False), wrap=True))
    return {
        "txt": plain_text(report_lines(report, FULL, markers=True)) + "\n",
        "ansi": coloured.getvalue(),
        "html": report_html(report, FULL) + "\n",
    }


def _check_snapshots(name: str, report: ChangeReport, header: str = "") -> None:
    for suffix, rendered in _renderings(report).items():
        path = SNAPSHOTS / f"{name}.{suffix}"
        content = header + rendered
        if UPDATE or not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_text(content, encoding="utf-8")
            continue
        expected = path.read_text(encoding="utf-8")
        assert content == expected, (
            f"{path.name} differs from the rendering; if the change is intended, rewrite "
            "the snapshots with STORYWATCH_SNAPSHOTS=update (see this module's docstring)"
        )


@pytest.mark.parametrize(("old", "new"), [("v1", "v2"), ("v2", "v3")])
def test_seed_report_snapshots(old: str, new: str) -> None:
    (old_title, old_text), (new_title, new_text) = (
        _seed(f"us-russia-deal-{old}"),
        _seed(f"us-russia-deal-{new}"),
    )
    _check_snapshots(f"seed-{old}-{new}", _report(old_text, new_text, old_title, new_title))


@pytest.mark.parametrize("pair_id", REAL_PAIRS)
def test_real_edit_report_snapshots(pair_id: str) -> None:
    if not REAL_NEWS.exists():
        pytest.skip(f"{REAL_NEWS} is not there")
    with REAL_NEWS.open(encoding="utf-8") as lines:
        [pair] = [row for line in lines if (row := json.loads(line))["id"] == pair_id]
    report = _report(pair["old"], pair["new"], None, None)
    assert not report.empty
    # The snapshot files hold text of the page, hence the licence line on top.
    _check_snapshots(f"real-{pair_id[10:40]}", report, header=f"# {OGL}\n")


# -- what every rendering keeps -------------------------------------------------------------


def test_each_sentence_once_with_its_shifts_under_it() -> None:
    (_, v1), (_, v2) = _seed("us-russia-deal-v1"), _seed("us-russia-deal-v2")
    text = plain_text(report_lines(_report(v1, v2, None, None), SUMMARY, markers=True))
    lines = text.splitlines()
    # One sentence holds two number shifts: it is printed once, both shifts under it.
    [sentence] = [n for n, line in enumerate(lines) if "phone conversations since" in line]
    assert "have held [-six-]{+seven+} phone" in lines[sentence]
    assert "Putin [-five-]{+six+} times" in lines[sentence]
    assert lines[sentence + 1 : sentence + 3] == [
        "  number: five times → six times  0.37",
        "  number: six → seven  0.36",
    ]
    assert text.count("phone conversations since February") == 1
    # The most significant sentence first.
    assert lines[0].endswith(
        "which has [-not -]been finalized, the international agency's sources reported."
    )


def test_claims_added_show_their_text_and_dropped_shifts_say_why() -> None:
    (_, v2), (_, v3) = _seed("us-russia-deal-v2"), _seed("us-russia-deal-v3")
    text = plain_text(report_lines(_report(v2, v3, None, None), SUMMARY, markers=True))
    assert "+claim" not in text and "claim_added" not in text
    assert (
        "claim added: “European leaders will hold an emergency video call with Zelensky on"
        " Wednesday to coordinate their…”  0.46"
    ) in text
    assert "quote: I don't like to wait too long → I don't want to wait at all  0.17, no alert:"
    assert "  entity: Yuri Ushakov → Dmitry Peskov  0.24, no alert: below 0.30" in text


def test_headline_change_comes_first_with_its_shifts() -> None:
    old_title, new_title = "Three hurt in Paris blast", "Five hurt in Paris blast"
    shift = Shift("number", "Three", "Five", old_title, new_title, 0.9, field="headline")
    report = change_report(
        [Shift("date", "Monday", "Tuesday", "It was Monday.", "It was Tuesday.", 0.4), shift],
        headline=HeadlineChange(old_title, new_title),
    )
    lines = plain_text(report_lines(report, SUMMARY, markers=True)).splitlines()
    assert lines[:2] == [
        "Headline: [-Three-]{+Five+} hurt in Paris blast",
        "  number: Three → Five  0.90",
    ]
    html = report_html(report, SUMMARY)
    assert html.index("Headline:") < html.index("It was")


def test_deletion_and_insertion_are_apart_in_colour_and_html() -> None:
    report = change_report(
        [Shift("entity", "seek", "near", "US and Russia seek deal.", "US and Russia near deal.")]
    )
    html = report_html(report, SUMMARY)
    assert "<del>seek</del> <ins>near</ins>" in html and "seeknear" not in html
    coloured = io.StringIO()
    Console(file=coloured, force_terminal=True, width=80).print(
        renderable(report_lines(report, SUMMARY, markers=False), wrap=True)
    )
    plain = coloured.getvalue()
    assert "seek" in plain and "seek\x1b[0m \x1b" in plain  # a space between the two
    markers = plain_text(report_lines(report, SUMMARY, markers=True))
    assert "[-seek-]{+near+}" in markers  # wdiff markers need no space


def test_page_text_is_escaped_in_html() -> None:
    hostile = '<script>alert("x")</script> 3 & <b>'
    report = change_report(
        [Shift("number", "3", "5", hostile, hostile.replace("3", "5"), 0.5)],
        text=None,
    )
    html = report_html(report, FULL, email=True)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert 'style="background:#fdd' in html  # e-mail: inline styles


def test_shorten_cuts_at_a_word_boundary() -> None:
    text = "European leaders will hold an emergency video call with Zelensky on Wednesday"
    assert shorten(text, 40) == "European leaders will hold an emergency…"
    assert shorten(text, 200) == text
    assert shorten("word " * 3, 200) == "word word word"
