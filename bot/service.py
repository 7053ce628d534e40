"""The running question-answering service shared by the console and Telegram.

It owns the database connection, the analyzer and the current SearchIndex. A reload runs under
a lock, builds a new index off the event loop and swaps it in with one assignment, so
questions keep being answered from the old index until the new one is complete.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot import analysis, index_store
from bot.answering import AnswerOptions, answer
from bot.config import Settings
from bot.index import SearchIndex
from bot.models import Answer
from bot.storage import Database, DocumentInfo
from bot.sync import SyncReport, sync_folder

log = logging.getLogger(__name__)


class QAService:
    """Documents in the database, an index in memory, answers out."""

    def __init__(self, settings: Settings, db: Database, analyzer: analysis.Analyzer) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer
        self.index = SearchIndex.build([])
        self.options = AnswerOptions(
            k=settings.top_k,
            min_coverage=settings.min_coverage,
            max_question_chars=settings.max_question_chars,
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
        db = await Database.open(settings.database_path)
        service = cls(settings, db, analyzer)
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
        """Close the database."""
        await self.db.close()

    async def load_index(self) -> None:
        """Build the index from the database and swap it in."""
        passages = await self.db.passages()
        s = self.settings
        folder = index_store.folder_for(s.database_path)

        def build() -> SearchIndex:
            ranker = index_store.load_or_build(
                passages, folder, s.bm25_variant, s.bm25_k1, s.bm25_b
            )
            return SearchIndex.build(passages, ranker=ranker)

        self.index = await asyncio.to_thread(build)

    @property
    def reloading(self) -> bool:
        """True while a reload is running."""
        return self._reload_lock.locked()

    async def reload(self, progress: Callable[[str], None] | None = None) -> SyncReport:
        """Sync the knowledge folder and swap in the new index; one reload at a time."""
        async with self._reload_lock:
            report = await sync_folder(
                self.db,
                self.settings.knowledge_dir,
                self.analyzer,
                self.settings.passage_size,
                self.settings.passage_overlap,
                progress=progress,
            )
            if report.touched or not self.index.passages:
                await self.load_index()
            return report

    def ask(self, question: str, k: int | None = None) -> Answer:
        """Answer one question from the current index (CPU-bound, pure)."""
        options = self.options if k is None else AnswerOptions(
            k=k, min_coverage=self.options.min_coverage,
            max_question_chars=self.options.max_question_chars,
        )
        return answer(question, self.index, self.analyzer, options)

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
