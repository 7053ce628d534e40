"""The running question-answering service shared by the console and Telegram.

It owns the database connection, the analyzer and the current SearchIndex. A reload runs under
a lock, builds a new index off the event loop and swaps it in with one assignment, so
questions keep being answered from the old index until the new one is complete.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable

from bot import analysis
from bot.answering import AnswerOptions, answer
from bot.config import Settings
from bot.index import SearchIndex
from bot.metrics import Metrics
from bot.models import Answer
from bot.storage import Database, DocumentInfo
from bot.sync import SyncReport, sync_folder
from bot.translation import Dictionary, load_dictionary

log = logging.getLogger(__name__)


class QAService:
    """Documents in the database, an index in memory, answers out."""

    def __init__(self, settings: Settings, db: Database, analyzer: analysis.Analyzer,
                 dictionary: Dictionary | None = None) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer
        self.index = SearchIndex.build([])
        self.metrics = Metrics()
        self.loaded = False  # True once an index built from the database is in place
        self.options = AnswerOptions(
            k=settings.top_k,
            min_coverage=settings.min_coverage,
            max_question_chars=settings.max_question_chars,
            dictionary=dictionary,
        )
        self._reload_lock = asyncio.Lock()

    @classmethod
    async def start(
        cls, settings: Settings, sync: bool = True, progress: Callable[[str], None] | None = None
    ) -> QAService:
        """Open the database, bring it up to date with the knowledge folder, load the index."""
        # jieba's dictionary takes a second to load: do it in a thread, once, at start-up.
        await asyncio.to_thread(analysis.warm_up)
        analyzer = analysis.Analyzer()
        dictionary = (
            await asyncio.to_thread(load_dictionary, analyzer) if settings.cross_lingual else None
        )
        db = await Database.open(settings.database_path)
        service = cls(settings, db, analyzer, dictionary)
        try:
            if sync:
                report = await service.reload(progress=progress)
                log.info("knowledge folder synced: %s", describe_report(report))
            else:
                await service.load_index()
        except BaseException:
            await db.close()
            raise
        return service

    async def close(self) -> None:
        """Close the database once any reload in flight has finished (it writes in one
        transaction, so a kill instead would leave the old state, never half of the new)."""
        async with self._reload_lock:
            await self.db.close()

    async def load_index(self) -> None:
        """Build the index from the database and swap it in."""
        passages = await self.db.passages()
        s = self.settings
        self.index = await asyncio.to_thread(
            SearchIndex.build, passages, s.bm25_variant, s.bm25_k1, s.bm25_b
        )
        self.loaded = True
        self.metrics.documents.set(self.index.documents)
        self.metrics.passages.set(len(self.index.passages))

    @property
    def reloading(self) -> bool:
        """True while a reload is running."""
        return self._reload_lock.locked()

    async def reload(self, progress: Callable[[str], None] | None = None) -> SyncReport:
        """Sync the knowledge folder and swap in the new index; one reload at a time."""
        async with self._reload_lock:
            started = time.perf_counter()
            try:
                report = await sync_folder(
                    self.db,
                    self.settings.knowledge_dir,
                    self.analyzer,
                    self.settings.passage_size,
                    self.settings.passage_overlap,
                    progress=progress,
                )
                if report.touched or not self.loaded:
                    await self.load_index()
            except BaseException:
                self.metrics.reloads.labels("failed").inc()
                raise
            self.metrics.reloads.labels("ok").inc()
            self.metrics.reload_seconds.observe(time.perf_counter() - started)
            return report

    def ask(self, question: str, k: int | None = None) -> Answer:
        """Answer one question from the current index (CPU-bound, pure)."""
        options = self.options if k is None else dataclasses.replace(self.options, k=k)
        started = time.perf_counter()
        result = answer(question, self.index, self.analyzer, options)
        self.metrics.answered(result, time.perf_counter() - started)
        return result

    async def ready(self) -> bool:
        """The index is loaded and the database answers."""
        if not self.loaded:
            return False
        try:
            await self.db.get_meta("analyzer")
        except Exception:  # any database failure means not ready
            return False
        return True

    async def documents(self) -> list[DocumentInfo]:
        """The documents in the collection."""
        return await self.db.documents()


def describe_report(report: SyncReport) -> str:
    """One line summing up a reload."""
    return (
        f"{len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed, {len(report.skipped)} skipped, "
        f"{report.unchanged} unchanged in {report.seconds:.2f}s"
    )
