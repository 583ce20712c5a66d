"""What a comparison reports, and the helpers that pair removed with added mentions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .mention import Mention


@dataclass(frozen=True, slots=True)
class Finding:
    type: str
    old: str | None
    new: str | None
    weight: float = 1.0  # how big the change is, 0..1, scales the type's significance


def unmatched_keys(
    old: Sequence[Mention], new: Sequence[Mention]
) -> tuple[list[Mention], list[Mention]]:
    """Mentions whose key does not occur on the other side (set semantics)."""
    old_keys = {m.key for m in old}
    new_keys = {m.key for m in new}
    old_left = list({m.key: m for m in old if m.key not in new_keys}.values())
    new_left = list({m.key: m for m in new if m.key not in old_keys}.values())
    return old_left, new_left


def pair(
    old: list[Mention], new: list[Mention], kind: Callable[[Mention], str]
) -> list[tuple[Mention | None, Mention | None]]:
    """Pair removed with added mentions: same kind first, in order; then any; then alone."""
    pairs: list[tuple[Mention | None, Mention | None]] = []
    old_left, new_left = list(old), list(new)
    for o in list(old_left):
        match = next((n for n in new_left if kind(n) == kind(o)), None)
        if match is not None:
            pairs.append((o, match))
            old_left.remove(o)
            new_left.remove(match)
    while old_left and new_left:
        pairs.append((old_left.pop(0), new_left.pop(0)))
    pairs.extend((o, None) for o in old_left)
    pairs.extend((None, n) for n in new_left)
    return pairs


def kind_of(mention: Mention) -> str:
    return mention.key.split(":", 1)[0]
