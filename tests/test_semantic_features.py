"""The extractors and the aligner behind semantic_diff."""

from __future__ import annotations

import pytest

from storywatch.diff.semantic import align as align_module
from storywatch.diff.semantic.align import Group, align
from storywatch.diff.semantic.dates import misspelt_month
from storywatch.diff.semantic.features import sentence_features
from storywatch.diff.semantic.names import name_key, same_name
from storywatch.diff.semantic.normalise import match_key, sentence_key


def _number_keys(sentence: str) -> list[str]:
    return [m.key for m in sentence_features(sentence).numbers]


def _date_keys(sentence: str) -> list[str]:
    return [m.key for m in sentence_features(sentence).dates]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("3 people", "three people"),
        ("1,000 troops", "one thousand troops"),
        ("a million people", "1,000,000 people"),
        ("$1.2 billion", "$1.2bn"),
        ("50%", "50 per cent"),
        ("twice", "two times"),
        ("twenty-five cases", "25 cases"),
        ("the 4th year", "the fourth year"),
    ],
)
def test_number_spellings_share_a_key(a: str, b: str) -> None:
    assert _number_keys(a) == _number_keys(b) != []


def test_number_kinds_differ() -> None:
    assert _number_keys("$5 million") != _number_keys("5 million")
    assert _number_keys("5%") != _number_keys("5")
    assert _number_keys("fourth") != _number_keys("four")


def test_years_and_days_are_dates_not_numbers() -> None:
    features = sentence_features("Crimea was annexed on March 18, 2014, after a vote.")
    assert [m.key for m in features.numbers] == []
    assert [m.key for m in features.dates] == ["day:18 month:3 year:2014"]


def test_count_before_a_plural_noun_is_a_number() -> None:
    assert _number_keys("About 2000 troops left.") == ["num:2000~"]  # "~": about
    assert _date_keys("About 2000 troops left.") == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("on Aug. 8", ["day:8 month:8"]),
        ("on 8 August", ["day:8 month:8"]),
        ("as early as next week", ["rel:next week"]),
        ("in the coming week", ["rel:next week"]),
        ("two days ago", ["rel:2 day ago"]),
        ("at 10:30 p.m.", ["time:10:30pm"]),
        ("in the 1990s", ["decade:1990"]),
        ("in Q3", ["quarter:3"]),
    ],
)
def test_date_keys(text: str, keys: list[str]) -> None:
    assert _date_keys(text) == keys


def test_may_is_a_modal_unless_it_is_dated() -> None:
    assert _date_keys("Ministers may resign.") == []
    assert _date_keys("The vote was held on 4 May.") == ["day:4 month:5"]
    assert [m.key for m in sentence_features("Ministers may resign.").modals] == ["possible"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("gaddafi", "qaddafi", True),
        ("moammar kadhafi", "muammar gaddafi", True),
        ("zelensky", "zelenskyy", True),
        ("kharkiv", "kharkov", True),
        ("mohammed bin salman", "muhammad bin salman", True),
        ("alexei navalny", "aleksei navalny", True),
        ("donald trump", "trump", True),
        ("paris", "lyon", False),
        ("iran", "iraq", False),
        ("austria", "australia", False),
        ("russia", "prussia", False),
        ("north korea", "south korea", False),
    ],
)
def test_same_name(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same


@pytest.mark.parametrize(
    ("sentence", "speakers"),
    [
        ("The gunman fled, police said.", ["police"]),
        ("Police have said the gunman fled.", ["police"]),
        ("According to the agency's sources, talks stalled.", ["agency sources"]),
        ("“We are ready,” said the ministry.", ["ministry"]),
        ("He said the talks stalled.", ["*"]),
        ("The results must be confirmed in larger trials.", []),
    ],
)
def test_speakers(sentence: str, speakers: list[str]) -> None:
    assert [m.key for m in sentence_features(sentence).speakers] == speakers


def test_sentence_key_ignores_cosmetics_only() -> None:
    assert sentence_key("The U.S.  said “50 percent”.") == sentence_key('The US said "50%".')
    assert sentence_key("Profit was 1,000.") == sentence_key("Profit was 1000.")
    assert sentence_key("Profit was 1,000.") != sentence_key("Profit was 2,000.")


def _aligned(old: list[str], new: list[str]) -> list[Group]:
    return align(
        [sentence_key(s) for s in old],
        [sentence_key(s) for s in new],
        [match_key(s) for s in old],
        [match_key(s) for s in new],
    )


def test_align_split_merge_and_unmatched() -> None:
    old = [
        "The storm killed 3 people and injured 12 others in the coastal region.",
        "Schools were closed on Monday.",
        "The port remained open to cargo ships.",
    ]
    new = [
        "The storm killed 3 people in the coastal region.",
        "It also injured 12 others.",
        "Schools were closed on Monday.",
        "A curfew was imposed in the capital overnight.",
    ]
    groups = set(_aligned(old, new))
    assert Group((0,), (0, 1)) in groups
    assert Group((1,), (2,)) in groups
    assert Group((2,), ()) in groups
    assert Group((), (3,)) in groups


def test_alignment_work_grows_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = align_module.similarity

    def counting(a: str, b: str) -> float:
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(align_module, "similarity", counting)

    def run(n: int) -> int:
        nonlocal calls
        calls = 0
        old = [f"Report {k} says the council met {k} times about road {k}." for k in range(n)]
        new = [s.replace("met", "gathered") for s in old]  # every sentence edited
        groups = _aligned(old, new)
        assert all(g.old == g.new for g in groups)
        return calls

    small, large = run(100), run(800)
    assert large <= 10 * small  # 8x the sentences, not 64x the comparisons
    assert large <= 25 * 800


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("febuary", 2),
        ("feburary", 2),
        ("janurary", 1),
        ("ocotber", 10),
        ("decmber", 12),
        ("agust", 8),
        ("marhc", 3),
        # real words and names near a month are not months
        ("augusta", None),
        ("marco", None),
        ("marsh", None),
        ("mary", None),
        ("marc", None),
        ("jane", None),
        ("judy", None),
        ("julie", None),
        ("march", None),  # spelt right: not a misspelling
    ],
)
def test_misspelt_month(word: str, month: int | None) -> None:
    assert misspelt_month(word) == month


def test_misspelt_month_needs_a_date_around_it() -> None:
    assert _date_keys("Febuary 3") == ["day:3 month:2"]
    assert sentence_features("Novmber Smith spoke.").dates == ()


@pytest.mark.parametrize(
    ("sentence", "quotes"),
    [
        ("He said 'a turning point' today.", ["a turning point"]),
        ("\u2018Sure,\u2019 she said.", ["Sure"]),
        ("She said 'it's over' and left.", ["it's over"]),
        ("Putin's aides don't agree, the workers' union said.", []),
        ("Rock 'n' roll of the '90s.", []),
    ],
)
def test_single_quoted_quotations(sentence: str, quotes: list[str]) -> None:
    assert [m.text for m in sentence_features(sentence).quotes] == quotes


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Mt.", "Etna"), ("Mount", "Etna")),
        (("Mt", ".", "Etna"), ("Mount", "Etna")),
        (("Ft", "Worth"), ("Fort", "Worth")),
        (("St.", "Louis"), ("Saint", "Louis")),
        (("Acme", "Inc."), ("Acme", "Incorporated")),
        (("Sen.", "Warren"), ("Senator", "Warren")),
    ],
)
def test_name_key_expands_abbreviations(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    assert name_key(a) == name_key(b)
