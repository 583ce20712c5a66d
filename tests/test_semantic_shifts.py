"""semantic_diff: one test per shift type and per kind of edit that must not count."""

from __future__ import annotations

import pytest

from storywatch.diff.model import SHIFT_TYPES, SemanticDiff
from storywatch.diff.semantic import semantic_diff


def _types(diff: SemanticDiff) -> list[str]:
    return [shift.type for shift in diff.shifts]


def _only(diff: SemanticDiff, shift_type: str) -> tuple[str | None, str | None]:
    matching = [s for s in diff.shifts if s.type == shift_type]
    assert matching, f"no {shift_type} shift in {_types(diff)}"
    return matching[0].old, matching[0].new


# (old, new, type, old span, new span): span None = the shift has no text on that side.
MATERIAL = [
    ("The crash killed 3 people.", "The crash killed 5 people.", "number", "3", "5"),
    ("He has met Putin twice.", "He has met Putin three times.", "number", "twice", "three times"),
    (
        "The deal is worth $1.2 billion.",
        "The deal is worth $1.5 billion.",
        "number",
        "$1.2 billion",
        "$1.5 billion",
    ),
    ("Turnout was 62%.", "Turnout was 58 percent.", "number", "62%", "58 percent"),
    ("It was her second title.", "It was her third title.", "number", "second", "third"),
    (
        "Dozens were hurt in the crush.",
        "Hundreds were hurt in the crush.",
        "number",
        "Dozens",
        "Hundreds",
    ),
    ("The plant opened in 2014.", "The plant opened in 2015.", "date", "2014", "2015"),
    ("The vote is on March 14.", "The vote is on March 21.", "date", "March 14", "March 21"),
    ("They will meet on Tuesday.", "They will meet on Wednesday.", "date", "Tuesday", "Wednesday"),
    (
        "Cuts are expected this year.",
        "Cuts are expected next year.",
        "date",
        "this year",
        "next year",
    ),
    (
        "The store opens at 9 a.m. daily.",
        "The store opens at 11 a.m. daily.",
        "date",
        "9 a.m.",
        "11 a.m.",
    ),
    (
        "Sales rose in the third quarter.",
        "Sales rose in the second quarter.",
        "date",
        "third quarter",
        "second quarter",
    ),
    ("A blast in Paris killed two.", "A blast in Lyon killed two.", "entity", "Paris", "Lyon"),
    # A name dropped from a list with nothing in its place removes a claim.
    ("Apple and Google were fined.", "Apple was fined.", "claim_removed", "Google", None),
    (
        "The Chancellor will speak.",
        "Sir Patrick Vallance will speak.",
        "entity",
        "The Chancellor",
        "Sir Patrick Vallance",
    ),
    (
        "Germany will host the talks.",
        "Austria will host the talks.",
        "entity",
        "Germany",
        "Austria",
    ),
    (
        "The mayor has been charged.",
        "The mayor has not been charged.",
        "negation",
        "has been",
        "has not been",
    ),
    (
        "Russia will halt the attack.",
        "Russia won't halt the attack.",
        "negation",
        "will halt",
        "won't halt",
    ),
    (
        "Police found no evidence of a plot.",
        "Police found evidence of a plot.",
        "negation",
        "no evidence",
        "evidence",
    ),
    ("Shares rose 8% on Monday.", "Shares fell 8% on Monday.", "negation", "rose", "fell"),
    ("The jury convicted Hale.", "The jury acquitted Hale.", "negation", "convicted", "acquitted"),
    ("The minister may resign.", "The minister will resign.", "modality", "may", "will"),
    (
        "The firm plans to close 12 stores.",
        "The firm has closed 12 stores.",
        "modality",
        "plans to",
        "has",
    ),
    # A cue with no counterpart is shown with the words around it on both sides.
    (
        "They voted on a possible merger.",
        "They voted on the merger.",
        "modality",
        "possible",
        "the merger",
    ),
    ("He allegedly stole the car.", "He stole the car.", "modality", "allegedly", "He stole"),
    (
        "Russia would halt its offensive.",
        "Russia will halt its offensive.",
        "modality",
        "would",
        "will",
    ),
    (
        "The gunman fled, police said.",
        "The gunman fled, witnesses said.",
        "attribution",
        "police",
        "witnesses",
    ),
    (
        "Exports fell, according to Reuters.",
        "Exports fell, according to the ministry.",
        "attribution",
        "Reuters",
        "the ministry",
    ),
    ("The gunman fled, police said.", "The gunman fled.", "attribution", "police", None),
    ("“I will stay,” she said.", "“I will go,” she said.", "quote", "I will stay", "I will go"),
    (
        "He called it “forever” Russian.",
        "He called it “inseparably” Russian.",
        "quote",
        "forever",
        "inseparably",
    ),
]


