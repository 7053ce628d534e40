"""Reloads in two processes take turns: the one that finds the database's reload lock held
waits, saying so, and then goes on; a service that starts meanwhile serves the saved index at
once and swaps in the new one when the other reload is done. The interleavings are forced by
holding the lock on purpose in another process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.core.models import Status
from bot.engine.service import QAService
from tests.processes import environment, lock_held

QUESTION = "Who did Fu Linlin take to the hospital?"
POOL = "When does the swimming pool open?"
# A safety net only: each wait below ends on an event long before.
NEVER = 120


def _add_pool(settings: Settings) -> None:
    (settings.knowledge_dir / "pool.md").write_text(
        "---\ntitle: Pool\n---\nThe swimming pool opens at seven every morning.\n")


async def _saved(settings: Settings) -> None:
    """A database and saved index over the seed documents, as a previous run left them."""
    await (await QAService.start(settings)).close()


async def test_a_service_starting_during_another_reload_serves_the_saved_index_then_the_new(
    settings: Settings,
) -> None:
    await _saved(settings)
    _add_pool(settings)
    with lock_held(settings.database_path):
        # Before the fix it reloaded at once, as if no other process were writing.
        service = await asyncio.wait_for(QAService.start(settings), NEVER)
        try:
            assert service.ask(QUESTION).status is Status.ANSWERED  # the saved index
            assert service.ask(POOL).status is Status.NO_MATCH
            assert service.reloading
        except BaseException:
            await service.close()
            raise
    try:
        await asyncio.wait_for(service.caught_up(), NEVER)
        assert not service.reloading
        assert service.ask(POOL).passages[0].hit.passage.title == "Pool"
    finally:
        await service.close()


async def test_a_service_starting_on_an_empty_database_waits_for_the_other_reload(
    settings: Settings,
) -> None:
    settings.database_path.parent.mkdir(parents=True)
    told: list[str] = []
    waiting = asyncio.Event()

    def progress(message: str) -> None:
        told.append(message)
        if "waiting" in message:
            waiting.set()

    with lock_held(settings.database_path) as holder:
        starting = asyncio.create_task(QAService.start(settings, progress=progress))
        await asyncio.wait_for(waiting.wait(), NEVER)  # nothing stored to serve meanwhile
        assert not starting.done()
        assert f"(process {holder.pid}); waiting for it to finish" in told[0]
    service = await asyncio.wait_for(starting, NEVER)
    try:
        assert service.ask(QUESTION).status is Status.ANSWERED
        assert "the other reload has finished; reloading" in told
    finally:
        await service.close()


async def test_closing_does_not_wait_for_another_process_reload(settings: Settings) -> None:
    await _saved(settings)
    with lock_held(settings.database_path):
        service = await asyncio.wait_for(QAService.start(settings), NEVER)
        assert service.reloading
        await asyncio.wait_for(service.close(), NEVER)  # while the other still holds it


def test_a_second_bot_reload_waits_for_the_first_saying_so_then_goes_on(
    settings: Settings, tmp_path: Path,
) -> None:
    settings.database_path.parent.mkdir(parents=True)
    env = environment(KNOWLEDGE_DIR=str(settings.knowledge_dir),
                      DATABASE_PATH=str(settings.database_path))
    with lock_held(settings.database_path) as holder:
        second = subprocess.Popen([sys.executable, "-m", "bot", "reload"], env=env, cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        # Before the fix it never waited: stderr ended without a word about the other reload.
        told = next((line for line in iter(second.stderr.readline, "") if "waiting" in line), "")
        assert f"another reload of {settings.database_path} is running (process {holder.pid})" \
            in told
        assert second.poll() is None  # still waiting while the lock is held
    out, err = second.communicate(timeout=NEVER)
    assert second.returncode == 0, err
    assert "the other reload has finished; reloading" in err
    assert "2 added" in out
