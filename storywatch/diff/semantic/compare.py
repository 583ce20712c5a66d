"""Compare the features of two aligned stretches of text and list what changed.

Facts are compared as sets of keys, not as word sequences, so rewording, reordering and
moving an attribution within a sentence change nothing, while "3" -> "5" or "Paris" ->
"Lyon" do. Removed and added items of one kind are paired in order ("3 -> 5"); what is left
unpaired is reported against nothing ("Google -> ∅").
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.fuzz import ratio

from .compare_cues import (
    compare_clauses,
    compare_modals,
    compare_negations,
    compare_polarity,
    compare_tense,
)
from .dates import has_calendar_day, is_weekday
from .features import Features, sentence_features
from .finding import Finding, kind_of, pair, unmatched_keys
from .lexicon import (
    GENERIC_SPEAKERS,
    NEGATION_WORDS,
    NUMBER_WORDS,
    PERSONAL_PRONOUNS,
    STOP_WORDS,
    TITLES,
)
from .mention import Mention
from .names import NameContext, capital_initials, describes, resolve, same_name, same_word
from .normalise import plain
from .quotes import quote_key
from .token_diff import MAX_TOKENS, TokenDiff

_QUOTE_PAIRING_RATIO = 40.0
_SPEAKER_TYPO_RATIO = 85.0


def _drop_weak_singles(
    old: list[Mention], new: list[Mention]
) -> tuple[list[Mention], list[Mention]]:
    """An ambiguous "one"/"first" that vanished without a replacement is wording."""
    if not new:
        old = [m for m in old if not m.weak]
    if not old:
        new = [m for m in new if not m.weak]
    return old, new


def _number_weight(old: Mention | None, new: Mention | None) -> float:
    if old is None or new is None or old.value is None or new.value is None:
        return 1.0
    largest = max(abs(old.value), abs(new.value), 1e-9)
    relative = abs(old.value - new.value) / largest
    return 0.75 + 0.25 * min(1.0, 2.0 * relative)


def compare_numbers(old: Features, new: Features) -> list[Finding]:
    removed, added = _drop_weak_singles(*unmatched_keys(old.numbers, new.numbers))
    return [
        Finding("number", o.text if o else None, n.text if n else None, _number_weight(o, n))
        for o, n in pair(removed, added, kind_of)
    ]


# A date that closes a period is another claim than the same date as a time: "in the
# past year" is not "up until last year".
_UNTIL = frozenset({"until", "till"})


def _bounded(features: Features) -> list[Mention]:
    """The date mentions, those after "until" keyed apart."""
    tokens = features.tokens
    return [
        replace(m, key=f"until:{m.key}")
        if m.token > 0 and tokens[m.token - 1].lower in _UNTIL
        else m
        for m in features.dates
    ]


def compare_dates(old: Features, new: Features) -> list[Finding]:
    removed, added = unmatched_keys(_bounded(old), _bounded(new))
    # Judgement call (eval/README.md): naming the weekday of an event whose calendar date
    # is already given, and unchanged, adds no fact.
    calendar_kept = has_calendar_day([m for m in old.dates if m not in removed]) and (
        has_calendar_day([m for m in new.dates if m not in added])
    )
    if calendar_kept:
        if not any(is_weekday(m) for m in added):
            removed = [m for m in removed if not is_weekday(m)]
        if not any(is_weekday(m) for m in removed):
            added = [m for m in added if not is_weekday(m)]
    return [
        Finding("date", o.text if o else None, n.text if n else None)
        for o, n in pair(removed, added, kind_of)
    ]


def _name_present(key: str, names: Sequence[tuple[str, str]], other: Features) -> bool:
    """Is the name on the other side: as a name, or written in lowercase ("the
    ministry of defence")? Its words must stand together: "Philippine Space Agency" is not
    in a sentence that says "space" somewhere."""
    keys = [name for name, _ in names]
    if key in keys or any(_stands_for(name, key) for name in keys):
        return True
    return f" {key} " in _lowercase_words(other)


def _stands_for(short: str, key: str) -> bool:
    """Does name `short` name `key`? A shorter name stands for a longer one by its last
    word ("Putin" for "Vladimir Putin"), not by another ("Filipino" is not the
    "Philippine Satellite Agency")."""
    short_words, words = short.split(), key.split()
    if "".join(short_words) == "".join(words):  # "SouthEastAsia", "South East Asia"
        return True
    if len(short_words) < len(words) and not same_word(short_words[-1], words[-1]):
        return False
    return same_name(short, key)


def _lowercase_words(features: Features) -> str:
    return " " + " ".join(t.lower.removesuffix("'s") for t in features.tokens if t.is_word) + " "


def compare_names(
    old: Features, new: Features, context: NameContext, diff: TokenDiff
) -> list[Finding]:
    old_names = resolve(old.names, context)
    new_names = resolve(new.names, context)
    # A possessive ("Trump's envoy") qualifies the name after it: the names that stand
    # for the subject pair first, so "Trump's envoy Steve Witkoff" -> "Secretary of
    # State Marco Rubio" is Witkoff -> Rubio.
    removed = sorted(
        {k: t for k, t in old_names if not _name_present(k, new_names, new)}.values(),
        key=_is_possessive,
    )
    added = sorted(
        {k: t for k, t in new_names if not _name_present(k, old_names, old)}.values(),
        key=_is_possessive,
    )
    # An abbreviation introduced or spelt out ("Trade and Cooperation Agreement" ->
    # "the TCA") names the same thing.
    old_runs, new_runs = _spelt_out(old), _spelt_out(new)
    removed = [n for n in removed if not _abbreviated(n, old_runs, new.words)]
    added = [
        n
        for n in added
        if n.lower() not in old_runs
        and not (n.lower() in new_runs and new_runs[n.lower()] <= old.words)
        and not _abbreviated(n, new_runs, old.words)
    ]
    findings = [
        Finding("entity", *_without_titles(o, n)) for o, n in zip(removed, added, strict=False)
    ]
    findings.extend(_unpaired_names(removed[len(added) :], old, diff, on_old_side=True))
    findings.extend(_unpaired_names(added[len(removed) :], new, diff, on_old_side=False))
    return findings


def _unpaired_names(
    names: Sequence[str], features: Features, diff: TokenDiff, on_old_side: bool
) -> list[Finding]:
    """A name with no name in its place. Written over other words ("the Chancellor" ->
    "Sir Patrick Vallance") it replaced them: an entity shift. Inserted or cut on its own
    (a partner added to or dropped from a list) it adds or removes a claim."""
    findings: list[Finding] = []
    replaced: set[int] = set()
    for name in names:
        token = next((c.token for c in features.names if c.text.endswith(name)), -1)
        span = diff.replaced_span(token, on_old_side)
        other_side = span[2] if span and on_old_side else span[1] if span else ""
        if span is not None and describes(other_side, name):
            continue
        if span is None or not _has_content_word(other_side, features.words):
            if on_old_side:
                findings.append(Finding("claim_removed", name, None))
            else:
                findings.append(Finding("claim_added", None, name))
        elif span[0] not in replaced:
            replaced.add(span[0])
            findings.append(Finding("entity", span[1], span[2]))
    return findings


_ACRONYM_CONNECTORS = frozenset({"and", "of", "for", "the", "&", "on", "in"})


def _spelt_out(features: Features) -> dict[str, frozenset[str]]:
    """Runs of capitalised words ("Trade and Cooperation Agreement"), keyed by their
    initials ("tca"), with their lowercase words."""
    runs: dict[str, frozenset[str]] = {}
    run: list[str] = []
    tokens = features.tokens
    for k, token in enumerate((*tokens, None)):
        if token is not None and token.is_word and token.text[0].isupper():
            run.append(token.text)
            continue
        if token is not None and run and token.lower in _ACRONYM_CONNECTORS:
            run.append(token.lower)
            continue
        # Every tail of the run, as its first word may just open the sentence ("Under
        # the Trade and Cooperation Agreement" abbreviates to "TCA").
        for start, word in enumerate(run):
            initials = capital_initials(run[start:])
            if word[0].isupper() and len(initials) >= 2:
                runs.setdefault(initials, frozenset(w.lower() for w in run[start:]))
        # "Agreement on Trade-Related Aspects of Intellectual Property Rights (TRIPS)":
        # the abbreviation given in brackets names the run, whatever its initials.
        given = (
            tokens[k + 1]
            if token is not None and token.text == "(" and k + 2 < len(tokens)
            else None
        )
        if run and given is not None and given.text.isupper() and tokens[k + 2].text == ")":
            runs.setdefault(given.lower, frozenset(w.lower() for w in run))
        run = []
    return runs


def _abbreviated(name: str, runs: dict[str, frozenset[str]], other_words: frozenset[str]) -> bool:
    """Is `name` part of a run whose abbreviation the other side uses instead?"""
    words = {w.lower() for w in name.split()}
    return any(words <= run and initials in other_words for initials, run in runs.items())


def _has_content_word(text: str, kept: frozenset[str]) -> bool:
    """Did the name take the place of other words? Not when only grammar ("Apple and
    Google were" -> "Apple was") or words still there ("Prospect and Unite" -> "Prospect,
    Unite and Stonewall") stand on the other side."""
    return any(w not in STOP_WORDS and w not in kept for w in quote_key(text).split())


def _is_possessive(name: str) -> bool:
    return plain(name).endswith(("'s", "'"))


_OFFICE_WORDS = frozenset({"of", "for"})


def _title_stripped(name: str) -> str:
    """ "Secretary of State Marco Rubio" -> "Marco Rubio": the office, then the person."""
    words = name.split()
    k = 0
    while k < len(words) - 1 and words[k].lower().strip(".") in TITLES:
        k += 1
        if k < len(words) - 2 and words[k].lower() in _OFFICE_WORDS:
            k += 2  # "of State", "for Trade"
    return " ".join(words[k:]) if k < len(words) else name


def _without_titles(old: str, new: str) -> tuple[str, str]:
    """Report a replaced person without the offices around the names, unless the office
    is what changed ("Health Secretary X" -> "Social Care Secretary X")."""
    old_core, new_core = _title_stripped(old), _title_stripped(new)
    if old_core.lower() == new_core.lower():
        return old, new
    return old_core, new_core


def _same_speaker(a: str, b: str) -> bool:
    if a == b or "*" in (a, b):
        return True
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:
        return True
    return ratio(a, b) >= _SPEAKER_TYPO_RATIO or same_name(a, b)


def _names_other(generic: Mention, named: Mention, generic_side_words: frozenset[str]) -> bool:
    """ "the team said" vs "the Lakers said" in a sentence about the Lakers: one speaker."""
    return generic.key in GENERIC_SPEAKERS and set(named.key.split()) <= generic_side_words


def compare_speakers(old: Features, new: Features) -> list[Finding]:
    removed = [
        m for m in old.speakers if not any(_same_speaker(m.key, n.key) for n in new.speakers)
    ]
    added = [m for m in new.speakers if not any(_same_speaker(m.key, o.key) for o in old.speakers)]
    removed = list({m.key: m for m in removed}.values())
    added = list({m.key: m for m in added}.values())
    old_words, new_words = old.words, new.words
    for o in list(removed):
        n = next(
            (n for n in added if _names_other(o, n, old_words) or _names_other(n, o, new_words)),
            None,
        )
        if n is not None:
            removed.remove(o)
            added.remove(n)
    return [
        Finding("attribution", o.text if o else None, n.text if n else None)
        for o, n in pair(removed, added, lambda m: "speaker")
    ]


def _typo_only(old_key: str, new_key: str) -> bool:
    """Two quotations whose words differ only by small misspellings."""
    old_words, new_words = old_key.split(), new_key.split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 != j2 - j1:
            return False
        for a, b in zip(old_words[i1:i2], new_words[j1:j2], strict=True):
            if not (a.isalpha() and b.isalpha()) or min(len(a), len(b)) < 3:
                return False
            if DamerauLevenshtein.distance(a, b) > (1 if min(len(a), len(b)) < 6 else 2):
                return False
    return True


def _valued_words(features: Features) -> list[str]:
    """The words of a stretch with each number read as its value and each date as the day
    it names, so "two" and "2" ("five-year" and "5-year", "7th July" and "7 July") are
    one word. A one-word date stays a word: "the March" may be no date at all."""
    dates = [m for m in features.dates if " " in m.text.strip()]
    starts = {m.token: m for m in (*dates, *features.numbers)}
    words: list[str] = []
    k = 0
    while k < len(features.tokens):
        number = starts.get(k)
        if number is not None:
            words.append(number.key)
            # "five-year" is one token, "5-year" three: the unit is a word either way.
            unit = number.text.rpartition("-")[2] if number.size == 1 else ""
            if unit.isalpha() and unit.lower() not in NUMBER_WORDS:
                words.append(unit.lower())
            k += number.size
            continue
        token = features.tokens[k]
        if token.text.isalnum():  # the common case, and what quote_key would make of it
            words.append(token.lower)
        elif token.is_word:
            words.extend(quote_key(token.text).split())
        k += 1
    return words


def house_style_only(old: Features, new: Features, *, misspellings: bool = True) -> bool:
    """Do two stretches say the same words, but for misspellings, numerals for number
    words, and one small word added or dropped in a grammar fix ("make our homes are
    fit" -> "make our homes fit")? A dropped "not" is never grammar.

    Without ``misspellings`` a replaced word always counts: outside a quotation a word a
    letter away may be another name ("Iran" -> "Iraq"), which only the name comparison
    can tell from a misspelling."""
    old_words, new_words = _valued_words(old), _valued_words(new)
    if abs(len(old_words) - len(new_words)) > 1:
        return False  # misspellings keep the count of words; one small word may move
    if not misspellings:
        return _one_small_word_apart(old_words, new_words)
    if len(old_words) > MAX_TOKENS or len(new_words) > MAX_TOKENS:
        return False  # too long to diff word by word: not judged a mere house-style edit
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    small_words_moved = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag in ("insert", "delete"):
            moved = old_words[i1:i2] or new_words[j1:j2]
            if len(moved) > 1 or not _is_small_word(moved[0]):
                return False
            small_words_moved += 1
            continue
        if not _typo_only(" ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])):
            return False
    return small_words_moved <= 1


def _is_small_word(word: str) -> bool:
    # A grammar fix may also restore a speaker's pronoun ("believed that ..." -> "I
    # believed that ..."): quotations speak in the first and second person.
    return (word in STOP_WORDS or word in PERSONAL_PRONOUNS) and word not in NEGATION_WORDS


def _one_small_word_apart(old_words: list[str], new_words: list[str]) -> bool:
    """The same words, or one small word more on one side (in one pass, no diff)."""
    if len(old_words) == len(new_words):
        return old_words == new_words
    longer, shorter = (
        (old_words, new_words) if len(old_words) > len(new_words) else (new_words, old_words)
    )
    at = next((k for k, word in enumerate(shorter) if word != longer[k]), len(shorter))
    return _is_small_word(longer[at]) and longer[at + 1 :] == shorter[at:]


def _words_key(features: Features) -> str:
    """The sentence's words as a quote key, padded so a key can be looked up whole."""
    return f" {quote_key(' '.join(t.text for t in features.tokens if t.is_word))} "


def _still_said(quotes: list[Mention], other: Features) -> list[Mention]:
    """Quotations whose words the other side still says verbatim are a change of quotation
    marks (or of the marks' recognition), not a quotation added or removed."""
    if not quotes:
        return quotes
    words = _words_key(other)
    return [q for q in quotes if f" {q.key} " not in words]


def compare_quotes(old: Features, new: Features) -> list[Finding]:
    removed, added = unmatched_keys(old.quotes, new.quotes)
    findings: list[Finding] = []
    unpaired: list[Mention] = []
    for quote in removed:
        best = max(added, key=lambda n: ratio(quote.key, n.key), default=None)
        if best is not None and ratio(quote.key, best.key) >= _QUOTE_PAIRING_RATIO:
            added.remove(best)
            if not house_style_only(sentence_features(quote.text), sentence_features(best.text)):
                findings.append(Finding("quote", quote.text, best.text))
        else:
            unpaired.append(quote)
    # Quotations with no similar counterpart: still one replaced the other, in order.
    unpaired, added = _still_said(unpaired, new), _still_said(added, old)
    findings.extend(
        Finding("quote", o.text if o else None, n.text if n else None)
        for o, n in pair(unpaired, added, lambda m: "quote")
    )
    return findings


def _within(inner: str | None, outer: str | None) -> bool:
    if inner is None:
        return True
    return outer is not None and plain(inner).lower() in plain(outer).lower()


def _covered(finding: Finding, by: Sequence[Finding], slack: int | None = None) -> bool:
    """Is `finding` inside one of `by` (and, with `slack`, nearly all of it)?"""

    def close(inner: str | None, outer: str | None) -> bool:
        if not _within(inner, outer):
            return False
        if slack is None or inner is None or outer is None:
            return True
        return len(outer.split()) - len(inner.split()) <= slack

    return any(close(finding.old, f.old) and close(finding.new, f.new) for f in by)


def compare(old: Features, new: Features, context: NameContext) -> list[Finding]:
    """Every factual difference between two aligned stretches of text."""
    diff = TokenDiff(old.tokens, new.tokens)
    attributions = compare_speakers(old, new)
    quotes = compare_quotes(old, new)
    # A changed speaker is one change, not also a changed name that is most of it; a
    # reworded quotation is one change, not also a change of the modal verbs inside it.
    entities = [
        e for e in compare_names(old, new, context, diff) if not _covered(e, attributions, slack=2)
    ]
    modals = [
        m
        for m in (*compare_modals(old, new, diff), *compare_tense(old, new, diff))
        if not _covered(m, quotes)
    ]
    findings = [
        *compare_numbers(old, new),
        *compare_dates(old, new),
        *entities,
        *compare_negations(old, new, diff),
        *compare_polarity(old, new),
        *modals,
        *attributions,
        *quotes,
    ]
    # A clause inserted or cut is a claim of its own, beside the values it carries.
    findings.extend(
        c
        for c in compare_clauses(old, new, diff)
        if not _covered(c, findings) and not _spells_out(c, old, new)
    )
    return findings


def _spells_out(clause: Finding, old: Features, new: Features) -> bool:
    """A clause that only spells out an abbreviation the other side uses ("the TCA" ->
    "the Trade and Cooperation Agreement (TCA)")."""
    if clause.new is not None:
        return _abbreviated(clause.new.strip(" ()"), _spelt_out(new), old.words)
    return clause.old is not None and _abbreviated(
        clause.old.strip(" ()"), _spelt_out(old), new.words
    )
