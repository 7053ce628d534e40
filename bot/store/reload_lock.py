"""The lock file beside the database that lets one process at a time reload it.

`bot reload` from cron, a bot starting, a second bot on the same files: each reload holds an
exclusive flock on `bot.sqlite3.lock`, in the database's own folder (never the shared temporary
folder, where another local user could plant the file), for as long as it writes. The kernel
releases a flock when its holder exits or is killed, so a crashed reload never blocks the next
one. The file holds the holder's process id, only to tell whoever waits; it is never trusted.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

# The holder's id is short; anything longer is not ours.
_MAX_HOLDER_BYTES = 32


class ReloadLock:
    """An exclusive lock on one database's reloads, shared by every process that opens it."""

    def __init__(self, database_path: str | Path) -> None:
        # An in-memory database belongs to one process: nothing to share.
        self.path = None if str(database_path) == ":memory:" else Path(f"{database_path}.lock")
        self._fd: int | None = None
        self._held = False

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._held

    def try_acquire(self) -> bool:
        """Take the lock if no one holds it; False when another process (or another lock
        object on the same file) does."""
        self._check_not_held()
        if self.path is None:
            self._held = True
            return True
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._took(fd)
        return True

    async def acquire(self, waiting: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting as long as its holder keeps it; `waiting` is told who holds
        it, once, before the wait. Cancelling the wait gives the lock up."""
        if self.try_acquire():
            return
        assert self.path is not None
        if waiting is not None:
            waiting(self.holder())
        loop = asyncio.get_running_loop()
        taken: asyncio.Future[int] = loop.create_future()
        # A daemon thread: a process that exits while waiting is not kept alive by it.
        threading.Thread(target=self._wait, args=(loop, taken), daemon=True,
                         name=f"wait for {self.path.name}").start()
        self._took(await taken)

    def release(self) -> None:
        """Give the lock up; safe to call when it is not held."""
        self._held = False
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor releases the flock

    def holder(self) -> str:
        """Who holds the lock, as far as its file says: "process 1234"."""
        if self.path is None:
            return "this process"
        try:
            with self.path.open("rb") as f:
                text = f.read(_MAX_HOLDER_BYTES).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        return f"process {text}" if text.isdigit() else "another process"

    def _check_not_held(self) -> None:
        # A second flock on a new descriptor would wait for this very object forever.
        if self.held:
            raise RuntimeError(f"{self.path} is already held by this lock")

    def _open(self) -> int:
        """The lock file, created if need be; a symbolic link or anything but a plain file
        there is refused, so the lock never writes through to another file."""
        assert self.path is not None
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(self.path, flags, 0o600)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(f"{self.path} is not a plain file; remove it")
        return fd

    def _took(self, fd: int) -> None:
        """Keep the descriptor, and write this process's id for whoever waits next."""
        self._fd, self._held = fd, True
        with contextlib.suppress(OSError):  # only a courtesy to the next waiter
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)

    def _wait(self, loop: asyncio.AbstractEventLoop, taken: asyncio.Future[int]) -> None:
        """In a thread: block until the lock is free, then hand the descriptor over, or give
        it straight back when no one waits for it any more."""
        try:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            with contextlib.suppress(RuntimeError):  # the loop has closed: no one to tell
                loop.call_soon_threadsafe(_fail, taken, exc)
            return

        def hand_over() -> None:
            if taken.cancelled():
                os.close(fd)
            else:
                taken.set_result(fd)

        try:
            loop.call_soon_threadsafe(hand_over)
        except RuntimeError:  # the loop has closed
            os.close(fd)


def _fail(taken: asyncio.Future[int], exc: BaseException) -> None:
    if not taken.cancelled():
        taken.set_exception(exc)
