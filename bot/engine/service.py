"""The running question-answering service shared by the console and Telegram.

It owns the database connection, the analyzer and the current SearchIndex. A reload runs under
a lock shared with every other process on the same database (`reload_guard.py`), builds a new
index off the event loop and swaps it in with one assignment, so questions keep being answered
from the old index until the new one is complete. A reload that wrote a few documents updates
the index served in place of rebuilding it (unless another process changed the passages since
it was built) and saves it in the background, one save after another. A service that starts
while another process reloads serves the saved index at once and reloads when that process is
done.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import functools
import logging
import secrets
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from bot.core import analysis, topk
from bot.core.answering import AnswerOptions, answer
from bot.core.collections import DEFAULT, EVERYTHING, Scope, check_name, collection_of, scope_for
from bot.core.index import SearchIndex
from bot.core.models import (
    Answer,
    Document,
    DocumentInfo,
    LoggedQuestion,
    StoredPassage,
    VoteResult,
)
from bot.core.translation import Dictionary
from bot.engine import memory, refresh
from bot.engine.metrics import Metrics
from bot.engine.reload import ANALYZER_KEY, SyncReport, store_documents, sync_folder
from bot.engine.reload_guard import ReloadGuard
from bot.engine.views import Views
from bot.sources import crawling, fetching, uploads
from bot.sources.cache import prepare_jieba
from bot.sources.cedict import load_dictionary
from bot.sources.decision import load_decision_model
from bot.sources.folder import fingerprint, prepare, set_aside
from bot.sources.parsing import DocumentError, content_hash
from bot.store import grants, index_store
from bot.store.database import Database, stream_corpus
from bot.store.usage_log import UsageLog

log = logging.getLogger(__name__)

# Bytes of pages a site's crawl keeps after reading their links, so they are not fetched again.
SITE_CACHE_BYTES = 50 * 2**20
# New passages a reload may add to the index in place; more are streamed into a fresh build
# (they would otherwise be held at once, terms and all).
UPDATE_PASSAGES = 50_000
# Meta key changed by every reload that touches the database, in whichever process it runs.
GENERATION_KEY = "generation"


class UploadStatus(enum.Enum):
    """What became of a file an admin sent."""

    ADDED = "added"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    REMOVED = "removed"  # a channel post edited to nothing


@dataclass(frozen=True)
class UploadResult:
    """The outcome of adding one file: its name in the folder, why not, or what it gave."""

    status: UploadStatus
    name: str
    reason: str = ""
    doc_id: str | None = None  # the new document, or the one already holding this text
    passages: tuple[StoredPassage, ...] = field(default_factory=tuple)


def answer_options(settings: Settings, dictionary: Dictionary | None) -> AnswerOptions:
    """How the service answers under these settings (the benchmarks answer the same way)."""
    return AnswerOptions(
        k=settings.top_k,
        strictness=settings.strictness,
        max_question_chars=settings.max_question_chars,
        dictionary=dictionary,
        decision=load_decision_model(),
    )


class QAService:
    """Documents in the database, an index in memory, answers out."""

    def __init__(self, settings: Settings, db: Database, analyzer: analysis.Analyzer,
                 usage: UsageLog | None = None, dictionary: Dictionary | None = None) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer
        self.usage = usage or UsageLog(db, settings.store_question_text, settings.hash_user_ids)
        self.index = SearchIndex.build([], [])
        self._views = Views(self.index)
        # Grants admins made from Telegram (/use), by chat or user id: loaded at start.
        self._stored_grants: dict[str, frozenset[str] | None] = {}
        self.metrics = Metrics()
        self.loaded = False  # True once an index built from the database is in place
        self.options = answer_options(settings, dictionary)
        self._guard = ReloadGuard(settings.database_path)
        self._generation: str | None = None  # the database change the index was built from
        self._version: str | None = None  # the passages version it covers
        self._saving: asyncio.Task[None] | None = None  # an updated index being saved
        # Start-up's reload, when another process was reloading; and whether it has begun.
        self._later: asyncio.Task[None] | None = None
        self._later_began = False
        self._lemmas: asyncio.Task[None] | None = None  # start-up's loading of lemma tables

    @classmethod
    async def start(
        cls, settings: Settings, sync: bool = True, progress: Callable[[str], None] | None = None,
        serve_first: bool = False,
    ) -> QAService:
        """Open the database, bring it up to date with the knowledge folder, load the index.
        With `serve_first`, a saved index is served at once and the folder synced after, in
        the background (`caught_up` waits for it): a large folder does not delay the first
        answer of a restart. A first start, with nothing saved, syncs before it serves."""
        # English lemmas' tables load in the background while the rest starts and the first
        # person types; without it, the first answer after a start took 0.25-0.45 s.
        lemmas = asyncio.create_task(asyncio.to_thread(analysis.warm_lemmas))
        try:
            return await cls._started(settings, sync, progress, serve_first, lemmas)
        except BaseException:
            with contextlib.suppress(Exception):
                await lemmas
            raise

    @classmethod
    async def _started(
        cls, settings: Settings, sync: bool, progress: Callable[[str], None] | None,
        serve_first: bool, lemmas: asyncio.Task[None],
    ) -> QAService:
        """`start`'s work, with the lemma tables loading meanwhile (`lemmas`)."""
        # jieba's dictionary takes a second to load, and the ranker's compiled loop a moment:
        # both in a thread, once, at start-up.
        await asyncio.to_thread(prepare_jieba, settings.cache_folder)
        await asyncio.to_thread(topk.warm)
        analyzer = analysis.Analyzer()
        dictionary = (
            await asyncio.to_thread(load_dictionary, analyzer, settings.cache_folder)
            if settings.cross_lingual else None
        )
        db = await Database.open(settings.database_path)
        usage = None
        try:
            if str(settings.database_path) != ":memory:":  # its own connection: see usage_log
                usage = await UsageLog.open(settings.database_path, settings.store_question_text,
                                            settings.hash_user_ids)
        except BaseException:
            await db.close()
            raise
        service = cls(settings, db, analyzer, usage, dictionary)
        service._lemmas = lemmas
        try:
            service._stored_grants = await grants.stored(db)
            if sync:
                await service._start_up_reload(progress, serve_first)
            else:
                await service.load_index()
        except BaseException:
            await service.close()
            raise
        return service

    async def _start_up_reload(
        self, progress: Callable[[str], None] | None, serve_first: bool = False
    ) -> None:
        """Sync the folder; while another process reloads, serve what it saved before and
        sync once it is done, rather than wait to serve (unless nothing is stored yet). With
        `serve_first`, the saved index is served before this process's own sync too."""
        async with self._guard.hold(progress, wait=False) as held:
            if held:
                stored = await self.db.passage_count()
                if stored:
                    # The saved index, so that files changed while stopped update it in place.
                    await self.load_index()
                if not (stored and serve_first):
                    report = await self._sync(progress)
                    log.info("knowledge folder synced: %s", report.summary())
                    return
        if held:
            log.info("serving the saved index; syncing the knowledge folder in the background")
            self._later = asyncio.create_task(self._reload_later(progress))
            return
        if not await self.db.passage_count():  # nothing to serve meanwhile
            report = await self.reload(progress)
            log.info("knowledge folder synced: %s", report.summary())
            return
        log.info("another process is reloading %s: serving the saved index until it is done",
                 self.settings.database_path)
        await self.load_index()
        self._later = asyncio.create_task(self._reload_later(progress))

    async def _reload_later(self, progress: Callable[[str], None] | None) -> None:
        """Start-up's reload, left for later while the saved index is served (another process
        reloads, or the start serves first), once the reload lock is free; a failure keeps the
        index."""
        try:
            async with self._guard.hold(progress):
                self._later_began = True
                report = await self._sync(progress)
        except Exception:
            log.exception("start-up's reload failed; the saved index stays in use")
            return
        log.info("knowledge folder synced: %s", report.summary())

    async def caught_up(self) -> None:
        """Return once start-up's reload, left for later while another process reloaded, is
        done (at once when there was none)."""
        if self._later is not None:
            await asyncio.shield(self._later)

    async def close(self) -> None:
        """Close the database (and the usage log's connection to it) once any reload in
        flight has finished: it writes in one transaction, so a kill instead would leave the
        old state, never half of the new. Reloads still waiting for another process's are
        cancelled: the next start does their work."""
        if self._later is not None and not self._later_began:
            self._later.cancel()
        self._guard.cancel_waits()
        if self._later is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._later
        if self._lemmas is not None:  # a thread: it ends by itself, soon
            # A failure to load shows again (and is reported) when a question needs them.
            with contextlib.suppress(Exception):
                await self._lemmas
        async with self._guard.idle():
            await self._saved()
            if self.usage.db is not self.db:
                await self.usage.close()
            await self.db.close()

    async def load_index(self) -> None:
        """Load the saved index of the stored passages, or build (and save) it, and swap it in."""
        await self._saved()  # an older index saved meanwhile would replace this one's set
        generation = await self.db.get_meta(GENERATION_KEY)
        s = self.settings
        folder = index_store.folder_for(s.database_path)
        version = await self.db.passages_version()
        key = self._index_key(version)
        size = await self.db.passage_count()
        index = None
        if folder is not None:
            index = await asyncio.to_thread(index_store.load, folder, key, size)
        if index is None:
            if folder is None:  # an in-memory database has no second connection to stream
                rows: Iterable[tuple[StoredPassage, Sequence[str]]] = zip(
                    *await self.db.corpus(), strict=True)
            else:
                rows = stream_corpus(s.database_path)
            index = await asyncio.to_thread(
                index_store.build_and_save, rows, folder, key, s.bm25_variant, s.bm25_k1,
                s.bm25_b,
            )
        # The views the grants need are cut before the swap, so no question waits for one.
        await self._swap(index, generation, version)
        del index
        await asyncio.to_thread(memory.release_freed)  # the index served before, freed

    async def _swap(self, index: SearchIndex, generation: str | None, version: str | None,
                    replacing: SearchIndex | None = None, views: Views | None = None) -> None:
        """Serve this index of the passages stored under `version` from now on, with the
        views the grants need (those of `views`, the others cut), cut before the swap so no
        question waits for one; given `replacing`, only if that is still the index served
        by then."""
        views = await asyncio.to_thread((views or Views(index)).prepare,
                                        self._granted_scopes())
        if replacing is not None and self.index is not replacing:
            return
        self.index, self._views = index, views
        self._generation, self._version = generation, version
        self.loaded = True
        self.metrics.documents.set(self.index.documents)
        self.metrics.passages.set(self.index.size)

    def _index_key(self, version: str) -> str:
        """The saved index's key for the passages stored under `version`, ranked as set."""
        s = self.settings
        return index_store.key_for(version, s.bm25_variant, s.bm25_k1, s.bm25_b)

    async def _update_index(self, documents: Collection[str]) -> None:
        """Swap in the index with these documents' stored passages in place of the ones it
        had (`SearchIndex.updated`: the others are neither re-read nor re-counted), then save
        it in the background; a full load when the update does not fit the database."""
        started = time.perf_counter()
        generation = await self.db.get_meta(GENERATION_KEY)
        version = await self.db.passages_version()
        replaced = set(documents)
        passages, tokens = await self.db.corpus_of(replaced)
        read = time.perf_counter() - started
        try:
            index = await asyncio.to_thread(self.index.updated, replaced, passages, tokens)
            views = await asyncio.to_thread(self._views.updated, index, replaced, passages,
                                            tokens)
        except ValueError as exc:  # rows numbered out of order: read everything again
            log.warning("cannot update the index in place (%s): rebuilding it", exc)
            await self.load_index()
            return
        if index.size != await self.db.passage_count():
            log.warning("the updated index does not cover the stored passages: rebuilding it")
            await self.load_index()
            return
        await self._swap(index, generation, version, views=views)
        log.info("index updated in place: %d passages in %.2fs (%.2fs reading them)",
                 len(passages), time.perf_counter() - started, read)
        folder = index_store.folder_for(self.settings.database_path)
        if folder is not None:
            self._saving = asyncio.create_task(
                self._save(folder, index, self._index_key(version), self._saving))
        else:
            del index
            await asyncio.to_thread(memory.release_freed)

    async def _save(self, folder: Path, index: SearchIndex, key: str,
                    previous: asyncio.Task[None] | None) -> None:
        """Save an updated index for the next start, after any save begun before it, then
        serve its texts from the file written (unless a newer index is served by then)."""
        if previous is not None:
            await previous
        try:
            texts = await asyncio.to_thread(index_store.save, folder, index, key)
        except Exception as exc:  # a read-only disk costs the next start time, nothing else
            log.warning("cannot save the index in %s: %s", folder, exc)
            # Texts then stay views of views: the next change builds afresh instead.
            self._version = None
            return
        if self.index is index:
            mapped = SearchIndex.of(dataclasses.replace(index.table, texts=texts), index.ranker)
            await self._swap(mapped, self._generation, self._version, replacing=index)
        # The texts served until now (views of the index before) go with the last reference.
        del index
        await asyncio.to_thread(memory.release_freed)

    async def _saved(self) -> None:
        """Return once the updated index last swapped in is saved."""
        if self._saving is not None:
            await asyncio.shield(self._saving)

    @property
    def reloading(self) -> bool:
        """True while a reload is running, or waiting for another process's."""
        return self._guard.busy

    async def reload(self, progress: Callable[[str], None] | None = None) -> SyncReport:
        """Sync the knowledge folder and swap in the new index; one reload at a time, in this
        process and in every other on the same database."""
        async with self._guard.hold(progress):
            return await self._sync(progress)

    async def _sync(self, progress: Callable[[str], None] | None = None) -> SyncReport:
        """The reload itself; the caller holds the lock."""
        started = time.perf_counter()
        try:
            before = await self.db.passages_version()
            report = await sync_folder(
                self.db,
                self.settings.knowledge_dir,
                self.analyzer,
                self.settings.passage_size,
                self.settings.passage_overlap,
                progress=progress,
            )
            # The index serves the passages stored before this reload (none changed them since
            # it was built): then the documents it wrote are all that the index must change.
            current = self.loaded and before == self._version
            if report.touched:
                await self.db.set_meta(GENERATION_KEY, secrets.token_hex(8))
            if report.touched and current and report.passages <= max(
                    UPDATE_PASSAGES, self.index.size // 4):
                await self._update_index(report.documents)
            # Another process (`bot reload`) may have changed the database since this index
            # was built: then this reload finds nothing to do, but the index must be rebuilt.
            elif (report.touched or not self.loaded
                    or await self.db.get_meta(GENERATION_KEY) != self._generation):
                await self.load_index()
        except BaseException:
            self.metrics.reloads.labels("failed").inc()
            raise
        report.seconds = time.perf_counter() - started  # the whole reload, index swap included
        self.metrics.reloads.labels("ok").inc()
        self.metrics.reload_seconds.observe(report.seconds)
        return report

    def _limits(self) -> fetching.FetchLimits:
        """How much one fetch may take, from the settings."""
        s = self.settings
        return fetching.FetchLimits(max_bytes=int(s.fetch_max_mb * 1024 * 1024),
                                    seconds=s.fetch_seconds, allow_private=s.fetch_allow_private)

    async def add_site(self, url: str, progress: Callable[[str], None] = lambda _: None,
                       resolve: fetching.Resolver = fetching.system_resolve,
                       collection: str | None = None) -> list[UploadResult]:
        """Add the pages of a site (same host only): those its sitemap lists (`url` itself, or
        the one robots.txt names, or /sitemap.xml), else those its links reach, at most
        CRAWL_MAX_PAGES, a request every CRAWL_DELAY_SECONDS; then one reload for them all.
        A page already added from the same address is left as it is (`bot refresh` updates
        it)."""
        s = self.settings
        limits = self._limits()
        last = [0.0]
        # Pages fetched for their links are kept, up to a budget, so none is fetched twice.
        seen: dict[str, fetching.Fetched] = {}
        budget = [SITE_CACHE_BYTES]

        async def polite(target: str, kinds: dict[str, str] | None) -> fetching.Fetched:
            if kinds is None and target in seen:
                return seen.pop(target)
            wait = last[0] + s.crawl_delay_seconds - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            last[0] = time.monotonic()
            page = await fetching.fetch(target, limits, resolve, kinds=kinds or fetching.KINDS)
            if kinds is None and len(page.data) <= budget[0]:
                seen[target] = page
                budget[0] -= len(page.data)
            return page

        try:
            folder = self._collection_folder(collection)
            pages = await crawling.site_pages(url, polite, s.crawl_max_pages, s.crawl_depth,
                                              progress)
        except (fetching.FetchError, ValueError) as exc:
            return [UploadResult(UploadStatus.REFUSED, url[:200], str(exc))]
        if not pages:
            return [UploadResult(UploadStatus.REFUSED, url[:200], "no pages found on the site")]
        results, files = [], {}
        for n, address in enumerate(pages, 1):
            try:
                page = await polite(address, None)
                subfolder, name = fetching.file_name(page.url, page.suffix)
                rel = "/".join(p for p in (folder, subfolder, name) if p)
                files[rel] = uploads.with_metadata(name, page.data, fetching.page_fields(page))
                progress(f"{n}/{len(pages)} {address}: fetched")
            except (fetching.FetchError, DocumentError) as exc:
                progress(f"{n}/{len(pages)} {address}: {exc}")
                results.append(UploadResult(UploadStatus.REFUSED, address[:200], str(exc)))
        return results + (await self.put_files(files, replace=False) if files else [])

    def _collection_folder(self, collection: str | None) -> str:
        """The folder of a named collection ("" for the top: the default one, or none named);
        ValueError for a name that cannot be a folder."""
        if collection is None or check_name(collection) == DEFAULT:
            return ""
        return collection

    async def add_page(self, url: str, resolve: fetching.Resolver = fetching.system_resolve,
                       fetch: Callable[[str, dict[str, str] | None],
                                       Awaitable[fetching.Fetched]] | None = None,
                       collection: str | None = None) -> UploadResult:
        """Fetch a web page (HTML or PDF) and add it as fetched, under web/<host>/ in the
        knowledge folder, with its URL and fetch time written in (front matter, or the PDF's
        document information), so the folder stays the one source of truth; under
        <collection>/web/<host>/ when a collection is named."""
        try:
            page = (await fetch(url, None) if fetch
                    else await fetching.fetch(url, self._limits(), resolve))
        except fetching.FetchError as exc:
            return UploadResult(UploadStatus.REFUSED, url[:200], str(exc))
        folder, name = fetching.file_name(page.url, page.suffix)
        return await self.add_upload(name, page.data, fetching.page_fields(page), folder,
                                     collection)

    async def add_upload(self, name: str, data: bytes, fields: dict[str, str],
                         subfolder: str | None = None,
                         collection: str | None = None) -> UploadResult:
        """Save a file an admin sent into the knowledge folder (or a `subfolder` of it, made
        by the bot, never from user input), in the named collection's folder (the top for
        the default one), and index it through the reload; a file that gives no document,
        or one whose text is already held, is not kept."""
        if not uploads.is_supported(name):
            return UploadResult(UploadStatus.REFUSED, name,
                                f"unsupported file type {uploads.suffix_of(name) or '(none)'}")
        safe = uploads.safe_name(name)
        s = self.settings
        try:
            top = self._collection_folder(collection)
        except ValueError as exc:
            return UploadResult(UploadStatus.REFUSED, safe, str(exc))
        subfolder = "/".join(p for p in (top, subfolder) if p) or None
        try:
            data = uploads.with_metadata(safe, data, fields)
            update = await asyncio.to_thread(prepare, safe, data, s.passage_size,
                                             s.passage_overlap)
        except DocumentError as exc:
            return UploadResult(UploadStatus.REFUSED, safe, str(exc))
        # Same cleaned text, same document: a re-encoded or re-captioned copy is caught too.
        digest = content_hash(update.document.text.encode("utf-8"))
        # Within its collection only: the same text may serve two collections' chats.
        target = collection_of(f"{subfolder}/{safe}" if subfolder else safe)
        async with self._guard.hold():
            held = {d.id for d in await self.db.documents() if collection_of(d.path) == target}
            for doc_id, text in await self.db.document_texts():
                if doc_id in held and content_hash(text.encode("utf-8")) == digest:
                    return UploadResult(UploadStatus.DUPLICATE, safe, doc_id=doc_id)
            folder = s.knowledge_dir / subfolder if subfolder else s.knowledge_dir
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            path = await asyncio.to_thread(uploads.write_new, folder, safe, data)
            rel = path.relative_to(s.knowledge_dir).as_posix()
            try:
                report = await self._sync()
            except BaseException:
                uploads.discard(path)
                raise
            if rel not in report.added:
                uploads.discard(path)
                reason = dict(report.skipped).get(rel, "it was not indexed")
                return UploadResult(UploadStatus.REFUSED, rel, reason)
            doc_id = (await self.db.file_states())[rel].doc_id
        passages = self.index.document_passages(doc_id)
        return UploadResult(UploadStatus.ADDED, rel, doc_id=doc_id, passages=passages)

    async def put_files(self, files: Mapping[str, bytes | None], replace: bool = True,
                        ) -> list[UploadResult]:
        """Write or replace files the bot makes itself (channel posts) at these paths in the
        knowledge folder, remove those given None, and reload once; a result for each path.
        A file that gives no document is not written, nor (`replace` false) one already
        there; the old files are put back if the reload fails."""
        s = self.settings
        refused: dict[str, UploadResult] = {}
        for rel, data in files.items():
            try:
                if data is not None:
                    await asyncio.to_thread(prepare, rel, data, s.passage_size, s.passage_overlap)
            except DocumentError as exc:
                refused[rel] = UploadResult(UploadStatus.REFUSED, rel, str(exc))
        writes = {rel: data for rel, data in files.items() if rel not in refused}
        async with self._guard.hold():
            before = await asyncio.to_thread(uploads.replace_files, s.knowledge_dir, writes,
                                             replace)
            try:
                report = await self._sync()
            except BaseException:
                await asyncio.to_thread(uploads.replace_files, s.knowledge_dir, before)
                raise
            states = await self.db.file_states()
        skipped = dict(report.skipped)
        results = []
        for rel, data in files.items():
            state = states.get(rel)
            if rel in refused:
                results.append(refused[rel])
            elif data is None:
                results.append(UploadResult(UploadStatus.REMOVED, rel))
            elif state is None:
                results.append(UploadResult(UploadStatus.REFUSED, rel,
                                            skipped.get(rel, "it was not indexed")))
            else:
                status = UploadStatus.ADDED if rel in before else UploadStatus.DUPLICATE
                results.append(UploadResult(status, rel, doc_id=state.doc_id,
                                            passages=self.index.document_passages(state.doc_id)))
        return results

    async def remove_document(self, doc_id: str) -> SyncReport | None:
        """Delete a document's file from the knowledge folder and reload; None if unknown.
        The file is moved aside first and put back if the reload fails."""
        async with self._guard.hold():
            info = next((d for d in await self.db.documents() if d.id == doc_id), None)
            if info is None or info.path is None:
                return None
            aside = await asyncio.to_thread(set_aside, self.settings.knowledge_dir, info.path)
            try:
                report = await self._sync()
            except BaseException:
                aside.put_back()
                raise
            aside.discard()
            return report

    async def watch(self, seconds: float) -> None:
        """Reload whenever the knowledge folder's files (names, sizes, times) change; runs until
        cancelled. A failed reload is logged and tried again at the next change."""
        # None: the first look reloads too, catching changes made since start-up's reload.
        last: tuple[tuple[str, int, int], ...] | None = None
        while True:
            try:
                now = await asyncio.to_thread(fingerprint, self.settings.knowledge_dir)
                # While another reload runs, look again next time rather than miss a change.
                if now != last and not self.reloading:
                    last = now
                    report = await self.reload()
                    if report.touched:
                        log.info("knowledge folder changed: %s", report.summary())
            except Exception:
                log.exception("automatic reload failed; the previous index stays in use")
            await asyncio.sleep(seconds)

    async def refresh_web(self, progress: Callable[[str], None] = lambda _: None,
                          resolve: fetching.Resolver = fetching.system_resolve,
                          ) -> refresh.RefreshReport:
        """Fetch the pages added from the web again with conditional requests, rewrite those
        whose document changed, and reload once if any did; pages gone are kept."""
        await self.db.set_meta(refresh.LAST_ROUND_KEY, str(time.time()))
        fetch = functools.partial(fetching.fetch_if_changed, limits=self._limits(),
                                  resolve=resolve)
        return await refresh.refresh_round(self.settings.knowledge_dir, fetch, self.reload,
                                           self.settings.crawl_delay_seconds, progress)

    async def index_documents(self, documents: Sequence[Document]) -> int:
        """Store documents that come from no file (an evaluation set's paragraphs) and swap in
        the index built from them; the number stored."""
        s = self.settings
        async with self._guard.hold():
            stored = await store_documents(self.db, documents, self.analyzer, s.passage_size,
                                           s.passage_overlap)
            await self.load_index()
        return stored

    @property
    def document_count(self) -> int:
        """Documents in the index being served."""
        return self.index.documents

    @property
    def passage_count(self) -> int:
        """Passages in the index being served."""
        return self.index.size

    def counts(self, scope: Scope = EVERYTHING) -> tuple[int, int]:
        """(documents, passages) the scope searches."""
        index = self._views.of(scope)
        return index.documents, index.size

    def around(self, passage: StoredPassage, scope: Scope = EVERYTHING) -> list[StoredPassage]:
        """The passage with the ones before and after it in its document, in order; nothing
        when the scope does not show its collection."""
        if not scope.allows(passage.collection):
            return []
        before, after = (self.index.passage_at(passage.doc_id, passage.position + step)
                         for step in (-1, 1))
        return [p for p in (before, passage, after) if p is not None]

    def unchanged(self, passages: Sequence[StoredPassage], scope: Scope = EVERYTHING) -> bool:
        """Each passage is still served as it was shown, and the scope still shows it: same
        text at the same place, in a document of as many passages. A reload that left their
        documents alone keeps it so."""
        for p in passages:
            if not scope.allows(p.collection):
                return False
            now = self.index.passage_at(p.doc_id, p.position)
            if now is None or now.text != p.text or now.count != p.count:
                return False
        return True

    def ask(self, question: str, k: int | None = None, strictness: float | None = None,
            earlier: str | None = None, scope: Scope = EVERYTHING) -> Answer:
        """Answer one question from the current index (CPU-bound, pure); `strictness` 0
        shows every ranked passage, with its confidence (evaluation's ranked list). `earlier`
        is the question whose answer this one replies to: a follow-up too vague alone is
        searched with it (`Answer.context`). `scope` is what the asker may see: the search
        runs over those collections alone, as if nothing else were indexed."""
        options = self.options if k is None else dataclasses.replace(self.options, k=k)
        if strictness is not None:
            options = dataclasses.replace(options, strictness=strictness)
        started = time.perf_counter()
        result = answer(question, self._views.of(scope), self.analyzer, options, earlier)
        self.metrics.answered(result, time.perf_counter() - started)
        return result

    async def ready(self) -> bool:
        """The index is loaded and the database answers."""
        if not self.loaded:
            return False
        try:
            await self.db.get_meta(ANALYZER_KEY)
        except Exception:  # any database failure means not ready
            return False
        return True

    async def documents(self, scope: Scope = EVERYTHING) -> list[DocumentInfo]:
        """The documents the scope shows, in id order."""
        return [d for d in await self.db.documents() if scope.allows(collection_of(d.path))]

    async def collections(self) -> dict[str, tuple[int, int]]:
        """Every collection that holds a document: its documents and passages, by name."""
        out: dict[str, tuple[int, int]] = {}
        for d in await self.db.documents():
            docs, passages = out.get(collection_of(d.path), (0, 0))
            out[collection_of(d.path)] = (docs + 1, passages + d.passages)
        return dict(sorted(out.items()))

    def scope(self, chat_id: int | None, group: bool, user_id: int | None,
              admin: bool) -> Scope:
        """What a question in this chat (a group's, or the user's own) may search."""
        return scope_for(self.settings.collections, self._stored_grants, chat_id=chat_id,
                         group=group, user_id=user_id, admin=admin)

    @property
    def scoped(self) -> bool:
        """True once any grant exists: chats no longer all see the same documents."""
        return bool(self.settings.collections or self._stored_grants)

    def grants(self) -> tuple[dict[str, frozenset[str] | None],
                              dict[str, frozenset[str] | None]]:
        """(from the settings, made from Telegram): the grants in force, the second winning."""
        return dict(self.settings.collections), dict(self._stored_grants)

    async def grant(self, key: str, names: frozenset[str] | None,
                    granted_by: int | None) -> None:
        """Store what a chat or user (or `*`) may search, and cut its view before it is
        needed; names None: every collection."""
        async with self._own_connection() as db:
            await grants.put(db, key, names, granted_by)
            self._stored_grants = await grants.stored(db)
        await asyncio.to_thread(self._views.prepare, [Scope(names)])

    async def ungrant(self, key: str) -> bool:
        """Drop a grant made from Telegram (the settings apply again); False if none."""
        async with self._own_connection() as db:
            removed = await grants.remove(db, key)
            self._stored_grants = await grants.stored(db)
        return removed

    @contextlib.asynccontextmanager
    async def _own_connection(self) -> AsyncIterator[Database]:
        """A connection of its own for an admin's write, so it neither joins nor collides
        with a reload's transaction on the service's connection (an in-memory database has
        only the one)."""
        if str(self.settings.database_path) == ":memory:":
            yield self.db
            return
        db = await Database.open(self.settings.database_path)
        try:
            yield db
        finally:
            await db.close()

    def _granted_scopes(self) -> list[Scope]:
        """Every scope a grant names, and the one of chats named nowhere."""
        values = {**self.settings.collections, **self._stored_grants}.values()
        if not values:  # everyone sees everything: the whole index is the only one
            return []
        return [Scope(v) for v in {*values, frozenset({DEFAULT})}]

    async def record(self, answer: Answer, chat_type: str, user_id: int | None,
                     seconds: float) -> int:
        """Log a question and the passages it was given; its id, for the 👍 / 👎 buttons."""
        return await self.usage.record(answer, chat_type, user_id, seconds)

    async def vote(self, question_id: int, user_id: int, value: int) -> VoteResult:
        """Store 👍 (1) or 👎 (-1) on a logged question, from the user who asked it only."""
        return await self.usage.vote(question_id, user_id, value)

    async def logged_questions(self) -> list[LoggedQuestion]:
        """The usage log, oldest first."""
        return await self.usage.questions()

    def count_telegram_error(self, kind: str) -> None:
        """Count one failed Bot API call or handler, by kind, for /metrics."""
        self.metrics.telegram_errors.labels(kind).inc()

    def metrics_text(self) -> bytes:
        """The metrics in Prometheus text format."""
        return self.metrics.exposition()


async def logged_questions(database_path: Path) -> list[LoggedQuestion]:
    """The usage log of a database file, oldest first, without starting a service."""
    db = await Database.open(database_path)
    try:
        return await UsageLog(db).questions()
    finally:
        await db.close()
