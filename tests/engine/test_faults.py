"""Database faults and a reload killed part-way: a clear refusal or a rebuild, never a silent
empty index, and never a half-written database."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine.service import QAService
from bot.store.database import StorageError
from tests.conftest import ROOT

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_deleted_database_is_rebuilt_from_the_knowledge_folder(settings: Settings) -> None:
    first = await QAService.start(settings)
    expected = first.ask(QUESTION)
    await first.close()
    shutil.rmtree(settings.database_path.parent)  # the database and its saved index
    second = await QAService.start(settings)
    try:
        assert second.ask(QUESTION).passages == expected.passages
    finally:
        await second.close()


async def test_corrupt_database_is_refused_with_the_fix(settings: Settings) -> None:
    settings.database_path.parent.mkdir(parents=True)
    settings.database_path.write_bytes(os.urandom(8192))
    with pytest.raises(StorageError) as info:
        await QAService.start(settings)
    message = str(info.value)
    assert str(settings.database_path) in message and "bot restore" in message


async def test_database_path_that_cannot_exist(settings: Settings, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = settings.model_copy(update={"database_path": blocker / "bot.sqlite3"})
    with pytest.raises(StorageError, match="DATABASE_PATH"):
        await QAService.start(bad)


async def test_locked_database_is_reported(settings: Settings) -> None:
    service = await QAService.start(settings)
    await service.close()
    holder = sqlite3.connect(settings.database_path, timeout=0)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="another program holds a lock"):
            await QAService.start(settings)
    finally:
        holder.rollback()
        holder.close()


def _documents(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = {r[0] for r in conn.execute("SELECT path FROM documents")}
        orphans = conn.execute("SELECT COUNT(*) FROM passages p WHERE NOT EXISTS "
                               "(SELECT 1 FROM documents d WHERE d.id = p.doc_id)").fetchone()[0]
        empty = conn.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                             "(SELECT 1 FROM passages p WHERE p.doc_id = d.id)").fetchone()[0]
    assert orphans == 0 and empty == 0
    return docs


@pytest.mark.parametrize(
    "delay",
    [0.3, 1.0, 2.0]
    + [pytest.param(d / 10, marks=pytest.mark.slow) for d in range(1, 40, 2)],
)
def test_reload_killed_part_way_leaves_the_old_or_the_new_state(
    settings: Settings, delay: float
) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
           "PYTHONPATH": str(ROOT), "KNOWLEDGE_DIR": str(settings.knowledge_dir),
           "DATABASE_PATH": str(settings.database_path), "CROSS_LINGUAL": "false"}
    reload = [sys.executable, "-m", "bot", "reload"]
    subprocess.run(reload, env=env, check=True, capture_output=True, timeout=120)
    before = _documents(settings.database_path)
    for i in range(150):
        words = " ".join(f"word{(i * 7 + j) % 500}" for j in range(300))
        (settings.knowledge_dir / f"note{i:03}.md").write_text(
            f"# Note {i} about lanterns\n\n{words}.\n", encoding="utf-8")
    child = subprocess.Popen(reload, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    after_kill = _documents(settings.database_path)
    everything = before | {f"note{i:03}.md" for i in range(150)}
    assert after_kill in (before, everything)
    # and the next reload completes the job
    subprocess.run(reload, env=env, check=True, capture_output=True, timeout=120)
    assert _documents(settings.database_path) == everything
