"""Bring the database in line with the knowledge folder: the reload.

Files whose size and modification time are unchanged are not read; files read but with an
unchanged hash are not re-parsed; everything new or changed is parsed, split and tokenised
(as one batch, on every core when it is big) before a single transaction writes the lot, so a reload that fails leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.analysis import Analyzer
from bot.sources.parsing import SUPPORTED_SUFFIXES, DocumentError, content_hash, parse
from bot.core.splitting import split_passages
from bot.store.database import Database, DocumentUpdate, FileState
from bot.sources.parallel_tokeniser import tokenise_all

log = logging.getLogger(__name__)

# A document bigger than this is almost always a dump or a mistake; reading, cleaning and
# tokenising it would hold a reload (and memory) for minutes.
MAX_DOCUMENT_BYTES = 20 * 2**20

ANALYZER_KEY = "analyzer"
SPLITTER_KEY = "splitter"


class SyncError(RuntimeError):
    """The reload could not run at all; the database was not touched."""


@dataclass(frozen=True)
class SourceFile:
    """A candidate document file in the knowledge folder."""

    path: Path
    rel: str
    size: int
    mtime_ns: int


@dataclass
class SyncReport:
    """What a reload did, for the admin and the log."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    passages: int = 0
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        """True when the index must be rebuilt."""
        return bool(self.added or self.changed or self.removed)


def scan(folder: Path) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Supported files below folder (recursively, hidden ones left out) and files passed over."""
    if not folder.is_dir():
        raise SyncError(f"knowledge folder {folder} does not exist or is not a folder")
    files: list[SourceFile] = []
    passed: list[tuple[str, str]] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            passed.append((rel, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            st = path.stat()
        except OSError as exc:
            passed.append((rel, f"cannot read: {exc.strerror}"))
            continue
        if st.st_size > MAX_DOCUMENT_BYTES:
            passed.append((rel, f"too large ({st.st_size / 2**20:.0f} MB; the limit is "
                                f"{MAX_DOCUMENT_BYTES // 2**20} MB)"))
            continue
        files.append(SourceFile(path, rel, st.st_size, st.st_mtime_ns))
    return files, passed


def prepare(rel: str, data: bytes, passage_size: int, overlap: int) -> DocumentUpdate:
    """Parse and split one file, terms still to come (CPU-bound, pure)."""
    doc = parse(rel, data)
    passages = split_passages(doc.id, doc.text, passage_size, overlap)
    if not passages:
        raise DocumentError("no passages")
    return DocumentUpdate(doc, passages, [])


def with_tokens(updates: list[DocumentUpdate], analyzer: Analyzer) -> list[DocumentUpdate]:
    """The updates with their passages' terms, tokenised as one batch (every core if big)."""
    texts = [p.text for up in updates for p in up.passages]
    tokens = iter(tokenise_all(texts, analyzer))
    out = []
    for up in updates:
        title = analyzer.title_terms(up.document.title)  # the title is a field of every passage
        out.append(replace(up, tokens=[next(tokens) + title for _ in up.passages]))
    return out


def splitter_signature(passage_size: int, overlap: int) -> str:
    """What passages depend on besides the text: a change means every file is re-split."""
    return f"size={passage_size};overlap={overlap}"


async def sync_folder(
    db: Database,
    folder: Path,
    analyzer: Analyzer,
    passage_size: int = 1500,
    overlap: int = 1,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Reload the knowledge folder into the database incrementally; return what changed."""
    started = time.perf_counter()
    report = SyncReport()
    files, passed = await asyncio.to_thread(scan, folder)
    report.skipped.extend(passed)
    known = await db.file_states()
    splitter = splitter_signature(passage_size, overlap)
    stale = (
        await db.get_meta(ANALYZER_KEY) != analyzer.signature
        or await db.get_meta(SPLITTER_KEY) != splitter
    )

    updates: list[DocumentUpdate] = []
    stat_only: list[FileState] = []
    seen_ids: dict[str, str] = {}
    for file in files:
        old = known.get(file.rel)
        if not stale and old and old.size == file.size and old.mtime_ns == file.mtime_ns:
            report.unchanged += 1
            seen_ids[old.doc_id] = file.rel
            continue
        try:
            data = await asyncio.to_thread(file.path.read_bytes)
        except OSError as exc:
            report.skipped.append((file.rel, f"cannot read: {exc.strerror}"))
            if old:  # keep serving the version we have rather than losing it
                seen_ids[old.doc_id] = file.rel
            continue
        if not stale and old and old.content_hash == content_hash(data):
            report.unchanged += 1
            seen_ids[old.doc_id] = file.rel
            stat_only.append(FileState(old.doc_id, file.rel, old.content_hash, file.size,
                                       file.mtime_ns))
            continue
        try:
            update = await asyncio.to_thread(prepare, file.rel, data, passage_size, overlap)
        except DocumentError as exc:
            reason = str(exc)
            if old:  # a file that broke keeps serving its last good version
                seen_ids[old.doc_id] = file.rel
                reason += "; the previous version stays in use"
            report.skipped.append((file.rel, reason))
            log.warning("skipped %s: %s", file.rel, reason)
            continue
        doc_id = update.document.id
        if doc_id in seen_ids:
            report.skipped.append((file.rel, f"id {doc_id!r} is already used by {seen_ids[doc_id]}"))
            continue
        seen_ids[doc_id] = file.rel
        updates.append(replace(update, size=file.size, mtime_ns=file.mtime_ns))
        (report.changed if old else report.added).append(file.rel)
        report.passages += len(update.passages)
        if progress:
            progress(f"read {file.rel} ({len(update.passages)} passages)")

    updates = await asyncio.to_thread(with_tokens, updates, analyzer)

    removals = [s.doc_id for s in known.values() if s.doc_id not in seen_ids]
    # A document whose id moved to another file is replaced, not removed.
    new_ids = {u.document.id for u in updates}
    removals = [doc_id for doc_id in removals if doc_id not in new_ids]
    report.removed = sorted(s.path for s in known.values() if s.doc_id in removals)
    await db.apply(updates, removals, stat_only,
                   meta={ANALYZER_KEY: analyzer.signature, SPLITTER_KEY: splitter})
    report.seconds = time.perf_counter() - started
    return report
