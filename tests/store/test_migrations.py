"""Migrations under concurrency: a version read before another process migrated the same new
file is never acted on, a file bricked that way by an older version is repaired, and processes
opening a new file at once all get the current schema."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.store import database as storage
from bot.store.database import SCHEMA_VERSION, Database, migrations
from tests.processes import start_together

OPEN = ("import asyncio, sys; from bot.store.database import Database; "
        "print('ready', flush=True); sys.stdin.readline(); "
        "db = asyncio.run(Database.open(sys.argv[1])); asyncio.run(db.close())")


def _columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_a_version_read_before_another_process_migrated_is_not_acted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.sqlite3"
    read, migrated = asyncio.Event(), asyncio.Event()
    real = Database.schema_version
    paused: list[Database] = []

    async def first_read_waits(self: Database) -> int:
        version = await real(self)
        if not paused:  # the first open reads 0, then the other one migrates the file
            paused.append(self)
            read.set()
            await migrated.wait()
        return version

    monkeypatch.setattr(Database, "schema_version", first_read_waits)
    late = asyncio.create_task(Database.open(path))
    await read.wait()
    first = await Database.open(path)
    try:
        await first.set_meta("kept", "yes")
        migrated.set()
        second = await late  # before the fix: "duplicate column name: file_size"
        await second.close()
    finally:
        await first.close()
    assert _version(path) == SCHEMA_VERSION
    again = await Database.open(path)
    assert await again.get_meta("kept") == "yes"
    await again.close()


async def test_a_file_bricked_by_a_replayed_migration_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "bricked.sqlite3"
    db = await Database.open(path)
    await db.set_meta("kept", "yes")
    await db.close()
    with sqlite3.connect(path) as conn:  # what the old race left: 0001's version, 0002's columns
        conn.execute("PRAGMA user_version = 1")
    db = await Database.open(path)
    try:
        assert await db.schema_version() == SCHEMA_VERSION
        assert await db.get_meta("kept") == "yes"
    finally:
        await db.close()
    assert _columns(path, "documents").count("file_size") == 1


def test_statements_rebuild_the_schema_each_script_builds(tmp_path: Path) -> None:
    whole, cut = sqlite3.connect(tmp_path / "a.db"), sqlite3.connect(tmp_path / "b.db")
    for _, sql in migrations():
        whole.executescript(sql)
        statements = storage._statements(sql)
        assert all(sqlite3.complete_statement(s) for s in statements)
        for statement in statements:
            cut.execute(statement)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert cut.execute(schema).fetchall() == whole.execute(schema).fetchall()
    assert len(storage._statements(migrations()[1][1])) == 2  # 0002's two ALTER TABLEs
    with pytest.raises(ValueError, match="incomplete"):
        storage._statements("CREATE TABLE t (x)")


async def test_an_up_to_date_file_opens_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    await (await Database.open(path)).close()
    writer = sqlite3.connect(path, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # a reload's transaction in another process
    try:
        db = await Database.open(path)
        assert await db.passages_version()  # written with the schema: nothing to wait for
        await db.close()
    finally:
        writer.rollback()
        writer.close()


@pytest.mark.parametrize("rounds", [3, pytest.param(40, marks=pytest.mark.slow)])
def test_processes_opening_a_new_file_at_once_all_get_the_schema(
    tmp_path: Path, rounds: int
) -> None:
    for n in range(rounds):
        path = tmp_path / f"new{n}.sqlite3"
        done = [c.wait_done() for c in start_together([[OPEN, str(path)]] * 4, cwd=tmp_path)]
        assert [d.returncode for d in done] == [0] * 4, [d.stderr for d in done]
        assert _version(path) == SCHEMA_VERSION
        assert _columns(path, "documents").count("file_size") == 1
