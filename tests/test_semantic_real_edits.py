"""The kinds of harmless edit real newsrooms make after publication must page nobody, and
the kinds of real change they make must be typed. Every text here was written for this
test, in the shape of the real pages where each kind was seen."""

from __future__ import annotations

import pytest

from storywatch.diff.semantic import semantic_diff
from storywatch.diff.semantic.roles import Role, line_role
from storywatch.watcher.extract import extract_article

BODY = (
    "Flood defences on the River Wyre will be rebuilt at a cost of £12 million, the "
    "Environment Agency said on Tuesday.\n"
    "Work will start in March and is expected to take two years."
)


def _with(line: str, *, before: bool = False) -> str:
    return f"{line}\n{BODY}" if before else f"{BODY}\n{line}"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # 1. Page metadata lines: published/updated stamps, change notes, bylines.
        (
            _with("Published 5 August 2022", before=True),
            _with("Published 5 August 2022\nLast updated 10 February 2023", before=True),
        ),
        (_with("Updated 3:45pm", before=True), _with("Updated 4:10pm", before=True)),
        (BODY, _with("Last updated 6 April 2021, see all updates", before=True)),
        (BODY, _with("Added a link to the consultation response.")),
        (BODY, _with("By Jane Okafor, Environment Correspondent", before=True)),
        # Metadata as label and value on lines of their own.
        (
            _with("- Published\n- 26 June 2017", before=True),
            _with("- Published\n- 26 June 2017\n- Last updated\n- 11 May 2022 - See all updates"),
        ),
        # 2. Link, call-to-action, attachment and contact lines.
        (BODY, _with("Find out more here.")),
        (BODY, _with("Read the joint statement here")),
        (BODY, _with("Follow us on Twitter")),
        (BODY, _with("Sign up for email alerts about flood warnings.")),
        (BODY, _with("River Wyre scheme: outline business case (PDF, 140 KB, 12 pages)")),
        (_with("Scheme plans (PDF, 244KB)"), _with("Scheme plans (PDF, 245KB)")),
        # A page of attachments: each title over a line giving its format and size.
        (
            _with("Documents\nWyre scheme logo\nPNG, 274KB\nWyre scheme map 2021 to 2022\nHTML"),
            _with(
                "Documents\nWyre scheme logo\nPNG, 207KB\nWyre scheme map 2022 to 2023\nHTML\n"
                "Wyre scheme briefing for 2022 to 2023\nMS Powerpoint Presentation, 1.17 MB\n"
                "This file is in an OpenDocument format"
            ),
        ),
        (
            _with("We are aware this publication may have accessibility issues."),
            BODY,
        ),
        # A link's title over its bare address, retitled.
        (
            _with("Statistics\nhttps://example.org/statistics-framework/"),
            _with("Statistics: Technical Framework\nhttps://example.org/statistics-framework/"),
        ),
        # A cross-reference dropped from a sentence.
        (
            _with("This guide is not legal advice (see Annex 2) and is no substitute for it."),
            _with("This guide is not legal advice and is no substitute for it."),
        ),
        (BODY, _with("This file may not be suitable for users of assistive technology.")),
        (BODY, _with("More details can be found on the scheme's website.")),
        (BODY, _with("Press office: 0300 123 4567")),
        (BODY, _with("For media enquiries please contact press@example.org")),
        # A link line with its address taken out is a link line still.
        (
            _with("The flood plan for the Wyre estuary sets out the works at www.wyre.gov.uk/plan"),
            _with("The flood plan for the Wyre estuary sets out the works."),
        ),
        # A follow line in another language loses a platform.
        (
            _with("Suivez nos actions sur Facebook, Twitter, YouTube et LinkedIn."),
            _with("Suivez nos actions sur Facebook, Twitter et YouTube."),
        ),
        # 3. Counters beside the headline.
        (_with("12 comments", before=True), _with("48 comments", before=True)),
        (_with("5 min read", before=True), _with("6 min read", before=True)),
        # 4. Layout: list markers, markdown residue, headings, a duplicated paragraph.
        (BODY, "- " + BODY.replace("\n", "\n- ")),
        (BODY, _with("## BACKGROUND", before=True)),
        (BODY, _with("Further information")),
        (BODY + "\n" + BODY.splitlines()[0], BODY),
        # 5. Spelling, grammar and house style.
        (BODY, BODY.replace("two years", "2 years")),
        (_with("It is a five-year plan."), _with("It is a 5-year plan.")),
        (
            '"We want this work to be done properly," said Ana Ruiz.\n' + BODY,
            '"We want this work to be done properly," said Ana Ruiz.\n' + BODY,
        ),
    ],
)
def test_harmless_real_edits_page_nobody(old: str, new: str) -> None:
    diff = semantic_diff(old, new)
    assert not diff.material, [(s.type, s.old, s.new) for s in diff.shifts]


