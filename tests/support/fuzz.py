"""Hypothesis for the fuzz tests: how long they run, and the hostile values they draw.

`make test` runs each property on a few dozen examples, derandomized: the same examples
every run, so a failure is never a flake. `make fuzz` (``STORYWATCH_FUZZ=1``) runs
FUZZ_FACTOR times as many from the seed it is given (``FUZZ_SEED``), so each seed explores
new ground and any failure can be replayed.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, time
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from storywatch.config import Settings

# `make fuzz` sets both: FUZZ_EXAMPLES is a floor on the examples of every property (and
# sizes the hostile server's random answers, tests/test_fuzz_hostile_http.py).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)
FUZZ = os.environ.get("STORYWATCH_FUZZ") == "1" or FUZZ_EXAMPLES > 0
FUZZ_FACTOR = 25


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for a property worth ``examples`` examples in `make test`."""
    return settings(
        max_examples=max(examples * FUZZ_FACTOR, FUZZ_EXAMPLES) if FUZZ else examples,
        derandomize=not FUZZ,
        deadline=None,
        database=None,
        # No "explain" phase: its line tracing makes a failing example's replay many
        # times slower, and the shrunk example is explanation enough.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# -- numbers and words as a user types them ----------------------------------------------------

# With digits that str.isdigit() takes and int() or a duration does not: ² and Arabic-Indic.
_NUMBER_CHARS = "0123456789 .-+eE_smhdwSMHDW\t\u00b2\u0661\u0662\u0663"
# What argv holds for bytes that are not UTF-8 (Python decodes it with surrogateescape).
undecodable = st.binary(min_size=1, max_size=8).map(
    lambda raw: raw.decode("utf-8", "surrogateescape")
)
argv_text = st.text(st.characters(exclude_characters="\x00"), max_size=30)

typed_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n}{'smhdw'[n % 5]}"),
    st.floats().map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "0", "00", "9" * 40, "3650d", "3651d"]),
    st.text(_NUMBER_CHARS, max_size=12),
    argv_text,
    undecodable,
)


# -- TOML documents over the real settings keys --------------------------------------------------


def _setting_keys(model: type[BaseModel], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_setting_keys(annotation, (*path, name)))
        else:
            keys.append((*path, name))
    return keys


SETTING_KEYS = _setting_keys(Settings)

toml_scalars = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["15m", "2h", "3d", "0", "1w", "3000000d", "console", "email", "number"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 65535, 65536, 2**31, 10**18]),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.datetimes(timezones=st.just(datetime.now().astimezone().tzinfo)),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    """A TOML file setting real keys (and a few unknown ones) to values of any type,
    grouped in tables the way a user writes them."""
    known = st.sampled_from(SETTING_KEYS)
    unknown = st.lists(st.text(max_size=6), min_size=1, max_size=3).map(tuple)
    keys = draw(st.lists(st.one_of(known, known, known, unknown), max_size=6, unique=True))
    tables: dict[tuple[str, ...], dict[str, Any]] = {}
    for key in keys:
        tables.setdefault(key[:-1], {})[key[-1]] = draw(toml_values)
    return toml_text(tables)


def toml_text(tables: dict[tuple[str, ...], dict[str, Any]]) -> str:
    lines = [
        f"{_toml_key(key)} = {_toml_value(value)}" for key, value in tables.pop((), {}).items()
    ]
    for path, values in tables.items():
        lines.append("[" + ".".join(_toml_key(part) for part in path) + "]")
        lines.extend(f"{_toml_key(key)} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if value != value else repr(value)  # "inf", "-inf", "1e+300" are TOML
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are TOML's (\uXXXX for control characters)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_key(key)} = {_toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no TOML for {value!r}")


# -- article texts for `compare` -----------------------------------------------------------------

_SENTENCE = (
    "the minister said 12 people were killed on Monday in Paris police reported 3 "
    "injured not confirmed may will allegedly according to officials £4.5m 40% "
    "“quoted” — …"
)
_WORDS = _SENTENCE.split(" ")
words = st.one_of(st.sampled_from(_WORDS), st.text(min_size=1, max_size=12))


@st.composite
def article_texts(draw: st.DrawFn, max_words: int = 300) -> str:
    """Sentences of news-like and random words, in paragraphs."""
    drawn = draw(st.lists(words, max_size=max_words))
    text = ""
    for index, word in enumerate(drawn):
        text += word + draw(st.sampled_from([" ", " ", " ", ". ", ".\n\n", "\n", ", "]))
        if index % 50 == 49:
            text += "\n\n"
    return text


@st.composite
def hostile_files(draw: st.DrawFn) -> bytes:
    """What `compare` may be handed: text, HTML, a rewrite of either, and worse."""
    kind = draw(
        st.sampled_from(["text", "html", "nul", "bytes", "long line", "deep html", "control"])
    )
    text = draw(article_texts())
    if kind == "html":
        return f"<!doctype html><html><body><article><p>{text}</p></article></body></html>".encode()
    if kind == "nul":
        return text.replace(" ", draw(st.sampled_from(["\x00", " \x00 ", "\x00\x00"]))).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "long line":
        # One huge word, or a paragraph of thousands of characters without a break: kept
        # under 2,000 words, as the word diff's cost on large rewrites is bounded elsewhere.
        line = draw(st.sampled_from(["x" * 100_000, "é" * 50_000, "word " * 1500, "a," * 900]))
        return (text + line).encode()
    if kind == "deep html":
        depth = draw(st.integers(min_value=100, max_value=5000))
        tag = draw(st.sampled_from(["div", "p", "b", "table", "article"]))
        return f"<html><body>{f'<{tag}>' * depth}{text}{f'</{tag}>' * depth}</body></html>".encode()
    if kind == "control":
        controls = st.sampled_from(["\x01", "\x1b[31m", "\u202e", "\ufeff", "\r", "\x0c", "\ud7ff"])
        return text.replace(" ", draw(controls)).encode()
    return text.encode()
