"""Where the CPU-heavy steps of a check (extraction, the diffs) run.

:class:`ProcessPool` runs them in child processes fed by the event loop itself.
concurrent.futures' ProcessPoolExecutor hands every call to two threads of its own (a
queue feeder and a result manager); in a worker process whose event loop holds the GIL
most of the time, waking them for each page cost a sixth of the process's CPU, in the
threads and in GIL hand-offs. Here the loop writes each call into a child's stdin and
reads the result from its stdout through asyncio's pipe transports. A few calls queue
per child (QUEUED_PER_CHILD), so a child never waits on the loop between two pages, and
pages waiting for a child stay with their callers instead of piling up in a pipe.

A child that dies (a crash in a C extension, the OOM killer) fails only the calls it
held, with :class:`WorkerCrashedError`; the next call starts a new child. So does one
that takes longer than the pool's ``timeout`` over a call (a pathological page): it is
killed, rather than left to stall every page queued behind it for good.

:class:`ThreadRunner` runs the same calls in the event loop's thread pool
(``fetch.extract_processes = 0``, and one-off checks from the CLI).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import IO, Any, Protocol, TypeVar, TypeVarTuple

from storywatch.errors import WorkerCrashedError

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_HEADER = struct.Struct("!QQ")  # a call's id, the length of the pickle that follows
STOP_TIMEOUT = 10.0  # seconds a child may take to finish its queued calls at close
QUEUED_PER_CHILD = 3  # calls written to a child ahead of its answers
# The child's command line: the parent's sys.path (as multiprocessing's spawn passes it),
# so the child imports what the parent would, whatever its working directory.
_BOOTSTRAP = (
    "import sys; sys.path[:] = sys.argv[1:]; from storywatch.watcher.workers import serve; serve()"
)


class Runner(Protocol):
    """Runs a picklable function with its arguments somewhere other than the event loop."""

    async def start(self) -> None:
        """Get ready ahead of the first call (optional: ``run`` starts what it needs)."""

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T: ...

    async def aclose(self) -> None: ...


class ThreadRunner:
    """A :class:`Runner` using the event loop's default thread pool."""

    async def start(self) -> None:
        pass

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        return await asyncio.to_thread(func, *args)

    async def aclose(self) -> None:
        pass


class ProcessPool:
    """A :class:`Runner` with ``processes`` child processes, started on first use; for
    the tasks of one event loop."""

    def __init__(
        self,
        processes: int,
        *,
        warm_up: Callable[[], object] | None = None,
        timeout: float | None = None,
    ) -> None:
        """``warm_up`` runs first in every child started (its imports, its caches), so
        that it is done before the first real call arrives. A call not answered within
        ``timeout`` seconds of being queued kills its child."""
        if processes < 1:
            raise ValueError("a process pool needs at least one process")
        self._children: list[_Child | None] = [None] * processes
        self._warm_up = warm_up
        self._timeout = timeout
        self._starting = asyncio.Lock()
        self._queued = asyncio.Semaphore(processes * QUEUED_PER_CHILD)
        self._call_ids = itertools.count()
        self._closed = False

    async def start(self) -> None:
        """Start every child now (the first call would otherwise), warming it up."""
        await self._start_missing()

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        async with self._queued:
            if self._closed:
                raise RuntimeError("the process pool is closed")
            child = await self._least_busy()
            result: T = await child.call(next(self._call_ids), func, args)
        return result

    async def _least_busy(self) -> _Child:
        children = await self._start_missing()
        return min(children, key=lambda child: len(child.pending))

    async def _start_missing(self) -> list[_Child]:
        """Every slot's child, those not yet started or dead (re)started and warmed up."""
        async with self._starting:
            for slot, child in enumerate(self._children):
                if child is None or not child.alive:
                    child = self._children[slot] = await _Child.start(self._timeout)
                    if self._warm_up is not None:
                        child.send(next(self._call_ids), self._warm_up, ())
            return [child for child in self._children if child is not None]

    async def aclose(self) -> None:
        """Let every child finish the calls written to it and exit (killed after
        STOP_TIMEOUT); calls still waiting for a child fail."""
        self._closed = True
        await asyncio.gather(*(child.stop() for child in self._children if child is not None))


