"""Compact version text: each version is a zlib-compressed delta of lines against the
previous version, with a full copy every ``KEYFRAME_EVERY`` versions so that reading any
version decodes a bounded chain.

Encoded forms (first byte is the tag):
    b"Z" + zlib(text)                       a full copy (keyframe)
    b"D" + zlib(json(ops))                  ops: [start, end] copies base lines, a str inserts
"""

from __future__ import annotations

import json
import zlib
from difflib import SequenceMatcher

KEYFRAME_EVERY = 20
_FULL = b"Z"
_DELTA = b"D"


def encode_full(text: str) -> bytes:
    return _FULL + zlib.compress(text.encode("utf-8"), 9)


def encode_delta(text: str, base: str) -> bytes:
    base_lines = base.split("\n")
    new_lines = text.split("\n")
    ops: list[list[int] | str] = []
    matcher = SequenceMatcher(None, base_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append([i1, i2])
        elif j2 > j1:
            ops.extend(new_lines[j1:j2])
    payload = json.dumps(ops, ensure_ascii=False, separators=(",", ":"))
    return _DELTA + zlib.compress(payload.encode("utf-8"), 9)


def encode(text: str, base: str | None) -> tuple[bytes, bool]:
    """Return (blob, is_delta): the smaller of a delta against ``base`` and a full copy."""
    full = encode_full(text)
    if base is None:
        return full, False
    delta = encode_delta(text, base)
    return (delta, True) if len(delta) < len(full) else (full, False)


def is_delta(blob: bytes) -> bool:
    return blob[:1] == _DELTA


def decode(blob: bytes, base: str | None = None) -> str:
    tag, body = blob[:1], zlib.decompress(blob[1:]).decode("utf-8")
    if tag == _FULL:
        return body
    if tag != _DELTA or base is None:
        raise ValueError("corrupt version text: delta without its base")
    base_lines = base.split("\n")
    lines: list[str] = []
    for op in json.loads(body):
        if isinstance(op, str):
            lines.append(op)
        else:
            lines.extend(base_lines[op[0] : op[1]])
    return "\n".join(lines)