def test_a_grammar_fix_inside_a_press_release_quote_is_not_a_quote_change() -> None:
    old = "The minister said:\n“This will make our homes are fit for the future and cut bills.”"
    new = "The minister said:\n“This will make our homes fit for the future and cut bills.”"
    assert not semantic_diff(old, new).material
    # The speaker's own pronoun restored.
    old = "The judge said:\n“Believed that the sentence was too lenient, and I am glad.”"
    new = "The judge said:\n“I believed that the sentence was too lenient, and I am glad.”"
    assert not semantic_diff(old, new).material


def test_numerals_for_number_words_inside_a_quote_are_house_style() -> None:
    old = "Dr Lee said:\n“These two tests are critical to our plans.”"
    new = "Dr Lee said:\n“These 2 tests are critical to our plans.”"
    assert not semantic_diff(old, new).material


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("Published 5 August 2022", Role.METADATA),
        ("Last updated 10 February 2022", Role.METADATA),
        ("Updated 3:45pm by Jane Smith", Role.METADATA),
        ("First published.", Role.METADATA),
        ("5 min read", Role.METADATA),
        ("Comments (12)", Role.METADATA),
        ("Read more about the minister's visit to Cambodia.", Role.LINK),
        ("Visit GOV.UK for the latest guidance.", Role.LINK),
        ("Share prices fell by 5% on Monday.", Role.CLAIM),
        ("Contact tracing will end on 24 February.", Role.CLAIM),
        ("Traces of the virus can be found in sewage samples.", Role.CLAIM),
        ("The report is published on Tuesday.", Role.CLAIM),
        ("British High Commission Dhaka", Role.FRAGMENT),
        ("Climate Finance Delivery Plan: Meeting the Goal.", Role.FRAGMENT),
        ("Non-compliant products cannot be placed on the market after", Role.CLAIM),
        ("Alençon: 25 July 2019 - You can register for this event here", Role.FRAGMENT),
        ("Slides from the 7 April 2021 press briefing (PDF, 360KB, 5 pages)", Role.LINK),
        ("The minister has written to Ofqual (PDF, 180KB, 2 pages) to ask for help.", Role.CLAIM),
        ("What happens next?", Role.FRAGMENT),
        ("For the latest updates in your area:", Role.FRAGMENT),
        ("Countries that attended the exhibition include:", Role.CLAIM),
        # The page talking about itself, and a video's title under its player.
        ("We will update this page as more information becomes available.", Role.FRAGMENT),
        ("We'll let you know when we publish the full list of questions.", Role.FRAGMENT),
        ("This story will be updated.", Role.FRAGMENT),
        ("The review panel now has its own independent website.", Role.FRAGMENT),
        ("The council has launched a new web page.", Role.FRAGMENT),
        ("The council has a new chief executive.", Role.CLAIM),
        ("Professor Amy Kerr explains how the flood barrier works", Role.FRAGMENT),
        ("Professor Amy Kerr explains how the flood barrier works.", Role.CLAIM),
        ("the barrier explains nothing about the cost of repairs", Role.CLAIM),
        # A link's description, and a Title Case label.
        ("Includes passports, driving and travel, pets and roaming fees.", Role.LINK),
        ("Explains how to apply for a river grant", Role.LINK),
        ("To find out more about the scheme, please refer to the council's page.", Role.LINK),
        ("Notes to Editors:", Role.FRAGMENT),
        ("Key Facts:", Role.FRAGMENT),
        ("Countries that sent delegates include:", Role.CLAIM),
        # An attachment's format line, alone or with its size.
        ("HTML", Role.LINK),
        ("MS Word Document", Role.LINK),
        ("MS Powerpoint Presentation, 1.17 MB", Role.LINK),
        ("The HTML version of the guide is shorter.", Role.CLAIM),
        # A line closing on a list of platforms is a follow line, in any language.
        ("Keep up with our work on Facebook, Instagram, YouTube and LinkedIn.", Role.LINK),
        ("Suivez nos actions sur Facebook, Twitter et Instagram.", Role.LINK),
        ("Facebook, Twitter and TikTok removed the posts.", Role.CLAIM),
    ],
)
def test_line_roles(line: str, role: Role) -> None:
    assert line_role(line) is role


def test_a_dated_link_line_still_carries_its_date() -> None:
    old = "Alençon: 25 July 2019 - You can register for this event here\n" + BODY
    new = "Alençon: 30 July 2019 - You can register for this event here\n" + BODY
    shifts = semantic_diff(old, new).shifts
    assert [(s.type, s.old, s.new) for s in shifts] == [("date", "25 July 2019", "30 July 2019")]


