"""Word lists the extractors share. Plain data: lowercase entries, frozen at import.

Kept in one place so a reviewer can see every word that carries meaning for the engine
and so a new word is a one-line change.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string, for compactness."""
    return frozenset(text.split())


# --- sentence splitting -------------------------------------------------------------------

# Abbreviations that are never the end of a sentence: a title or a unit before a name/number.
TITLE_ABBREVIATIONS = _words(
    """
    mr mrs ms dr prof gen sen rep gov lt col sgt capt cmdr adm maj st fr rev hon pres supt
    insp det cpl pvt messrs mme mlle no nos vol fig art sec ch pp ft mt
    """
)
# Abbreviations that may end a sentence ("... in the U.S. The ..."): split only when the next
# word is a usual sentence opener.
AMBIGUOUS_ABBREVIATIONS = _words(
    """
    inc ltd co corp jr sr bros plc llc etc vs al jan feb mar apr jun jul aug sep sept oct
    nov dec mon tue tues wed thu thur thurs fri sat sun approx est dept univ
    """
)
# Words that start sentences often enough that a capital after an ambiguous abbreviation is
# taken as a new sentence.
SENTENCE_OPENERS = _words(
    """
    the a an he she it they we i you this that these those there his her its their our but
    and or so yet in on at for from by with after before when while if as since however
    meanwhile also still then now officials police authorities some many most several no not
    one two three both each every all according earlier later last what why how who where
    """
)

# --- numbers ------------------------------------------------------------------------------

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
NUMBER_WORDS = frozenset((*UNITS, *TENS, *SCALES))
# Short scale suffixes after a figure: "$1.2bn", "£30m", "5k".
SCALE_SUFFIXES = {
    "k": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "mln": 1_000_000,
    "bn": 1_000_000_000,
    "b": 1_000_000_000,
    "tn": 1_000_000_000_000,
    "trn": 1_000_000_000_000,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "hundredth": 100,
    "thousandth": 1000,
}
# "twice", "doubled": a multiple of something, compared with "N times".
# "two-thirds" is a fraction, not a compound adjective like "two-year".
FRACTION_WORDS = _words("half halves third thirds quarter quarters fifth fifths tenth tenths")
MULTIPLES = {
    "twice": 2.0,
    "thrice": 3.0,
    "double": 2.0,
    "doubled": 2.0,
    "doubles": 2.0,
    "doubling": 2.0,
    "triple": 3.0,
    "tripled": 3.0,
    "triples": 3.0,
    "tripling": 3.0,
    "quadrupled": 4.0,
    "quadruple": 4.0,
    "halved": 0.5,
    "halve": 0.5,
    "halving": 0.5,
}
# Round quantities said in words: "dozens" -> "hundreds" is a change of size.
VAGUE_QUANTITIES = {
    "dozens": 12.0,
    "hundreds": 100.0,
    "thousands": 1_000.0,
    "tens": 10.0,
    "millions": 1_000_000.0,
    "billions": 1_000_000_000.0,
}
# Words bounding a number: a lower bound, an upper bound or an approximation. Synonyms
# share a class ("more than" = "over"); a change of class changes the claim.
BOUNDS: dict[tuple[str, ...], str] = {
    **dict.fromkeys(
        [
            ("at", "least"),
            ("more", "than"),
            ("over",),
            ("upwards", "of"),
            ("in", "excess", "of"),
            ("above",),
            ("exceeding",),
            ("no", "fewer", "than"),
            ("no", "less", "than"),
            ("older", "than"),
        ],
        ">",
    ),
    **dict.fromkeys(
        [
            ("up", "to"),
            ("at", "most"),
            ("less", "than"),
            ("fewer", "than"),
            ("under",),
            ("no", "more", "than"),
            ("below",),
            ("a", "maximum", "of"),
            ("younger", "than"),
        ],
        "<",
    ),
    **dict.fromkeys(
        [
            ("about",),
            ("around",),
            ("almost",),
            ("nearly",),
            ("roughly",),
            ("approximately",),
            ("close", "to"),
            ("an", "estimated"),
            ("some",),
            ("approx",),
            ("approx", "."),
        ],
        "~",
    ),
}
PERCENT_WORDS = frozenset({"percent", "pct"})
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB"}
CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "yen": "JPY",
    "rupee": "INR",
    "rupees": "INR",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "yuan": "CNY",
}

