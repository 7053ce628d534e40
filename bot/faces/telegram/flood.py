"""Telegram's flood limits on outgoing calls, without one chat's wait holding up the others.

Like python-telegram-bot's AIORateLimiter: at most 30 calls a second that name a chat, at most
20 a minute into each group or channel (negative chat ids and @usernames), and a "retry
after" answer waited out and tried again. Unlike it:

- a call waiting for its own chat (its group's minute, a pause Telegram asked of that chat)
  gives its update slot back meanwhile (`slots.waiting`), so other chats' updates go on;
- a "retry after" pauses only the chat it came for (every call when it named no chat),
  where AIORateLimiter pauses the whole bot;
- when the bot stops, calls still waiting for their chat are abandoned (`Abandoned`) rather
  than waited for: a busy group's queue can be minutes long, and a stop must take seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.faces.telegram import slots

log = logging.getLogger(__name__)

PER_SECOND = 30
# 20 messages a minute into a group: a burst of 20, then one every GROUP_SECONDS / 20.
GROUP_MESSAGES, GROUP_SECONDS = 20, 60.0
# Group limiters kept before idle ones (full capacity again) are dropped.
MAX_GROUPS = 512


class Abandoned(TelegramError):
    """A call dropped because the bot stopped while it waited for its chat's flood limit."""


def _chat(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    with contextlib.suppress(ValueError, TypeError):
        return int(chat)  # type: ignore[arg-type]
    return chat if isinstance(chat, str) else None


class FloodLimiter(BaseRateLimiter[int]):
    """Outgoing calls paced by Telegram's flood limits, per chat where they are per chat."""

    def __init__(self, max_retries: int = 3) -> None:
        self._overall = AsyncLimiter(PER_SECOND, 1)
        self._group_rate = (GROUP_MESSAGES, GROUP_SECONDS)
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused: dict[int | str | None, float] = {}  # chat (None: all) -> monotonic end
        self._max_retries = max_retries
        self._stopping = asyncio.Event()

    async def initialize(self) -> None:
        """Ready to pace calls again (after a stop)."""
        self._stopping.clear()

    async def shutdown(self) -> None:
        """Nothing to release."""

    def abandon_waits(self) -> None:
        """Stop waiting for chats' flood limits: those calls fail with Abandoned from now on."""
        self._stopping.set()

    def _group(self, chat: int | str) -> AsyncLimiter:
        if len(self._groups) > MAX_GROUPS:
            self._groups = {k: v for k, v in self._groups.items()
                            if k == chat or not v.has_capacity(v.max_rate)}
        limiter = self._groups.get(chat)
        if limiter is None:
            limiter = self._groups[chat] = AsyncLimiter(*self._group_rate)
        return limiter

    async def _for_chat(self, wait: Callable[[], Awaitable[None]]) -> None:
        """Wait for one chat without a slot; give up when the bot stops."""
        async with slots.waiting():
            waiter = asyncio.ensure_future(wait())
            stop = asyncio.ensure_future(self._stopping.wait())
            try:
                done, _ = await asyncio.wait({waiter, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
                if not waiter.done():
                    waiter.cancel()
            if waiter not in done:
                raise Abandoned("the bot stopped while this call waited for its chat")
            waiter.result()

    async def _pause_over(self, chat: int | str | None) -> None:
        """Wait out a "retry after" of this chat, or of every chat."""
        now = time.monotonic()
        end = max(self._paused.get(chat, 0.0), self._paused.get(None, 0.0))
        if end > now:
            await self._for_chat(lambda: asyncio.sleep(end - now))
        self._paused = {k: t for k, t in self._paused.items() if t > time.monotonic()}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Pace one call, and try it again after each "retry after" up to max_retries."""
        chat = _chat(data)
        group = chat if isinstance(chat, str) or (isinstance(chat, int) and chat < 0) else None
        retries = rate_limit_args or self._max_retries
        attempt = 0
        while True:
            await self._pause_over(chat)
            if group is not None:
                limiter = self._group(group)
                if limiter.has_capacity():
                    await limiter.acquire()
                else:
                    await self._for_chat(limiter.acquire)
            if chat is not None:  # the bot's own rate: everyone waits alike, slots kept
                await self._overall.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempt += 1
                if attempt > retries:
                    raise
                # The private field is what python-telegram-bot's own limiter reads: the public
                # one changes type between versions and warns.
                seconds = exc._retry_after.total_seconds() + 0.1
                log.info("flood limit of chat %s: %s tried again in %.1f s", chat, endpoint,
                         seconds)
                self._paused[chat] = time.monotonic() + seconds
