"""The typing indicator on its own: sent only while a slow body runs, renewed, never after."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import NetworkError

from bot.faces.telegram import typing_indicator
from bot.faces.telegram.typing_indicator import typing_if_slow


class Sender:
    """Counts sends and lets a test wait for the n-th one."""

    def __init__(self, fail: bool = False) -> None:
        self.count = 0
        self.fail = fail
        self.changed = asyncio.Condition()

    async def __call__(self) -> bool:
        async with self.changed:
            self.count += 1
            self.changed.notify_all()
        if self.fail:
            raise NetworkError("connection reset")
        return True

    async def wait(self, count: int) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: self.count >= count), 10)


async def indicator_stopped() -> None:
    """Wait until no indicator task is left running: once it has ended it can send nothing
    more, so a count taken then is final (no fixed wait for something not to happen)."""
    def running() -> list[asyncio.Task[object]]:
        return [t for t in asyncio.all_tasks()
                if not t.done() and getattr(t.get_coro(), "__name__", "") == "_keep_typing"]

    for _ in range(1000):
        if not running():
            return
        await asyncio.sleep(0)
    raise AssertionError("the typing indicator is still running")


async def test_a_fast_body_sends_nothing() -> None:
    send = Sender()
    async with typing_if_slow(send, delay=3600):
        await asyncio.sleep(0)
    await indicator_stopped()
    assert send.count == 0


async def test_a_slow_body_is_shown_renewed_and_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_indicator, "RENEW_SECONDS", 0.01)
    send = Sender()
    async with typing_if_slow(send, delay=0):
        await send.wait(3)  # the first, then renewals while the body runs
        during = send.count
    await indicator_stopped()
    assert send.count == during  # nothing after the body ended


async def test_failed_sends_do_not_reach_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_indicator, "RENEW_SECONDS", 0.01)
    send = Sender(fail=True)
    async with typing_if_slow(send, delay=0):
        await send.wait(2)  # it went on trying after the first failure, the body unharmed
        during = send.count
    await indicator_stopped()  # and a failing indicator still stops with the body
    assert send.count == during


async def test_an_error_in_the_body_stops_the_indicator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_indicator, "RENEW_SECONDS", 0.01)
    send = Sender()
    with pytest.raises(RuntimeError):
        async with typing_if_slow(send, delay=0):
            await send.wait(1)
            during = send.count
            raise RuntimeError("the answer failed")
    await indicator_stopped()
    assert send.count == during
