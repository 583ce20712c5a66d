"""One full check cycle of 1,000 stories, storywatch against urlwatch, on the same pages.

A raw-asyncio HTTP/1.1 server in its own process serves N article pages built from
seeds/us-russia-deal-v1.html (each page a little different, with the navigation, related
links, inline scripts and footer a real news page carries). Three cycles, both tools on
the same server state:

1. first run: every page new;
2. unchanged run: nothing changed;
3. 10% changed: one page in ten has one fact changed.

storywatch runs as ``storywatch run --once`` (a real process: its wall time is measured
with wait4, its peak RSS as that of its process tree, extraction processes included),
urlwatch as ``urlwatch`` with an ``html2text`` filter on every job, installed into its
own venv (bench/.urlwatch-venv). The three cycles run
BENCH_REPEATS times (3) from scratch, alternating the tools, and the medians are printed.
Both fetch 10 pages at a time (urlwatch's fixed thread pool; storywatch's
fetch.max_concurrency) and neither is slowed by politeness (per_host_delay 0: every page
is on one host here).

Then: CPU used by an idle ``storywatch run`` tracking 10,000 stories with nothing due,
over 30 s, and how a first-run cycle grows from 1,000 to 10,000 stories (``--quick``
skips the 10,000 cycles; BENCH_IDLE_SECONDS shortens the idle measurement). ``--etag``
makes the server send ETags and answer 304s.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import update

from storywatch.storage import Store, Story, utcnow

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "us-russia-deal-v1.html"
URLWATCH_VENV = Path(__file__).resolve().parent / ".urlwatch-venv"
PAGES = 1000
BIG = 10_000
CONCURRENCY = 10  # urlwatch's worker.MAX_WORKERS
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
CHANGED_EVERY = 10  # edition 2 changes one fact on one page in ten
CYCLES = (("first run", 1), ("unchanged", 1), ("10% changed", 2))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
RSS_SAMPLE = 0.1  # seconds between samples of a process tree's RSS
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
FACT = "doubled tariffs on Indian products to 50%"
CHANGED_FACT = "doubled tariffs on Indian products to 75%"


# -- the pages ---------------------------------------------------------------------------


def _boilerplate() -> tuple[str, str]:
    """What surrounds an article on a real news page: a tag-manager script, a big menu,
    related and most-read lists, a footer full of links (about 40 KB in all)."""
    script = (
        "<script>window.__CONFIG__="
        + "{"
        + ",".join(f'"flag{n}":{{"enabled":true,"variant":"v{n % 7}"}}' for n in range(400))
        + "};</script>"
    )
    menu = (
        "<nav class='mega-menu'><ul>"
        + "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(120))
        + "</ul></nav>"
    )
    related = (
        "<aside class='related'><h2>Related coverage</h2><ul>"
        + "".join(
            f"<li><a href='/world/2025/08/{n}'>Analysis: what talks mean for region {n}</a></li>"
            for n in range(40)
        )
        + "</ul></aside>"
    )
    footer = (
        "<footer><ul>"
        + "".join(f"<li><a href='/about/{n}'>Company page {n}</a></li>" for n in range(150))
        + "</ul><p>All rights reserved.</p></footer>"
    )
    return script + menu, related + footer


def page_template() -> str:
    html = SEED.read_text(encoding="utf-8")
    assert FACT in html, "the seed page no longer carries the benchmark's fact"
    head, tail = _boilerplate()
    html = html.replace("<body>", "<body>" + head, 1).replace("</body>", tail + "</body>", 1)
    # Markers for what differs per page.
    html = html.replace(
        "occupation of Ukrainian land</h1>", "occupation of Ukrainian land {n}</h1>"
    )
    return html.replace("</article>", "<p>Reporting by desk {n}, edited by desk {m}.</p></article>")


def page(template: str, index: int, edition: int) -> bytes:
    html = template.replace("{n}", str(index)).replace("{m}", str(index * 7 % 97))
    if edition > 1 and index % CHANGED_EVERY == 0:
        html = html.replace(FACT, CHANGED_FACT)
    return html.encode("utf-8")


# -- the server (its own process, so it never competes with the measured ones for the GIL)


async def _serve(port_out: multiprocessing.connection.Connection, etags: bool) -> None:
    template = page_template()
    state = {"edition": 1}

    def respond(path: str, headers: dict[str, str]) -> tuple[str, bytes, dict[str, str]]:
        if path.startswith("/__edition/"):
            state["edition"] = int(path.rsplit("/", 1)[1])
            return "200 OK", b"ok", {}
        if not path.startswith("/story/"):
            return "404 Not Found", b"not found", {}
        index = int(path.rsplit("/", 1)[1])
        changed = state["edition"] > 1 and index % CHANGED_EVERY == 0
        tag = f'"{index}-{2 if changed else 1}"'
        if etags and headers.get("if-none-match") == tag:
            return "304 Not Modified", b"", {"ETag": tag}
        extra = {"ETag": tag} if etags else {}
        return "200 OK", page(template, index, state["edition"]), extra

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request, *lines = head.split("\r\n")
                path = request.split(" ")[1]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                status, body, extra = respond(path, headers)
                out = [f"HTTP/1.1 {status}", "Content-Type: text/html; charset=utf-8"]
                out += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in extra.items())]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port_out.send(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _server_main(port_out: multiprocessing.connection.Connection, etags: bool) -> None:
    asyncio.run(_serve(port_out, etags))


class PageServer:
    def __init__(self, etags: bool) -> None:
        receive, send = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.Process(target=_server_main, args=(send, etags))
        self.process.start()
        self.base = f"http://127.0.0.1:{receive.recv()}"

    def url(self, index: int) -> str:
        return f"{self.base}/story/{index}"

    def edition(self, number: int) -> None:
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/__edition/{number}") as answer:
            answer.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


# -- measuring a child process -----------------------------------------------------------


class Sample(NamedTuple):  # not a dataclass: bench/run.py loads us outside sys.modules
    seconds: float
    peak_mb: float


def measure(command: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """Wall time and peak RSS of one run of ``command``.

    The RSS is that of the whole process tree (storywatch's extraction processes count),
    sampled every RSS_SAMPLE seconds, or the process's own peak if higher (a sample can
    miss a short spike)."""
    peak = 0
    done = threading.Event()

    def sample(pid: int) -> None:
        nonlocal peak
        while not done.wait(RSS_SAMPLE):
            peak = max(peak, tree_rss(pid))

    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"{command[:4]} failed: {log.read().decode()[-2000:]}")
    return Sample(elapsed, max(peak, usage.ru_maxrss * 1024) / 2**20)


def tree_rss(root: int) -> int:
    """Resident bytes of process ``root`` and of every process descending from it."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        pid = int(entry.name)
        parents[pid], resident[pid] = int(fields[1]), int(fields[21]) * PAGE_SIZE
    tree, grown = {root}, True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grown = bool(found)
    return sum(resident.get(pid, 0) for pid in tree)


