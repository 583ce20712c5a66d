"""One check of one story: fetch -> extract -> snapshot -> diff -> alerts, as urlwatch's
job pipeline does. A failure is recorded on the story and reported, never raised, so one
bad story cannot end a cycle; that holds for exceptions nobody foresaw too (see
:meth:`Checker.check`)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from storywatch.config import Settings
from storywatch.diff.analysis import Analysis, analyse, same_article
from storywatch.diff.model import SemanticDiff
from storywatch.diff.text import TextDiff
from storywatch.errors import (
    DatabaseUnavailableError,
    ExtractionError,
    FetchError,
    HTTPStatusError,
    StorywatchError,
    WorkerCrashedError,
)
from storywatch.notifiers.planning import AlertContext, plan_alerts, plan_lifecycle_alerts
from storywatch.storage import (
    AlertDraft,
    CheckOutcome,
    CheckRecord,
    DiffData,
    NewVersion,
    Store,
    Story,
    StoryStatus,
    Version,
    utcnow,
)
from storywatch.storage.outbox import last_alert_at
from storywatch.storage.schema import split_tags
from storywatch.watcher.extract import Article, extract_page
from storywatch.watcher.fetch import Fetcher, FetchResult
from storywatch.watcher.normalise import content_hash, same_headline
from storywatch.watcher.politeness import robots_policy
from storywatch.watcher.schedule import next_schedule
from storywatch.watcher.urls import one_line, validate_url
from storywatch.watcher.workers import Runner, ThreadRunner

log = logging.getLogger(__name__)
# A story that had versions and now answers one of these was taken down.
_GONE = frozenset({404, 410})
T = TypeVar("T")
GROUP_WINDOW = 0.03  # seconds a group commit waits for company


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a check did, for the CLI and the logs."""

    story_id: int
    url: str
    outcome: str
    version: int | None = None
    error: str | None = None
    duration_ms: int = 0
    diff: SemanticDiff | None = None
    text_diff: TextDiff | None = None
    alerts: int = 0
    title: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "story": self.story_id,
            "url": self.url,
            "outcome": self.outcome,
            "version": self.version,
            "error": self.error,
            "duration_ms": self.duration_ms,
            "material": self.diff.material if self.diff else None,
            "significance": self.diff.significance if self.diff else None,
            "shifts": [s.to_dict() for s in self.diff.shifts] if self.diff else [],
            "alerts": self.alerts,
        }


