"""REFRESH_HOURS in the running bot: a round (triggered directly, never waited for) tells the
admins, in their private chats, of the pages gone; a round with nothing gone says nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sources.refreshing import Outcome
from bot.faces.telegram import app as telegram_app, handlers
from bot.faces.telegram.refresh_report import refresh_round
from tests.engine.test_refresh import Site, html, site  # noqa: F401  (the changing web site)
from tests.faces.telegram.fake_bot_api import USER, FakeBotAPI


async def test_admins_are_told_of_pages_gone_and_they_stay_answered(
    start_bot: Any, fake_api: FakeBotAPI, site: Site,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(telegram_admin_ids=frozenset({USER["id"]}), fetch_allow_private=True,
                          crawl_delay_seconds=0)
    service = bot.bot_data[handlers.SERVICE]
    for path in ("/etag/ferry", "/etag/museum"):
        await service.add_page(site.base + path)
    site.pages["/etag/ferry"] = None
    site.pages["/etag/museum"] = html("Museum notice", "The museum opens at noon on Sundays.")
    report = await refresh_round(bot)
    assert {p.outcome for p in report.pages} == {Outcome.GONE, Outcome.CHANGED}
    assert any(r.levelname == "WARNING" and "etag-ferry.html" in r.getMessage()
               for r in caplog.records)  # in the log too
    (told,) = await fake_api.wait_for("sendMessage")
    assert told.params["chat_id"] == USER["id"]
    shown = fake_api.visible(told)
    assert "could not be fetched again" in shown and "无法重新获取" in shown
    assert f"gone, kept: web/127.0.0.1/etag-ferry.html ({site.base}/etag/ferry)" in shown
    assert "changed: web/127.0.0.1/etag-museum.html" in shown
    fake_api.message("When does the ferry to the island leave?")
    answer = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "nine" in fake_api.visible(answer).split("\n")[0]  # kept until an admin removes it
    fake_api.message("When does the museum open on Sundays?")
    answer = (await fake_api.wait_for("sendMessage", 3))[2]
    assert "noon" in fake_api.visible(answer).split("\n")[0]  # the change reloaded


async def test_a_round_with_nothing_gone_sends_nothing(
    start_bot: Any, fake_api: FakeBotAPI, site: Site  # noqa: F811
) -> None:
    bot = await start_bot(telegram_admin_ids=frozenset({USER["id"]}), fetch_allow_private=True)
    await bot.bot_data[handlers.SERVICE].add_page(site.base + "/etag/ferry")
    report = await refresh_round(bot)
    assert [p.outcome for p in report.pages] == [Outcome.UNCHANGED]
    await fake_api.settle()
    assert not fake_api.sent("sendMessage")


async def test_the_refresh_task_runs_with_refresh_hours_and_stops_with_the_bot(
    start_bot: Any
) -> None:
    from tests.faces.telegram.conftest import stop_bot

    off = await start_bot()
    assert telegram_app.REFRESHER not in off.bot_data
    on = await start_bot(refresh_hours=6)
    task = on.bot_data[telegram_app.REFRESHER]
    assert not task.done()
    await stop_bot(on)
    assert task.cancelled()
