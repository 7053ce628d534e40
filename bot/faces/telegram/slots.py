"""Update slots: how many updates are worked on at once, a slot given back while one waits.

python-telegram-bot's `concurrent_updates(n)` holds one of n slots for an update's whole run,
its sends included. A reply waiting for its chat's flood limit (20 messages a minute in a
group) then holds a slot while doing nothing: 60 presses in one group held every slot, and a
private question waited 28 s for one. Here the slots bound the work on updates only; code
about to wait for one chat (`waiting()`, used by flood.py) gives its slot back meanwhile and
takes one again, in turn, before it goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable
from contextvars import ContextVar
from typing import Any

from telegram.ext import BaseUpdateProcessor


class _Slot:
    """The slot of one update's task, held or given back."""

    def __init__(self, slots: UpdateSlots) -> None:
        self._slots = slots
        self.task = asyncio.current_task()
        self.held = False

    async def take(self) -> None:
        await self._slots._free.acquire()
        self.held = True
        self._slots._busy += 1

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._slots._busy -= 1
            self._slots._free.release()


_current: ContextVar[_Slot | None] = ContextVar("update_slot", default=None)


class UpdateSlots(BaseUpdateProcessor):
    """At most `max_concurrent_updates` updates worked on at once, waits for a chat excepted."""

    def __init__(self, max_concurrent_updates: int) -> None:
        # The base class holds its own semaphore for the whole update: give it room for every
        # update, and bound the work with ours, which a waiting update can let go of.
        super().__init__(sys.maxsize)
        self._limit = max_concurrent_updates
        self._free = asyncio.Semaphore(max_concurrent_updates)
        self._busy = 0

    @property
    def slots(self) -> int:
        """How many updates may be worked on at once."""
        return self._limit

    @property
    def current_concurrent_updates(self) -> int:
        """Updates holding a slot now (not those waiting for one, or for a chat)."""
        return self._busy

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers in a slot."""
        slot = _Slot(self)
        try:
            await slot.take()
        except BaseException:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never started: no "was never awaited" warning
            raise
        token = _current.set(slot)
        try:
            await coroutine
        finally:
            _current.reset(token)
            slot.give_back()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


@contextlib.asynccontextmanager
async def waiting() -> AsyncIterator[None]:
    """Around a wait for one chat: the update's slot is free for others meanwhile. Outside an
    update's own task (a typing timer, start-up) there is no slot, and nothing changes."""
    slot = _current.get()
    if slot is None or not slot.held or slot.task is not asyncio.current_task():
        yield
        return
    slot.give_back()
    try:
        yield
    finally:
        await slot.take()
