"""semantic_diff: split, align, compare, weigh."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..model import SemanticDiff, Shift
from .align import Group, align
from .compare import compare, house_style_only
from .dates import has_calendar_day, whole_date
from .features import (
    WORD_PREFIX,
    Features,
    group_features,
    sentence_features,
)
from .finding import Finding
from .headline import headline_findings
from .names import NameContext
from .normalise import headline_change, match_key, sentence_key
from .quotes import attributes, is_speaker_line, quotation_paragraphs
from .roles import (
    Role,
    is_credit,
    is_date_line,
    is_link_target,
    is_pointer,
    line_role,
    without_attachment_notes,
)
from .sentences import Sentence, segment
from .significance import overall_significance, shift_significance

# A sentence shorter than this with no number, date or name ("Read more.") claims nothing.
_CLAIM_MIN_WORDS = 4
# Fewer words than this are no sentence of their own inside a merged one (see _mergeable).
_MERGED_MIN_WORDS = 3
# Words of a link line (an address, "here") that may be taken out of a sentence left of
# it (see _cut_from).
_CUT_MAX_LEFT_OUT = 3
# The heading of a list of events already held: "Previous events", "Past webinars",
# "Recordings of earlier sessions".
_PAST_EVENTS_HEADING = re.compile(r"^(?:previous|past|earlier)\b|\brecordings?\b", re.IGNORECASE)
# A headline is the article's most-read line: its shifts weigh more than the lede's.
_HEADLINE_WEIGHT = 1.25


@dataclass(frozen=True, slots=True)
class _Side:
    """One version's sentences that carry claims, with what each is (see roles.py)."""

    sentences: list[Sentence]
    roles: list[Role]
    quoted: list[bool]
    speaker_lines: list[bool]
    keys: frozenset[str]
    # Every sentence's words (match_key), one a line padded with spaces, so that a run of
    # words said anywhere on this side is found with one substring search.
    words: str
    # The lines of `words` long enough to be a sentence that another one took in whole.
    mergeable: tuple[str, ...]
    # The sentences left out of the comparison: links and metadata (see _cut_from).
    left_out: tuple[str, ...]
    # The newest whole date the page's metadata lines give ("Last updated 3 September
    # 2019"): the day this version was edited, when the page says so.
    edited_on: tuple[int, int, int] | None


def _read(text: str) -> _Side:
    """Segment a version, drop the lines that are not claims, and mark quoted words."""
    sentences = segment(text)
    roles = [line_role(s.text) for s in sentences]
    by_paragraph: dict[int, list[int]] = {}
    for k, sentence in enumerate(sentences):
        by_paragraph.setdefault(sentence.paragraph, []).append(k)
    members = list(by_paragraph.values())
    paragraphs = [" ".join(sentences[k].text for k in ks) for ks in members]
    # The line above "PDF, 355KB, 26 pages" or a bare address is the link's title, a link
    # too; a date under a metadata label ("Published", then "26 June 2017") is its value.
    for n in range(len(members) - 1):
        if len(members[n]) == 1 and is_link_target(paragraphs[n + 1]):
            roles[members[n][0]] = Role.LINK
        if roles[members[n][-1]] is Role.METADATA and is_date_line(paragraphs[n + 1]):
            for k in members[n + 1]:
                roles[k] = Role.METADATA
    for paragraph in members:
        if is_credit(sentences[paragraph[-1]].text):
            for k in paragraph:
                roles[k] = Role.FRAGMENT
        elif roles[paragraph[-1]] is Role.LINK:
            for k in paragraph[:-1]:
                if _sets_up_a_request(sentences[k].text):
                    roles[k] = Role.LINK

    def ends_unmarked(n: int) -> bool:
        return all(roles[k] is not Role.CLAIM for k in members[n]) or attributes(paragraphs[n])

    quoted_paragraphs = quotation_paragraphs(paragraphs, ends_unmarked)
    speaker_paragraphs = {n for n, paragraph in enumerate(paragraphs) if is_speaker_line(paragraph)}
    order = {paragraph: n for n, paragraph in enumerate(by_paragraph)}
    kept = [k for k in range(len(sentences)) if roles[k].compared]
    word_lines = [f" {match_key(s.text)} " for s in sentences]
    return _Side(
        sentences=[_without_notes(sentences[k]) for k in kept],
        roles=[roles[k] for k in kept],
        quoted=[order[sentences[k].paragraph] in quoted_paragraphs for k in kept],
        speaker_lines=[order[sentences[k].paragraph] in speaker_paragraphs for k in kept],
        keys=frozenset(sentence_key(s.text) for s in sentences),
        words="\n".join(word_lines),
        mergeable=tuple(line for line in word_lines if _mergeable(line)),
        left_out=tuple(
            s.text for s, role in zip(sentences, roles, strict=True) if not role.compared
        ),
        edited_on=max(
            (
                day
                for s, role in zip(sentences, roles, strict=True)
                if role is Role.METADATA
                for day in map(whole_date, sentence_features(s.text).dates)
                if day is not None
            ),
            default=None,
        ),
    )