def test_a_link_line_rewritten_as_a_claim_is_a_claim_added() -> None:
    """Only the words of a link line, in its order, less a few, are that line still."""
    old = _with("Read the flood plan for the estuary here.")
    new = _with("The flood plan for the estuary was approved on Monday.")
    assert [s.type for s in semantic_diff(old, new).shifts] == ["claim_added"]


def test_an_edited_table_cell_is_still_compared() -> None:
    old = "Search fee for each sheet: £1,518\n" + BODY
    new = "Search fee for each sheet: £1,640\n" + BODY
    assert [s.type for s in semantic_diff(old, new).shifts] == ["number"]


# The misses: press-release quotes, negation by a status word, removed claims.


def test_a_press_release_quote_added_is_a_quote_shift_and_a_new_statement() -> None:
    new = (
        BODY + "\nThe Farming Minister, Tom Hale, said:\n"
        "This scheme protects 400 homes and the businesses that depend on them.\n"
        "We will keep working with the community as the work goes on."
    )
    shifts = semantic_diff(BODY, new).shifts
    # The quoted words are the quote; the speaker line, someone new speaking, a claim.
    assert sorted((s.type, s.new) for s in shifts) == [
        ("claim_added", "The Farming Minister, Tom Hale, said:"),
        ("quote", "This scheme protects 400 homes and the businesses that depend on them."),
        ("quote", "We will keep working with the community as the work goes on."),
    ]


def test_added_as_a_participle_does_not_end_a_press_release_quote() -> None:
    # "added peace of mind" attributes nothing: the paragraph is still the speaker's.
    new = (
        BODY + "\nDr Lena Shaw, adviser to the river trust, said:\n"
        "It has never been more important to plan for floods. The new wall gives added "
        "peace of mind to 400 families."
    )
    shifts = semantic_diff(BODY, new).shifts
    assert sorted(s.type for s in shifts) == ["claim_added", "quote", "quote"]


def test_a_speaker_line_alone_added_over_its_quotation_is_no_claim() -> None:
    # An extractor keeps a speaker line set as a heading on one version and not the other.
    quote = "\nThis scheme protects 400 homes and the businesses that depend on them."
    old = BODY + quote
    new = BODY + "\nThe Farming Minister, Tom Hale, said:" + quote
    assert not semantic_diff(old, new).material


def test_a_reworded_unmarked_press_release_quote_is_a_quote_shift() -> None:
    old = (
        BODY + "\nThe Farming Minister, Tom Hale, said:\n"
        "The new section is accessible for all users, including wheelchairs."
    )
    new = (
        BODY + "\nThe Farming Minister, Tom Hale, said:\n"
        "The new section vastly improves access to this part of the river for many users."
    )
    assert "quote" in {s.type for s in semantic_diff(old, new).shifts}


def test_a_multi_paragraph_quote_in_marks() -> None:
    old = BODY + "\nMs Ruiz said:\n“The river has flooded twice.\n“We are ready for the work.”"
    new = BODY + "\nMs Ruiz said:\n“The river has flooded twice.\n“We are not ready for the work.”"
    types = {s.type for s in semantic_diff(old, new).shifts}
    assert "negation" in types


def test_a_removed_claim_is_reported_with_its_text() -> None:
    old = BODY + "\nThe agency will also compensate 30 farms for lost land."
    shifts = semantic_diff(old, BODY).shifts
    assert [(s.type, s.old) for s in shifts] == [
        ("claim_removed", "The agency will also compensate 30 farms for lost land.")
    ]


def test_a_hedge_confirmed_is_modality() -> None:
    old = "Avian influenza (pathogenicity to be confirmed) was found near Winsford on 26 March."
    new = "Avian influenza (low pathogenic) was found near Winsford on 26 March."
    assert "modality" in {s.type for s in semantic_diff(old, new).shifts}


# The headline is its own field.


def test_a_headline_rewording_is_reported_but_not_material() -> None:
    diff = semantic_diff(
        BODY, BODY, "River Wyre defences to be rebuilt", "Wyre flood defences to be rebuilt"
    )
    assert diff.headline is not None
    assert diff.headline.new == "Wyre flood defences to be rebuilt"
    assert not diff.material


def test_a_headline_repeating_a_fact_of_the_article_is_not_material() -> None:
    diff = semantic_diff(
        BODY, BODY, "River defences to be rebuilt", "£12 million river defences to be rebuilt"
    )
    assert not diff.material


def test_a_headline_shift_carries_its_field_and_weighs_more() -> None:
    diff = semantic_diff(BODY, BODY, "Three hurt in Wyre flood", "Five hurt in Wyre flood")
    (shift,) = diff.shifts
    assert (shift.type, shift.old, shift.new, shift.field) == (
        "number",
        "Three",
        "Five",
        "headline",
    )
    body_shift = semantic_diff("Three were hurt.", "Five were hurt.").shifts[0]
    assert shift.significance > body_shift.significance


