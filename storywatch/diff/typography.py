"""Typographic variants that never change what a text says.

Each maps one character to one character, so offsets into a text survive the mapping.
"""

from __future__ import annotations

TYPOGRAPHY = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
}

# Zero-width characters and the soft hyphen: invisible on the page.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