# --- dates --------------------------------------------------------------------------------

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
# A day word that needs no number to be a date.
DAY_WORDS = _words("today tonight yesterday tomorrow overnight")
# "next week", "last year": the first word says which one, the second which unit.
RELATIVE_DETERMINERS = {
    "this": "this",
    "next": "next",
    "coming": "next",
    "following": "next",
    "last": "last",
    "past": "last",
    "previous": "last",
}
PERIOD_WORDS = _words(
    """
    week weekend month year quarter season spring summer autumn fall winter decade century
    morning afternoon evening night term semester
    """
)
DURATION_UNITS = {
    "hour": "hour",
    "hours": "hour",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
    "decade": "decade",
    "decades": "decade",
    "minute": "minute",
    "minutes": "minute",
}
# Words before a four-digit figure that make it a year ("in 2014", "since 2022").
YEAR_PREPOSITIONS = _words(
    """
    in since by from until till through before after during of early late mid end year
    summer winter spring autumn fall
    """
)
TIME_WORDS = frozenset({"noon", "midnight", "midday"})
# How often: "a fortnightly briefing" -> "regular briefings" moves when things happen.
FREQUENCY_WORDS = {
    "hourly": "hour",
    "daily": "day",
    "nightly": "night",
    "weekly": "week",
    "fortnightly": "fortnight",
    "biweekly": "fortnight",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annually": "year",
    "annual": "year",
}

# --- entities -----------------------------------------------------------------------------

# Capitalised words that are not names: function words, pronouns and common sentence
# openers. Lowercase.
NOT_NAMES = _words(
    """
    a an the this that these those there here it its it's he she they we i you me him her
    them us our your their his my mine who whom whose which what when where why how and or
    but nor so yet for of in on at to by with from into onto upon about above below after
    before since until while during without within among between against through across over
    under around near off out up down as if though although because unless whether than then
    also still even just only now already again meanwhile however moreover furthermore
    nevertheless instead otherwise besides hence thus therefore indeed perhaps maybe yes no
    not none nobody nothing never always often sometimes usually some many most much more
    less few fewer several any each every all both either neither other another such same
    own one two three four five six seven eight nine ten first second third last next
    earlier later previously recently currently finally according asked told said says added
    speaking having being despite amid due given based unlike like following including
    regarding overall together once whereas officials official police authorities witnesses
    residents experts analysts sources investigators prosecutors lawyers critics supporters
    observers researchers doctors scientists economists traders investors shares prices
    markets stocks mr mrs ms dr sir madam today tonight yesterday tomorrow read see click
    share follow subscribe advertisement update updated editing reporting writing note photo
    video
    """
)
# Words that come before a name and are not part of it ("President Donald Trump").
TITLES = _words(
    """
    president presidents vice prime minister ministers secretary chancellor premier governor
    senator sen representative rep congressman congresswoman mayor judge justice king queen
    prince princess pope sir lord lady dame general gen colonel col captain capt lieutenant
    lt sergeant sgt commander admiral chief ceo chairman chairwoman spokesman spokeswoman
    spokesperson ambassador envoy mr mrs ms dr prof professor saint st sheikh emir crown
    archbishop bishop rabbi imam coach director
    """
)
# Lowercase words allowed inside a multi-word name: "Bank of England", "Charles de Gaulle".
NAME_CONNECTORS = _words(
    """
    of de du da del della la le van von der den al bin ibn y & for
    """
)
# Different spellings of the same place or body.
NAME_ALIASES = {
    "u.s.": "us",
    "usa": "us",
    "u.s.a.": "us",
    "united states": "us",
    "united states of america": "us",
    "america": "us",
    "u.k.": "uk",
    "britain": "uk",
    "great britain": "uk",
    "united kingdom": "uk",
    "u.n.": "un",
    "united nations": "un",
    "e.u.": "eu",
    "european union": "eu",
    "kiev": "kyiv",
    "ussr": "soviet union",
}

# Abbreviated name words and their full form, so "Mt. Etna"/"Mount Etna" and
# "Acme Corp."/"Acme Corporation" key alike. Titles expand to a word of TITLES.
NAME_ABBREVIATIONS = {
    "mt": "mount",
    "st": "saint",
    "ft": "fort",
    "pt": "point",
    "gen": "general",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "pres": "president",
    "univ": "university",
    "dept": "department",
    "co": "company",
    "corp": "corporation",
    "inc": "incorporated",
    "bros": "brothers",
}

