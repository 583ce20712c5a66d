"""semantic_diff: split, align, compare, weigh."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import SemanticDiff, Shift
from .align import Group, align
from .compare import compare
from .features import Features, group_features
from .finding import Finding
from .names import NameContext
from .normalise import match_key, sentence_key
from .sentences import Sentence, segment
from .significance import overall_significance, shift_significance

# A sentence shorter than this with no number, date or name ("Read more.") claims nothing.
_CLAIM_MIN_WORDS = 4


def _carries_claim(features: Features) -> bool:
    if features.numbers or features.dates or features.names:
        return True
    return features.word_count >= _CLAIM_MIN_WORDS


def _joined(sentences: Sequence[Sentence], indexes: Sequence[int]) -> str:
    return " ".join(sentences[k].text for k in indexes)


def _order(groups: Sequence[Group]) -> list[Group]:
    """Groups in reading order of the new version; removed text sits where it used to."""
    new_of_old: dict[int, int] = {}
    for group in groups:
        if group.new:
            for i in group.old:
                new_of_old[i] = group.new[0]

    def position(group: Group) -> tuple[int, int, int]:
        if group.new:
            return group.new[0], 0, 0
        anchor = next((new_of_old[i] for i in range(group.old[0], -1, -1) if i in new_of_old), -1)
        return anchor, 1, group.old[0]

    return sorted(groups, key=position)


def _findings(
    group: Group, old: Sequence[Sentence], new: Sequence[Sentence], context: NameContext
) -> list[Finding]:
    old_texts = [old[i].text for i in group.old]
    new_texts = [new[j].text for j in group.new]
    if old_texts and new_texts:
        if [sentence_key(t) for t in old_texts] == [sentence_key(t) for t in new_texts]:
            return []
        return compare(group_features(old_texts), group_features(new_texts), context)
    if old_texts and _carries_claim(group_features(old_texts)):
        return [Finding("claim_removed", " ".join(old_texts), None)]
    if new_texts and _carries_claim(group_features(new_texts)):
        return [Finding("claim_added", None, " ".join(new_texts))]
    return []


def semantic_diff(old_text: str, new_text: str) -> SemanticDiff:
    """Which factual claims changed between two versions of an article body
    (one paragraph a line). Pure: no I/O, no global state beyond caches."""
    old = segment(old_text)
    new = segment(new_text)
    groups = align(
        [sentence_key(s.text) for s in old],
        [sentence_key(s.text) for s in new],
        [match_key(s.text) for s in old],
        [match_key(s.text) for s in new],
    )
    context = NameContext(old_text, new_text)
    shifts: list[Shift] = []
    for group in _order(groups):
        findings = _findings(group, old, new, context)
        if not findings:
            continue
        paragraph = new[group.new[0]].paragraph if group.new else old[group.old[0]].paragraph
        old_sentence = _joined(old, group.old) or None
        new_sentence = _joined(new, group.new) or None
        shifts.extend(
            Shift(
                type=finding.type,
                old=finding.old,
                new=finding.new,
                old_sentence=old_sentence,
                new_sentence=new_sentence,
                significance=shift_significance(finding.type, paragraph, finding.weight),
            )
            for finding in findings
        )
    return SemanticDiff(
        material=bool(shifts),
        significance=overall_significance(s.significance for s in shifts),
        shifts=shifts,
    )


def clear_caches() -> None:
    """Forget every cached sentence analysis (for benchmarks measuring a cold start)."""
    from . import dates, features, names, normalise, sentences

    for cached in (
        dates.misspelt_month,
        features.sentence_features,
        normalise.sentence_key,
        normalise.match_key,
        normalise.tokenise,
        sentences._split_paragraph_cached,
        names.name_key,
        names.phonetic,
        names.same_word,
    ):
        cached.cache_clear()
