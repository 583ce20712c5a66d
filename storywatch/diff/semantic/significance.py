"""How much a reader should care about a shift, 0..1.

significance = type weight x position factor x size factor, where
- the type weight ranks kinds of change (a flipped negation or a changed number matters more
  than a reworded quotation);
- the position factor is 1.0 in the lede (first two paragraphs) and decays with depth,
  because readers read top-down and editors put the news first;
- the size factor comes from the comparison (a number that changed by 2% counts for less than
  one that doubled).
A whole diff combines its shifts as independent chances of mattering: 1 - prod(1 - s),
which stays within 0..1 and is dominated by the biggest shifts.
"""

from __future__ import annotations

from collections.abc import Iterable

TYPE_WEIGHTS = {
    "negation": 0.95,
    "number": 0.9,
    "entity": 0.8,
    "date": 0.75,
    "modality": 0.7,
    "attribution": 0.65,
    "claim_added": 0.6,
    "claim_removed": 0.6,
    "quote": 0.55,
}
_LEDE_PARAGRAPHS = 2
_DECAY_PER_PARAGRAPH = 0.15
_FLOOR = 0.3


def position_factor(paragraph: int) -> float:
    depth = max(0, paragraph - (_LEDE_PARAGRAPHS - 1))
    return max(_FLOOR, 1.0 / (1.0 + _DECAY_PER_PARAGRAPH * depth))


def shift_significance(shift_type: str, paragraph: int, size: float = 1.0) -> float:
    value = TYPE_WEIGHTS[shift_type] * position_factor(paragraph) * size
    return round(min(1.0, max(0.0, value)), 3)


def overall_significance(values: Iterable[float]) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - min(1.0, value)
    return round(min(1.0, 1.0 - remaining), 3)