# --- negation and polarity ----------------------------------------------------------------

NEGATION_WORDS = _words("not no never none nobody nothing nowhere neither nor without cannot")
# Verbs that deny what follows ("failed to", "denied"): counted like "not" so that
# "did not respond" and "failed to respond" read the same.
NEGATING_VERBS = _words(
    """
    deny denies denied denying fail fails failed failing refuse refuses refused refusing
    cancel cancels cancelled canceled cancelling canceling scrap scraps scrapped
    """
)
# "declined to comment" denies; "prices declined" is a direction (see POLARITY_GROUPS).
NEGATING_BEFORE_TO = _words("decline declines declined declining")
# Pairs of opposite outcomes: a word of one sign replaced by a word of the other sign is a
# reversed claim ("shares rose" -> "shares fell"). group -> sign -> words.
POLARITY_GROUPS: dict[str, dict[int, frozenset[str]]] = {
    "direction": {
        1: _words(
            """
            rise rises rose risen rising climb climbs climbed climbing gain gains gained
            increase increases increased increasing jump jumps jumped surge surged surges
            soar soared soars grew grow grows growing rally rallied
            """
        ),
        -1: _words(
            """
            fall falls fell fallen falling drop drops dropped dropping decline declined
            decrease decreases decreased decreasing slip slipped slips slide slid slides
            plunge plunged plunges tumble tumbled sank sink sinks shrank shrink shrinks
            slump slumped
            """
        ),
    },
    "verdict": {
        1: _words("convict convicts convicted convicting guilty"),
        -1: _words("acquit acquits acquitted acquitting innocent cleared"),
    },
    "outcome": {
        1: _words("won win wins winning victory"),
        -1: _words("lost lose loses losing defeat defeated"),
    },
    "approval": {
        1: _words("approved approve approves accepted accept accepts passed"),
        -1: _words("rejected reject rejects blocked vetoed"),
    },
    "state": {
        1: _words("opened open opens reopened reopen"),
        -1: _words("closed close closes shut"),
    },
    # A service or an offer that is there or not: "is unavailable" -> "is now available".
    "availability": {
        1: _words("available online operational restored resumed reinstated lifted"),
        -1: _words("unavailable offline suspended withdrawn halted imposed"),
    },
    "rate": {
        1: _words("raised raise raises hiked hike hikes"),
        -1: _words("cut cuts lowered lowers reduced reduce reduces"),
    },
    "life": {
        1: _words("alive survived survive survives"),
        -1: _words("dead died dies killed"),
    },
}

# --- modality -----------------------------------------------------------------------------

# Each cue maps to a class; a change of class is a change of certainty. Synonyms inside one
# class ("may"/"might"/"could") are wording, not a new claim.
MODAL_WORDS = {
    "will": "future",
    "shall": "future",
    "'ll": "future",
    "won't": "future",
    "would": "conditional",
    "wouldn't": "conditional",
    "'d": "conditional",
    "may": "possible",
    "might": "possible",
    "could": "possible",
    "couldn't": "possible",
    "mightn't": "possible",
    "possible": "possible",
    "possibly": "possible",
    "potential": "possible",
    "potentially": "possible",
    "perhaps": "possible",
    "maybe": "possible",
    "can": "ability",
    "can't": "ability",
    "cannot": "ability",
    "must": "obligation",
    "mustn't": "obligation",
    "should": "probable",
    "shouldn't": "probable",
    "likely": "probable",
    "unlikely": "probable",
    "probably": "probable",
    "probable": "probable",
    "expected": "probable",
    "reportedly": "reported",
    "allegedly": "reported",
    "alleged": "reported",
    "purportedly": "reported",
    "apparently": "reported",
    "apparent": "reported",
    "suspected": "reported",
    "presumed": "reported",
    "rumoured": "reported",
    "rumored": "reported",
}
# Multi-word cues (lowercase token tuples) and their class.
MODAL_PHRASES = {
    ("plans", "to"): "intention",
    ("plan", "to"): "intention",
    ("planned", "to"): "intention",
    ("planning", "to"): "intention",
    ("intends", "to"): "intention",
    ("intend", "to"): "intention",
    ("intended", "to"): "intention",
    ("aims", "to"): "intention",
    ("aim", "to"): "intention",
    ("hopes", "to"): "intention",
    ("hope", "to"): "intention",
    ("seeks", "to"): "intention",
    ("seeking", "to"): "intention",
    ("wants", "to"): "intention",
    ("want", "to"): "intention",
    ("considering",): "intention",
    ("proposed",): "intention",
    ("going", "to"): "future",
    ("set", "to"): "future",
    ("poised", "to"): "future",
    ("has", "to"): "obligation",
    ("have", "to"): "obligation",
    ("had", "to"): "obligation",
    ("needs", "to"): "obligation",
    ("need", "to"): "obligation",
    ("required", "to"): "obligation",
    ("able", "to"): "ability",
    ("said", "to", "be"): "reported",
    ("believed", "to"): "reported",
    ("thought", "to"): "reported",
    # A hedge awaiting confirmation ("pathogenicity to be confirmed") is a possibility.
    ("to", "be", "confirmed"): "possible",
    ("yet", "to", "be", "confirmed"): "possible",
    ("tbc",): "possible",
    # Work still in progress, not done: "forms are being updated", "testing is underway".
    ("underway",): "ongoing",
    ("under", "way"): "ongoing",
    ("in", "progress"): "ongoing",
}
# "is being" + a participle is work in progress ("are being updated"); the modal is the
# pair of words, found only when a participle follows (see cues.find_modals).
PROGRESSIVE_AUXILIARIES = frozenset({"is", "are", "was", "were"})

