"""The unit every extractor returns: a piece of a sentence and the key it is compared by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    text: str  # as written in the sentence
    key: str  # canonical form: two mentions with equal keys state the same thing
    token: int  # index of the first token in the sentence's token list
    size: int = 1  # number of tokens
    value: float | None = None  # for numbers: the quantity, to weigh how big a change is
    weak: bool = False  # an ambiguous reading ("one", "first"): ignored when unpaired

    def shifted(self, offset: int) -> Mention:
        """The same mention with its token index moved by `offset` (sentence -> group)."""
        return Mention(self.text, self.key, self.token + offset, self.size, self.value, self.weak)
