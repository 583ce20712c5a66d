"""News-like prose of any length, seeded, for full-rewrite tests and benchmarks.

Random characters would flatter a diff: two rewrites of a news story share most of their
words ("the", "said", names, places), which is what makes a word diff of them expensive.
Sentences here are built from a small news grammar, so two seeds give two different texts
over the same vocabulary.
"""

from __future__ import annotations

import random
import re

_NAMES = ("Maria Ortega", "Volodymyr Zelensky", "Donald Trump", "Emmanuel Macron", "Keir Starmer")
_PLACES = ("Kyiv", "Donetsk", "Brussels", "Geneva", "Warsaw", "Odesa", "Ankara", "Riga")
_ORGS = ("the United Nations", "NATO", "the European Commission", "the Red Cross", "Reuters")
_SUBJECTS = (
    "Officials",
    "The minister",
    "Police in {place}",
    "{name}",
    "A spokesperson for {org}",
    "Residents of {place}",
    "Diplomats in {place}",
    "The foreign ministry",
)
_VERBS = ("said", "denied", "confirmed", "warned", "announced", "told reporters", "insisted")
_CLAIMS = (
    "that {number} people had been {event} in {place} on {day}",
    "that talks with {org} would resume {when}",
    "the government was not ready to sign the agreement",
    "that {number} million dollars had been set aside for {thing}",
    "that the ceasefire around {place} was holding for now",
    "that {name} would travel to {place} {when}",
    "that {thing} could not be delivered before {day}",
    "the vote on {thing} had been delayed by {number} days",
)
_TAILS = (
    "",
    "",
    ", according to {org}",
    ", despite protests in {place}",
    " after a meeting with {name}",
    ", though no details were given",
)
_FILL = {
    "event": ("injured", "evacuated", "detained", "killed", "rescued"),
    "day": ("Monday", "Tuesday", "Friday", "the weekend", "March 3"),
    "when": ("next week", "within days", "later this month", "after the summit"),
    "thing": ("reconstruction", "the new air defence systems", "grain exports", "the budget"),
}


def _fill(template: str, rng: random.Random) -> str:
    choices = {
        "name": _NAMES,
        "place": _PLACES,
        "org": _ORGS,
        "number": tuple(str(n) for n in range(2, 400)),
        **_FILL,
    }
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(choices[m.group(1)]), template)


def news_prose(words: int, seed: int) -> str:
    """About ``words`` words of news prose, paragraphs of two to five sentences, one a line."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            template = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAIMS)}"
            sentences.append(_fill(template + rng.choice(_TAILS), rng) + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n".join(paragraphs)


def shuffled_and_edited(text: str, seed: int) -> str:
    """The same paragraphs in another order, each with one figure changed or word added."""
    rng = random.Random(seed)
    paragraphs = text.split("\n")
    rng.shuffle(paragraphs)
    edited = []
    for paragraph in paragraphs:
        words = paragraph.split(" ")
        at = rng.randrange(len(words))
        if words[at].isdigit():
            words[at] = str(rng.randint(2, 400))
        else:
            words.insert(at, "reportedly")
        edited.append(" ".join(words))
    return "\n".join(edited)
