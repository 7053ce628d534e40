"""Stopping the bot while answers and a reload are in flight: they finish or are abandoned,
and nothing half-written stays in the database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.faces.telegram.app import build_application
from tests.faces.telegram.fake_bot_api import FakeBotAPI, until


async def test_shutdown_with_work_in_flight(
    telegram_settings: Callable[..., Settings], fake_api: FakeBotAPI
) -> None:
    settings = telegram_settings()
    for i in range(60):
        (settings.knowledge_dir / f"extra{i}.md").write_text(
            f"# Extra note {i}\n\n" + " ".join(f"term{(i * 3 + j) % 97}" for j in range(400)))
    app = build_application(settings)
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
    await app.start()
    service = app.bot_data["service"]
    for i in range(10):
        fake_api.message(f"Who is Fu Linlin? ({i})")
    (settings.knowledge_dir / "late.md").write_text("# Late note\n\nA note added while busy.\n")
    reload: asyncio.Task[Any] = asyncio.create_task(service.reload())
    await until(lambda: service.reloading)  # in flight when the shutdown begins

    # The order run_polling uses on SIGTERM.
    await app.updater.stop()  # type: ignore[union-attr]
    await app.stop()  # waits for the updates being handled
    await app.post_shutdown(app)  # type: ignore[misc]
    await app.shutdown()
    assert reload.done()  # closing the database waited for the reload in flight
    assert reload.result().added

    with sqlite3.connect(settings.database_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = {r[0] for r in conn.execute("SELECT path FROM documents")}
        assert conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0] > 0
    assert "late.md" in docs and len(docs) == 63
    answered = fake_api.sent("sendMessage")
    assert all("<b>Sources</b>" in c.params["text"] for c in answered)
