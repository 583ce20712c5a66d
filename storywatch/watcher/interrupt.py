"""Stopping `check` and `run` within a bound: what both do when interrupted.

An interrupted command stops starting checks, gives the database writes under way a
grace to land, and abandons the rest with their threads. That is safe because each
check's outcome (version, check row, alert rows) is one transaction, which commits whole
or not at all, and its alerts go out later from the durable outbox, once."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TypeVar

T = TypeVar("T")

# Seconds an interrupted command leaves the database writes already under way: `check`'s
# checks being stored, `run`'s release of its leases once its --grace is over.
INTERRUPT_GRACE = 2.0


def run_abandoning_threads(main: Coroutine[object, object, T]) -> T:
    """asyncio.run, except at the end: nothing waits for the threads of the loop's
    default executor. After an interrupt one may still be extracting a page, resolving a
    host name or waiting on the database (SQLite's busy timeout behind another process's
    lock, a PostgreSQL row lock) for a check that was abandoned; the process ends
    without it (cli._exit), as asyncio.run would not let it."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            leftover = asyncio.all_tasks(loop)  # a group commit's drain, say
            for task in leftover:
                task.cancel()
            if leftover:
                loop.run_until_complete(asyncio.wait(leftover, timeout=INTERRUPT_GRACE))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()  # shuts the default executor down without joining its threads