class _Child:
    def __init__(self, process: asyncio.subprocess.Process, timeout: float | None) -> None:
        self.process = process
        self.timeout = timeout
        self._killed = False
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.create_task(self._read_results())

    @classmethod
    async def start(cls, timeout: float | None) -> _Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _BOOTSTRAP,
            *sys.path,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process, timeout)

    @property
    def alive(self) -> bool:
        return not self._reader.done() and not self._killed

    async def call(self, call_id: int, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[call_id] = future
        try:
            if not self.alive:  # died while the pool was starting another child
                raise self._crashed()
            # Not followed by drain(): that would hold this call until the pipe's buffer
            # emptied, its answer long arrived. The pool's semaphore bounds the buffer.
            self.send(call_id, func, args)
            async with asyncio.timeout(self.timeout):
                return await future
        except TimeoutError:
            self._killed = True  # stuck: its queued calls fail with it, and it is replaced
            self.process.kill()
            raise WorkerCrashedError(
                f"the extraction process {self.process.pid} took over {self.timeout:g}s"
                f" on {getattr(func, '__qualname__', func)} and was killed"
            ) from None
        finally:
            self.pending.pop(call_id, None)

    def send(self, call_id: int, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Queue a call for the child; its result goes to ``pending[call_id]``, if any.
        Should the child be dead, the reader fails every pending call."""
        stdin = self.process.stdin
        assert stdin is not None
        message = pickle.dumps((func, args), pickle.HIGHEST_PROTOCOL)
        stdin.write(_HEADER.pack(call_id, len(message)) + message)

    async def _read_results(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                call_id, size = _HEADER.unpack(await stdout.readexactly(_HEADER.size))
                answer = await stdout.readexactly(size)
                future = self.pending.get(call_id)
                if future is None or future.done():  # its caller gave up (cancelled)
                    continue
                try:
                    ok, value = pickle.loads(answer)
                except Exception as exc:  # e.g. an exception class that cannot be rebuilt
                    ok, value = False, RuntimeError(f"unreadable result: {exc}")
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except asyncio.IncompleteReadError:
            # The child exited: its calls still pending fail below, with its exit status.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        finally:
            error = self._crashed()
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(error)
            if self.process.stdin is not None:
                self.process.stdin.close()

    def _crashed(self) -> WorkerCrashedError:
        code = self.process.returncode
        how = (
            "is gone"
            if code is None
            else f"was killed by signal {-code}"
            if code < 0
            else f"exited with status {code}"
        )
        return WorkerCrashedError(f"the extraction process {self.process.pid} {how}")

    async def stop(self) -> None:
        if self.process.returncode is None and self.process.stdin is not None:
            self.process.stdin.close()  # end of input: the child finishes its queue, exits
            if not self.pending:
                self.process.kill()  # nothing of ours in it: not worth waiting for
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._reader


def serve() -> None:
    """A child's loop: read a call, run it, write back its result, until stdin closes."""
    # Ctrl-C and a service manager's SIGTERM reach the whole process group; the parent
    # decides when its children stop (it closes their stdin), so no call ends half done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    calls = os.fdopen(os.dup(0), "rb")
    results = os.fdopen(os.dup(1), "wb")
    # The protocol has the pipes to itself: whatever a library prints goes nowhere.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    while (call := _read_call(calls)) is not None:
        call_id, message = call
        try:
            func, args = pickle.loads(message)
            outcome = (True, func(*args))
        except Exception as exc:  # the function's, or unpickling it (not importable here)
            outcome = (False, exc)
        try:
            answer = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            answer = pickle.dumps((False, RuntimeError(f"unpicklable result: {exc}")))
        try:
            results.write(_HEADER.pack(call_id, len(answer)) + answer)
            results.flush()
        except BrokenPipeError:  # the parent is gone (killed): nobody to answer
            return


def _read_call(stream: IO[bytes]) -> tuple[int, bytes] | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    call_id, size = _HEADER.unpack(header)
    message = stream.read(size)
    return (call_id, message) if len(message) == size else None
