"""A fake Bot API server, and the real Application polling it through its own HTTP stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.faces.telegram.app import build_application
from bot.faces.telegram.slots import UpdateSlots
from tests.faces.telegram.fake_bot_api import FakeBotAPI


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()
    # Telegram would have refused these: a reply lost for a limit is a bug wherever it shows.
    assert not server.refused, server.refused


@pytest.fixture
def telegram_settings(settings: Settings, fake_api: FakeBotAPI) -> Callable[..., Settings]:
    """Settings that point the bot at the fake server; keyword arguments override."""

    def make(**overrides: Any) -> Settings:
        return settings.model_copy(update={
            "telegram_bot_token": SecretStr(fake_api.token),
            "telegram_api_base_url": fake_api.base_url,
            "telegram_api_base_file_url": fake_api.file_base_url,
            "questions_per_minute": 100,
            **overrides,
        })

    return make


@pytest.fixture
async def start_bot(
    telegram_settings: Callable[..., Settings], fake_api: FakeBotAPI,
) -> AsyncIterator[Callable[..., Any]]:
    """Start the real Application (post_init, polling, handlers) the way run_polling does,
    and stop it (post_shutdown) after the test. The update processor tells the fake when an
    update is done with, whichever handler group stopped it, so tests wait for that instead of
    a fixed time (`fake_api.settle`)."""
    running: list[Application] = []

    def reporting(processor: UpdateSlots) -> None:
        real = processor.do_process_update

        async def do_process_update(update: object, coroutine: Any) -> None:
            try:
                await real(update, coroutine)
            finally:
                if isinstance(update, Update):
                    await fake_api.handled(update.update_id)

        processor.do_process_update = do_process_update  # type: ignore[method-assign]

    async def start(**overrides: Any) -> Application:
        app = build_application(telegram_settings(**overrides))
        reporting(app.update_processor)  # type: ignore[arg-type]
        await app.initialize()
        await app.post_init(app)  # type: ignore[misc]
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await app.start()
        running.append(app)
        return app

    yield start
    for app in running:
        await stop_bot(app)


async def stop_bot(app: Application) -> None:
    """Stop a bot started by `start_bot` in the order run_polling uses; again does nothing."""
    if not app.running:
        return
    await app.updater.stop()  # type: ignore[union-attr]
    await app.stop()
    await app.post_shutdown(app)  # type: ignore[misc]
    await app.shutdown()


@pytest.fixture
async def bot_app(start_bot: Callable[..., Any]) -> Application:
    """The bot with default settings, running against the fake server."""
    return await start_bot()