_PUBLISHER_WORDS = frozenset({"we", "us", "our"})


def _sets_up_a_request(sentence: str) -> bool:
    """ "To help us shape our work we're running a survey.", before "Please share your
    thoughts.": the publisher speaking of itself in the present, with no figure, date or
    name, in a paragraph that ends by asking something of the reader, says why it asks.
    ("We will be running webinars over the coming months." announces something.)"""
    features = sentence_features(sentence)
    if features.numbers or features.dates or features.modals:
        return False
    if any(not name.at_start for name in features.names):
        return False
    return not _PUBLISHER_WORDS.isdisjoint(t.lower.split("'")[0] for t in features.tokens)


def _without_notes(sentence: Sentence) -> Sentence:
    text = without_attachment_notes(sentence.text)
    return sentence if text == sentence.text else Sentence(text, sentence.paragraph, sentence.index)


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


def _said_within(sentence: str, other: _Side) -> bool:
    """Is the sentence said on the other side, alone or as part of a longer sentence
    ("Admission is free." merged into "Admission is free, you can register here.")?"""
    if sentence_key(sentence) in other.keys:
        return True
    words = f" {match_key(sentence)} "
    return _mergeable(words) and words in other.words


def _cut_from(sentence: str, side: _Side, other: _Side) -> bool:
    """Is the sentence what is left of a link or metadata line the other side had, once
    its link words were taken out ("... acesse www.unilever.com.br Para obter ... acesse
    aqui." -> "... acesse Unilever. Para obter ... (USLP).")? Every word of it is in that
    line, in order, with at most a few of the line's words left out between them. Such a
    line is still a link, whatever the rules make of the words left."""
    words = match_key(sentence).split()
    if len(words) < _MERGED_MIN_WORDS:
        return False
    for line in other.left_out:
        if sentence_key(line) in side.keys:
            continue  # left as it was: the sentence is not made of it
        matcher = SequenceMatcher(None, words, match_key(line).split(), autojunk=False)
        blocks = [block for block in matcher.get_matching_blocks() if block.size]
        if sum(block.size for block in blocks) < len(words):
            continue
        span = blocks[-1].b + blocks[-1].size - blocks[0].b
        if span - len(words) <= _CUT_MAX_LEFT_OUT:
            return True
    return False


def _mergeable(words: str) -> bool:
    """Long enough (a padded word line) to be a sentence another one took in whole; a
    shorter run ("It is.") would be found inside any sentence."""
    return len(words.split()) >= _MERGED_MIN_WORDS


def _merged_rest(sentence: str, other: _Side) -> str | None:
    """What a sentence adds to the other side's sentences it took in whole: the words left
    once those are cut out, or None when it took in none."""
    words = f" {match_key(sentence)} "
    rest = words
    for line in other.mergeable:
        if line in rest:
            rest = rest.replace(line, " ")
    return rest.strip() if rest != words else None


