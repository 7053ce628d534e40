"""The reload lock beside the database: one holder across processes, a waiter told who holds
it, the lock freed when its holder dies or a wait is cancelled, and no trust in the file."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.store.reload_lock import ReloadLock
from tests.processes import lock_held

# A safety net only: each wait below ends on an event long before.
NEVER = 60


def test_one_holder_at_a_time_and_the_file_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot.sqlite3"
    db.parent.mkdir()
    first, second = ReloadLock(db), ReloadLock(db)
    assert first.path == tmp_path / "data" / "bot.sqlite3.lock"
    assert first.try_acquire() and first.held
    assert not second.try_acquire() and not second.held
    with pytest.raises(RuntimeError, match="already held"):
        first.try_acquire()  # a second flock from the same holder would wait for itself
    first.release()
    assert second.try_acquire()
    second.release()
    second.release()  # twice is harmless


async def test_a_waiter_is_told_who_holds_it_and_goes_on_when_it_is_released(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.sqlite3"
    told: list[str] = []
    with lock_held(db) as holder:
        lock = ReloadLock(db)
        waiting = asyncio.create_task(lock.acquire(told.append))
        while not told:  # the message comes before the wait
            await asyncio.sleep(0)
        assert told == [f"process {holder.pid}"]
        assert not waiting.done()
    await asyncio.wait_for(waiting, NEVER)  # released when the holder's stdin closed
    assert lock.held
    lock.release()


async def test_a_killed_holder_does_not_block_the_next_reload(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    lock = ReloadLock(db)
    with lock_held(db) as holder:
        assert not lock.try_acquire()
        waiting = asyncio.create_task(lock.acquire())
        holder.send_signal(signal.SIGKILL)
        await asyncio.wait_for(waiting, NEVER)  # the kernel released the dead holder's flock
        assert lock.held
    lock.release()


async def test_a_cancelled_wait_gives_the_lock_up(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    holder, cancelled, later = ReloadLock(db), ReloadLock(db), ReloadLock(db)
    assert holder.try_acquire()
    told: list[str] = []
    waiting = asyncio.create_task(cancelled.acquire(told.append))
    while not told:
        await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    holder.release()
    # The cancelled waiter's thread takes the lock as it frees, and hands it straight back.
    await asyncio.wait_for(later.acquire(), NEVER)
    assert later.held and not cancelled.held
    later.release()


def test_a_link_planted_in_its_place_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    Path(f"{db}.lock").symlink_to(target)
    with pytest.raises(OSError):
        ReloadLock(db).try_acquire()
    assert target.read_text() == "keep me"


def test_the_holder_written_in_the_file_is_only_shown(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    Path(f"{db}.lock").write_text("rm -rf / " * 10)
    assert ReloadLock(db).holder() == "another process"
    lock = ReloadLock(db)
    assert lock.try_acquire()  # its content never stops anyone
    assert ReloadLock(db).holder().startswith("process ")
    lock.release()


def test_an_in_memory_database_needs_no_file(tmp_path: Path) -> None:
    lock = ReloadLock(":memory:")
    assert lock.path is None and lock.try_acquire() and lock.held
    lock.release()
    assert not lock.held
