"""Semantic diff: which factual claims changed between two versions of a story.

    >>> diff = semantic_diff("Three people died.", "Five people died.")
    >>> [(s.type, s.old, s.new) for s in diff.shifts]
    [('number', 'Three', 'Five')]

Pure library, no I/O and no models: a regex sentence splitter, rapidfuzz alignment and
rule-based extractors for numbers, dates, names, negation, modality, attribution and quotes.
"""

from __future__ import annotations

from .engine import headline_change, semantic_diff
from .sentences import split_sentences

__all__ = ["headline_change", "semantic_diff", "split_sentences"]
