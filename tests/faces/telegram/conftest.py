"""A fake Bot API server, and the real Application polling it through its own HTTP stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.config import Settings
from bot.faces.telegram.app import build_application
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


# After every group the bot registers: it runs once all of them are done with an update.
LAST_GROUP = 1_000_000


@pytest.fixture
async def start_bot(
    telegram_settings: Callable[..., Settings], fake_api: FakeBotAPI,
) -> AsyncIterator[Callable[..., Any]]:
    """Start the real Application (post_init, polling, handlers) the way run_polling does,
    and stop it (post_shutdown) after the test. A last handler group tells the fake when an
    update is handled, so tests wait for that instead of a fixed time (`fake_api.settle`)."""
    running: list[Application] = []

    async def report(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await fake_api.handled(update.update_id)

    async def start(**overrides: Any) -> Application:
        app = build_application(telegram_settings(**overrides))
        app.add_handler(TypeHandler(Update, report), group=LAST_GROUP)
        await app.initialize()
        await app.post_init(app)  # type: ignore[misc]
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await app.start()
        running.append(app)
        return app

    yield start
    for app in running:
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()


@pytest.fixture
async def bot_app(start_bot: Callable[..., Any]) -> Application:
    """The bot with default settings, running against the fake server."""
    return await start_bot()
