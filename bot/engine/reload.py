"""The reload: bring the store in line with the knowledge folder.

Files whose size and modification time are unchanged are not read; files read but with an
unchanged hash are not re-parsed; everything new or changed is parsed, split and tokenised
(as one batch, on every core when it is big) before a single transaction writes the lot, so a
reload that fails leaves the database as it was. Only the engine's service calls this, and only
it swaps in the index built from what was written.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.analysis import Analyzer
from bot.core.models import Document, DocumentUpdate
from bot.sources.folder import (
    SourceFile,
    prepare,
    read,
    scan,
    split,
    splitter_signature,
    with_tokens,
)
from bot.sources.parsing import DocumentError, content_hash
from bot.store.database import Database, FileState

log = logging.getLogger(__name__)

ANALYZER_KEY = "analyzer"
SPLITTER_KEY = "splitter"

Progress = Callable[[str], None]


@dataclass
class SyncReport:
    """What a reload did, for the admin and the log."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    passages: int = 0
    documents: set[str] = field(default_factory=set)  # ids of those written or removed
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        """True when the index must be rebuilt."""
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line summing up the reload, for logs and reports."""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped, "
            f"{self.unchanged} unchanged in {self.seconds:.2f}s"
        )


@dataclass
class _Plan:
    """What the look at every file decided: documents to write, files whose stat alone
    changed, and which file holds each document id kept."""

    updates: list[DocumentUpdate] = field(default_factory=list)
    stat_only: list[FileState] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # doc id -> its file


async def sync_folder(
    db: Database,
    folder: Path,
    analyzer: Analyzer,
    passage_size: int = 1500,
    overlap: int = 1,
    progress: Progress | None = None,
) -> SyncReport:
    """Reload the knowledge folder into the database incrementally; return what changed."""
    started = time.perf_counter()
    report = SyncReport()
    found = await asyncio.to_thread(scan, folder)
    report.skipped.extend(found.passed)
    known = await db.file_states()
    splitter = splitter_signature(passage_size, overlap)
    stale = (await db.get_meta(ANALYZER_KEY) != analyzer.signature
             or await db.get_meta(SPLITTER_KEY) != splitter)
    plan = _Plan()
    # What could not be looked at keeps serving its last good version rather than vanishing.
    plan.kept.update((s.doc_id, s.path) for s in known.values() if found.keeps(s.path))
    for file in found.files:
        update = await _look_at(file, known.get(file.rel), stale, plan, report,
                                passage_size, overlap)
        if update is not None:
            plan.updates.append(update)
            report.passages += len(update.passages)
            if progress:
                progress(f"read {file.rel} ({len(update.passages)} passages)")
    updates = await asyncio.to_thread(with_tokens, plan.updates, analyzer)
    removals = _removals(known.values(), plan.kept, updates)
    report.removed = sorted(s.path for s in known.values() if s.doc_id in removals)
    report.documents = {u.document.id for u in updates} | set(removals)
    await db.apply(updates, removals, plan.stat_only,
                   meta={ANALYZER_KEY: analyzer.signature, SPLITTER_KEY: splitter})
    report.seconds = time.perf_counter() - started
    return report


async def _look_at(
    file: SourceFile, old: FileState | None, stale: bool, plan: _Plan, report: SyncReport,
    passage_size: int, overlap: int,
) -> DocumentUpdate | None:
    """One file: unchanged (by stat, then by hash), skipped with its reason (a file that
    broke keeps serving its last good version), or a new or changed document to write."""
    if not stale and old and old.size == file.size and old.mtime_ns == file.mtime_ns:
        report.unchanged += 1
        plan.kept[old.doc_id] = file.rel
        return None
    try:
        data = await asyncio.to_thread(read, file)
    except OSError as exc:
        report.skipped.append((file.rel, f"cannot read: {exc.strerror}"))
        if old:  # keep serving the version we have rather than losing it
            plan.kept[old.doc_id] = file.rel
        return None
    if not stale and old and old.content_hash == content_hash(data):
        report.unchanged += 1
        plan.kept[old.doc_id] = file.rel
        plan.stat_only.append(FileState(old.doc_id, file.rel, old.content_hash, file.size,
                                        file.mtime_ns))
        return None
    try:
        update = await asyncio.to_thread(prepare, file.rel, data, passage_size, overlap)
    except DocumentError as exc:
        reason = str(exc)
        if old:  # a file that broke keeps serving its last good version
            plan.kept[old.doc_id] = file.rel
            reason += "; the previous version stays in use"
        report.skipped.append((file.rel, reason))
        log.warning("skipped %s: %s", file.rel, reason)
        return None
    doc_id = update.document.id
    if doc_id in plan.kept:
        report.skipped.append((file.rel, f"id {doc_id!r} is already used by {plan.kept[doc_id]}"))
        return None
    plan.kept[doc_id] = file.rel
    (report.changed if old else report.added).append(file.rel)
    return replace(update, size=file.size, mtime_ns=file.mtime_ns)


def _removals(known: Iterable[FileState], kept: Mapping[str, str],
              updates: Sequence[DocumentUpdate]) -> list[str]:
    """Documents whose file is gone; one whose id moved to another file is replaced, not
    removed."""
    new_ids = {u.document.id for u in updates}
    return [s.doc_id for s in known if s.doc_id not in kept and s.doc_id not in new_ids]


async def store_documents(
    db: Database, documents: Iterable[Document], analyzer: Analyzer, passage_size: int,
    overlap: int,
) -> int:
    """Split, tokenise and write documents that come from no file (an evaluation set's
    paragraphs); a document that gives no passage is left out. The number written."""
    updates = []
    for doc in documents:
        try:
            updates.append(split(doc, passage_size, overlap))
        except DocumentError:
            continue
    await db.apply(await asyncio.to_thread(with_tokens, updates, analyzer))
    return len(updates)
