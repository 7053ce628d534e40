from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.store import database as storage
from bot.core.analysis import Analyzer
from bot.core.models import Document
from bot.core.splitting import split_passages
from bot.store.database import (
    SCHEMA_VERSION,
    Database,
    DocumentUpdate,
    FileState,
    StorageError,
    migrations,
    stream_corpus,
)


def _update(analyzer: Analyzer, doc_id: str, text: str) -> DocumentUpdate:
    doc = Document(id=doc_id, title=f"About {doc_id}", text=text, source="Desk",
                   url="https://example.org", date="2024-01-02", path=f"{doc_id}.txt",
                   content_hash="h-" + doc_id)
    passages = split_passages(doc_id, text, 200)
    return DocumentUpdate(doc, passages, [analyzer.tokens(p.text) for p in passages], 10, 20)


TEXT = "Volunteers deliver medicine. " * 20 + "社区志愿者为居民送药送菜。" * 10


async def test_round_trip_keeps_passages_and_tokens(tmp_path: Path, analyzer: Analyzer) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    update = _update(analyzer, "doc", TEXT)
    await db.apply([update])
    await db.close()

    db = await Database.open(tmp_path / "a.sqlite3")  # a restart
    stored, tokens = await db.corpus()
    docs = await db.documents()
    states = await db.file_states()
    plain = (await db.corpus())[0]
    await db.close()
    assert [p.text for p in stored] == [p.text for p in update.passages]
    assert [list(t) for t in tokens] == [list(t) for t in update.tokens]
    assert plain == stored
    assert stored[0].title == "About doc" and stored[0].date == "2024-01-02"
    assert docs[0].passages == len(update.passages)
    assert states["doc.txt"].size == 10 and states["doc.txt"].mtime_ns == 20


async def test_stream_corpus_reads_what_corpus_reads(
    tmp_path: Path, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_STREAM_BATCH", 2)  # several batches
    db = await Database.open(tmp_path / "a.sqlite3")
    await db.apply([_update(analyzer, "a", TEXT), _update(analyzer, "b", TEXT * 3)])
    passages, tokens = await db.corpus()
    streamed = await asyncio.to_thread(lambda: list(stream_corpus(tmp_path / "a.sqlite3")))
    await db.close()
    assert len(passages) > 2
    assert [p for p, _ in streamed] == passages
    assert [tuple(t) for _, t in streamed] == tokens


async def test_replacing_and_removing_documents(tmp_path: Path, analyzer: Analyzer) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    await db.apply([_update(analyzer, "a", TEXT), _update(analyzer, "b", TEXT)])
    await db.apply([_update(analyzer, "a", "Only one short sentence now.")], removals=["b"])
    stored = (await db.corpus())[0]
    await db.close()
    assert [(p.doc_id, p.text) for p in stored] == [("a", "Only one short sentence now.")]


async def test_passages_version_changes_with_the_passages_only(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    first = await db.passages_version()  # a new database gets one
    assert await db.passages_version() == first
    await db.apply([_update(analyzer, "a", TEXT)])
    added = await db.passages_version()
    state = (await db.file_states())["a.txt"]
    await db.apply([], stat_only=[FileState(state.doc_id, state.path, state.content_hash, 1, 2)])
    assert await db.passages_version() == added  # a touched file with the same text
    await db.apply([], removals=["a"])
    removed = await db.passages_version()
    assert len({first, added, removed}) == 3
    before = await db.passages_version()
    with pytest.raises(ValueError):  # a failed write leaves the version as it was
        await db.apply([DocumentUpdate(_update(analyzer, "b", TEXT).document,
                                       _update(analyzer, "b", TEXT).passages, [])])
    assert await db.passages_version() == before
    assert await db.passage_count() == 0
    await db.close()


async def test_failed_write_changes_nothing(tmp_path: Path, analyzer: Analyzer) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    await db.apply([_update(analyzer, "a", TEXT)])
    before = (await db.corpus())[0]
    good = _update(analyzer, "b", TEXT)
    broken = DocumentUpdate(good.document, good.passages, good.tokens[:-1])  # tokens missing
    with pytest.raises(ValueError):
        await db.apply([_update(analyzer, "c", TEXT), broken], removals=["a"])
    after = (await db.corpus())[0]
    await db.close()
    assert after == before


async def test_new_file_gets_the_current_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    assert await db.schema_version() == SCHEMA_VERSION == migrations()[-1][0]
    await db.close()


async def test_older_file_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first_version, first_sql = migrations()[0]
    conn = sqlite3.connect(path)
    conn.executescript(first_sql)
    conn.execute(f"PRAGMA user_version = {first_version}")
    conn.execute("INSERT INTO documents (id, path, title, content_hash, text) "
                 "VALUES ('old', 'old.txt', 'Old', 'h', 'Old text.')")
    conn.execute("INSERT INTO passages (doc_id, position, count, start, \"end\", text, tokens) "
                 "VALUES ('old', 1, 1, 0, 9, 'Old text.', 'old text')")
    conn.commit()
    conn.close()

    db = await Database.open(path)
    assert await db.schema_version() == SCHEMA_VERSION
    states = await db.file_states()
    passages, tokens = await db.corpus()
    await db.close()
    assert states["old.txt"].size is None  # the column the migration added
    assert tokens == [("old", "text")] and passages[0].text == "Old text."
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert {"questions", "question_passages", "feedback"} <= tables  # the usage log's migration


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        await Database.open(path)


async def test_corrupt_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot use database"):
        await Database.open(path)


async def test_meta_values(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    assert await db.get_meta("k") is None
    await db.set_meta("k", "1")
    await db.set_meta("k", "2")
    assert await db.get_meta("k") == "2"
    await db.close()
