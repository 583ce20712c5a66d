"""What a line of an article is: a claim, or the page talking about itself.

A news page carries, beside its claims, lines that assert nothing about the world: page
metadata ("Published 5 August 2022", "Last updated 3:45pm", a byline, a change note),
counters ("12 comments", "5 min read"), and lines that exist to send the reader somewhere
(a call to action, a "... here" link, an attachment with its size, contact details, a
social-media follow line). Editors add and change those all the time; none of it is news.

Each rule follows from how such lines are built, not from a list of pages:
- metadata: a publishing verb ("published", "updated", "posted") opening a short line
  whose rest is a date, a time or a byline; or a change note, a sentence with no subject
  opening on an editing participle ("Added links to ...", "Corrected the date");
- counters: a short line of figures and counted things (comments, shares, views, reads);
- links: an imperative addressed to the reader ("Read", "See", "Follow", "Sign up"), an
  anchor word ("here"), a sentence saying where to read something ("can be found on"),
  a file format with a size ("PDF, 140 KB"), an accessible-format notice, a URL, an
  e-mail address or a phone number;
- fragments: a line with no sentence form (no closing punctuation, no verb we know), such
  as a heading, a table cell, a caption or an address line, a video's title under its
  player ("Dr Jane Smith explains how ...", no full stop), a pointer to a document ("The
  full report has been published.") and the page talking about itself ("We will update
  this page", "The inquiry now has its own website"); a paragraph that closes on a picture credit
  ("... in Bologna. Crown copyright") is a caption, whatever its sentences look like.
  A fragment is compared when it was edited (a fee in a table going from £75 to £80 is
  news), but one added or removed whole is not a claim added or removed, unless it names
  a day (an entry of a programme: "25 October: Regional economy webinar").
"""

from __future__ import annotations

import enum
import re
from functools import lru_cache

from .dates import has_calendar_day
from .features import sentence_features
from .lexicon import MODAL_WORDS, NEGATION_WORDS
from .normalise import LIST_MARKER, plain


class Role(enum.Enum):
    CLAIM = "claim"
    FRAGMENT = "fragment"  # heading, cell, caption: compared only when edited in place
    METADATA = "metadata"  # about the page: dates, bylines, change notes, counters
    LINK = "link"  # sends the reader elsewhere: calls to action, attachments, contacts

    @property
    def compared(self) -> bool:
        return self in (Role.CLAIM, Role.FRAGMENT)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Patterns below see `plain` text: straight quotes and ASCII dashes only.
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")

