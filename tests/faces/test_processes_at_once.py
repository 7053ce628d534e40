"""Two `bot reload`s and a serving bot (the console) started together, as a cron job and a
restarting bot do: every process succeeds, the bot answers throughout, the database and the
saved index stay usable. Once with the interleaving forced (another process holds the reload
lock while they start), and many times on fresh databases behind --runslow."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.models import Status
from bot.engine.service import QAService
from bot.store.database import SCHEMA_VERSION
from tests.conftest import EN_SEED, ZH_SEED
from tests.processes import BOT, Child, environment, lock_held, start_together

QUESTION = "Who did Fu Linlin take to the hospital?"
POOL = "When does the swimming pool open?"
TRIALS = 30


def _env(settings: Settings) -> dict[str, str]:
    return environment(KNOWLEDGE_DIR=str(settings.knowledge_dir),
                       DATABASE_PATH=str(settings.database_path))


def _read_until(stream: object, text: str) -> list[str]:
    """Lines of a child's output up to and including the first holding text."""
    lines = []
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never came: {''.join(lines)}")


def _answer(console: Child, question: str) -> str:
    """Ask the running console one question; its reply up to the citations."""
    assert console.process.stdin is not None
    console.process.stdin.write(question + "\n")
    console.process.stdin.flush()
    # The lead, then its citation: "[1] Title — ...".
    return "".join(_read_until(console.process.stdout, "[1] "))


async def _usable(settings: Settings) -> None:
    """The database is whole and current, and a new start serves both seed documents."""
    with sqlite3.connect(settings.database_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        paths = {r[0] for r in conn.execute("SELECT path FROM documents")}
    assert {EN_SEED, ZH_SEED} <= paths
    service = await QAService.start(settings, sync=False)
    try:
        assert service.ask(QUESTION).status is Status.ANSWERED
    finally:
        await service.close()


async def test_reloads_and_a_bot_started_while_another_reload_runs(settings: Settings) -> None:
    await (await QAService.start(settings)).close()  # a saved index, from an earlier run
    (settings.knowledge_dir / "pool.md").write_text(
        "---\ntitle: Pool\n---\nThe swimming pool opens at seven every morning.\n")
    with lock_held(settings.database_path):
        children = start_together([[BOT, "reload"], [BOT, "reload"], [BOT, "console"]],
                                  cwd=settings.knowledge_dir.parent, env=_env(settings))
        *reloads, console = children
        # Before the fix nothing waited: the reloads never said so.
        for reload in reloads:
            _read_until(reload.process.stderr, "waiting for it to finish")
        assert "Fu Linlin" in _answer(console, QUESTION)  # served while the lock is held
        assert all(r.process.poll() is None for r in reloads)
    done = [r.wait_done() for r in reloads]
    assert [d.returncode for d in done] == [0, 0], [d.stderr for d in done]
    assert all("the other reload has finished; reloading" in d.stderr for d in done)
    # One of the three took the lock first and added the file; the others found it done.
    summaries = sorted(d.stdout.splitlines()[-1].split(",")[0] for d in done)
    assert summaries in (["0 added", "0 added"], ["0 added", "1 added"])
    # The console's own reload ran after theirs, and swapped in the index with the pool.
    _read_until(console.process.stderr, "knowledge folder synced")
    assert "Pool" in _answer(console, POOL)
    assert console.wait_done().returncode == 0  # its input ends
    await _usable(settings)


@pytest.mark.slow
async def test_reloads_and_a_bot_started_together_on_new_databases(
    settings: Settings, tmp_path: Path
) -> None:
    failures = []
    for n in range(TRIALS):
        own = settings.model_copy(update={"database_path": tmp_path / f"db{n}" / "bot.sqlite3"})
        children = start_together([[BOT, "reload"], [BOT, "reload"], [BOT, "console"]],
                                  cwd=tmp_path, env=_env(own), stdin=["", "", QUESTION + "\n"])
        done = [c.wait_done() for c in children]
        if [d.returncode for d in done] != [0, 0, 0] or "Fu Linlin" not in done[2].stdout:
            failures.append((n, [d.stderr[-500:] for d in done]))
            continue
        await _usable(own)
    assert failures == []

