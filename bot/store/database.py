"""The SQLite database (through aiosqlite): documents, passages and their index terms.

The schema lives in ``migrations/NNNN_name.sql``; ``PRAGMA user_version`` records how many of
them a file has had, and opening a database applies the rest in one transaction that reads the
version again under SQLite's write lock, so processes opening a new file at once apply each
migration exactly once.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.collections import collection_of
from bot.core.models import DocumentInfo, DocumentUpdate, StoredPassage
from bot.store.errors import DiskFullError, StorageError, explain

_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.sql$")
# The one schema change SQLite has no IF NOT EXISTS for; skipped when the column is there.
_ADD_COLUMN = re.compile(r"^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(\w+)", re.I)


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every packaged migration, in order."""
    found = []
    for entry in resources.files("bot.store.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = migrations()[-1][0]
# The meta key under which `passages_version` is kept.
PASSAGES_VERSION_KEY = "passages_version"
# Rows read at a time when streaming the corpus.
_STREAM_BATCH = 5000


@dataclass(frozen=True)
class FileSummary:
    """What a read-only look at a database file finds, for `bot doctor`."""

    integrity: str  # "ok", or what SQLite's integrity check says
    version: int  # migrations applied
    hashes: dict[str, str]  # each document's file and its content hash
    without_passages: int  # documents with no passage
    grants: dict[str, str] = field(default_factory=dict)  # /use grants: key -> names


@dataclass(frozen=True)
class FileState:
    """What the database knows about the file behind a document."""

    doc_id: str
    path: str
    content_hash: str
    size: int | None
    mtime_ns: int | None


# Switching a new file to WAL takes its lock for a moment; processes opening the file together
# can get "database is locked" at once, without SQLite's busy wait (seen once in a test run,
# four processes starting together on a loaded machine). Such quick refusals are tried again
# for WAL_SECONDS; a lock held for longer (another program's transaction) has already cost the
# busy wait of one try, and is reported as before.
WAL_SECONDS, WAL_PAUSE = 3.0, 0.05


async def _to_wal(conn: aiosqlite.Connection) -> None:
    """PRAGMA journal_mode = WAL, tried again while another process switches it too."""
    deadline = time.monotonic() + WAL_SECONDS
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(WAL_PAUSE)


class Database:
    """One aiosqlite connection, opened at start-up and closed at shutdown."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) and migrate the database file."""
        path = str(path)
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly, so a reload is one unit.
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            error = explain(path, exc)
            if not isinstance(error, DiskFullError):
                error = StorageError(
                    f"cannot create or open database {path}: {exc}. Fix: check that its folder "
                    "exists and is writable, or point DATABASE_PATH / --db elsewhere")
            raise error from exc
        try:
            await conn.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                await _to_wal(conn)
            db = cls(conn, path)
            await db._migrate()
        except aiosqlite.DatabaseError as exc:
            await conn.close()
            raise explain(path, exc) from exc
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        await self._conn.close()

    @property
    def connection(self) -> aiosqlite.Connection:
        """The connection, for the usage log's own queries (bot/usage_log.py)."""
        return self._conn

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when anything inside fails."""
        return self._transaction()

    async def schema_version(self) -> int:
        """The number of migrations this file has had."""
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _known_version(self) -> int:
        """The file's schema version; StorageError when it is newer than this program."""
        current = await self.schema_version()
        if current > SCHEMA_VERSION:
            raise StorageError(
                f"database schema {current} is newer than this program knows ({SCHEMA_VERSION})"
            )
        return current

    async def _migrate(self) -> None:
        # Looked at without a lock first: a file already up to date (every start but the first)
        # then never waits for another process's write transaction.
        if await self._known_version() == SCHEMA_VERSION:
            return
        # A version read before the write lock may be stale (another process migrating the same
        # new file): read it again inside BEGIN IMMEDIATE, or 0001 is replayed over 0002.
        async with self._transaction():
            current = await self._known_version()
            for version, sql in migrations():
                if version > current:
                    for statement in _statements(sql):
                        if not await self._column_exists(statement):
                            await self._conn.execute(statement)
            await self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            # Written with the schema, so opening a new file for reading never has to write it.
            await self._conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                     (PASSAGES_VERSION_KEY, secrets.token_hex(16)))

    async def _column_exists(self, statement: str) -> bool:
        """True for an ADD COLUMN whose column is already there (a file that an older version
        of this program migrated twice at once), so the migration goes on instead of failing
        on every start."""
        match = _ADD_COLUMN.match(_without_comments(statement))
        if match is None:
            return False
        table, column = match.groups()
        rows = await self._conn.execute_fetchall(f"PRAGMA table_info({table})")
        return any(row[1].lower() == column.lower() for row in rows)

    async def get_meta(self, key: str) -> str | None:
        """A value from the meta table."""
        async with self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a value in the meta table."""
        await self._put_meta({key: value})

    async def _put_meta(self, meta: dict[str, str]) -> None:
        await self._conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(meta.items()),
        )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when anything inside fails; SQLite's own
        failures (a full disk, a lock held too long) come out as StorageError with the fix."""
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                # A full disk may have rolled the transaction back already.
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from exc

    async def file_states(self) -> dict[str, FileState]:
        """Known files by relative path."""
        sql = "SELECT id, path, content_hash, file_size, file_mtime_ns FROM documents"
        rows = await self._conn.execute_fetchall(sql)
        return {r[1]: FileState(r[0], r[1], r[2], r[3], r[4]) for r in rows if r[1] is not None}

    async def documents(self) -> list[DocumentInfo]:
        """Every document with its passage count, in id order."""
        sql = (
            "SELECT d.id, d.title, d.source, d.url, d.date, d.path, "
            "(SELECT COUNT(*) FROM passages p WHERE p.doc_id = d.id), d.added_at "
            "FROM documents d ORDER BY d.id"
        )
        rows = await self._conn.execute_fetchall(sql)
        return [DocumentInfo(*row) for row in rows]

    async def apply(
        self,
        updates: Sequence[DocumentUpdate],
        removals: Sequence[str] = (),
        stat_only: Iterable[FileState] = (),
        meta: dict[str, str] | None = None,
    ) -> None:
        """Write a whole reload in one transaction: all of it lands, or none of it."""
        async with self._transaction():
            for doc_id in removals:
                await self._conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            for up in updates:
                await self._upsert(up)
            await self._conn.executemany(
                "UPDATE documents SET file_size = ?, file_mtime_ns = ? WHERE id = ?",
                [(state.size, state.mtime_ns, state.doc_id) for state in stat_only],
            )
            meta = dict(meta or {})
            if removals or updates:
                meta[PASSAGES_VERSION_KEY] = secrets.token_hex(16)
            await self._put_meta(meta)

    async def _upsert(self, up: DocumentUpdate) -> None:
        doc = up.document
        await self._conn.execute(
            "INSERT INTO documents (id, path, title, source, url, date, content_hash, text, "
            "file_size, file_mtime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET path = excluded.path, title = excluded.title, "
            "source = excluded.source, url = excluded.url, date = excluded.date, "
            "content_hash = excluded.content_hash, text = excluded.text, "
            "file_size = excluded.file_size, file_mtime_ns = excluded.file_mtime_ns, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (doc.id, doc.path, doc.title, doc.source, doc.url, doc.date, doc.content_hash,
             doc.text, up.size, up.mtime_ns),
        )
        await self._conn.execute("DELETE FROM passages WHERE doc_id = ?", (doc.id,))
        await self._conn.executemany(
            'INSERT INTO passages (doc_id, position, count, start, "end", text, tokens) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p.doc_id, p.position, p.count, p.start, p.end, p.text, " ".join(toks))
                for p, toks in zip(up.passages, up.tokens, strict=True)
            ],
        )

    async def corpus(self) -> tuple[list[StoredPassage], list[tuple[str, ...]]]:
        """Every passage with its document's citation data, in a stable order, and each one's
        index terms (`stream_corpus` reads the same without holding them all)."""
        return _corpus(await self._conn.execute_fetchall(_passages_sql()))

    async def corpus_of(
        self, doc_ids: Iterable[str]
    ) -> tuple[list[StoredPassage], list[tuple[str, ...]]]:
        """`corpus` for the given documents alone (those still stored), in the same order."""
        sql = _passages_sql("WHERE p.doc_id IN (SELECT value FROM json_each(?))")
        return _corpus(await self._conn.execute_fetchall(
            sql, (json.dumps(sorted(set(doc_ids))),)))

    async def passage_count(self) -> int:
        """How many passages are stored."""
        async with self._conn.execute("SELECT COUNT(*) FROM passages") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def passages_version(self) -> str:
        """A token that changes in the same transaction as any passage: an index saved under
        it was built from exactly the passages stored now."""
        version = await self.get_meta(PASSAGES_VERSION_KEY)
        if version is None:  # a database migrated before the token existed
            # Another process may be writing one too: the first one written is everyone's.
            await self._conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                     (PASSAGES_VERSION_KEY, secrets.token_hex(16)))
            version = await self.get_meta(PASSAGES_VERSION_KEY)
        assert version is not None
        return version

    async def document_texts(self) -> list[tuple[str, str]]:
        """(id, cleaned text) of every document, to recognise an upload already held."""
        rows = await self._conn.execute_fetchall("SELECT id, text FROM documents ORDER BY id")
        return [(r[0], r[1]) for r in rows]