# Metadata. A publishing verb, optionally "first"/"last", opening the line.
_PUBLISHING = re.compile(
    r"^(?:(?:first|last|originally|date)\s+)?"
    r"(?:published|updated|posted|modified|reviewed|created|edited|update)\b[:\s]*",
    re.IGNORECASE,
)
_METADATA_REST_WORDS = 12
# Words that may follow a publishing verb in a metadata line besides dates and times.
_METADATA_FILLERS = _words(
    "on at by in see all updates update show hide history gmt bst utc est edt cet am pm "
    "a.m. p.m. the of and - | , first last published updated posted modified"
)
_MONTH_OR_DAY = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$"
    r"|^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$"
    r"|^(?:today|yesterday|ago|minutes?|hours?|days?|weeks?|mins?|hrs?)$",
    re.IGNORECASE,
)
_TIME_OR_FIGURE = re.compile(r"^\d{1,4}(?:[:./-]\d{1,4})*(?:st|nd|rd|th|am|pm|h)?$", re.I)
# A change note has no subject: it opens on what the editor did.
_CHANGE_NOTE = re.compile(
    r"^(?:added|amended|corrected|edited|removed|replaced|changed|translated|updated|"
    r"clarified|revised|first published)\b(?:\s+(?:to|with|link|links|the|a|an|"
    r"translations?|information|details|new|date|dates|text|wording|typo|typos|"
    r"attachments?|documents?|images?|video|and|[a-z]+ (?:translation|version)))?[\s.:,]",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by\s+(?:[A-Z][\w'.-]*\s*){1,4}(?:[,|-].{0,60})?$")

# Counters: comments, shares, views, reading time.
_COUNTED = _words(
    "comment comments reply replies share shares view views like likes read reads "
    "retweet retweets reaction reactions min mins minute minutes reading listen"
)
_COUNTER_MAX_WORDS = 6

# Links and calls to action: an imperative addressed to the reader.
_CALL_TO_ACTION = _words(
    "read see find visit follow sign register download watch view contact email e-mail "
    "call click subscribe share learn discover explore listen request check browse access "
    "tweet like"
)
_READER_VERBS = _words(
    "see read visit find download explore discover learn subscribe register browse listen"
)
# A link's description under its title, a verb with no subject: "Includes passports,
# driving and travel", "Explains how to apply". A sentence does not open on these.
_DESCRIPTION_OPENERS = _words("includes explains describes outlines contains summarises summarizes")
_VERB_OBJECTS = _words(
    "the a an our this these those us out more all full it them your latest up on in at "
    "for about how what when where which who here now details information below above "
    "further online live back"
)
_ANCHOR = re.compile(
    r"\bhere\s*[.!:)]*\s*$|\bclick here\b|\(here\)|\b(?:available|found|read|listed|"
    r"published|watch|view|see|sign up|register|apply)\s+(?:it\s+)?here\b",
    re.IGNORECASE,
)
# "can be found" says where to read only when a page, a site or a document is the place.
_FOUND_IN = re.compile(r"\b(?:can|may|will)\s+be\s+found\b", re.IGNORECASE)
_READING_PLACE = re.compile(
    r"\b(?:here|page|pages|website|site|guidance|online|link|document|below|above|"
    r"gov\.uk|webpage|portal)\b",
    re.IGNORECASE,
)
_WHERE_TO_READ = re.compile(
    r"\b(?:can|may|will)\s+be\s+(?:read|viewed|accessed|downloaded|watched)\b"
    r"|\b(?:is|are|will be|has been|have been)\s+(?:now\s+)?available\s+"
    r"(?:here|online|via|to (?:download|view|read|watch))\b"
    r"|\b(?:is|are|will be|has been|have been)\s+(?:now\s+)?(?:published|listed)\s+"
    r"(?:here|online|via|at|on(?!\s+(?:\d|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|"
    r"jun|jul|aug|sep|oct|nov|dec)))\b"
    # "you can register for tickets via the link": what the reader may do next
    r"|^(?:you|readers)\s+(?:can|could|may|will be able to)\s+(?:now\s+|also\s+)?"
    r"(?:register|book|apply|sign up|watch|read|view|find|download|see|listen|follow|"
    r"subscribe|visit|access|join|contact|email|e-mail|get|keep up)\b"
    r"|^(?:for\s+|to\s+(?:find|get|read|see)\s+(?:out\s+)?)?(?:more|further|additional)\s+"
    r"(?:information|details|info)\b"
    r"|\bplease\s+(?:\w+\s+){0,2}?(?:contact|email|e-mail|call|visit|see|read|register|"
    r"tell|let us|share|send|get in touch|write|refer to)\b"
    r"|^if you have (?:any )?(?:further )?(?:questions|queries|enquiries)\b",
    re.IGNORECASE,
)
# A pointer: "The methodology used to calculate the R-rate has been published." Its only
# news is that a document exists, and the link on it is what the reader is given;
# "Training videos are available:" opens a list of such links. (A service that "is now
# available." is news: no colon.) What the document is said to cover may still be edited.
_POINTER = re.compile(
    r"\b(?:is|are|has been|have been|will be|will soon be)\s+(?:now\s+)?"
    r"(?:published(?:\s+(?:soon|shortly|today|too|also))?\s*[.:]?|available\s*:)\s*$",
    re.IGNORECASE,
)
# The page talking about itself: "We will update this page as more information becomes
# available", "we'll let you know when we publish the Q&A", "The Inquiry now has its own
# website" (what the reader is given is the link, not a fact about the world).
_SELF_REFERENCE = re.compile(
    r"\b(?:will|'ll)\s+(?:let (?:you|readers) know|update (?:this|the) (?:page|story|article|"
    r"post))\b|\b(?:this|the) (?:page|story|article|post) will be updated\b"
    r"|\b(?:has|have)\s+(?:now\s+)?(?:launched\s+)?(?:its|their|a)\s+(?:own\s+|new\s+|"
    r"dedicated\s+|independent\s+)*(?:website|web ?page)\s*[.]?$",
    re.IGNORECASE,
)
_SELF_HINTS = ("let ", "update", "website", "webpage", "web page")
# A video's or a podcast's title under its player: "Dr June Raine discusses how vaccines
# are approved" (no full stop: a caption, however it reads).
_PRESENTING = _words(
    "discusses explains talks speaks answers introduces presents describes outlines "
    "reflects shares sets"
)
_PRESENTER_MAX_WORDS = 5
_FILE_FORMAT = (
    r"(?:pdf|docx?|xlsx?|xls|ods|odt|odp|csv|pptx?|rtf|zip|epub|html|mp3|mp4|png|jpe?g|gif|"
    r"svg|txt|xml|json|kmz|kml|ms (?:word|excel|powerpoint)(?: document| spreadsheet| "
    r"presentation)?)"
)
_ATTACHMENT = re.compile(
    rf"\b{_FILE_FORMAT}\b[^.]{{0,30}}?\b\d+(?:[.,]\d+)?\s?(?:kb|mb|gb|bytes)\b"
    r"|\b\d+\s+pages?\s*\)?\s*$",
    re.IGNORECASE,
)
# A line naming only a file's format ("HTML", "MS Word Document"): the link under a
# document's title on a page of attachments.
_FORMAT_LINE = re.compile(rf"^\(?{_FILE_FORMAT}\)?$", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# A cross-reference inside the document: "(see Annex 2)", "(see below)".
_CROSS_REFERENCE = re.compile(r"^\s*\(see\b", re.IGNORECASE)
_CREDIT = re.compile(
    r"©|\(c\)|\bcopyright\b|^\(?(?:photo(?:graph)?|picture|image|video|credit)s?"
    r"(?:\s+credit)?\s*(?::|by\b)",
    re.IGNORECASE,
)
_CREDIT_MAX_WORDS = 6
# The notices beside an attachment about its format: "This file may not be suitable for
# users of assistive technology", "This file is in an OpenDocument format", "We are aware
# this publication may have accessibility issues".
_ACCESSIBLE_FORMAT = re.compile(
    r"\bassistive technology\b|\baccessible (?:format|version)s?\b|\bopendocument format\b"
    r"|\baccessibility (?:issues?|problems?)\b",
    re.IGNORECASE,
)
_FORMAT_NOTICE_HINTS = ("assistive", "accessib", "opendocument")
_ADDRESS = re.compile(
    r"https?://|\bwww\.\w|\b[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w@])@[A-Za-z_]\w{2,}\b",
)
_PHONE = re.compile(r"(?:\+\d{1,3}[\s-]?)?\(?\b0?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}\b")
_PHONE_MAX_WORDS = 20
_PHONE_MIN_DIGITS = 9
_ATTACHMENT_MAX_WORDS = 8
# Every alternative of _ATTACHMENT holds one of these; every alternative of _CREDIT one
# of _CREDIT_HINTS or, at the start, one of _CREDIT_OPENERS.
_SIZE_HINTS = ("kb", "mb", "gb", "bytes", "page")
_CREDIT_HINTS = ("©", "(c)", "copyright")
_CREDIT_OPENERS = ("photo", "picture", "image", "video", "credit")
_ADDRESS_HINTS = ("@", "www.", "http")
# Every alternative of _WHERE_TO_READ holds one of these.
_WHERE_HINTS = (
    "be read",
    "be viewed",
    "be accessed",
    "be downloaded",
    "be watched",
    "available",
    "published",
    "listed",
    "more",
    "further",
    "additional",
    "please",
    "if you have",
    "you",
)
_PLATFORM_LIST_MIN = 3
_JOINER_MAX_LETTERS = 3
_PLATFORMS = _words(
    "twitter facebook instagram linkedin youtube tiktok flickr whatsapp telegram threads "
    "mastodon bluesky"
)

# Sentence form: closing punctuation, or a verb we can recognise without a tagger.
_CLOSES = re.compile(r"[.!?…:]['\")\]]*\s*$")
_FINITE = _words(
    "is are was were be been being am has have had do does did will would shall should "
    "can could may might must cannot can't won't isn't aren't wasn't weren't hasn't haven't "
    "hadn't doesn't don't didn't"
)
# Verbs that are never nouns, so a line holding one is a sentence, with or without its
# full stop ("claims" or "shows" may be nouns in a heading: "Small claims service").
_VERB_CUES = _FINITE | NEGATION_WORDS | frozenset(MODAL_WORDS) | _words("said says told tells")
_FRAGMENT_MIN_WORDS = 5
_LABEL_MAX_WORDS = 3
_ATTACHMENT_NOTE = re.compile(r"\s*\([^()]*\)")
_LAST_NOTE = re.compile(r"\([^()]*\)[\s.]*$")
_SHORT_WORD = 3  # "of", "and", "the" stay lowercase in a title
_TITLE_MIN_WORDS = 4


def _bare(paragraph: str) -> str:
    return LIST_MARKER.sub("", plain(paragraph)).strip()


def _is_date_or_time(word: str) -> bool:
    lower = word.lower()
    return bool(
        _TIME_OR_FIGURE.match(lower) or _MONTH_OR_DAY.match(lower) or lower in _METADATA_FILLERS
    )


def is_date_line(line: str) -> bool:
    """ "26 June 2017", "11 May 2022 - See all updates": a line giving only a date or a
    time, the value of the metadata label above it ("Published", "Last updated")."""
    words = _WORD.findall(_bare(line))
    return any(w[0].isdigit() for w in words) and all(_is_date_or_time(w) for w in words)


def _is_metadata(text: str, words: list[str]) -> bool:
    opening = _PUBLISHING.match(text)
    if opening:
        # A byline may close the line: "Updated 3:45pm by Jane Smith".
        rest = _WORD.findall(re.split(r"\bby\b", text[opening.end() :], maxsplit=1)[0])
        if len(rest) <= _METADATA_REST_WORDS and all(_is_date_or_time(w) for w in rest):
            return True
    if _CHANGE_NOTE.match(text + " "):
        return True
    return bool(len(words) <= 8 and _BYLINE.match(text))


def _is_counter(words: list[str]) -> bool:
    if not words or len(words) > _COUNTER_MAX_WORDS:
        return False
    counted = [w for w in words if w.lower() in _COUNTED]
    figures = [w for w in words if w[0].isdigit()]
    others = len(words) - len(counted) - len(figures)
    return bool(counted) and bool(figures) and others <= 1


def _is_call_to_action(words: list[str]) -> bool:
    """An imperative addressed to the reader. "See", "Read" or "Visit" opening a line
    can only be that; "Share", "Call" or "Contact" can open a sentence as nouns, so they
    need their object after them ("Share this page"; not "Share prices fell")."""
    if len(words) < 2:
        return False
    first, second = words[0].lower(), words[1]
    if first in _READER_VERBS:
        return True
    if first not in _CALL_TO_ACTION:
        return False
    return second.lower() in _VERB_OBJECTS or second[0].isupper()


def _is_link(text: str, words: list[str]) -> bool:
    if _is_call_to_action(words) or words[0].lower() in _DESCRIPTION_OPENERS:
        return True
    # Substring tests first: the patterns are costly and most sentences have none of this.
    lower = text.lower()
    if "here" in lower and _ANCHOR.search(text):
        return True
    if any(hint in lower for hint in _WHERE_HINTS) and _WHERE_TO_READ.search(text):
        return True
    if "found" in lower and _FOUND_IN.search(text) and _READING_PLACE.search(text):
        return True
    if (_mentions_size(lower) and _ATTACHMENT.search(text)) or _FORMAT_LINE.match(text):
        return True
    if any(hint in lower for hint in _FORMAT_NOTICE_HINTS) and _ACCESSIBLE_FORMAT.search(text):
        return True
    if any(hint in lower for hint in _ADDRESS_HINTS) and _ADDRESS.search(text):
        return True
    if (
        len(words) <= _PHONE_MAX_WORDS
        and sum(ch.isdigit() for ch in text) >= _PHONE_MIN_DIGITS
        and _PHONE.search(text)
    ):
        return True
    # A follow line or a video title: a short line ending on a platform's name.
    if len(words) <= 12 and words[-1].lower() in _PLATFORMS and not _CLOSES.search(text):
        return True
    return _ends_on_platforms(words)


def _ends_on_platforms(words: list[str]) -> bool:
    """A line closing on a list of social platforms ("... on Facebook, Twitter, Instagram,
    YouTube e LinkedIn."): the page listing its accounts, in whatever language."""
    if words[-1].lower() not in _PLATFORMS:
        return False
    platforms = 0
    for word in reversed(words):
        if word.lower() in _PLATFORMS:
            platforms += 1
        elif not (word.islower() and len(word) <= _JOINER_MAX_LETTERS):  # "and", "e", "y"
            break
    return platforms >= _PLATFORM_LIST_MIN


def _is_title(words: list[str]) -> bool:
    """A document or section title: every content word capitalised ("Climate Finance
    Delivery Plan: Meeting the Goal."). A sentence has a lowercase verb somewhere."""
    content = 0
    for word in words:
        if len(word) > _SHORT_WORD and word.isalpha():
            if not word[0].isupper():
                return False
            content += 1
    return content >= _TITLE_MIN_WORDS


def _is_media_title(text: str, words: list[str]) -> bool:
    """An unpunctuated line whose capitalised subject presents something."""
    if _CLOSES.search(text):
        return False
    for position, word in enumerate(words[:_PRESENTER_MAX_WORDS]):
        if word.lower() in _PRESENTING:
            return position > 0  # a subject first: "Explains how ..." is a link's description
        if not word[0].isupper():
            return False
    return False


def _has_sentence_form(text: str, words: list[str]) -> bool:
    if _CLOSES.search(text):
        # A question asks, it does not assert ("What happens next?"). A line ending on a
        # colon introduces what follows: a label ("Notes to editors:") or a purpose ("For
        # the latest updates in your area:") says nothing itself; "Countries that
        # attended include:" does.
        if text.rstrip("'\")] ").endswith("?"):
            return False
        if text.endswith(":"):
            # "Notes to Editors:", "Key Facts:": a heading in Title Case.
            if all(w[0].isupper() for w in words if len(w) > _SHORT_WORD):
                return False
            return len(words) >= _LABEL_MAX_WORDS and words[0].lower() not in ("for", "to")
        return True
    if len(words) < _FRAGMENT_MIN_WORDS:
        return False
    lowers = {w.lower() for w in words}
    return bool(lowers & _VERB_CUES)


def is_pointer(sentence: str) -> bool:
    """ "The full report has been published.", "Training videos are available:": a line
    whose only news is that a document is there, the link on it being what it gives."""
    lower = sentence.lower()
    return ("published" in lower or "available" in lower) and bool(_POINTER.search(sentence))


def _mentions_size(lower: str) -> bool:
    return any(unit in lower for unit in _SIZE_HINTS)


# The substring tests below come first: these run on every paragraph of both versions, and
# the patterns and the word count are what costs.
def is_credit(sentence: str) -> bool:
    """ "Crown copyright", "Photo: Jane Smith/Reuters", "© ESA": the credit that closes an
    image's caption, so the paragraph it ends is a caption, not the story's text."""
    lower = sentence.lower()
    if not any(hint in lower for hint in _CREDIT_HINTS) and not lower.lstrip("(").startswith(
        _CREDIT_OPENERS
    ):
        return False
    return len(_WORD.findall(sentence)) <= _CREDIT_MAX_WORDS and bool(_CREDIT.search(sentence))


def is_link_target(line: str) -> bool:
    """ "PDF, 355KB, 26 pages", "HTML", "https://example.org/framework/": the line under a
    link's title that says what the link leads to, so the line above is that title."""
    line = line.strip()
    if _FORMAT_LINE.match(line) or _BARE_ADDRESS.match(line):
        return True
    return (
        _mentions_size(line.lower())
        and bool(_ATTACHMENT.search(line))
        and len(_WORD.findall(line)) <= _ATTACHMENT_MAX_WORDS
    )


def _is_note(note: str) -> bool:
    return bool(_ATTACHMENT.search(note) or _CROSS_REFERENCE.match(note))


def without_attachment_notes(sentence: str) -> str:
    """The sentence less its "(PDF, 180KB, 2 pages)" and "(see Annex 2)" notes: a file's
    size is no claim, nor is where else the document says something."""
    lower = sentence.lower()
    if not _mentions_size(lower) and "(see" not in lower:
        return sentence
    return _ATTACHMENT_NOTE.sub(
        lambda note: "" if _is_note(note.group(0)) else note.group(0), sentence
    )


@lru_cache(maxsize=16384)
def line_role(line: str) -> Role:
    """The role of one paragraph (or one sentence of it) of an article. A line closing on
    a "(PDF, 180KB)" note is that file's link; inside a sentence the note is left out."""
    last_note = _LAST_NOTE.search(line)
    if last_note and _ATTACHMENT.search(last_note.group(0)):
        return Role.LINK
    text = _bare(without_attachment_notes(line))
    words = _WORD.findall(text)
    if not words:
        return Role.FRAGMENT
    if _is_metadata(text, words) or _is_counter(words):
        return Role.METADATA
    if _is_link(text, words):
        # A link line that dates something ("Alençon: 25 July - register here") still
        # carries that date: compared in place, or a claim when it is a whole sentence.
        if not has_calendar_day(sentence_features(line).dates):
            return Role.LINK
        return Role.CLAIM if _CLOSES.search(text) else Role.FRAGMENT
    if not _has_sentence_form(text, words) or _is_title(words) or text.isupper():
        return Role.FRAGMENT
    if _is_media_title(text, words):
        return Role.FRAGMENT
    if is_pointer(text):
        return Role.FRAGMENT
    lower = text.lower()
    if any(hint in lower for hint in _SELF_HINTS) and _SELF_REFERENCE.search(text):
        return Role.FRAGMENT
    return Role.CLAIM
