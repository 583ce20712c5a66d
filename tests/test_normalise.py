"""normalise_text: what counts as the same article text (hashed and stored as is)."""

from __future__ import annotations

import pytest

from storywatch.watcher.normalise import content_hash, normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Plain text.", "Plain text."),
        ("Two  spaces,\tand a tab.", "Two spaces, and a tab."),
        ("Form\ffeed and vertical\vtab.", "Form feed and vertical tab."),
        ("A space before , every ; mark : here ! ?", "A space before, every; mark: here!?"),
        (
            "\u201cCurly\u201d \u2018quotes\u2019 \u2014 and dashes\u2026",
            "\"Curly\" 'quotes' - and dashes...",
        ),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("Cafe\u0301 is NFC.", "Caf\u00e9 is NFC."),
        ("  One.  \r\n\r\n\n  Two.\rThree.\n\n", "One.\nTwo.\nThree."),
        ("No-break\u00a0space and ellipsis ...", "No-break space and ellipsis..."),
        ("", ""),
        (" \n\t\n ", ""),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_typographic_variants_hash_alike() -> None:
    assert content_hash(normalise_text("\u201cWe will,\u201d she said.")) == content_hash(
        normalise_text('"We  will ," she said.\n')
    )