# -- storywatch ----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    env.update(
        {
            "STORYWATCH_FETCH__PER_HOST_DELAY": "0",
            "STORYWATCH_FETCH__PER_HOST_CONCURRENCY": str(CONCURRENCY),
            "STORYWATCH_FETCH__MAX_CONCURRENCY": str(CONCURRENCY),
            "STORYWATCH_SCHEDULE__BATCH_SIZE": "100",
            "NO_COLOR": "1",
        }
    )
    return env


def _command(db_url: str) -> list[str]:
    return [sys.executable, "-m", "storywatch", "--db", db_url, "--allow-private", "run"]


def track(db_url: str, urls: list[str], *, due: bool = True) -> None:
    store = Store.open(db_url)
    when = utcnow() + (timedelta() if due else timedelta(days=30))
    with store._session() as session:
        session.add_all([Story(url=url, next_check_at=when) for url in urls])
    store.close()


def make_due(db_url: str) -> None:
    """As if the stories' intervals had passed."""
    store = Store.open(db_url)
    with store._session() as session:
        session.exec(update(Story).values(next_check_at=utcnow()))
    store.close()


def storywatch_cycle(db_url: str, work: Path) -> Sample:
    return measure([*_command(db_url), "--once", "--log-level", "warning"], _env(), work)


def idle_cpu(db_url: str, work: Path, seconds: float) -> float:
    """CPU share of a `storywatch run` process over ``seconds`` with nothing due."""
    proc = subprocess.Popen(
        [*_command(db_url), "--log-level", "warning"],
        env=_env(),
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)  # imports, the schema check, the first ticks
        before, started = _cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        used = _cpu_seconds(proc.pid) - before
        return used / (time.monotonic() - started) * 100
    finally:
        proc.terminate()
        proc.wait(30)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- urlwatch ------------------------------------------------------------------------------