def _adds_claim(sentence: str, other: _Side) -> bool:
    """An added sentence that took in a removed one adds only its other words: a merge
    that tacks on a call to action ("..., you can register via the link") adds nothing."""
    rest = _merged_rest(sentence, other)
    # The rest lost its punctuation with the cut: only its link or metadata form counts.
    return rest is None or (bool(rest) and line_role(rest).compared)


def _names_a_day(sentence: Sentence) -> bool:
    return has_calendar_day(sentence_features(sentence.text).dates)


def _announces_a_day(k: int, side: _Side, edited_on: tuple[int, int, int] | None) -> bool:
    """Is sentence k a line naming a day ("25 October: ONS Economic Forum Webinar", "20
    Jan 6.30pm"), an entry of a programme or a timetable, sentence or not? Not when it
    lists an event already held, which is the page's archive: under a heading that says
    so ("Previous events"), or when every day it names had passed when the page was
    edited, by the page's own metadata line ("Q&A session: 5 August 2019" added on a
    page "Last updated 3 September 2019")."""
    if not _names_a_day(side.sentences[k]):
        return False
    heading = k - 1
    while (
        heading >= 0
        and side.roles[heading] is Role.FRAGMENT
        and _names_a_day(side.sentences[heading])
    ):
        heading -= 1
    if (
        heading >= 0
        and side.roles[heading] is Role.FRAGMENT
        and _PAST_EVENTS_HEADING.search(side.sentences[heading].text)
    ):
        return False
    days = [whole_date(mention) for mention in sentence_features(side.sentences[k].text).dates]
    return edited_on is None or any(day is None or day >= edited_on for day in days)


_ITEM_MIN_WORDS = 2


def _fragment_alone(k: int, side: _Side, edited_on: tuple[int, int, int] | None) -> bool:
    """Is sentence k a fragment that claims nothing added or cut on its own: a heading, a
    caption, a cell? Not when it announces a day (a programme's entry), nor when it is an
    item of a list that a sentence opens ("Disease controls apply at the following
    sites:" then the sites): each item completes that sentence's claim."""
    if side.roles[k] is not Role.FRAGMENT:
        return False
    if _announces_a_day(k, side, edited_on):
        return False
    if len(side.sentences[k].text.split()) < _ITEM_MIN_WORDS:
        return True  # "Civil", "Crime": the labels of a menu
    j = k - 1
    while j >= 0 and side.roles[j] is Role.FRAGMENT:
        j -= 1
    return not (
        j >= 0 and side.roles[j] is Role.CLAIM and side.sentences[j].text.rstrip().endswith(":")
    )


def _one_side(
    indexes: Sequence[int], side: _Side, other: _Side, removed: bool, lone: frozenset[int]
) -> list[Finding]:
    """A stretch with no counterpart: a claim (or a quotation) added or removed. `lone`
    holds every sentence of this side that has no counterpart."""
    # The new version's metadata tells when the edit was made, whichever side this is.
    edited_on = (other if removed else side).edited_on
    if all(_fragment_alone(k, side, edited_on) for k in indexes):
        return []  # headings, cells, captions
    # Still said elsewhere (a duplicate removed, a paragraph repeated, two sentences
    # merged), or added words that merely join what was said before.
    indexes = [k for k in indexes if not _cut_from(side.sentences[k].text, side, other)]
    if removed:
        indexes = [k for k in indexes if not _said_within(side.sentences[k].text, other)]
    else:
        indexes = [k for k in indexes if _adds_claim(side.sentences[k].text, other)]
    findings: list[Finding] = []
    # Quoted words added or cut are a quote shift; the narrator's words beside them, and a
    # speaker line ("Science Minister Jo Lee said:"), a new statement from someone, are a
    # claim added or removed.
    quoted = [k for k in indexes if side.quoted[k]]
    # A speaker line is a claim only with the words it introduces, added or cut with it:
    # alone, it is a heading an extractor may keep on one version and drop on the other.
    narrated = [
        k
        for k in indexes
        if not side.quoted[k]
        and (not side.speaker_lines[k] or (k + 1 in lone and side.quoted[k + 1]))
    ]
    if quoted:
        text = _joined(side.sentences, quoted)
        findings.append(Finding("quote", text, None) if removed else Finding("quote", None, text))
    if narrated and _carries_claim(group_features([side.sentences[k].text for k in narrated])):
        text = _joined(side.sentences, narrated)
        kind = "claim_removed" if removed else "claim_added"
        findings.append(Finding(kind, text, None) if removed else Finding(kind, None, text))
    return findings


