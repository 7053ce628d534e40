"""FloodLimiter on its own: a "retry after" pauses the chat it was for, and only that chat."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import RetryAfter

from bot.faces.telegram.flood import FloodLimiter

GROUP_A, CHAT_B = -100, 7


async def test_a_retry_after_pauses_its_own_chat_only() -> None:
    limiter = FloodLimiter()
    events: list[str] = []
    first_refused = asyncio.Event()

    async def call(chat: int) -> bool:
        events.append(f"try {chat}")
        if chat == GROUP_A and not first_refused.is_set():
            first_refused.set()
            raise RetryAfter(1)
        events.append(f"sent {chat}")
        return True

    def send(chat: int) -> Any:
        return limiter.process_request(call, (chat,), {}, "sendMessage", {"chat_id": chat}, None)

    paused = asyncio.create_task(send(GROUP_A))
    await first_refused.wait()
    assert await send(CHAT_B) is True  # while the group waits out its second
    assert await send(CHAT_B) is True
    assert await paused is True
    # AIORateLimiter held every chat until the group's pause was over: B went after A.
    assert events == [f"try {GROUP_A}", f"try {CHAT_B}", f"sent {CHAT_B}", f"try {CHAT_B}",
                      f"sent {CHAT_B}", f"try {GROUP_A}", f"sent {GROUP_A}"]