def _statements(sql: str) -> list[str]:
    """A migration script cut into its statements, each with the comments before it."""
    statements, pending = [], ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if _without_comments(pending).strip():
        raise ValueError(f"incomplete statement at the end of a migration: {pending!r}")
    return statements


def _without_comments(statement: str) -> str:
    """The statement without its leading ``--`` comment lines."""
    lines = statement.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines)


def _passages_sql(where: str = "") -> str:
    """The passages (those `where` keeps, if given) with their documents' citation data, in
    id order."""
    return (
        "SELECT p.id, p.doc_id, p.position, p.count, p.text, d.title, d.source, d.url, "
        f"d.date, d.path, p.tokens FROM passages p JOIN documents d ON d.id = p.doc_id {where} "
        "ORDER BY p.id"
    )


def _corpus(rows: Sequence[Sequence[Any]]) -> tuple[list[StoredPassage], list[tuple[str, ...]]]:
    """Rows of `_passages_sql` as passages and their index terms."""
    # Interned: a million passages repeat the same few hundred thousand terms, and one
    # string object per occurrence would take gigabytes.
    return [_stored(r) for r in rows], [tuple(map(sys.intern, r[10].split())) for r in rows]


def _stored(row: Sequence[Any]) -> StoredPassage:
    """A row of `_passages_sql` as a passage of its document's collection."""
    return StoredPassage(*row[:9], collection=collection_of(row[9]))


def stream_corpus(path: str | Path) -> Iterator[tuple[StoredPassage, list[str]]]:
    """Every passage with its terms, in `Database.corpus` order, read in batches through a
    read-only connection of its own (run it in a worker thread): indexing a big collection
    then never holds every passage's terms at once."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        cursor = conn.execute(_passages_sql())
        while rows := cursor.fetchmany(_STREAM_BATCH):
            for r in rows:
                yield _stored(r), r[10].split()
    finally:
        conn.close()


def summarize_file(path: Path) -> FileSummary:
    """Integrity, schema version and the documents' file hashes, read without writing or
    migrating anything (safe beside a running bot); StorageError when it cannot be read."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open {path}: {exc}") from exc
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        hashes = dict(conn.execute("SELECT path, content_hash FROM documents"))
        empty = conn.execute(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM passages p WHERE p.doc_id = d.id)").fetchone()[0]
        grants = {}
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'collection_grants'"
                        ).fetchone():  # not before the migration that made it
            grants = dict(conn.execute("SELECT key, collections FROM collection_grants"))
    except sqlite3.Error as exc:
        raise StorageError(f"{path} is not a usable database: {exc}") from exc
    finally:
        conn.close()
    return FileSummary(integrity, version, hashes, int(empty), grants)