# --- attribution --------------------------------------------------------------------------

# Words only a speaker uses of themselves or their listeners: a quotation's voice.
PERSONAL_PRONOUNS = _words("i me my we us our you your")

SPEECH_VERBS = _words(
    """
    said says say told tells reported reports stated states announced announces added adds
    confirmed confirms claimed claims insisted insists warned warns wrote writes tweeted
    posted noted notes explained explains argued argues acknowledged acknowledges admitted
    admits testified testifies estimated estimates suggested suggests disclosed revealed
    showed shows show found finds issued issues
    """
)
# Words between a speaker and the verb that are not part of the speaker ("police have said").
SPEECH_AUXILIARIES = _words(
    """
    has have had also later previously earlier again repeatedly publicly privately
    separately first then would will could may might not never
    """
)
# A speech verb after a form of "be" is passive ("must be confirmed", "was told"): the
# subject is not the speaker.
PASSIVE_MARKERS = _words("be been being is are was were am")
# Words that end the speaker phrase when walking back from the verb.
CLAUSE_BOUNDARIES = _words(
    """
    that which who whom whose and but or as because while when if although though after
    before since where so than whether what says said told
    """
)
# Nouns that stand for a speaker named elsewhere in the sentence ("the team" = "the Lakers").
GENERIC_SPEAKERS = _words(
    """
    team club company firm group government ministry department agency office party
    organisation organization union court police spokesperson statement
    """
)
SPEAKER_FILLERS = _words("the a an its his her their our this that these those")
PRONOUNS = _words("he she they it we i you one someone")
# Nouns for the same kind of speaker: "the company said" and "the firm said" are one source.
SPEAKER_SYNONYMS = {
    "firm": "company",
    "group": "company",
    "business": "company",
    "officers": "police",
    "officer": "police",
    "authorities": "officials",
    "official": "officials",
    "government": "officials",
    "spokeswoman": "spokesperson",
    "spokesman": "spokesperson",
    "agency": "agency",
}

# Stop words ignored when scoring token overlap for alignment.
STOP_WORDS = _words(
    """
    a an the of to in on at for and or but is are was were be been being it its this that
    with as by from has have had not no he she they his her their which who will would
    """
)

# --- tense ---------------------------------------------------------------------------------

# Past forms that do not end in "-ed", with their bases: an event under way or announced
# ("is holding", "are meeting") that is now over ("held", "met").
IRREGULAR_PAST = {
    "held": "hold",
    "met": "meet",
    "ran": "run",
    "took": "take",
    "gave": "give",
    "went": "go",
    "began": "begin",
    "spoke": "speak",
    "came": "come",
    "led": "lead",
    "made": "make",
    "sent": "send",
    "brought": "bring",
    "won": "win",
    "left": "leave",
    "saw": "see",
    "told": "tell",
    "found": "find",
    "built": "build",
    "spent": "spend",
    "paid": "pay",
    "sold": "sell",
    "wrote": "write",
    "taught": "teach",
    "drew": "draw",
    "flew": "fly",
    "set": "set",
    "put": "put",
    "cut": "cut",
}
PRESENT_AUXILIARIES = _words("is are am")
