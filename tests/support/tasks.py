"""Functions the process-pool tests run in child processes (importable there)."""

from __future__ import annotations

import os
import signal
import sys
import time

from storywatch.errors import ExtractionError


def square(number: int) -> int:
    return number * number


def fail(message: str) -> None:
    raise ExtractionError(message)


def die() -> None:
    os._exit(3)


def kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def chatter(value: str) -> str:
    """A library that prints: to sys.stdout, and to file descriptor 1 directly."""
    print("noise from a library")
    sys.stdout.flush()
    os.write(1, b"\x00\x00\x00\x00\x00\x00\x00\x05noise")
    return value


def survive_signals(seconds: float) -> int:
    """Signal the own process group's Ctrl-C and SIGTERM, then keep working."""
    os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(seconds)
    return os.getpid()


def unpicklable() -> object:
    return lambda: None


def pid() -> int:
    return os.getpid()


_warmed: list[str] = []


def warm() -> None:
    _warmed.append("warm")


def warmed() -> list[str]:
    return _warmed


def slow_warm() -> None:
    time.sleep(30)


class Unrebuildable(Exception):
    """Pickles, but cannot be unpickled: its __init__ wants two arguments, args holds one."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def raise_unrebuildable() -> None:
    raise Unrebuildable("a", "b")
