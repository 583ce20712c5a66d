"""Shift-type filters as ``storywatch log --type`` takes them."""

from __future__ import annotations

from collections.abc import Iterable

from storywatch.diff.model import SHIFT_TYPES


def parse_types(values: Iterable[str]) -> tuple[str, ...]:
    """'number,date' (repeatable) -> ('number', 'date'); ValueError names the valid ones."""
    types = [t.strip().lower() for value in values for t in value.split(",") if t.strip()]
    unknown = [t for t in types if t not in SHIFT_TYPES]
    if unknown:
        raise ValueError(
            f"unknown shift type {', '.join(unknown)} (choose from {', '.join(SHIFT_TYPES)})"
        )
    return tuple(dict.fromkeys(types))
