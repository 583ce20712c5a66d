"""The extraction processes: real child processes fed over pipes by the event loop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
import types
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from storywatch.errors import ExtractionError, WorkerCrashedError
from storywatch.watcher.workers import ProcessPool, ThreadRunner
from tests.support import tasks

T = TypeVar("T")


def with_pool(body: Callable[[ProcessPool], Awaitable[T]], processes: int = 1) -> T:
    async def run() -> T:
        pool = ProcessPool(processes)
        try:
            return await body(pool)
        finally:
            await pool.aclose()

    return asyncio.run(run())


def test_calls_run_in_a_child_and_queue_there() -> None:
    async def body(pool: ProcessPool) -> tuple[list[int], set[int]]:
        squares = await asyncio.gather(*(pool.run(tasks.square, n) for n in range(50)))
        pids = {await pool.run(tasks.pid) for _ in range(5)}
        return squares, pids

    squares, pids = with_pool(body)
    assert squares == [n * n for n in range(50)]
    assert len(pids) == 1 and pids != {__import__("os").getpid()}


def test_calls_spread_over_the_children() -> None:
    async def body(pool: ProcessPool) -> set[int]:
        return set(await asyncio.gather(*(pool.run(tasks.pid) for _ in range(20))))

    assert len(with_pool(body, processes=2)) == 2


def test_an_exception_comes_back_as_itself() -> None:
    async def body(pool: ProcessPool) -> int:
        with pytest.raises(ExtractionError, match="no article text at x"):
            await pool.run(tasks.fail, "no article text at x")
        return await pool.run(tasks.square, 7)  # the child is still serving

    assert with_pool(body) == 49


def test_a_dead_child_fails_its_calls_and_is_replaced() -> None:
    async def body(pool: ProcessPool) -> int:
        first = await pool.run(tasks.pid)
        dying = asyncio.ensure_future(pool.run(tasks.die))
        await asyncio.sleep(0)
        behind = [asyncio.ensure_future(pool.run(tasks.square, n)) for n in range(3)]
        with pytest.raises(WorkerCrashedError, match="exited with status 3"):
            await dying
        # Two calls were written to the dying child behind the crash: lost with it. The
        # third waited for room and runs in the replacement.
        for call in behind[:2]:
            with pytest.raises(WorkerCrashedError):
                await call
        assert await behind[2] == 4
        with pytest.raises(WorkerCrashedError, match="killed by signal 9"):
            await pool.run(tasks.kill_myself)
        replacement = await pool.run(tasks.pid)
        assert replacement != first
        return await pool.run(tasks.square, 3)

    assert with_pool(body) == 9


def test_a_cancelled_call_does_not_disturb_the_next() -> None:
    async def body(pool: ProcessPool) -> list[str]:
        slow = asyncio.ensure_future(pool.run(tasks.sleep_then, 0.3, "slow"))
        await asyncio.sleep(0.05)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        return list(
            await asyncio.gather(*(pool.run(tasks.sleep_then, 0, f"{n}") for n in range(3)))
        )

    assert with_pool(body) == ["0", "1", "2"]


def test_printing_libraries_cannot_corrupt_the_pipe() -> None:
    async def body(pool: ProcessPool) -> list[str]:
        return [await pool.run(tasks.chatter, "clean"), await pool.run(tasks.chatter, "twice")]

    assert with_pool(body) == ["clean", "twice"]


def test_children_leave_sigint_and_sigterm_to_the_parent() -> None:
    # systemd's SIGTERM and Ctrl-C reach the whole process group: a child keeps working
    # on what it holds and stops when the parent closes its input.
    async def body(pool: ProcessPool) -> int:
        return await pool.run(tasks.survive_signals, 0.1)

    assert with_pool(body) > 0


def test_an_unpicklable_result_is_an_error_not_a_hang() -> None:
    async def body(pool: ProcessPool) -> int:
        with pytest.raises(RuntimeError, match="unpicklable"):
            await pool.run(tasks.unpicklable)
        return await pool.run(tasks.square, 4)

    assert with_pool(body) == 16


def test_an_exception_that_cannot_be_rebuilt_is_an_error_not_a_lost_child() -> None:
    async def body(pool: ProcessPool) -> int:
        first = await pool.run(tasks.pid)
        with pytest.raises(RuntimeError, match="unreadable result"):
            await pool.run(tasks.raise_unrebuildable)
        assert await pool.run(tasks.pid) == first
        return await pool.run(tasks.square, 6)

    assert with_pool(body) == 36


def test_a_function_the_child_cannot_import_is_an_error_not_a_crash() -> None:
    # A module that exists in this process only: pickled by name, not found there.
    module = types.ModuleType("storywatch_tests_here_only")
    exec("def here_only():\n    return 1\n", module.__dict__)
    sys.modules[module.__name__] = module

    async def body(pool: ProcessPool) -> int:
        first = await pool.run(tasks.pid)
        with pytest.raises(ModuleNotFoundError, match="storywatch_tests_here_only"):
            await pool.run(module.here_only)
        assert await pool.run(tasks.pid) == first  # the same child, still serving
        return await pool.run(tasks.square, 4)

    try:
        assert with_pool(body) == 16
    finally:
        del sys.modules[module.__name__]


def test_close_finishes_queued_calls_then_refuses_new_ones() -> None:
    async def body() -> list[str]:
        pool = ProcessPool(1)
        calls = [asyncio.ensure_future(pool.run(tasks.sleep_then, 0.05, f"{n}")) for n in range(4)]
        await asyncio.sleep(0.01)  # three are written to the child, one waits for room
        await pool.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await calls[3]
        with pytest.raises(RuntimeError, match="closed"):
            await pool.run(tasks.square, 2)
        return list(await asyncio.gather(*calls[:3]))

    assert asyncio.run(body()) == ["0", "1", "2"]


def test_thread_runner_runs_the_same_calls() -> None:
    async def body() -> int:
        runner = ThreadRunner()
        try:
            return await runner.run(tasks.square, 12)
        finally:
            await runner.aclose()

    assert asyncio.run(body()) == 144


def test_start_warms_every_child_up_before_its_first_call() -> None:
    async def body() -> list[list[str]]:
        pool = ProcessPool(2, warm_up=tasks.warm)
        try:
            await pool.start()
            return list(await asyncio.gather(*(pool.run(tasks.warmed) for _ in range(6))))
        finally:
            await pool.aclose()

    assert asyncio.run(body()) == [["warm"]] * 6


def test_closing_does_not_wait_for_a_warm_up_nobody_needs() -> None:
    async def body() -> float:
        pool = ProcessPool(1, warm_up=tasks.slow_warm)
        await pool.start()
        started = time.monotonic()
        await pool.aclose()
        return time.monotonic() - started

    assert asyncio.run(body()) < 5


def test_a_call_over_the_timeout_kills_its_child_which_is_replaced() -> None:
    async def body() -> int:
        pool = ProcessPool(1, timeout=0.3)
        try:
            stuck = await pool.run(tasks.pid)
            with pytest.raises(WorkerCrashedError, match=r"took over 0.3s on sleep_then"):
                await pool.run(tasks.sleep_then, 2, "never")
            assert await pool.run(tasks.pid) != stuck
            return await pool.run(tasks.square, 5)
        finally:
            await pool.aclose()

    started = time.monotonic()
    assert asyncio.run(body()) == 25
    assert time.monotonic() - started < 10


def test_children_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    # The parent prints its child's pid, then is SIGKILLed mid-call: the child, its
    # input closed, finishes that call and exits instead of living on as an orphan.
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, sys
            from storywatch.watcher.workers import ProcessPool
            from tests.support import tasks

            async def main():
                pool = ProcessPool(1)
                print(await pool.run(tasks.pid), flush=True)
                await pool.run(tasks.sleep_then, 2, "never")

            asyncio.run(main())
            """
        )
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert parent.stdout is not None
    with parent.stdout:
        child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while _alive(child):
        assert time.monotonic() < deadline, "the extraction process outlived its parent"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; init reaps it