def _findings(
    group: Group, old: _Side, new: _Side, context: NameContext, lone: tuple[frozenset[int], ...]
) -> list[Finding]:
    if not group.new:
        return _one_side(group.old, old, new, removed=True, lone=lone[0])
    if not group.old:
        return _one_side(group.new, new, old, removed=False, lone=lone[1])
    if _unchanged(group, old, new):
        return []
    old_texts = [old.sentences[i].text for i in group.old]
    new_texts = [new.sentences[j].text for j in group.new]
    old_features, new_features = group_features(old_texts), group_features(new_texts)
    # A grammar fix ("by the end of the March" -> "by the end of March") moves no claim,
    # though it may move what a parser reads as a date or a name.
    if house_style_only(old_features, new_features, misspellings=False):
        return []
    findings = compare(old_features, new_features, context)
    if all(is_pointer(t) for t in new_texts) or all(is_pointer(t) for t in old_texts):
        # "Videos will be available soon." -> "Videos are available:" (and the links): a
        # pointer's tense is its document arriving, not a claim changing its certainty.
        findings = [f for f in findings if f.type != "modality"]
    quoted = all(old.quoted[i] for i in group.old) and all(new.quoted[j] for j in group.new)
    if not quoted or house_style_only(old_features, new_features):
        return findings
    # Any word changed inside a quotation changes what was said: one quote shift for the
    # quotation, not a clause added or removed inside it.
    findings = [f for f in findings if f.type not in ("claim_added", "claim_removed")]
    if not any(f.type == "quote" for f in findings):
        findings.append(Finding("quote", " ".join(old_texts), " ".join(new_texts)))
    return findings


def _topics(features: Features) -> frozenset[str]:
    cues = {m.token for m in features.polarity}
    return frozenset(
        token.lower[:WORD_PREFIX]
        for k, token in enumerate(features.tokens)
        if len(token.lower) >= WORD_PREFIX and token.is_word and k not in cues
    )


@dataclass(frozen=True, slots=True)
class _Status:
    """What a sentence says is so or not ("closed", "available"), and what about."""

    signs: dict[str, str]  # polarity key -> its word
    topics: frozenset[str]

    @classmethod
    def of(cls, features: Features) -> _Status:
        return cls({m.key: m.text for m in features.polarity}, _topics(features))

    def flipped_from(self, other: _Status) -> tuple[str, str] | None:
        """The words by which this sentence gives the opposite status of the other on the
        same topic ("We have now opened nominations" -> "Nominations are now closed"). A
        denial alone ("not") is no such sign: new sentences deny all sorts of things."""
        if not self.topics & other.topics:
            return None
        for key, word in self.signs.items():
            group, sign = key.split(":")
            opposite = f"{group}:{'-1' if sign == '+1' else '+1'}"
            if opposite in other.signs and key not in other.signs:
                return other.signs[opposite], word
        return None


def _in_table(k: int, side: _Side) -> bool:
    """A fragment among fragments: a cell or a list line, not a heading over prose."""
    return side.roles[k] is Role.FRAGMENT and any(
        0 <= j < len(side.roles) and side.roles[j] is Role.FRAGMENT for j in (k - 1, k + 1)
    )


def _cells_rewritten(groups: list[Group], old: _Side, new: _Side) -> list[Group]:
    """The groups in reading order, with a cell of a table or a list cut and another put
    in its place joined into one group: a cell rewritten ("Princess Royal Hospital
    Telford" -> "Hollinswood House") is compared in place, whatever little it shares."""
    joined: list[Group] = []
    for group in groups:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and len(previous.old) == 1
            and not previous.new
            and len(group.new) == 1
            and not group.old
            and _in_table(previous.old[0], old)
            and _in_table(group.new[0], new)
        ):
            joined[-1] = Group(previous.old, group.new)
        else:
            joined.append(group)
    return joined


