"""Direct quotations: the words between double quotes (straight, curly or ``LaTeX'') or
single quotes ('...' or curly), so a change of quotation style changes nothing.

A single quote opens only after a space or an opening mark and before a word, and closes
only after a word or punctuation and before a space or punctuation, so the apostrophes of
"don't", "Putin's" or "the workers' union" are never read as quotation marks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .lexicon import PERSONAL_PRONOUNS
from .mention import Mention
from .normalise import Token, plain

_QUOTED = re.compile(
    r'"([^"]+)"'
    r"|``(.+?)''"
    r"|(?<![\w'])'(?=\w)((?:[^'\"]|(?<=\w)'(?=\w))+?[\w.,!?])'(?![\w'])"
)
_NOT_WORD = re.compile(r"[^\w]+")


def quote_key(text: str) -> str:
    """Words of a quotation, lowercase, apostrophes and punctuation dropped."""
    return " ".join(_NOT_WORD.sub(" ", plain(text).replace("'", "").lower()).split())


def find_quotes(tokens: Sequence[Token], sentence: str) -> list[Mention]:
    mentions: list[Mention] = []
    for match in _QUOTED.finditer(plain(sentence)):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        start, end = match.start(group), match.end(group)
        text = sentence[start:end].strip().rstrip(",.;:")
        key = quote_key(text)
        if not key:
            continue
        first = next((k for k, t in enumerate(tokens) if t.start >= start), 0)
        size = sum(1 for t in tokens if start <= t.start < end)
        mentions.append(Mention(text, key, first, max(size, 1)))
    return mentions


# Press-release quotations: "The Minister for X said:" then the quoted paragraphs, with or
# without quotation marks. A multi-paragraph quotation opens each paragraph with a mark.
_OPENING_MARK = re.compile(r"^\s*[\"']")  # applied to `plain` text: curly marks are straight
_SPEAKER_LINE_VERBS = frozenset(
    [
        *("said", "says", "added", "adds", "commented", "comments", "stated", "states"),
        *("explained", "explains", "continued", "continues", "concluded", "concludes"),
        *("noted", "notes", "told", "tells"),
    ]
)
_UNMARKED_QUOTE_MAX = 6  # unmarked paragraphs a speaker line can govern


# The narrator speaking again: "..., the minister said." or "According to the agency".
# "added" attributes only as a speech verb: before a pause or "that" (", he added.", "She
# added that ..."), not as a participle ("added peace of mind", "added 5 sites").
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|tells|according to)\b|\badded(?=\s*(?:[,.:;!?\"')]|that\b|$))",
    re.IGNORECASE,
)


# Words only a speaker uses of themselves or their listeners ("we're" splits to "we").
_PERSONAL = PERSONAL_PRONOUNS | {"ours"}


def _speaks(paragraph: str) -> bool:
    """Does an unmarked paragraph read as someone speaking ("We must ...", "our nation")
    rather than the narrator going on ("The task force invited bids ...")? The first
    paragraph after a speaker line is the quotation whatever it says; a later one must
    speak in the first or second person to still be it."""
    return not _PERSONAL.isdisjoint(_NOT_WORD.sub(" ", plain(paragraph).lower()).split())


def attributes(paragraph: str) -> bool:
    """Does the paragraph attribute words outside quotation marks (so it is not itself
    quoted words)?"""
    outside = _QUOTED.sub(" ", plain(paragraph))
    return bool(_ATTRIBUTION.search(outside))


# "Statement by the governments of France, Germany and the UK:" heads the issuers' words.
_STATEMENT_LINE = re.compile(r"^(?:\w+\s+)?statement\s+(?:by|from|of|on behalf of)\b", re.I)


def is_speaker_line(paragraph: str) -> bool:
    """ "The Minister for Trade, Jane Smith, said:" introduces the paragraphs after it."""
    if not paragraph.rstrip().endswith(":"):  # most paragraphs: no need to read them
        return False
    text = plain(paragraph).strip()
    words = _NOT_WORD.sub(" ", text.lower()).split()
    return any(word in _SPEAKER_LINE_VERBS for word in words[-4:]) or bool(
        _STATEMENT_LINE.match(text)
    )


def quotation_paragraphs(
    paragraphs: Sequence[str], ends_unmarked: Callable[[int], bool]
) -> set[int]:
    """Indexes of the paragraphs that are quoted words: those opening on a quotation mark,
    and those a speaker line introduces. `ends_unmarked(k)` says paragraph k cannot belong
    to a quotation without marks (it attributes something itself, or is a heading or a
    link line): it ends one."""
    quoted: set[int] = set()
    k = 0
    while k < len(paragraphs):
        paragraph = paragraphs[k]
        if _OPENING_MARK.match(plain(paragraph)):
            quoted.add(k)
        elif is_speaker_line(paragraph):
            follow = k + 1
            marked = follow < len(paragraphs) and bool(
                _OPENING_MARK.match(plain(paragraphs[follow]))
            )
            while follow < len(paragraphs) and not is_speaker_line(paragraphs[follow]):
                if marked:
                    if not _OPENING_MARK.match(plain(paragraphs[follow])):
                        break
                elif (
                    ends_unmarked(follow)
                    or follow - k > _UNMARKED_QUOTE_MAX
                    or (follow > k + 1 and not _speaks(paragraphs[follow]))
                ):
                    break
                quoted.add(follow)
                follow += 1
            k = follow
            continue
        k += 1
    return quoted
