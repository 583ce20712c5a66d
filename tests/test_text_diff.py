"""Word diff: whole words, paragraph grouping, collapsed context, three renderings."""

from __future__ import annotations

from storywatch.diff.render import render_plain
from storywatch.diff.text import word_diff
from tests.support.pages import seed_text


def _changes(old: str, new: str) -> list[tuple[str, str]]:
    return [
        (s.op, s.text) for h in word_diff(old, new).hunks for s in h.segments if s.op != "equal"
    ]


def test_changed_words_are_whole_words() -> None:
    assert _changes("Three people died.", "Four people died.") == [
        ("delete", "Three"),
        ("insert", "Four"),
    ]
    assert _changes("The toll rose to 3 today.", "The toll rose to 35 today.") == [
        ("delete", "3"),
        ("insert", "35"),
    ]


def test_identical_texts_have_no_hunks() -> None:
    diff = word_diff("A.\nB.", "A.\nB.")
    assert not diff.changed and diff.to_list() == []


def test_unchanged_paragraphs_are_left_out_and_positions_kept() -> None:
    old = "One.\nTwo stays.\nThree people died.\nFour."
    new = "One.\nTwo stays.\nFive people died.\nFour."
    [hunk] = word_diff(old, new).hunks
    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (2, 1, 2, 1)


def test_seed_article_diff_names_the_changed_words() -> None:
    diff = word_diff(seed_text("us-russia-deal-v1"), seed_text("us-russia-deal-v2"))
    plain = render_plain(diff, context=3)
    for fragment in ("[-six-]{+seven+}", "[-five-]{+six+}", "[-50-]{+25+}", "[-would-]{+will+}"):
        assert fragment in plain
    assert "[-not -]" in plain
    assert diff.words_added == 5 and diff.words_removed == 7
    # context is collapsed: the whole 800-word article is not repeated
    assert len(plain) < 1500


def test_json_shape() -> None:
    [hunk] = word_diff("a b c", "a x c").to_list()
    assert hunk["segments"] == [
        {"op": "equal", "text": "a "},
        {"op": "delete", "text": "b"},
        {"op": "insert", "text": "x"},
        {"op": "equal", "text": " c"},
    ]
