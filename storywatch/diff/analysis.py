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


# At least this share of the previous version's sentences must be on a page it redirects
# to for it to be the same article (a slug changed), not another page.
_SAME_ARTICLE_SHARE = 0.5


def same_article(previous_text: str, new_text: str) -> bool:
    """Is ``new_text`` still the article ``previous_text`` was, give or take edits?"""
    from storywatch.diff.semantic.normalise import sentence_key
    from storywatch.diff.semantic.sentences import split_sentences

    before = {sentence_key(s) for s in split_sentences(previous_text)}
    if not before:
        return False
    after = {sentence_key(s) for s in split_sentences(new_text)}
    return len(before & after) / len(before) >= _SAME_ARTICLE_SHARE


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
