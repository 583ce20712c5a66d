"""Both diffs of a new version against the previous one: pure, so it can run in an
extraction process next to the extraction that produced the new text."""

from __future__ import annotations

from dataclasses import dataclass

from storywatch.diff.model import SemanticDiff
from storywatch.diff.text import TextDiff, word_diff


@dataclass(frozen=True, slots=True)
class Analysis:
    """A new version compared with the previous one."""

    semantic: SemanticDiff
    text: TextDiff


def analyse(
    previous_text: str,
    new_text: str,
    previous_headline: str | None = None,
    new_headline: str | None = None,
) -> Analysis:
    # Imported on first use: most checks store no new version, and start-up counts.
    from storywatch.diff.semantic import semantic_diff

    return Analysis(
        semantic_diff(previous_text, new_text, previous_headline, new_headline),
        word_diff(previous_text, new_text),
    )