def test_a_plain_text_article_first_line_is_its_headline() -> None:
    paragraphs = BODY.replace("\n", "\n\n")
    article = extract_article("US and Russia seek deal\n\n" + paragraphs, "text/plain")
    assert article.title == "US and Russia seek deal"
    assert article.text == BODY
    sentence = extract_article("The two sides met on Monday.\n\n" + BODY, "text/plain")
    assert sentence.title is None


def _shifts(old: str, new: str) -> list[tuple[str, str | None, str | None]]:
    return [(s.type, s.old, s.new) for s in semantic_diff(old, new).shifts]


def test_a_replaced_person_pairs_with_the_subject_not_the_possessive() -> None:
    shifts = _shifts(
        "Trump's envoy Steve Witkoff met Putin in Moscow.",
        "Secretary of State Marco Rubio met Putin in Moscow.",
    )
    assert ("entity", "Steve Witkoff", "Marco Rubio") in shifts


def test_a_name_written_over_a_role_is_an_entity_shift() -> None:
    shifts = _shifts(
        "The conference will be opened by the Chancellor.",
        "The conference will be opened by Sir Patrick Vallance.",
    )
    assert [s[0] for s in shifts] == ["entity"]


def test_a_partner_added_to_a_list_is_a_claim_added() -> None:
    shifts = _shifts(
        "The framework was drawn up with Prospect and Unite.",
        "The framework was drawn up with Prospect, Unite and Stonewall.",
    )
    assert shifts == [("claim_added", None, "Stonewall")]


def test_an_abbreviation_introduced_or_used_is_the_same_name() -> None:
    full = "The Trade and Cooperation Agreement sets rules for the partnership."
    assert _shifts(full, full.replace("Agreement", "Agreement (TCA)")) == []
    assert (
        _shifts(
            "Under the Trade and Cooperation Agreement, both sides cut tariffs.",
            "Under the TCA, both sides cut tariffs.",
        )
        == []
    )


def test_a_pointer_to_a_future_publication_is_a_link_line() -> None:
    line = "The strategy will be published on our website once laid in Parliament today."
    assert line_role(line) is Role.LINK
    assert line_role("See data slides on the situation in Nottinghamshire.") is Role.LINK


def test_status_words_flip_a_claim() -> None:
    assert (
        _shifts("The phone line is currently unavailable.", "The phone line is now available.")[0][
            0
        ]
        == "negation"
    )
    assert "negation" in {
        s[0] for s in _shifts("The Mons event will go ahead.", "The Mons event has been cancelled.")
    }


def test_a_renamed_organisation_is_an_entity_shift_even_when_its_words_stand_elsewhere() -> None:
    old = (
        "Mr Graham met the Philippine Satellite Agency to thank the Filipino engineers "
        "for their work on space projects."
    )
    new = old.replace("Satellite Agency", "Space Agency")
    assert _shifts(old, new) == [
        ("entity", "Philippine Satellite Agency", "Philippine Space Agency")
    ]


def test_a_clause_added_beside_its_values_is_a_claim_added() -> None:
    types = {
        s[0]
        for s in _shifts(
            "The company was fined £12,000 at Taunton Crown Court on Monday.",
            "The company was fined £12,000 at Taunton Crown Court on Monday after pleading "
            "guilty to two pollution offences committed in 2019.",
        )
    }
    assert "claim_added" in types


def test_a_bound_put_on_a_figure_changes_it() -> None:
    shifts = _shifts(
        "UK firms have £13.4 billion invested in the region.",
        "UK firms have at least £13.4 billion invested in the region.",
    )
    assert [s[0] for s in shifts] == ["number"]
    same_bound = ("Over 60 flights were cancelled.", "More than 60 flights were cancelled.")
    assert _shifts(*same_bound) == []


def test_a_headline_that_says_something_new_is_a_claim_shift() -> None:
    body = "The director of Wyre Builders was banned for eight years on Monday."
    diff = semantic_diff(
        body,
        body,
        "Construction boss banned for tax abuse",
        "Construction boss banned for negligent record keeping",
    )
    assert diff.material and {s.field for s in diff.shifts} == {"headline"}
    known = semantic_diff(
        body + " He kept negligent records.",
        body + " He kept negligent records.",
        "Construction boss banned",
        "Construction boss banned for negligent records",
    )
    assert not known.material


def test_a_pointer_to_a_published_document_is_no_claim_but_is_compared() -> None:
    pointer = (
        "The evaluation of the pilot, as set out in the council's business plan, has been"
        " published."
    )
    assert not semantic_diff(BODY, _with(pointer)).material
    assert not semantic_diff(BODY, _with("Recordings of both sessions are available:")).material
    # What the document is said to cover is still a claim when it is edited.
    edited = pointer.replace("the pilot", "the first two years of the pilot")
    assert semantic_diff(_with(pointer), _with(edited)).material
    # A service coming back is news, not a pointer.
    assert _shifts("The helpline is currently unavailable.", "The helpline is now available.")