@pytest.mark.parametrize(("old", "new", "shift_type", "old_span", "new_span"), MATERIAL)
def test_material_change_is_typed_and_located(
    old: str, new: str, shift_type: str, old_span: str | None, new_span: str | None
) -> None:
    diff = semantic_diff(old, new)
    assert diff.material
    found_old, found_new = _only(diff, shift_type)
    if old_span is None:
        assert found_old is None
    else:
        assert found_old is not None and old_span.lower() in found_old.lower()
    if new_span is None:
        assert found_new is None
    else:
        assert found_new is not None and new_span.lower() in found_new.lower()


def test_claim_added_and_removed() -> None:
    old = "The storm hit the coast on Monday. Power was cut to 3,000 homes."
    added = old + " Two people were later found dead in a flooded car."
    diff = semantic_diff(old, added)
    assert _types(diff) == ["claim_added"]
    assert diff.shifts[0].old is None and diff.shifts[0].new == diff.shifts[0].new_sentence

    diff = semantic_diff(added, old)
    assert _types(diff) == ["claim_removed"]
    assert diff.shifts[0].new_sentence is None


def test_clause_added_inside_a_kept_sentence() -> None:
    old = "The board approved the budget for the coming year."
    new = "The board approved the budget for the coming year after a long and bitter debate."
    assert _types(semantic_diff(old, new)) == ["claim_added"]
    # A rewrite that only moves words about is not a new clause.
    moved = "After a long and bitter debate, the board approved the budget for the coming year."
    assert not semantic_diff(new, moved).material


def test_a_short_fragment_is_not_a_claim() -> None:
    assert not semantic_diff("The talks ended.", "The talks ended.\nRead more.").material


SEED_PARAGRAPH = (
    "Trump has not yet implemented direct measures against Moscow, though this week he "
    "doubled tariffs on Indian products to 50% due to Russian oil purchases, angering New "
    "Delhi. The American president asked Putin to agree to a ceasefire by Friday."
)

NOT_MATERIAL = {
    "whitespace": (SEED_PARAGRAPH, "  " + SEED_PARAGRAPH.replace(" to 50%", "  to  50%") + "\n\n"),
    "curly quotes": (
        "“I don\u2019t like to wait,” Trump said.",
        '"I don\'t like to wait," Trump said.',
    ),
    "latex quotes": ("He called it `` a farce '' on Monday.", 'He called it "a farce" on Monday.'),
    "typo": ("Rescuers searched colapsed buildings.", "Rescuers searched collapsed buildings."),
    "typo in a speech verb": (
        "Inflation is too high, Powell siad.",
        "Inflation is too high, Powell said.",
    ),
    "typo in a name": ("Volodymyr Zelenksy spoke.", "Volodymyr Zelensky spoke."),
    "abbreviation dots": ("The U.K. and U.S. agreed.", "The UK and US agreed."),
    "percent": ("Turnout was 62%.", "Turnout was 62 per cent."),
    "percent word": ("Prices rose 4.2 percent.", "Prices rose 4.2%."),
    "digits and words": ("Six talks, 1,000 troops.", "6 talks, one thousand troops."),
    "thousands separator": ("About 12,000 fled.", "About 12000 fled."),
    "transliteration": ("Muammar Gaddafi ruled Libya.", "Muammar Qaddafi ruled Libya."),
    "transliteration 2": ("Moammar Kadhafi ruled Libya.", "Muammar Gaddafi ruled Libya."),
    "transliteration 3": ("Zelensky met Macron.", "Zelenskyy met Macron."),
    "rewording": (
        "Oil fell for a third straight day.",
        "Oil declined for a third consecutive day.",
    ),
    "synonym speaker": ("Profits rose, the company said.", "Profits rose, the firm said."),
    "attribution moved": ("Police said the suspect fled.", "The suspect fled, police said."),
    "sentence split": (
        "The storm killed 3 people and injured 12 others in the region.",
        "The storm killed 3 people in the region. It also injured 12 others.",
    ),
    "sentences merged": (
        "The suspect was arrested at 9 p.m. Investigators found no evidence of accomplices.",
        "The suspect was arrested at 9 p.m., and investigators found no evidence of accomplices.",
    ),
    "paragraphs reordered": (
        "Para one is here.\nPara two is here.",
        "Para two is here.\nPara one is here.",
    ),
    "weekday added to a date": ("The vote is on March 14.", "The vote is on Friday, March 14."),
    "weekday dropped from a date": ("Talks resume Monday, Aug. 18.", "Talks resume Aug. 18."),
    "did not vs failed to": ("The ministry did not respond.", "The ministry failed to respond."),
    "name shortened": ("President Donald Trump spoke.", "Trump spoke."),
}


@pytest.mark.parametrize("kind", sorted(NOT_MATERIAL))
def test_not_material(kind: str) -> None:
    old, new = NOT_MATERIAL[kind]
    diff = semantic_diff(old, new)
    assert diff.shifts == [], [(s.type, s.old, s.new) for s in diff.shifts]
    assert not diff.material
    assert diff.significance == 0.0


