"""The claim timeline: linking shifts across versions into claims, and their labels."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storywatch.diff.model import Shift
from storywatch.history.claims import PRESENT, build_claims, claim_label, find_value
from storywatch.storage import Store
from storywatch.storage.queries import VersionRow
from tests.support.history import START, build_story, seed_texts, utc_local_time

pytestmark = pytest.mark.usefixtures(utc_local_time.__name__)

TARIFF = "This week he doubled tariffs on Indian products to {} due to Russian oil purchases."
TALKS = "The leaders have held {} phone conversations since February."


def _row(number: int, *shifts: Shift) -> VersionRow:
    return VersionRow(
        number=number,
        fetched_at=START + timedelta(hours=number),
        title=None,
        byline=None,
        published=None,
        updated=None,
        word_count=100,
        content_hash=str(number),
        has_diff=number > 1,
        previous_number=number - 1 if number > 1 else None,
        shifts=shifts,
    )


def _number(old: str, new: str, sentence: str, significance: float = 0.5) -> Shift:
    return Shift("number", old, new, sentence.format(old), sentence.format(new), significance)


def test_a_claim_edited_twice_is_one_claim_with_three_values() -> None:
    rows = [
        _row(1),
        _row(2, _number("50%", "25%", TARIFF)),
        _row(3),  # a wording-only edit in between
        _row(4, _number("25%", "10%", TARIFF.replace("This week", "On Monday"))),
    ]
    [claim] = build_claims(rows)
    assert [(s.value, s.version) for s in claim.states] == [("50%", 1), ("25%", 2), ("10%", 4)]
    assert claim.label == "tariffs on Indian products"
    assert claim.line() == (
        # Its value at every version: 25% held in v2 and v3.
        "tariffs on Indian products (number): 50% (v1, Aug 08 22:10)"
        " → 25% (v2\u20133, Aug 08 23:10) → 10% (v4, Aug 09 01:10)"
    )


def test_equal_values_in_unrelated_sentences_stay_separate_claims() -> None:
    rows = [
        _row(1),
        _row(2, _number("50%", "25%", TARIFF)),
        # "25%" again, but in a sentence about something else entirely.
        _row(3, _number("25%", "30%", "Turnout in the eastern regions reached {} on Sunday.")),
        # Same sentence but the old value is not the claim's current one.
        _row(4, _number("40%", "45%", TARIFF)),
    ]
    claims = build_claims(rows)
    assert [[s.value for s in c.states] for c in claims] == [
        ["50%", "25%"],
        ["25%", "30%"],
        ["40%", "45%"],
    ]
    assert claims[1].label == "Turnout in the eastern regions"  # the subject


def test_two_values_in_one_sentence_are_two_claims_that_each_continue() -> None:
    both = "The leaders have held {} phone conversations and met {} times."
    rows = [
        _row(1),
        _row(
            2,
            Shift(
                "number", "six", "seven", both.format("six", "five"), both.format("seven", "six")
            ),
            Shift("number", "five", "six", both.format("six", "five"), both.format("seven", "six")),
        ),
        _row(
            3,
            Shift("number", "six", "eight", both.format("seven", "six"), both.format("seven", "8")),
            Shift("number", "seven", "nine", both.format("seven", "6"), both.format("nine", "6")),
        ),
    ]
    conversations, meetings = build_claims(rows)
    assert [s.value for s in conversations.states] == ["six", "seven", "nine"]
    assert [s.value for s in meetings.states] == ["five", "six", "eight"]
    assert conversations.label == "The leaders … phone conversations"
    assert meetings.label == "The leaders … times"


def test_added_then_removed_sentence_is_one_claim_and_dates_later_shifts() -> None:
    added = "European leaders will hold an emergency video call on Wednesday."
    rows = [
        _row(1),
        _row(2, Shift("claim_added", None, added, None, added, 0.4)),
        _row(3, Shift("date", "Wednesday", "Thursday", added, added.replace("Wed", "Thur"))),
        _row(4, Shift("claim_removed", added, None, added.replace("Wed", "Thur"), None)),
    ]
    presence, date = build_claims(rows)
    assert [(s.value, s.version) for s in presence.states] == [
        (None, 1),
        (PRESENT, 2),
        (None, 4),
    ]
    assert presence.label == "European leaders"
    assert presence.states[1].text == added  # its text, to show
    assert presence.line().startswith("European leaders (claim added): absent (v1, ")
    assert "→ “European leaders will hold an emergency video call on Wednesday.” (v2\u20133, " in (
        presence.line()
    )
    assert presence.line().endswith("→ absent (v4, Aug 09 01:10)")
    # The date claim cannot predate its sentence, added in v2.
    assert [(s.value, s.version) for s in date.states] == [("Wednesday", 2), ("Thursday", 3)]


def test_labels_name_the_subject_or_speaker_of_the_claim() -> None:
    # A pronoun subject: the words around the value instead.
    assert claim_label(TARIFF.format("50%"), "50%") == "tariffs on Indian products"
    assert claim_label("Russia would halt its offensive in Kherson.", "would") == "Russia"
    witkoff = "The two leaders spoke, and Trump's envoy Steve Witkoff has met Putin five times."
    assert claim_label(witkoff, "five times") == "Trump's envoy Steve Witkoff"
    quote = "\u201cI don\u2019t like to wait too long,\u201d Trump told reporters."
    assert claim_label(quote, "don't like to", "quote") == "Trump"
    aide = "Kremlin aide Yuri Ushakov said Thursday that officials are finalizing details."
    assert claim_label(aide, "Yuri Ushakov", "entity") == "Kremlin aide"
    # The speaker replaced: named by what was said.
    assert claim_label(aide, "Kremlin aide Yuri Ushakov", "attribution") == "officials"
    # A relative clause: the main clause's subject.
    deal = "Washington is seeking a deal, which has not been finalized, sources said."
    assert claim_label(deal, "has not been", "negation") == "Washington"
    # No subject to be found: the sentence's first words.
    assert claim_label("Search fee: £1,518", "£1,518") == "Search fee"
    assert claim_label("Up 40 points in one week to a record", "40") == "Up 40 points in one…"
    assert claim_label(None, "50%") == "50%"
    # Whole words only, and quote styles do not matter.
    assert find_value("held sixty six times", "six") == (11, 14)
    assert find_value(quote, "don't like") is not None


def test_claims_of_the_seed_story(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'sw.db'}")
    v1, v2, v3 = seed_texts()
    # v2 again after v3: the tariff goes back to 50%, continuing the same claim.
    story_id = build_story(
        store, "https://news.example/deal", [v1, v2, v3, v3.replace("25%", "50%")]
    )
    with store.reader() as reader:
        claims = {claim.label: claim for claim in build_claims(reader.version_rows(story_id))}
    store.close()
    tariff = claims["tariffs on Indian products"]
    assert [(s.value, s.version) for s in tariff.states] == [("50%", 1), ("25%", 2), ("50%", 4)]
    assert "Reuters" in [s.value for c in claims.values() for s in c.states]
    assert any(c.type == "claim_added" for c in claims.values())