def test_a_sentence_merged_with_a_call_to_action_is_no_claim_removed_or_added() -> None:
    old = _with(
        "Entry is free. Places will be allocated nearer the time, meanwhile you can "
        "register your interest via events@example.org."
    )
    new = _with(
        "Entry is free, you can book a place via the registration link.\n"
        "If you have any questions, please contact events@example.org."
    )
    assert not semantic_diff(old, new).material
    # Words merged in that assert something are still a claim added.
    merged = _with("Entry is free, but the organisers capped attendance at 200 people.")
    assert ("claim_added", None) in {(t, o) for t, o, _ in _shifts(_with("Entry is free."), merged)}


def test_one_small_word_dropped_in_a_grammar_fix_moves_no_date() -> None:
    old = "Ten more courtrooms will open by the end of the March, officials said."
    assert not semantic_diff(old, old.replace("the March", "March")).material
    old = "Staff worked to keep the courts open in during the pandemic, the minister said."
    assert not semantic_diff(old, old.replace("in during", "during")).material
    # A word a letter away outside a quotation is still another name.
    assert _shifts("Talks with Iran resumed on Monday.", "Talks with Iraq resumed on Monday.")


def test_a_dated_entry_added_to_a_programme_is_a_claim_added() -> None:
    programme = "Events coming up\n3 November: Data skills drop-in session"
    added = programme + "\n17 November: Regional economy webinar"
    assert [t for t, _, _ in _shifts(programme, added)] == ["claim_added"]
    assert [t for t, _, _ in _shifts(added, programme)] == ["claim_removed"]
    # An undated heading added is still layout.
    assert not semantic_diff(programme, programme + "\nPast events").material


def test_an_event_already_held_added_to_the_page_archive_is_no_claim() -> None:
    """A recording of a past session listed under "Previous events", or dated before the
    page's own "Last updated" day, is the page's archive, not an announcement."""
    upcoming = "Events coming up\n3 November 2019: Data skills drop-in session\n"
    past = "Previous events\n2 September 2019: Regional economy webinar"
    added = past.replace("\n", "\n9 October 2019: Q&A session on Facebook\n", 1)
    assert not semantic_diff(upcoming + past, upcoming + added).material
    stamped = "\nLast updated 14 October 2019"
    assert not semantic_diff(
        upcoming + "Recent sessions\n" + stamped,
        upcoming + "Recent sessions\n9 October 2019: Q&A session on Facebook" + stamped,
    ).material
    # Announced for a day after the edit, the same entry is news.
    assert semantic_diff(
        upcoming + stamped,
        upcoming + "28 October 2019: Q&A session on Facebook" + stamped,
    ).material


def test_an_event_under_way_now_over_is_a_modality_shift() -> None:
    old = "The agency is hosting free webinars for exporters across the region."
    assert _shifts(old, old.replace("is hosting", "hosted")) == [
        ("modality", "is hosting", "hosted")
    ]
    old = "Ministers are meeting in Leeds to agree the flood plan."
    assert _shifts(old, old.replace("are meeting", "met")) == [("modality", "are meeting", "met")]
    # A reporting verb's tense is house style.
    old = "The council says the bridge is safe to use."
    assert not _shifts(old, old.replace("says", "said"))


def test_a_change_of_frequency_is_a_date_shift() -> None:
    old = "The agency will publish a fortnightly briefing on the new variants."
    assert [
        t for t, _, _ in _shifts(old, old.replace("a fortnightly briefing", "regular briefings"))
    ] == ["date"]
    assert [t for t, _, _ in _shifts(old, old.replace("fortnightly", "monthly"))] == ["date"]
    weekly = "Figures are published weekly."
    assert _shifts(weekly, "Figures are published every week.") == []


def test_a_caption_closing_on_a_picture_credit_is_not_a_claim() -> None:
    for credit in ("Crown copyright", "Photo: Jane Okafor/Wyre Gazette", "© Environment Agency"):
        caption = f"The chief engineer inspects the breach near Garstang. {credit}"
        assert not semantic_diff(BODY, _with(caption)).material, credit
    # A sentence about copyright is no credit.
    claim = "The court ruled that the photographs were protected by copyright."
    assert semantic_diff(BODY, _with(claim)).material


def test_a_date_written_another_way_inside_a_quote_is_house_style() -> None:
    old = 'The minister said:\n"She led the inquests into the 7th July 2005 bombings."'
    assert not semantic_diff(old, old.replace("7th July", "7 July")).material
    assert _shifts(old, old.replace("7th July", "8 July"))[0][0] == "date"


