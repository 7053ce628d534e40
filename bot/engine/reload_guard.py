"""One reload at a time: in this process (an asyncio lock) and across processes (the lock file
beside the database), taken in that order, so a process waits for another at most once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.store.reload_lock import ReloadLock

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class ReloadGuard:
    """The locks every write of the collection (reload, upload, removal) holds."""

    def __init__(self, database_path: str | Path) -> None:
        self._database = database_path
        self._local = asyncio.Lock()
        self._file = ReloadLock(database_path)
        self._waiting: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        """True while a reload of this process runs or waits for another process's."""
        return self._local.locked()

    @asynccontextmanager
    async def hold(self, progress: Progress | None = None,
                   wait: bool = True) -> AsyncIterator[bool]:
        """Both locks for the block, and True. While another process reloads: False at once
        with wait=False (this process's lock only), else its reload is waited for, saying so."""
        task = asyncio.current_task()
        assert task is not None
        self._waiting.add(task)
        try:
            async with self._local:
                held = self._file.try_acquire()
                if not held and wait:
                    waited = False

                    def waiting(holder: str) -> None:
                        nonlocal waited
                        waited = True
                        self._say(progress, f"another reload of {self._database} is running "
                                  f"({holder}); waiting for it to finish")

                    await self._file.acquire(waiting)
                    if waited:  # else it had just finished: nothing to say
                        self._say(progress, "the other reload has finished; reloading")
                    held = True
                self._waiting.discard(task)
                try:
                    yield held
                finally:
                    if held:
                        self._file.release()
        finally:
            self._waiting.discard(task)

    def cancel_waits(self) -> None:
        """Cancel every reload still waiting for a lock (at shutdown: no reload is lost, the
        next start does it)."""
        for task in list(self._waiting):
            task.cancel()

    @asynccontextmanager
    async def idle(self) -> AsyncIterator[None]:
        """The block runs once no reload of this process is running."""
        async with self._local:
            yield

    @staticmethod
    def _say(progress: Progress | None, message: str) -> None:
        log.info("%s", message)
        if progress is not None:
            progress(message)
