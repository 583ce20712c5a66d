"""Sentence splitting edge cases for the semantic diff."""

from __future__ import annotations

import pytest

from storywatch.diff.semantic import split_sentences
from storywatch.diff.semantic.sentences import segment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prices rose 1.5% in May. Wages fell.", ["Prices rose 1.5% in May.", "Wages fell."]),
        (
            "The U.S. economy grew. Growth in the U.K. slowed.",
            ["The U.S. economy grew.", "Growth in the U.K. slowed."],
        ),
        ("He moved to the U.S. The firm followed.", ["He moved to the U.S.", "The firm followed."]),
        ("Dr. Smith met Gen. Lee in St. Louis.", ["Dr. Smith met Gen. Lee in St. Louis."]),
        ("The book by J. R. R. Tolkien sold well.", ["The book by J. R. R. Tolkien sold well."]),
        ("It climbed to No. 3 on the chart.", ["It climbed to No. 3 on the chart."]),
        ("At 10 a.m. the vote began. It ended.", ["At 10 a.m. the vote began.", "It ended."]),
        ("They met at 5 p.m. The deal was signed.", ["They met at 5 p.m.", "The deal was signed."]),
        ("Shares of Apple Inc. rose 2%.", ["Shares of Apple Inc. rose 2%."]),
        (
            "“We are ready. We will fight,” he said. Then he left.",
            ["“We are ready. We will fight,” he said.", "Then he left."],
        ),
        (
            '"Go home." Then the crowd left.',
            ['"Go home."', "Then the crowd left."],
        ),
        ("“Why?” she asked. Nobody knew.", ["“Why?” she asked.", "Nobody knew."]),
        ("Wait... It worked! Really?", ["Wait...", "It worked!", "Really?"]),
        ("It was Plan B. It failed.", ["It was Plan B.", "It failed."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_paragraphs_and_blank_lines() -> None:
    text = "First para. Second sentence.\n\n   \nSecond para.\n"
    sentences = segment(text)
    assert [s.text for s in sentences] == ["First para.", "Second sentence.", "Second para."]
    assert [s.paragraph for s in sentences] == [0, 0, 1]
    assert [s.index for s in sentences] == [0, 1, 2]


def test_unbalanced_quote_does_not_glue_the_paragraph() -> None:
    # The multi-paragraph quotation convention leaves the paragraph's quote open.
    text = "“We will rebuild. We will not leave. The city is ours."
    assert len(split_sentences(text)) == 3


def test_sentence_text_is_kept_verbatim() -> None:
    text = "Prices rose  5 %  on  Monday.   Then   fell."
    assert split_sentences(text) == ["Prices rose  5 %  on  Monday.", "Then   fell."]