def test_an_event_with_an_abbreviated_month_and_a_british_time_is_dated() -> None:
    programme = "Upcoming events\n21 Jan 12.00pm\nCafé Central, Lisbon"
    cancelled = (
        "Upcoming events\n20 Jan 6.30pm\nHotel Garden, Porto\n21 Jan 12.00pm\nCafé Central, Lisbon"
    )
    assert [t for t, _, _ in _shifts(cancelled, programme)] == ["claim_removed"]
    moved = _shifts(programme, programme.replace("12.00pm", "1.30pm"))
    assert [(t, o, n) for t, o, n in moved] == [("date", "12.00pm", "1.30pm")]
    # A dot between figures with no am/pm is a decimal, not a time.
    assert _shifts("The index rose 6.30 points.", "The index rose 6.45 points.")[0][0] == "number"


def test_an_abbreviation_spelt_out_in_brackets_is_no_new_name() -> None:
    old = "The UK delivered these statements during the TRIPS Council on 10 March."
    new = (
        "The UK delivered these statements during the Agreement on Trade-Related Aspects of"
        " Intellectual Property Rights (TRIPS) Council on 10 March."
    )
    assert _shifts(old, new) == []
    tca = (
        "The deal was signed under the TCA.",
        "The deal was signed under the Trade and Cooperation Agreement (TCA).",
    )
    assert _shifts(*tca) == []
    # A new party named with its abbreviation is still a claim added.
    efta = "The deal was signed by the UK and the European Free Trade Association (EFTA)."
    assert "claim_added" in {t for t, _, _ in _shifts("The deal was signed by the UK.", efta)}


def test_codes_that_differ_in_their_figures_are_different_names() -> None:
    old = "Surge testing is being deployed to parts of Middlesbrough in the TS7 postcode."
    new = "Surge testing is being deployed to parts of the TS7 and TS8 postcodes of Middlesbrough."
    assert semantic_diff(old, new).material
    assert _shifts("The airline ordered ten A350 jets.", "The airline ordered ten A380 jets.") == [
        ("entity", "A350", "A380")
    ]
    # A figure added to a name is a house-style spelling, not another name.
    assert not semantic_diff("Covid cases fell by 10%.", "COVID-19 cases fell by 10%.").material


def test_work_in_progress_against_work_done_is_modality() -> None:
    done = "The application forms have been updated to reflect the new fees."
    ongoing = done.replace("have been updated", "are being updated")
    assert [t for t, _, _ in _shifts(done, ongoing)] == ["modality"]
    underway = "Further testing is underway to determine the strain."
    assert "modality" in {t for t, _, _ in _shifts(underway, "Further testing found the strain.")}
    # Another verb in progress is wording; "being" before a noun is no progress.
    assert _shifts("The bridge is being repaired.", "The bridge is being fixed.") == []
    assert not semantic_diff("He is being honest.", "He was being honest.").material


def test_a_promise_to_update_the_page_removed_is_no_claim_removed() -> None:
    old = BODY + "\nWe are collecting your questions and will let you know when we publish answers."
    new = BODY + "\nAnswers to your questions (PDF, 120KB, 9 pages)"
    assert not semantic_diff(old, new).material


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("two PPRs", "2 rapid pressure readings"),
        ("the PPE", "the personal protective equipment"),
    ],
)
def test_an_abbreviation_replaced_by_its_description_is_house_style(short: str, long: str) -> None:
    old = f"Staff must wear {short} on every shift, the trust said."
    new = f"Staff must wear {long} on every shift, the trust said."
    assert not semantic_diff(old, new).material
    assert not semantic_diff(new, old).material


def test_an_abbreviation_replaced_by_another_organisation_is_an_entity_shift() -> None:
    old = "The grant was paid by the FSA on Monday."
    new = "The grant was paid by the local council on Monday."
    assert [s.type for s in semantic_diff(old, new).shifts] == ["entity"]


def test_number_words_made_numerals_in_a_headline_are_house_style() -> None:
    diff = semantic_diff(
        BODY,
        BODY,
        "Wyre defences to take two years and five phases",
        "Wyre defences to take 2 years and 5 phases",
    )
    assert not diff.material


def test_a_statement_line_heads_the_issuers_words() -> None:
    old = BODY
    new = BODY + "\nJoint statement by the governments of Norway and Iceland:"
    assert not semantic_diff(old, new).material


def test_a_status_given_the_other_way_in_a_new_sentence_is_a_negation() -> None:
    old = (
        BODY + "\nWe have now opened nominations for our 2024 river prize, recognising your "
        "work to keep the Wyre clean over the past year!"
    )
    new = BODY + "\nNominations are now closed."
    shifts = semantic_diff(old, new).shifts
    assert ("negation", "opened", "closed") in [(s.type, s.old, s.new) for s in shifts]