def test_weekday_changed_on_a_date_is_material() -> None:
    diff = semantic_diff("The vote is on Tuesday, March 14.", "The vote is on Friday, March 14.")
    assert _only(diff, "date") == ("Tuesday", "Friday")


def test_identical_and_empty_texts() -> None:
    assert semantic_diff("", "") == SemanticDiff(material=False, significance=0.0, shifts=[])
    assert not semantic_diff(SEED_PARAGRAPH, SEED_PARAGRAPH).material


def test_shift_carries_sentences_and_bounded_significance() -> None:
    diff = semantic_diff(SEED_PARAGRAPH, SEED_PARAGRAPH.replace("50%", "25%"))
    (shift,) = diff.shifts
    assert shift.type in SHIFT_TYPES
    assert shift.old_sentence is not None and "50%" in shift.old_sentence
    assert shift.new_sentence is not None and "25%" in shift.new_sentence
    assert 0.0 < shift.significance <= 1.0
    assert diff.significance == shift.significance


def test_lede_number_outranks_late_change() -> None:
    filler = [f"Paragraph {word} adds background on the talks." for word in "abcdefghij"]
    old = "\n".join(["Officials said 30 people died.", *filler, "The mood was tense."])
    lede = semantic_diff(old, old.replace("30 people", "40 people"))
    late = semantic_diff(old, old.replace("The mood was tense.", "The mood was not tense."))
    assert lede.shifts[0].significance > late.shifts[0].significance


def test_significance_is_capped() -> None:
    old = "\n".join(f"In 2020 Paris had {n} cases, police said." for n in range(10, 40))
    new = "\n".join(f"In 2021 Lyon had {n + 1} cases, witnesses said." for n in range(10, 40))
    diff = semantic_diff(old, new)
    assert diff.material and diff.significance <= 1.0
    assert all(0.0 <= s.significance <= 1.0 for s in diff.shifts)


def test_moved_and_edited_paragraph_is_aligned() -> None:
    paragraphs = [
        "The ministry said exports fell 4% in March.",
        "Imports rose for a second month, driven by energy.",
        "Analysts expect the trade gap to narrow next year.",
        "The central bank meets again on June 12.",
    ]
    old = "\n".join(paragraphs)
    new = "\n".join(
        [paragraphs[3], paragraphs[1], paragraphs[2], paragraphs[0].replace("4%", "6%")]
    )
    diff = semantic_diff(old, new)
    assert _types(diff) == ["number"]
    assert _only(diff, "number") == ("4%", "6%")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Talks resume on Febuary 3 in Geneva.", "Talks resume on February 3 in Geneva."),
        ("The law took effect 12 Septmber 2024.", "The law took effect 12 September 2024."),
        ("Voting closes Ocotber 9, officials said.", "Voting closes October 9, officials said."),
        ("The fair opens in Agust 2026.", "The fair opens in August 2026."),
    ],
)
def test_misspelt_month_is_the_month(old: str, new: str) -> None:
    # A typo in a month name is read as that month: no date, number or entity shift.
    assert semantic_diff(old, new).shifts == []


def test_misspelt_month_still_changes_a_date() -> None:
    diff = semantic_diff("Talks resume on Febuary 3.", "Talks resume on March 3.")
    assert _types(diff) == ["date"]


@pytest.mark.parametrize(
    "other_style",
    ["\u201ca genuine turning point\u201d", '"a genuine turning point"', "a genuine turning point"],
)
def test_single_quoted_quotation_is_a_quote(other_style: str) -> None:
    old = "The expert described the result as 'a genuine turning point' for patients."
    new = old.replace("'a genuine turning point'", other_style)
    assert semantic_diff(old, new).shifts == []
    assert semantic_diff(new, old).shifts == []


def test_single_quoted_quotation_change_is_material() -> None:
    diff = semantic_diff(
        "He called the plan 'a disaster' on Monday.",
        "He called the plan \u201ca success\u201d on Monday.",
    )
    assert _only(diff, "quote") == ("a disaster", "a success")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Ash from Mt. Etna closed the airport.", "Ash from Mount Etna closed the airport."),
        ("Troops left Ft Bragg on Monday.", "Troops left Fort Bragg on Monday."),
        ("Shares of Acme Corp. fell 3%.", "Shares of Acme Corporation fell 3%."),
        ("Warner Bros. cut 50 jobs.", "Warner Brothers cut 50 jobs."),
        ("Gen. Mark Milley spoke.", "General Mark Milley spoke."),
        (
            "Officials said approx. 60 flights were cancelled.",
            "Officials said approximately 60 flights were cancelled.",
        ),
    ],
)
def test_abbreviated_name_parts_are_the_same_name(old: str, new: str) -> None:
    assert semantic_diff(old, new).shifts == []


def test_abbreviated_mount_still_changes_with_the_name() -> None:
    diff = semantic_diff("Ash from Mt. Etna fell.", "Ash from Mount Vesuvius fell.")
    assert _types(diff) == ["entity"]
