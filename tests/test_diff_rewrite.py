"""Rewritten pages: the word diff stays bounded and faithful and says the text was rewritten.

diff-match-patch unbounded took minutes on a rewritten 20,000-word page (issue 13); the
sizes here are ones where that showed. Speed itself is measured by `make bench`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storywatch.diff import text
from storywatch.diff.render import render_html, render_plain, render_rich
from storywatch.diff.report import SUMMARY, change_report, plain_text, report_html, report_lines
from storywatch.diff.semantic.align import align
from storywatch.diff.text import TextDiff, word_diff
from tests.support.cli import run_cli
from tests.support.pages import seed_text
from tests.support.prose import news_prose, shuffled_and_edited


def _assert_faithful(diff: TextDiff, old: str, new: str) -> None:
    """Every hunk's segments spell out exactly the paragraphs it claims on each side."""
    old_paras, new_paras = old.split("\n"), new.split("\n")
    for hunk in diff.hunks:
        before = "".join(s.text for s in hunk.segments if s.op != "insert")
        after = "".join(s.text for s in hunk.segments if s.op != "delete")
        assert before == "\n".join(old_paras[hunk.old_start : hunk.old_start + hunk.old_count])
        assert after == "\n".join(new_paras[hunk.new_start : hunk.new_start + hunk.new_count])


def test_a_rewritten_20000_word_page_is_diffed_and_reported() -> None:
    old, new = news_prose(20_000, seed=1), news_prose(20_000, seed=2)
    diff = word_diff(old, new)
    _assert_faithful(diff, old, new)
    assert diff.rewritten is not None and diff.rewritten > 0.9
    assert diff.words_added > 0.9 * len(new.split())
    assert render_plain(diff).startswith(f"rewritten: {diff.rewritten:.0%} of the text changed")


def test_shuffled_and_edited_paragraphs_are_diffed_and_reported() -> None:
    old = news_prose(20_000, seed=3)
    new = shuffled_and_edited(old, seed=4)
    diff = word_diff(old, new)
    _assert_faithful(diff, old, new)
    assert diff.rewritten is not None


def test_small_edits_everywhere_keep_a_word_diff() -> None:
    """Too many edits for one diff of the whole page: each sentence is diffed on its own,
    and the result is still exactly the words that changed."""
    old = news_prose(20_000, seed=5)
    new, edits = re.subn(r"\.( |$)", r" indeed.\1", old, flags=re.MULTILINE)
    diff = word_diff(old, new)
    _assert_faithful(diff, old, new)
    assert (diff.words_added, diff.words_removed) == (edits, 0)
    assert all(
        s.text.strip() == "indeed" for h in diff.hunks for s in h.segments if s.op != "equal"
    )
    assert diff.rewritten is None


def test_without_budget_the_diff_is_sentence_by_sentence_and_still_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text, "_BASE_STEPS", 0)
    monkeypatch.setattr(text, "_STEPS_PER_CHAR", 0)
    old = "The mayor said 3 people died. Roads were closed.\nSchools reopen on Monday."
    new = "The mayor said 5 people died. Roads were closed.\nSchools reopen on Tuesday!"
    diff = word_diff(old, new)
    _assert_faithful(diff, old, new)
    changes = [(s.op, s.text) for h in diff.hunks for s in h.segments if s.op != "equal"]
    assert changes == [
        ("delete", "3"),
        ("insert", "5"),
        ("delete", "Monday."),
        ("insert", "Tuesday!"),
    ]
    for seed in range(3):
        prose = news_prose(300, seed)
        for changed in (news_prose(300, seed + 10), shuffled_and_edited(prose, seed)):
            _assert_faithful(word_diff(prose, changed), prose, changed)


def test_rewritten_is_said_by_every_renderer_and_only_for_rewrites() -> None:
    assert (
        word_diff(seed_text("us-russia-deal-v1"), seed_text("us-russia-deal-v2")).rewritten is None
    )
    diff = word_diff("A storm hit the coast on Monday.", "Markets rallied after the vote.")
    assert diff.rewritten is not None
    note = f"rewritten: {diff.rewritten:.0%} of the text changed"
    assert render_plain(diff).startswith(note + "\n\n¶1\n")
    assert render_rich(diff).plain.startswith(note)
    assert render_html(diff).startswith(f'<p class="rewritten">{note}</p>')
    # The change report says it first, in every form.
    report = change_report([], text=diff)
    assert plain_text(report_lines(report, SUMMARY, markers=True)).startswith(note)
    assert report_html(report, SUMMARY).startswith(f'<p class="rewritten"><strong>{note}')


def test_compare_reports_a_rewritten_page(tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(news_prose(20_000, seed=6), encoding="utf-8")
    new.write_text(news_prose(20_000, seed=7), encoding="utf-8")
    result = run_cli("compare", str(old), str(new))  # its 60 s timeout caught the old hang
    assert result.code == 0, result.stderr
    assert re.search(r"^rewritten: \d+% of the text changed$", result.stdout, re.MULTILINE)


def test_sentences_too_long_to_compare_match_only_exactly() -> None:
    """A page without sentence punctuation is one "sentence": comparing two of them word by
    word (names, figures, a token diff) would cost the product of their lengths."""
    long_old = " ".join(news_prose(2_000, seed=8).replace(".", "").split())
    long_new = long_old.replace(" 1", " 2", 5)
    groups = align([long_old], [long_new], [long_old], [long_new])
    assert sorted((g.old, g.new) for g in groups) == [((), (0,)), ((0,), ())]
    short_old, short_new = long_old[:300], long_new[:300]
    [group] = align([short_old], [short_new], [short_old], [short_new])
    assert (group.old, group.new) == ((0,), (0,))


def test_a_page_with_no_paragraph_breaks_splits_in_linear_time() -> None:
    """The splitter looked back over the whole paragraph for every full stop: quadratic on
    a page sent as one line. Counted in regex work, not timed: the look-back window."""
    from storywatch.diff.semantic import sentences

    text = news_prose(20_000, seed=3).replace("\n", " ")
    calls: list[int] = []
    original = sentences._WORD_BEFORE

    class Counting:
        def search(self, string: str, pos: int, endpos: int) -> object:
            calls.append(endpos - pos)
            return original.search(string, pos, endpos)

    sentences._WORD_BEFORE = Counting()  # type: ignore[assignment]
    try:
        assert len(sentences.split_sentences(text)) > 500
    finally:
        sentences._WORD_BEFORE = original
    assert calls and max(calls) <= sentences._LONGEST_WORD


def test_one_giant_sentence_of_repeated_tokens_is_not_diffed_token_by_token() -> None:
    """difflib on a 60,000-token "sentence" of repeated tokens ran for minutes; such a
    stretch is now compared by its facts as one replaced run (counted, not timed)."""
    from storywatch.diff.semantic.features import sentence_features
    from storywatch.diff.semantic.token_diff import MAX_TOKENS, TokenDiff

    old, new = sentence_features("a," * 30_000), sentence_features("b," * 30_000)
    assert len(old.tokens) > MAX_TOKENS
    assert TokenDiff(old.tokens, new.tokens).opcodes == [
        ("replace", 0, len(old.tokens), 0, len(new.tokens))
    ]
    from storywatch.diff.analysis import analyse

    assert analyse("a," * 30_000, "a," * 15_000 + "b," + "a," * 15_000).text.changed
