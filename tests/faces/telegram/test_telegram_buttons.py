"""Button presses through the real Application: every press is answered, forged ones too."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from tests.faces.telegram.fake_bot_api import GROUP, FakeBotAPI
from tests.faces.telegram.test_telegram_bot import buttons


@pytest.mark.parametrize("data", [
    "fb:" + "9" * 30 + ":1",  # an id SQLite cannot hold: OverflowError before
    "fb:²:1", "ctx:abcdefgh:²",  # str.isdigit() is true, int() fails: ValueError before
    "more", "rm:x:maybe", "whatever",
])
async def test_forged_callback_data_is_answered_with_a_reason(
    bot_app: Application, fake_api: FakeBotAPI, data: str
) -> None:
    fake_api.callback(data)
    fake_api.callback(data, chat=GROUP)
    calls = await fake_api.wait_for("answerCallbackQuery", 2)
    assert all("This button is not valid" in c.params["text"] for c in calls)
    await fake_api.settle()
    assert fake_api.sent("sendMessage") == []  # no "something went wrong" either


async def test_a_press_whose_handler_fails_is_answered_with_the_apology(
    bot_app: Application, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.message("Who did Fu Linlin take to the hospital?", chat=GROUP)  # not addressed
    fake_api.message("/ask Who did Fu Linlin take to the hospital?", chat=GROUP)
    (answer,) = await fake_api.wait_for("sendMessage")
    votes = {b["text"]: b["callback_data"] for b in buttons(answer)}

    async def broken(*args: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(bot_app.bot_data["service"], "vote", broken)
    fake_api.callback(votes["👍"], chat=GROUP)
    (call,) = await fake_api.wait_for("answerCallbackQuery")
    assert "something went wrong" in call.params["text"]
    await fake_api.settle()
    assert len(fake_api.sent()) == 1  # a popup for the one who pressed, not a group message
    context = next(b["callback_data"] for b in buttons(answer) if "Context" in b["text"])

    def broken_around(*args: object) -> None:
        raise RuntimeError("the index is gone")

    monkeypatch.setattr(bot_app.bot_data["service"], "around", broken_around)
    fake_api.callback(context, chat=GROUP)  # fails after its press was answered
    (sorry,) = (await fake_api.wait_for("sendMessage", 2))[1:]
    assert "something went wrong" in sorry.params["text"]
