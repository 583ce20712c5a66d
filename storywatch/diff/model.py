"""Result types shared by the text diff and the semantic diff (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SHIFT_TYPES = (
    "number",
    "date",
    "entity",
    "negation",
    "modality",
    "attribution",
    "quote",
    "claim_added",
    "claim_removed",
)


@dataclass(frozen=True, slots=True)
class Shift:
    """One factual claim that moved between two versions."""

    type: str
    old: str | None
    new: str | None
    old_sentence: str | None
    new_sentence: str | None
    significance: float = 0.0
    field: str = "body"  # or "headline"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shift:
        return cls(
            type=data["type"],
            old=data.get("old"),
            new=data.get("new"),
            old_sentence=data.get("old_sentence"),
            new_sentence=data.get("new_sentence"),
            significance=float(data.get("significance", 0.0)),
            field=data.get("field", "body"),
        )

    @property
    def short(self) -> str:
        """'3 -> 5', '+claim', 'would -> will' ('headline 3 -> 5' for a shift found in the
        headline): the form used in listings and alerts."""
        where = "headline " if self.field == "headline" else ""
        if self.type == "claim_added":
            return f"{where}+claim"
        if self.type == "claim_removed":
            return f"{where}-claim"
        return f"{where}{self.old or '∅'} -> {self.new or '∅'}"


@dataclass(frozen=True, slots=True)
class HeadlineChange:
    """The headline was rewritten. Shown first everywhere; material only through the
    typed shifts found in it (a rewording alone is not news)."""

    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class SemanticDiff:
    material: bool
    significance: float
    shifts: list[Shift] = field(default_factory=list)
    headline: HeadlineChange | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "material": self.material,
            "significance": self.significance,
            "headline": self.headline.to_dict() if self.headline else None,
            "shifts": [shift.to_dict() for shift in self.shifts],
        }