def test_a_new_sentence_with_an_opposite_status_on_another_topic_is_no_negation() -> None:
    old = "The footbridge was opened by the mayor in 1998.\n" + BODY
    new = BODY + "\nThe car park will be closed during the works."
    shifts = semantic_diff(old, new).shifts
    assert {s.type for s in shifts} == {"claim_removed", "claim_added"}


@pytest.mark.parametrize(
    ("old_issuers", "new_issuers"),
    [
        ("The leaders of Norway, Chile and Kenya", "The governments of Norway, Chile and Kenya"),
        ("The ministers of Peru and the UK", "The ambassadors of Peru and the UK"),
    ],
)
def test_issuers_named_by_a_list_of_countries_are_attributed(
    old_issuers: str, new_issuers: str
) -> None:
    tail = " have issued a joint statement on the fishing talks."
    shifts = semantic_diff(old_issuers + tail, new_issuers + tail).shifts
    assert [s.type for s in shifts] == ["attribution"]


def test_a_date_before_the_speaker_is_no_list_of_names() -> None:
    old = "Nurses will walk out for 48 hours from Tuesday, the Royal College of Nursing said."
    new = "Nurses will stage a 48-hour walkout from Tuesday, the Royal College of Nursing said."
    assert not semantic_diff(old, new).material


def test_the_source_named_again_in_a_relative_clause_is_the_same_speaker() -> None:
    old = "The survey shows that 98% of anglers own a licence."
    new = "We have published a survey that shows that 98% of anglers own a licence."
    assert "attribution" not in [s.type for s in semantic_diff(old, new).shifts]


def test_a_title_case_headline_capitalises_common_words() -> None:
    body = "The mayor will host the youth team at the town hall before it travels to play in Leeds."
    diff = semantic_diff(
        body,
        body,
        "Mayor Hosts Youth Team to Play in Leeds Cup",
        "Mayor Hosts Youth Team Before the Leeds Cup",
    )
    assert not [s for s in diff.shifts if s.type == "entity"]


def test_a_headline_word_said_in_another_form_in_the_story_is_no_claim_removed() -> None:
    body = (
        "2 men who repeatedly burned waste at a Northampton yard were handed suspended "
        "sentences. The pair lit the fires over 3 months."
    )
    diff = semantic_diff(
        body,
        body,
        "Northants pair handed suspended sentences for repeated fires",
        "Suspended sentences for 2 men who burned waste",
    )
    assert not diff.material


def test_the_narrator_after_an_unmarked_quote_is_not_quoted() -> None:
    speech = (
        "The Minister for Water, Ana Ruiz, said:\n"
        "We must keep our rivers clean, and this money will help us do it.\n"
    )
    old = speech + "The agency invited bids from 40 councils who applied last year."
    new = speech + "The agency invited bids from 40 councils which applied last year."
    assert not semantic_diff(old, new).material
    moved = speech + "The agency invited bids from 45 councils which applied last year."
    assert [s.type for s in semantic_diff(old, moved).shifts] == ["number"]


def test_the_reason_given_before_a_request_to_the_reader_is_part_of_the_request() -> None:
    new = (
        BODY + "\nTo help us plan next year's works we're asking residents about the "
        "riverside path. Please share your views."
    )
    assert not semantic_diff(BODY, new).material


def test_an_announcement_before_a_request_to_the_reader_is_still_a_claim() -> None:
    new = (
        BODY + "\nWe will be running drop-in sessions at the library about the riverside "
        "path. Please see our events page for details."
    )
    assert [s.type for s in semantic_diff(BODY, new).shifts] == ["claim_added"]


def test_a_promised_document_arriving_is_no_modality_shift() -> None:
    old = BODY + "\nShort guides to the new flood maps will be available soon."
    new = BODY + "\nShort guides to the new flood maps are available:\nreading the flood map"
    assert not semantic_diff(old, new).material


def test_a_word_written_over_with_a_clause_adds_that_clause() -> None:
    old = (
        "You must hold a first aid certificate before you can apply for a door supervisor licence."
    )
    new = (
        "You must hold a first aid certificate before you can take the training required "
        "for a door supervisor licence."
    )
    shifts = semantic_diff(old, new).shifts
    # What the licence needs the certificate for changed: one claim went, another came.
    assert [(s.type, s.old, s.new) for s in shifts] == [
        ("claim_added", None, "take the training required"),
        ("claim_removed", "apply", None),
    ]
    assert {s.type for s in semantic_diff(new, old).shifts} == {"claim_added", "claim_removed"}
    described = (
        "You must wear PPE at the site.",
        "You must wear personal protective kit at the site.",
    )
    assert not semantic_diff(*described).material


def test_an_item_cut_from_a_list_is_a_claim_removed() -> None:
    old = "Opening hours for testing sites (including drive-through sites and mobile testing units)"
    new = "Opening hours for testing sites (including drive-through sites)"
    shifts = semantic_diff(old, new).shifts
    assert [(s.type, s.old) for s in shifts] == [("claim_removed", "and mobile testing units")]


