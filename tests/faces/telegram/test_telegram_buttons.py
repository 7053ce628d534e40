"""Button presses through the real Application: every press is answered, forged ones too."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from tests.faces.telegram.fake_bot_api import GROUP, FakeBotAPI


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
