"""The "typing…" indicator, shown only when an answer keeps the user waiting.

Most answers arrive within milliseconds, before "typing…" could even be drawn; sending it
anyway costs a Bot API call per answer, and that call counts against Telegram's flood limit
like a message does. So it is sent only once an answer has taken `delay` seconds, and renewed
while it goes on (Telegram clears it after about five seconds, or when a message arrives).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger(__name__)

# Telegram shows the action for five seconds; renewing a little earlier keeps it steady.
RENEW_SECONDS = 4.5


async def _keep_typing(send: Callable[[], Awaitable[object]], delay: float) -> None:
    await asyncio.sleep(delay)
    while True:
        try:
            await send()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # cosmetic: a failure must never cost the answer
            log.debug("could not send the typing action: %s", exc)
        await asyncio.sleep(RENEW_SECONDS)


@contextlib.asynccontextmanager
async def typing_if_slow(send: Callable[[], Awaitable[object]], delay: float
                         ) -> AsyncIterator[None]:
    """Call `send` (which sends "typing") if the body is still running after `delay`
    seconds, and every RENEW_SECONDS after that, until the body ends; leave the block before
    sending the answer, so "typing…" never follows it."""
    task = asyncio.create_task(_keep_typing(send, delay))
    try:
        yield
    finally:
        # Not awaited: the task has nothing to clean up, and awaiting a cancelled task here
        # could swallow a cancellation meant for the caller.
        task.cancel()