def urlwatch_bin() -> Path | None:
    binary = URLWATCH_VENV / "bin" / "urlwatch"
    if binary.exists():
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", str(URLWATCH_VENV)], check=True)
        subprocess.run(
            [str(URLWATCH_VENV / "bin" / "pip"), "install", "--quiet", "urlwatch"],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        print(f"urlwatch comparison skipped: install failed: {(exc.stderr or exc)!s:.500}")
        return None
    return binary if binary.exists() else None


def urlwatch_setup(work: Path, urls: list[str]) -> list[str]:
    work.mkdir(exist_ok=True)
    jobs = "\n---\n".join(
        f"name: story {n}\nurl: {url}\nfilter:\n  - html2text" for n, url in enumerate(urls)
    )
    (work / "urls.yaml").write_text(jobs + "\n")
    (work / "hooks.py").write_text("")
    return [
        "--urls", str(work / "urls.yaml"),
        "--config", str(work / "urlwatch.yaml"),
        "--hooks", str(work / "hooks.py"),
        "--cache", str(work / "cache.db"),
    ]  # fmt: skip


def urlwatch_cycle(binary: Path, args: list[str], work: Path) -> Sample:
    env = {**os.environ, "HOME": str(work)}  # keep urlwatch away from the real ~/.config
    return measure([str(binary), *args], env, work)


# -- the report ----------------------------------------------------------------------------


def _row(name: str, mine: Sample, theirs: Sample | None) -> str:
    row = f"{name:<12} {mine.seconds:>9.2f}s {mine.peak_mb:>7.0f}MB"
    if theirs is None:
        return row
    return (
        f"{row} {theirs.seconds:>9.2f}s {theirs.peak_mb:>7.0f}MB"
        f" {mine.seconds / theirs.seconds:>7.2f} {mine.peak_mb / theirs.peak_mb:>7.2f}"
    )


def compare(server: PageServer, work: Path, count: int) -> None:
    """The three cycles, both tools, REPEATS times from scratch; medians printed.

    This machine's timings wander by 20% from one run to the next, more than the
    differences measured, so one run of each would decide the ratio by luck."""
    urls = [server.url(n) for n in range(count)]
    binary = urlwatch_bin()
    print(f"{count} stories, {CONCURRENCY} concurrent fetches; median of {REPEATS} runs per cycle")
    print(f"{'cycle':<12} {'storywatch':>10} {'RSS':>9} {'urlwatch':>10} {'RSS':>9} "
          f"{'time x':>7} {'RSS x':>7}")  # fmt: skip
    mine: dict[str, list[Sample]] = {name: [] for name, _ in CYCLES}
    theirs: dict[str, list[Sample]] = {name: [] for name, _ in CYCLES}
    for repeat in range(REPEATS):
        db_url = f"sqlite:///{work / f'storywatch-{repeat}.db'}"
        track(db_url, urls)
        uw_args = urlwatch_setup(work / f"urlwatch-{repeat}", urls) if binary else []
        for name, edition in CYCLES:
            server.edition(edition)
            make_due(db_url)
            mine[name].append(storywatch_cycle(db_url, work))
            if binary:
                theirs[name].append(urlwatch_cycle(binary, uw_args, work / f"urlwatch-{repeat}"))
    for name, _ in CYCLES:
        print(_row(name, _median(mine[name]), _median(theirs[name]) if binary else None))


def _median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.peak_mb for s in samples),
    )


def growth(server: PageServer, work: Path) -> None:
    db_url = f"sqlite:///{work / 'big.db'}"
    server.edition(1)
    track(db_url, [server.url(n) for n in range(BIG)])
    for name in ("first run", "unchanged"):
        make_due(db_url)
        sample = storywatch_cycle(db_url, work)
        print(
            f"{name}, {BIG} stories: {sample.seconds:.1f}s "
            f"({sample.seconds / BIG * 1000:.1f} ms/story), peak RSS {sample.peak_mb:.0f}MB",
            flush=True,
        )


def idle(server: PageServer, work: Path) -> None:
    db_url = f"sqlite:///{work / 'idle.db'}"
    track(db_url, [server.url(n) for n in range(BIG)], due=False)
    share = idle_cpu(db_url, work, IDLE_SECONDS)
    print(f"idle `storywatch run`, {BIG} stories, nothing due: {share:.2f}% CPU over "
          f"{IDLE_SECONDS:.0f}s", flush=True)  # fmt: skip


def main() -> None:
    quick = "--quick" in sys.argv
    etags = "--etag" in sys.argv
    server = PageServer(etags)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            print(f"pages: {len(page(page_template(), 1, 1)) // 1024} KB each, ETags: {etags}")
            compare(server, work, PAGES)
            idle(server, work)
            if quick:
                print(f"(--quick: the {BIG}-story cycles skipped)")
            else:
                growth(server, work)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