class GroupCommit(Generic[T]):
    """Checks committed in groups: a group takes whatever queued during GROUP_WINDOW and
    while the previous transaction ran, and each caller waits for its own result.

    ``commit`` writes a group in one transaction and returns each check's result or
    error (``Store.record_checks``, ``Store.record_versions``). The window is what makes
    groups of checks that finish a few milliseconds apart (one per extraction, on a
    first run): a transaction per check cost the worker process a fifth of its CPU, for
    a check's result 30 ms sooner. A story removed meanwhile fails its own check, not
    the group's.
    """

    def __init__(
        self,
        commit: Callable[[Sequence[tuple[int, CheckRecord]]], Sequence[T | StorywatchError]],
        executor: Executor | None,
    ) -> None:
        self._commit = commit
        self._executor = executor
        self._queue: list[tuple[int, CheckRecord, asyncio.Future[T]]] = []
        self._drain: asyncio.Task[None] | None = None

    async def write(self, story_id: int, record: CheckRecord) -> T:
        loop = asyncio.get_running_loop()
        written: asyncio.Future[T] = loop.create_future()
        self._queue.append((story_id, record, written))
        if self._drain is None or self._drain.done():
            self._drain = loop.create_task(self._commit_queued())
        return await written

    async def _commit_queued(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            await asyncio.sleep(GROUP_WINDOW)
            group, self._queue = self._queue, []
            items = [(story_id, record) for story_id, record, _ in group]
            results: Sequence[T | BaseException]
            try:
                results = await loop.run_in_executor(self._executor, self._commit, items)
            except Exception as exc:  # the database is down: every waiter hears it
                results = [exc] * len(group)
            for (_, _, written), result in zip(group, results, strict=True):
                if written.done():  # its check was cancelled (shutdown grace over)
                    continue
                if isinstance(result, BaseException):
                    written.set_exception(result)
                else:
                    written.set_result(result)


@dataclass
class Checker:
    """Checks stories against one store with one fetcher; safe to share across tasks."""

    store: Store
    fetcher: Fetcher
    settings: Settings
    worker: str | None = None
    clock: Callable[[], datetime] = field(default=utcnow)
    # Extraction and the diffs are the CPU-heavy steps; processes spread them over every
    # core, where threads would all queue on the GIL.
    extractor: Runner = field(default_factory=ThreadRunner)
    # SQLite takes one writer at a time, and a writer that finds the database locked
    # sleeps and polls (its busy handler) while holding a thread. One writer thread lets
    # the writes queue here instead. PostgreSQL writers run in the default thread pool.
    _writer: Executor | None = field(default=None, init=False, repr=False)
    _plain_writes: GroupCommit[None] = field(init=False, repr=False)
    _version_writes: GroupCommit[int] = field(init=False, repr=False)
    # The stories whose checks are handing their outcome to the database: an
    # interrupted `check` gives these a grace to land and cancels the rest at once;
    # `run` names them when its grace is over and they are abandoned.
    storing: set[int] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.store.dialect == "sqlite":
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="storywatch-writer")
        self._plain_writes = GroupCommit(self.store.record_checks, self._writer)
        self._version_writes = GroupCommit(self.store.record_versions, self._writer)

    def close(self, *, abandon: bool = False) -> None:
        """Stop the writer thread once its writes are done; with ``abandon``, drop the
        queued writes and leave the one under way (a write waiting out the database's
        busy timeout) to its thread: its transaction commits whole or not at all."""
        if self._writer is not None:
            self._writer.shutdown(wait=not abandon, cancel_futures=abandon)

    @contextlib.contextmanager
    def _storing(self, story_id: int) -> Iterator[None]:
        self.storing.add(story_id)
        try:
            yield
        finally:
            self.storing.discard(story_id)

    async def _write(self, func: Callable[..., T], *args: object) -> T:
        """Run ``func(*args)`` (database work) on the writer thread, off the event loop."""
        call = functools.partial(contextvars.copy_context().run, func, *args)
        return await asyncio.get_running_loop().run_in_executor(self._writer, call)

    async def check(self, story: Story) -> CheckReport:
        """Check ``story`` and record the outcome on it; return the report.

        Raises only when the database is unavailable (or the outcome cannot be stored).
        Any other exception, a bug met on some hostile page included, is the story's
        failed check: recorded with its type and message, so the story backs off and ends
        up ``failing`` like any broken page, instead of being retried every lease period
        with nothing to show why."""
        started = time.perf_counter()
        try:
            # The story's own robots.txt choice (add --ignore-robots) travels with its
            # fetch: every caller gets the same policy.
            with robots_policy(story.respect_robots):
                return await self._check(story, started)
        except DatabaseUnavailableError:
            raise  # not the story's fault: it stays as it was and is checked again
        except Exception as exc:
            log.debug("story %s: check crashed", story.id, exc_info=True)
            return await self._commit(self._failure(story, crash_report(exc), started))

    async def _check(self, story: Story, started: float) -> CheckReport:
        assert story.id is not None
        # Conditional headers only once a version exists: a 304 must never be the first answer.
        has_versions = story.version_count > 0
        try:
            result = await self.fetcher.fetch(
                story.url,
                etag=story.etag if has_versions else None,
                last_modified=story.last_modified if has_versions else None,
            )
        except FetchError as exc:
            retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
            status = exc.status_code if isinstance(exc, HTTPStatusError) else None
            if has_versions and status in _GONE and story.status != StoryStatus.UNPUBLISHED:
                detail = f"unpublished: {story.url} answers HTTP {status}"
                return await self._event(story, CheckOutcome.UNPUBLISHED, detail, started, status)
            return await self._commit(self._failure(story, str(exc), started, status, retry_after))
        if result.not_modified:
            return await self._commit(
                self._unchanged(story, result, started, CheckOutcome.NOT_MODIFIED)
            )
        if has_versions and result.page_hash == story.page_hash:
            # The very page the latest version came from: nothing to extract or compare.
            # The stored text follows the page, so an extractor upgrade shows only once
            # the page itself changes, never as an edit nobody made.
            return await self._commit(
                self._unchanged(story, result, started, CheckOutcome.UNCHANGED)
            )
        try:
            article = await self.extractor.run(
                extract_page, result.raw or b"", result.charset, result.content_type, result.url
            )
        except ExtractionError as exc:
            return await self._commit(self._failure(story, str(exc), started, result.status_code))
        return await self._compare(story, result, article, started)

    async def _event(
        self,
        story: Story,
        outcome: str,
        detail: str,
        started: float,
        http_status: int | None,
        *,
        new_url: str | None = None,
    ) -> CheckReport:
        """Record a lifecycle event (unpublished, moved, URL changed) as a check of its
        own, with its alerts when ``alerts.lifecycle`` is on. Events are rare: they are
        written alone rather than in a group commit, which carries no alerts."""
        assert story.id is not None
        record, report = self._without_version(
            story,
            outcome,
            started,
            http_status=http_status,
            error=detail,  # the event's description, kept on its check row
            etag=story.etag,
            last_modified=story.last_modified,
        )
        drafts = plan_lifecycle_alerts(
            story, outcome, detail, self.settings.alerts, record.checked_at
        )
        record = dataclasses.replace(record, alerts=drafts, new_url=new_url)
        with self._storing(story.id):
            await asyncio.to_thread(self.store.record_check, story.id, record)
        return dataclasses.replace(report, error=detail)

    async def _commit(self, planned: tuple[CheckRecord, CheckReport]) -> CheckReport:
        """Record a check that stores no version, together with whatever others queue
        meanwhile: these are most checks, and one transaction each would make the
        database's commit the pace of a cycle."""
        record, report = planned
        with self._storing(report.story_id):
            await self._plain_writes.write(report.story_id, record)
        return report

    def _elapsed(self, started: float) -> int:
        return int((time.perf_counter() - started) * 1000)

    def _failure(
        self,
        story: Story,
        error: str,
        started: float,
        http_status: int | None = None,
        retry_after: float | None = None,
        outcome: str = CheckOutcome.FAILED,
    ) -> tuple[CheckRecord, CheckReport]:
        return self._without_version(
            story,
            outcome,
            started,
            http_status=http_status,
            error=error,
            retry_after=retry_after,
            etag=story.etag,
            last_modified=story.last_modified,
        )

    def _unchanged(
        self, story: Story, result: FetchResult, started: float, outcome: str
    ) -> tuple[CheckRecord, CheckReport]:
        return self._without_version(
            story,
            outcome,
            started,
            http_status=result.status_code,
            etag=result.etag or story.etag,
            last_modified=result.last_modified or story.last_modified,
            page_hash=result.page_hash,
        )

    def _without_version(
        self,
        story: Story,
        outcome: str,
        started: float,
        *,
        http_status: int | None,
        etag: str | None,
        last_modified: str | None,
        error: str | None = None,
        retry_after: float | None = None,
        page_hash: str | None = None,
    ) -> tuple[CheckRecord, CheckReport]:
        """The record and report of a check that stores no version: unchanged, not
        modified, failed or suspicious."""
        assert story.id is not None
        now = self.clock()
        record = CheckRecord(
            outcome=outcome,
            checked_at=now,
            schedule=next_schedule(
                story, outcome, now, self.settings.schedule, retry_after=retry_after
            ),
            http_status=http_status,
            duration_ms=self._elapsed(started),
            error=error,
            etag=etag,
            last_modified=last_modified,
            page_hash=page_hash,
            worker=self.worker,
        )
        report = CheckReport(
            story.id, story.url, outcome, error=error, duration_ms=record.duration_ms
        )
        return record, report

    async def _compare(
        self, story: Story, result: FetchResult, article: Article, started: float
    ) -> CheckReport:
        """The extracted article against the latest version: unchanged, suspicious, or a
        new version with both diffs."""
        assert story.id is not None
        latest = None
        if story.version_count:
            # A story claimed without versions has none to load (one stored meanwhile by
            # another worker makes record_check refuse this one).
            latest = await asyncio.to_thread(self.store.latest_version, story.id)
        previous_text: str | None = None
        final_url = validate_url(result.url)
        if latest is not None and final_url != story.url:
            # Redirected: the same article at a new address (a slug changed) keeps the
            # story and its history; another page (a section front) means it moved away.
            previous_text = await asyncio.to_thread(self.store.version_text, latest)
            if not same_article(previous_text, article.text):
                detail = f"moved: {story.url} now leads to {result.url}, another page"
                return await self._event(
                    story, CheckOutcome.MOVED, detail, started, result.status_code
                )
            await self._event(
                story,
                CheckOutcome.URL_CHANGED,
                f"{story.url} -> {result.url}",
                started,
                result.status_code,
                new_url=final_url,
            )
        digest = content_hash(article.text)
        if (
            latest is not None
            and latest.content_hash == digest
            and same_headline(latest.title, article.title)
        ):
            return await self._commit(
                self._unchanged(story, result, started, CheckOutcome.UNCHANGED)
            )
        word_count = len(article.text.split())
        if latest is not None and word_count < latest.word_count * (
            1 - self.settings.fetch.shrink_threshold
        ):
            # Paywalls, consent walls and error pages look like "every claim removed".
            error = (
                f"page shrank from {latest.word_count} to {word_count} words; "
                "not stored as a version (paywall, consent or error page?)"
            )
            return await self._commit(
                self._failure(
                    story, error, started, result.status_code, outcome=CheckOutcome.SUSPICIOUS
                )
            )
        analysis = None
        if latest is not None:
            # Only now the previous text: a re-rendered page with the same article, the
            # common case, never needs it. The diffs are CPU work like extraction: they
            # run where extraction does.
            if previous_text is None:
                previous_text = await asyncio.to_thread(self.store.version_text, latest)
            try:
                analysis = await self.extractor.run(
                    analyse, previous_text, article.text, latest.title, article.title
                )
            except WorkerCrashedError as exc:
                return await self._commit(
                    self._failure(story, str(exc), started, result.status_code)
                )
        return await self._store_version(
            story, result, article, latest, analysis, digest, word_count, started
        )

    async def _store_version(
        self,
        story: Story,
        result: FetchResult,
        article: Article,
        latest: Version | None,
        analysis: Analysis | None,
        digest: str,
        word_count: int,
        started: float,
    ) -> CheckReport:
        assert story.id is not None
        now = self.clock()
        diff_data = None
        alerts: list[AlertDraft] = []
        if latest is not None and analysis is not None:
            diff_data = DiffData(
                material=analysis.semantic.material,
                significance=analysis.semantic.significance,
                shifts=[shift.to_dict() for shift in analysis.semantic.shifts],
                words_added=analysis.text.words_added,
                words_removed=analysis.text.words_removed,
            )
            alerts = await self._write(
                self._plan_alerts, story, article, latest, analysis, digest, now
            )
        record = CheckRecord(
            outcome=CheckOutcome.NEW_VERSION,
            checked_at=now,
            schedule=next_schedule(story, CheckOutcome.NEW_VERSION, now, self.settings.schedule),
            http_status=result.status_code,
            duration_ms=self._elapsed(started),
            etag=result.etag,
            last_modified=result.last_modified,
            page_hash=result.page_hash,
            version=NewVersion(
                text=article.text,
                content_hash=digest,
                word_count=word_count,
                title=article.title,
                byline=article.byline,
                published=article.published,
                updated=article.updated,
                html=result.body if self.settings.database.store_html else None,
            ),
            expected_versions=story.version_count,
            diff=diff_data,
            alerts=alerts,
            worker=self.worker,
        )
        try:
            with self._storing(story.id):
                number = await self._version_writes.write(story.id, record)
        except DatabaseUnavailableError:
            raise
        except StorywatchError as exc:  # another worker stored a version first
            return CheckReport(story.id, story.url, CheckOutcome.FAILED, error=str(exc))
        return CheckReport(
            story.id,
            story.url,
            CheckOutcome.NEW_VERSION,
            version=number,
            duration_ms=record.duration_ms,
            diff=analysis.semantic if analysis else None,
            text_diff=analysis.text if analysis else None,
            alerts=sum(1 for a in alerts if a.status == "pending"),
            title=article.title,
        )

    def _plan_alerts(
        self,
        story: Story,
        article: Article,
        latest: Version,
        analysis: Analysis,
        digest: str,
        now: datetime,
    ) -> list[AlertDraft]:
        """The alerts of a new version, with what the store knows of the story's past."""
        assert story.id is not None
        context = AlertContext(
            story_id=story.id,
            story_url=story.url,
            story_name=story.name,
            story_title=article.title or story.title,
            story_tags=tuple(split_tags(story.tags)),
            version_number=story.version_count + 1,
            previous_number=latest.number,
            diff=analysis.semantic,
            text_diff=analysis.text,
            content_hash=digest,
            seen_before=self.store.has_hash(story.id, digest),
            last_alert_at=last_alert_at(self.store, story.id),
            now=now,
        )
        return plan_alerts(context, self.settings.alerts)


def crash_report(exc: BaseException) -> str:
    """One line for an unforeseen exception: its type, its message and where it was
    raised, enough to file a bug without the traceback."""
    where = ""
    if exc.__traceback__ is not None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f" (at {Path(frame.filename).name}:{frame.lineno})"
    message = one_line(str(exc), 200)
    return f"unexpected error: {type(exc).__name__}{': ' if message else ''}{message}{where}"
