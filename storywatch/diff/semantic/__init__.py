"""Semantic diff: which factual claims changed between two versions of a story.

    >>> diff = semantic_diff("Three people died.", "Five people died.")
    >>> [(s.type, s.old, s.new) for s in diff.shifts]
    [('number', 'Three', 'Five')]

Pure library, no I/O and no models: a regex sentence splitter, rapidfuzz alignment and
rule-based extractors for numbers, dates, names, negation, modality, attribution and quotes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import semantic_diff
    from .normalise import headline_change
    from .sentences import split_sentences

__all__ = ["headline_change", "semantic_diff", "split_sentences"]
# Imported on first use (PEP 562): `history` compares headlines on every start and must
# not load the whole engine for it.
_HOMES = {"headline_change": "normalise", "semantic_diff": "engine", "split_sentences": "sentences"}


def __getattr__(name: str) -> object:
    module = _HOMES.get(name)
    if module is None:  # a submodule (``from storywatch.diff.semantic import align``)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
