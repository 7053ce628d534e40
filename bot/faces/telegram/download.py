"""Files sent to the bot, downloaded as a stream that stops at a size limit.

The size Telegram states for a file (in the message, in getFile) may be missing or wrong, and
python-telegram-bot's own download reads the whole body into memory before anyone can look at
its length. Here the body is read chunk by chunk and the download is dropped as soon as it
passes the limit (a Content-Length over it is refused before reading anything), so a file
never costs more than the limit in memory or bandwidth. httpx comes with python-telegram-bot.
"""

from __future__ import annotations

import httpx

TIMEOUT = httpx.Timeout(20.0)


class TooLarge(Exception):
    """The file is larger than the limit; `at_least` bytes is what is known of its size."""

    def __init__(self, at_least: int) -> None:
        super().__init__(f"larger than the limit ({at_least} bytes or more)")
        self.at_least = at_least


class DownloadFailed(Exception):
    """The file could not be fetched (the reason is in the message; the URL, which holds the
    bot's token, is not)."""


async def fetch(url: str, limit: int) -> bytes:
    """The file at `url`, read until it ends or passes `limit` bytes (TooLarge)."""
    if not url.startswith(("https://", "http://")):
        raise DownloadFailed("the file is not at a web address")
    data = bytearray()
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadFailed(f"the file server answered {response.status_code}")
                stated = response.headers.get("content-length", "")
                if stated.isascii() and stated.isdigit() and int(stated) > limit:
                    raise TooLarge(int(stated))
                async for chunk in response.aiter_bytes():  # decoded: a compressed bomb counts
                    data += chunk
                    if len(data) > limit:
                        raise TooLarge(len(data))
    except httpx.HTTPError as exc:
        raise DownloadFailed(type(exc).__name__) from None  # its text names the URL
    return bytes(data)
