"""A real headless browser for the HTML report: Debian's ``chromium``, installed on demand
when the tests run as root, plus a tiny PNG decoder (zlib only, no Pillow) to tell a
rendered page from a blank one."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

INSTALL_TIMEOUT = 600
PHONE = (412, 915)  # CSS pixels of a common Android phone


def find_chromium() -> tuple[str | None, str]:
    """(path, reason): the browser, or None and why it is unavailable."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found, ""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "chromium is not installed and cannot be installed (not root / no apt-get)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            subprocess.run(
                command, env=env, capture_output=True, timeout=INSTALL_TIMEOUT, check=True
            )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"chromium is not installed and installing it failed: {exc}"
    found = shutil.which("chromium")
    return (found, "") if found else (None, "apt-get installed no chromium binary")


def _flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def screenshot(browser: str, page: Path, png: Path, profile: Path) -> None:
    width, height = PHONE
    subprocess.run(
        [
            browser,
            *_flags(profile),
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def dump_dom(browser: str, page: Path, profile: Path) -> str:
    """The DOM after parsing, serialised: what the browser made of the file."""
    done = subprocess.run(
        [browser, *_flags(profile), "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@dataclass(frozen=True)
class PngSummary:
    width: int
    height: int
    colours: int
    # Share of pixels that differ from the most common colour (the background).
    ink: float


def summarise_png(path: Path) -> PngSummary:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    header: tuple[int, ...] = ()
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    pixels = _unfilter(zlib.decompress(idat), width * channels, height, channels)
    counts = Counter(bytes(pixels[i : i + channels]) for i in range(0, len(pixels), channels))
    background = counts.most_common(1)[0][1]
    return PngSummary(width, height, len(counts), 1 - background / (width * height))


def _unfilter(raw: bytes, stride: int, rows: int, bpp: int) -> bytearray:
    out = bytearray(stride * rows)
    previous = bytearray(stride)
    for row in range(rows):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        out[row * stride : (row + 1) * stride] = line
        previous = line
    return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c
