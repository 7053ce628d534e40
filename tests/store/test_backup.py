"""A backup taken while questions are answered restores to an identical, consistent database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.engine.service import QAService
from bot.store.backup import backup, restore
from bot.store.database import StorageError


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [line for line in conn.iterdump() if not line.startswith("PRAGMA")]


async def test_backup_while_answering_restores_identically(
    service: QAService, tmp_path: Path
) -> None:
    stop = asyncio.Event()

    async def ask_repeatedly() -> int:
        count = 0
        while not stop.is_set():
            await asyncio.to_thread(service.ask, "Who did Fu Linlin take to the hospital?")
            count += 1
        return count

    asker = asyncio.create_task(ask_repeatedly())
    copy = tmp_path / "backups" / "copy.sqlite3"
    await asyncio.to_thread(backup, service.settings.database_path, copy)
    stop.set()
    assert await asker >= 1
    assert _dump(copy) == _dump(service.settings.database_path)

    restored = tmp_path / "restored.sqlite3"
    restore(copy, restored)
    assert _dump(restored) == _dump(copy)
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_refuses_a_broken_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 200)
    target = tmp_path / "db.sqlite3"
    with pytest.raises(StorageError, match="not a usable database"):
        restore(junk, target)
    assert not target.exists()
