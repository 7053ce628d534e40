"""Streamed downloads stop at the limit, whatever the server states."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.faces.telegram import download

SIZE = 1000


async def _stated(request: web.Request) -> web.StreamResponse:
    """A body whose Content-Length is stated before any of it is sent."""
    response = web.StreamResponse()
    response.content_length = 100 * SIZE
    await response.prepare(request)
    try:
        for _ in range(100):
            await response.write(b"x" * SIZE)
    except ConnectionError:
        pass
    return response


async def _exact(request: web.Request) -> web.Response:
    return web.Response(body=b"y" * SIZE)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/stated", _stated)
    app.router.add_get("/exact", _exact)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_stated_length_over_the_limit_is_refused_before_reading(server: str) -> None:
    with pytest.raises(download.TooLarge) as caught:
        await download.fetch(f"{server}/stated", SIZE)
    assert caught.value.at_least == 100 * SIZE  # the stated size: nothing was counted


async def test_a_file_of_the_limit_is_read_whole(server: str) -> None:
    assert await download.fetch(f"{server}/exact", SIZE) == b"y" * SIZE
    with pytest.raises(download.TooLarge):
        await download.fetch(f"{server}/exact", SIZE - 1)


async def test_failures_do_not_show_the_url(server: str) -> None:
    with pytest.raises(download.DownloadFailed) as missing:
        await download.fetch(f"{server}/file/bot123:SECRET/nothing", SIZE)
    with pytest.raises(download.DownloadFailed) as local:
        await download.fetch("/var/lib/telegram-bot-api/123:SECRET/documents/a.txt", SIZE)
    assert "SECRET" not in str(missing.value) + str(local.value)
    assert "404" in str(missing.value)
