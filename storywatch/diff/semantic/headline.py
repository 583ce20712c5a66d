"""The headline, compared on its own: its typed shifts, with what the story around it
already says taken into account (a headline summarising differently is not news)."""

from __future__ import annotations

import re

from .compare import compare
from .features import NUMBER_WORD_STEMS, WORD_PREFIX, content_stems, sentence_features, text_stems
from .finding import Finding
from .names import NameContext

# Content words a headline gains that the whole old story never used: a new claim.
_HEADLINE_NEW_WORDS = 2
# A headline is in Title Case when this share of its longer words is capitalised.
_TITLE_CASE_SHARE = 0.8
_SHORT_TITLE_WORD = 3  # "of", "to", "the", "and" stay lowercase in Title Case


def _says(text: str, words: str) -> bool:
    """Does `text` hold `words` whole, not inside longer words?"""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


def _sentence_case(headline: str, context: NameContext) -> str:
    """A headline in Title Case ("Council Hosts Youth Team at the World Cup") with its
    capitals kept only on the words that may be names: a word the articles write in
    lowercase ("hosts", "team") has its capital from house style."""
    words = headline.split()
    capitalised = [w for w in words if len(w) > _SHORT_TITLE_WORD and w[0].isupper()]
    long_words = [w for w in words if len(w) > _SHORT_TITLE_WORD and w[0].isalpha()]
    if len(capitalised) < _TITLE_CASE_SHARE * max(len(long_words), 1) or len(long_words) < 3:
        return headline
    return " ".join(
        [words[0]]
        + [
            w.lower() if w[:1].isupper() and not w.isupper() and not context.confirms(w) else w
            for w in words[1:]
        ]
    )


def _unsaid(words: frozenset[str], story: frozenset[str]) -> set[str]:
    """The headline's words (stems) the story does not use, even in another form of the
    word ("repeated" is said by "repeatedly", "Northants" by "Northampton")."""
    prefixes = {w[:WORD_PREFIX] for w in story if len(w) >= WORD_PREFIX}
    return {w for w in words - story if len(w) < WORD_PREFIX or w[:WORD_PREFIX] not in prefixes}


def headline_findings(
    old_headline: str, new_headline: str, old_body: str, new_body: str, context: NameContext
) -> list[Finding]:
    """Typed shifts of a rewritten headline. A value the headline gains that the old
    article already stated (or loses that the new one still states) is the headline
    summarising differently, not news: only values new to the story count."""
    old_features = sentence_features(_sentence_case(old_headline, context))
    new_features = sentence_features(_sentence_case(new_headline, context))
    old_lower, new_lower = old_body.lower(), new_body.lower()

    def known(finding: Finding) -> bool:
        """Does the other version's story state the value ("2" is not said by "2021")?"""
        value, story = (
            (finding.new, old_lower) if finding.new is not None else (finding.old, new_lower)
        )
        return value is not None and _says(story, value.lower().strip(" .,"))

    def named(finding: Finding) -> bool:
        """A name in a headline replaced by another name, or one its story names too: in a
        Title Case headline a capital alone ("Hosts Team to Play at the Cup" -> "in
        advance of the Cup") makes no name."""
        spans = ((finding.old, old_body), (finding.new, new_body))
        if all(span and any(w[0].isupper() for w in span.split()) for span, _ in spans):
            return True
        return any(
            word[0].isupper() and _says(body, word)
            for span, body in spans
            for word in (span or "").split()
        )

    findings = [
        f
        for f in compare(old_features, new_features, context)
        if f.type not in ("claim_added", "claim_removed")
        and not known(f)
        and (f.type != "entity" or named(f))
    ]
    if findings:
        return findings
    # No value moved, but the headline may say something else ("banned for tax abuse" ->
    # "banned for negligent record keeping"): words new to the headline that the old
    # article never used are a new claim; words it dropped that the new article no
    # longer uses are a claim withdrawn.
    # Number words are values, compared above: "five full days" -> "5 full days" is style.
    old_words = content_stems(old_features.tokens) - NUMBER_WORD_STEMS
    new_words = content_stems(new_features.tokens) - NUMBER_WORD_STEMS
    old_story = text_stems(old_body) | old_words
    new_story = text_stems(new_body) | new_words
    gained = _unsaid(new_words, old_story)
    lost = _unsaid(old_words, new_story)
    if len(gained) >= _HEADLINE_NEW_WORDS:
        findings.append(Finding("claim_added", None, new_headline))
    if len(lost) >= _HEADLINE_NEW_WORDS:
        findings.append(Finding("claim_removed", old_headline, None))
    return findings