def test_the_named_agent_cut_from_a_passive_is_a_claim_removed() -> None:
    old = "A warrant to enter the yard was issued by Police in March 2024."
    new = "A warrant to enter the yard was issued in March 2024."
    assert [(s.type, s.old) for s in semantic_diff(old, new).shifts] == [
        ("claim_removed", "by Police")
    ]
    deadline = semantic_diff("The fee is due by Tuesday next week.", "The fee is due next week.")
    assert [s.type for s in deadline.shifts] == ["date"]


def test_a_name_spaced_out_is_the_same_name() -> None:
    old = "Vaccines will be made for Thailand and SouthEastAsia."
    new = "Vaccines will be made for Thailand and South East Asia."
    assert not semantic_diff(old, new).material


def test_an_item_added_to_a_list_a_sentence_opens_is_a_claim_added() -> None:
    old = (
        "Disease controls have been applied at the following sites:\n"
        "Mill Pond Fishery, Derbyshire\nOak Lakes, Suffolk"
    )
    new = old + "\nWillow Waters, Norfolk"
    assert [(s.type, s.new) for s in semantic_diff(old, new).shifts] == [
        ("claim_added", "Willow Waters, Norfolk")
    ]


def test_a_line_added_under_a_heading_or_a_menu_label_is_no_claim() -> None:
    old = "Related guidance\nFlood warnings in your area"
    assert not semantic_diff(old, old + "\nSign up for flood alerts by text").material
    menu = "The sessions covered:\nCivil\nFamily"
    assert not semantic_diff(menu, menu + "\nTribunals").material


def test_an_item_cut_from_a_list_in_a_sentence_is_a_claim_removed() -> None:
    old = "The panel is consulting on screening for thyroid disease, anaemia and scurvy."
    new = "The panel is consulting on screening for anaemia and scurvy."
    assert [(s.type, s.old) for s in semantic_diff(old, new).shifts] == [
        ("claim_removed", "thyroid disease")
    ]


def test_a_cell_rewritten_in_a_table_is_compared_in_place() -> None:
    old = "Site\nOpening date\nPrincess Royal Hospital Telford\nMarch 2022\nWrekin Clinic\nMay 2022"
    new = old.replace("Princess Royal Hospital Telford", "Hollinswood House")
    # ("Princess" is read as a title, as in "Princess Anne": the place is the rest.)
    assert [(s.type, s.new) for s in semantic_diff(old, new).shifts] == [
        ("entity", "Hollinswood House")
    ]


def test_a_heading_rewritten_over_prose_is_not_compared_as_a_cell() -> None:
    prose = "The scheme will continue to cover designs registered before the end of the year."
    old = f"Registered Community Designs (RCD)\n{prose}"
    new = f"EU trademark protection and comparable UK trademarks\n{prose}"
    assert not semantic_diff(old, new).material


def test_a_period_closed_by_until_is_another_date() -> None:
    old = "In the past year alone, the trial lorries saved 33.5 million miles."
    new = "Up until last year, the trial lorries saved 33.5 million miles."
    assert [s.type for s in semantic_diff(old, new).shifts] == ["date"]


def test_markdown_link_residue_cleaned_up_is_layout() -> None:
    cited = "The rules follow the European Standard, {0}, which sets thirteen guidelines."
    old = cited.format("[ETSI EN 303 645](https://standards.example/en_303645.pdf)")
    new = cited.format("ETSI EN 303 645")
    assert not semantic_diff(old, new).material
    assert not semantic_diff(cited.format("{ETSI EN 303 645](/en_303645.pdf)"), new).material


def test_a_capital_of_title_case_is_no_name_in_a_headline() -> None:
    body = "The mayor met the girls' team before they left for the Street Child World Cup."
    diff = semantic_diff(
        body,
        body,
        "Mayor Hosts Girls' Team to Compete at the Street Child World Cup",
        "Mayor Hosts Girls' Team in advance of the Street Child World Cup",
    )
    assert not [s for s in diff.shifts if s.type == "entity"]
    moved = semantic_diff(
        body, body, "Testing Centre Opens in East Lothian", "Testing Centre Opens in Midlothian"
    )
    assert [s.type for s in moved.shifts if s.type == "entity"] == ["entity"]


def test_a_figure_new_to_a_headline_is_not_known_from_a_longer_number() -> None:
    body = "Families will be able to test themselves from home from 8 March 2021."
    diff = semantic_diff(
        body,
        body,
        "Households to get rapid tests per person per week",
        "Households to get 2 rapid tests per person per week",
    )
    assert [(s.type, s.new) for s in diff.shifts] == [("number", "2")]