def _reversed_claims(
    groups: Sequence[Group], old: _Side, new: _Side, added: frozenset[int]
) -> list[Shift]:
    """A claim replaced by its opposite in other words, so that no two sentences align:
    each added sentence (in `added`) that flips an old sentence no longer said, on the
    same topic."""
    before: dict[int, _Status] = {}
    for group in groups:
        if not _unchanged(group, old, new):
            for i in group.old:
                features = sentence_features(old.sentences[i].text)
                if features.polarity:
                    before[i] = _Status.of(features)
    shifts: list[Shift] = []
    for j in sorted(added):
        features = sentence_features(new.sentences[j].text)
        if not before or new.roles[j] is not Role.CLAIM or not features.polarity:
            continue
        after = _Status.of(features)
        flip = next(
            ((i, words) for i, status in before.items() if (words := after.flipped_from(status))),
            None,
        )
        if flip is not None:
            i, (old_word, new_word) = flip
            shifts.append(
                Shift(
                    type="negation",
                    old=old_word,
                    new=new_word,
                    old_sentence=old.sentences[i].text,
                    new_sentence=new.sentences[j].text,
                    significance=shift_significance("negation", new.sentences[j].paragraph),
                )
            )
    return shifts


def _unchanged(group: Group, old: _Side, new: _Side) -> bool:
    return bool(group.old and group.new) and [
        sentence_key(old.sentences[i].text) for i in group.old
    ] == [sentence_key(new.sentences[j].text) for j in group.new]


def semantic_diff(
    old_text: str,
    new_text: str,
    old_headline: str | None = None,
    new_headline: str | None = None,
) -> SemanticDiff:
    """Which factual claims changed between two versions of an article body (one
    paragraph a line) and, when given, its headline. Pure: no I/O, no global state
    beyond caches."""
    old = _read(old_text)
    new = _read(new_text)
    groups = align(
        [sentence_key(s.text) for s in old.sentences],
        [sentence_key(s.text) for s in new.sentences],
        [match_key(s.text) for s in old.sentences],
        [match_key(s.text) for s in new.sentences],
    )
    context = NameContext(old_text, new_text)
    shifts: list[Shift] = []
    headline = headline_change(old_headline, new_headline)
    if headline is not None:
        shifts.extend(
            Shift(
                type=finding.type,
                old=finding.old,
                new=finding.new,
                old_sentence=headline.old,
                new_sentence=headline.new,
                significance=min(
                    1.0, _HEADLINE_WEIGHT * shift_significance(finding.type, 0, finding.weight)
                ),
                field="headline",
            )
            for finding in headline_findings(
                headline.old, headline.new, old_text, new_text, context
            )
        )
    lone = (
        frozenset(i for g in groups if not g.new for i in g.old),
        frozenset(j for g in groups if not g.old for j in g.new),
    )
    for group in _cells_rewritten(_order(groups), old, new):
        findings = _findings(group, old, new, context, lone)
        if not findings:
            continue
        paragraph = (
            new.sentences[group.new[0]].paragraph
            if group.new
            else old.sentences[group.old[0]].paragraph
        )
        old_sentence = _joined(old.sentences, group.old) or None
        new_sentence = _joined(new.sentences, group.new) or None
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
    shifts.extend(_reversed_claims(groups, old, new, lone[1]))
    return SemanticDiff(
        material=bool(shifts),
        significance=overall_significance(s.significance for s in shifts),
        shifts=shifts,
        headline=headline,
    )


def clear_caches() -> None:
    """Forget every cached sentence analysis (for benchmarks measuring a cold start)."""
    from . import dates, features, names, normalise, roles, sentences

    for cached in (
        dates.misspelt_month,
        features.sentence_features,
        normalise.sentence_key,
        normalise.match_key,
        normalise.tokenise,
        sentences._split_paragraph_cached,
        roles.line_role,
        names.name_key,
        names.phonetic,
        names.same_word,
    ):
        cached.cache_clear()
