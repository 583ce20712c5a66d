"""Changes found on the word-level diff: negation, polarity, modality and inserted or
deleted clauses. Negations are counted (only how many matters), modal cues compared by
class, clauses found as long inserted or deleted runs in an otherwise kept sentence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .features import Features, content_stems
from .finding import Finding, pair
from .lexicon import IRREGULAR_PAST, PRESENT_AUXILIARIES
from .mention import Mention
from .names import capital_initials, describes
from .normalise import Token
from .token_diff import TokenDiff, join_tokens

# An inserted or deleted run this long, with this many new content words, is a clause.
_CLAUSE_MIN_WORDS = 4
_CLAUSE_MIN_CONTENT = 3
_CLAUSE_REST_KEPT = 0.8
_ITEM_MIN_CONTENT = 2
_LIST_JOINERS = frozenset({",", "and", "or"})


def compare_negations(old: Features, new: Features, diff: TokenDiff) -> list[Finding]:
    surplus = len(new.negations) - len(old.negations)
    if surplus == 0:
        return []
    on_old_side = surplus < 0
    cues = old.negations if on_old_side else new.negations
    changed = [m for m in cues if diff.changed(m, on_old_side)] or list(cues[-1:])
    findings = []
    for cue in changed[: abs(surplus)]:
        old_span, new_span = diff.spans(cue, on_old_side)
        findings.append(Finding("negation", old_span, new_span))
    return findings


def compare_polarity(old: Features, new: Features) -> list[Finding]:
    """A word replaced by its opposite ("rose" -> "fell"): reported as a negation."""
    findings: list[Finding] = []
    old_keys = {m.key: m for m in old.polarity}
    new_keys = {m.key: m for m in new.polarity}
    for key, mention in old_keys.items():
        if key in new_keys:
            continue
        group, sign = key.split(":")
        opposite = f"{group}:{'-1' if sign == '+1' else '+1'}"
        if opposite in new_keys and opposite not in old_keys:
            findings.append(Finding("negation", mention.text, new_keys[opposite].text))
    return findings


def compare_modals(old: Features, new: Features, diff: TokenDiff) -> list[Finding]:
    old_extra = Counter(m.key for m in old.modals) - Counter(m.key for m in new.modals)
    new_extra = Counter(m.key for m in new.modals) - Counter(m.key for m in old.modals)
    if not old_extra and not new_extra:
        return []

    def take(mentions: Sequence[Mention], extra: Counter[str], on_old_side: bool) -> list[Mention]:
        left = Counter(extra)
        picked = []
        # Prefer cues inside the edited words: the unchanged "would" is not the one that went.
        ordered = sorted(mentions, key=lambda m: (not diff.changed(m, on_old_side), m.token))
        for mention in ordered:
            if left[mention.key] > 0:
                picked.append(mention)
                left[mention.key] -= 1
        return picked

    removed = sorted(take(old.modals, old_extra, True), key=lambda m: m.token)
    added = sorted(take(new.modals, new_extra, False), key=lambda m: m.token)
    findings = []
    for o, n in pair(removed, added, lambda m: "modal"):
        if o is not None and n is not None:
            findings.append(Finding("modality", o.text, n.text))
        elif o is not None:
            findings.append(Finding("modality", *diff.spans(o, on_old_side=True)))
        elif n is not None:
            findings.append(Finding("modality", *diff.spans(n, on_old_side=False)))
    return findings


_TENSE_MAX_WORDS = 3  # "is holding", "are now meeting"
_TENSE_STEM = 4  # letters a base and its past share: "hold"/"hold", "orga"/"orga"


def _undoubled(base: str) -> str:
    """ "runn" -> "run", "plann" -> "plan": the stem a suffix doubled the last letter of."""
    return base[:-1] if base[-1] == base[-2] else base


def _ing_base(word: str) -> str | None:
    """ "holding" -> "hold", "running" -> "run", "organising" -> "organis"."""
    if not word.endswith("ing") or len(word) < 6:
        return None
    return _undoubled(word[:-3])


def _past_base(word: str) -> str | None:
    """ "held" -> "hold", "hosted" -> "host", "organised" -> "organis"."""
    if word in IRREGULAR_PAST:
        return IRREGULAR_PAST[word]
    if word.endswith("ed") and len(word) > 4:
        return _undoubled(word[:-2])
    return None


def _under_way(words: Sequence[str]) -> str | None:
    """The verb of "is holding", "are now meeting": the base of its "-ing" form."""
    if len(words) < 2 or words[0] not in PRESENT_AUXILIARIES:
        return None
    return _ing_base(words[-1])


def compare_tense(old: Features, new: Features, diff: TokenDiff) -> list[Finding]:
    """An event under way that is now over ("The department is holding events" -> "The
    department held events"): its status moved as surely as with a modal verb, so it is a
    modality shift. A verb that only changes tense in reporting ("says" -> "said") is not:
    the rule needs the present progressive on the old side."""
    findings = []
    for tag, i1, i2, j1, j2 in diff.opcodes:
        if tag != "replace" or i2 - i1 > _TENSE_MAX_WORDS or j2 - j1 != 1:
            continue
        old_words = [t.lower for t in old.tokens[i1:i2] if t.is_word]
        base, past = _under_way(old_words), _past_base(new.tokens[j1].lower)
        if base and past and base[:_TENSE_STEM] == past[:_TENSE_STEM]:
            findings.append(
                Finding("modality", join_tokens(old.tokens[i1:i2]), new.tokens[j1].text)
            )
    return findings


_REPLACED_MAX_WORDS = 2


def _widened(old_run: Sequence[Token], new_run: Sequence[Token]) -> str | None:
    """ "insert" when a short run became a long one, "delete" when a long one became a
    short one, None otherwise (a replaced word is compared as a value, not as a clause)."""
    old_words = [t.text for t in old_run if t.is_word]
    new_words = [t.text for t in new_run if t.is_word]
    short, long, widening = (
        (old_words, new_words, "insert")
        if len(old_words) <= len(new_words)
        else (new_words, old_words, "delete")
    )
    if len(short) > _REPLACED_MAX_WORDS or len(long) < _CLAUSE_MIN_WORDS:
        return None
    # "TCA" -> "Trade and Cooperation Agreement", "LFDs" -> "rapid lateral flow tests":
    # a name spelt out or described adds nothing.
    initials = capital_initials(long)
    if any(word.lower() == initials or describes(" ".join(long), word) for word in short):
        return None
    return widening


def _new_words_needed(run: Sequence[Token], start: int, features: Features) -> int | None:
    """How many content words new to the sentence make `run` (inserted or cut, starting
    at token `start` of its side) a claim of its own; None when it is too short to be."""
    words = sum(1 for t in run if t.is_word)
    # Who did it, named ("was issued by Police"), is a claim however short; a deadline
    # ("by Tuesday") is a date, compared as one.
    if (
        words >= 2
        and run[0].lower == "by"
        and run[1].text[0].isupper()
        and not any(m.token == start + 1 for m in features.dates)
    ):
        return 1
    # An item joined to a list ("..., and mobile testing units", "thyroid disease, ...")
    # is a claim with fewer words than a clause needs.
    if run[0].lower in _LIST_JOINERS or run[-1].lower in _LIST_JOINERS:
        return _ITEM_MIN_CONTENT if words >= _ITEM_MIN_CONTENT else None
    return _CLAUSE_MIN_CONTENT if words >= _CLAUSE_MIN_WORDS else None


def compare_clauses(old: Features, new: Features, diff: TokenDiff) -> list[Finding]:
    """A clause inserted into or cut from an otherwise kept sentence ("..., and he
    resigned") carries a claim of its own even without a number or a name. Words that only
    moved (present on the other side too) do not count."""
    findings: list[Finding] = []
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in diff.opcodes if tag == "equal")
    for opcode, i1, i2, j1, j2 in diff.opcodes:
        tag = opcode
        if opcode == "replace":
            # A word or two written over with a clause ("before you can apply for" ->
            # "before you can take the training required for") inserts that clause.
            tag = _widened(old.tokens[i1:i2], new.tokens[j1:j2]) or opcode
        if tag in ("equal", "replace"):
            continue
        side_length = len(new.tokens) if tag == "insert" else len(old.tokens)
        rest = side_length - max(i2 - i1, j2 - j1)
        # Only in a sentence otherwise kept as it was; a rewrite moves words everywhere.
        if rest <= 0 or kept / rest < _CLAUSE_REST_KEPT:
            continue
        if tag == "insert":
            run, other, shift_type = new.tokens[j1:j2], old.tokens, "claim_added"
        else:
            run, other, shift_type = old.tokens[i1:i2], new.tokens, "claim_removed"
        start, features = (j1, new) if tag == "insert" else (i1, old)
        needed = _new_words_needed(run, start, features)
        if needed is not None and len(content_stems(run) - content_stems(other)) >= needed:
            text = join_tokens(run).strip(" ,;")
            findings.append(
                Finding(
                    shift_type, text if tag == "delete" else None, text if tag == "insert" else None
                )
            )
            if opcode == "replace":
                findings.extend(_written_over(old.tokens[i1:i2], new.tokens[j1:j2], tag))
    return findings


def _written_over(old_run: Sequence[Token], new_run: Sequence[Token], tag: str) -> list[Finding]:
    """What a clause took the place of, when it said something the clause does not
    ("apply for" -> "take the training required for"): that claim went, the other came."""
    short, long = (old_run, new_run) if tag == "insert" else (new_run, old_run)
    if not content_stems(short) - content_stems(long):
        return []
    text = join_tokens(short).strip(" ,;")
    return [
        Finding("claim_removed", text, None)
        if tag == "insert"
        else Finding("claim_added", None, text)
    ]
