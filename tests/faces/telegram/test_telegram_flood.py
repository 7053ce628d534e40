"""One chat's flood limit holds up that chat only: button floods in a group against a private
question, per-user press limits, and a stop while a group's replies still wait."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.faces.telegram import flood
from tests.faces.telegram.conftest import stop_bot
from tests.faces.telegram.fake_bot_api import GROUP, OTHER, OTHER_CHAT, USER, FakeBotAPI, until
from tests.faces.telegram.test_telegram_bot import buttons

FU = "Who did Fu Linlin take to the hospital?"
GROUP_BURST = flood.GROUP_MESSAGES  # sent at once into a group that has been quiet
PRESSES = 60


@pytest.fixture(autouse=True)
def no_refill(monkeypatch: pytest.MonkeyPatch) -> None:
    """A group's allowance refills an hour after, not a minute: on a busy machine a test can
    take the three seconds after which Telegram's minute lets a 21st message go."""
    monkeypatch.setattr(flood, "GROUP_SECONDS", 3600.0)


async def _group_answer(fake_api: FakeBotAPI) -> dict[str, str]:
    """Ask in the group; the buttons of the answer, by label."""
    fake_api.message(f"/ask {FU}", chat=GROUP)
    (answer,) = await fake_api.wait_for("sendMessage")
    return {b["text"]: b["callback_data"] for b in buttons(answer)}


def _to(fake_api: FakeBotAPI, chat: dict[str, Any]) -> list[Any]:
    """Messages sent or edited in the chat: both count against its flood limit."""
    return [c for c in fake_api.calls if c.method in {"sendMessage", "editMessageText"}
            and c.params["chat_id"] == chat["id"]]


async def test_a_button_flood_in_a_group_does_not_hold_up_a_private_question(
    bot_app: Any, fake_api: FakeBotAPI
) -> None:
    context = (await _group_answer(fake_api))["📄 Context [1]"]
    for i in range(PRESSES):  # sixty members, one press each: no per-user limit is reached
        fake_api.callback(context, user={**USER, "id": 3000 + i}, chat=GROUP)
    fake_api.message(FU, chat=OTHER_CHAT, user=OTHER)
    await until(lambda: bool(_to(fake_api, OTHER_CHAT)))
    in_group = _to(fake_api, GROUP)
    # The private reply came while the group's messages past its allowance still wait (the
    # answer and 19 contexts go at once, the rest one every three minutes here, three seconds
    # in a real minute): before, the update slots waited on the group, and the private
    # question for a slot (28 s with Telegram's minute, for ever here).
    assert len(in_group) <= GROUP_BURST < 1 + PRESSES
    assert "Fu Linlin" in _to(fake_api, OTHER_CHAT)[0].params["text"]
    await until(lambda: len(fake_api.sent("answerCallbackQuery")) == PRESSES)  # all answered


async def test_stopping_drops_replies_still_waiting_for_a_group(
    bot_app: Any, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    context = (await _group_answer(fake_api))["📄 Context [1]"]
    for i in range(PRESSES):
        fake_api.callback(context, user={**USER, "id": 3000 + i}, chat=GROUP)
    await until(lambda: len(fake_api.sent("answerCallbackQuery")) == PRESSES)
    # Forty replies wait up to two minutes for the group: a stop must not wait them out.
    await asyncio.wait_for(stop_bot(bot_app), 20)
    assert len(_to(fake_api, GROUP)) <= GROUP_BURST
    dropped = [r for r in caplog.records if "dropped at shutdown" in r.getMessage()]
    assert len(dropped) == 1 + PRESSES - len(_to(fake_api, GROUP))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_button_presses_have_a_per_user_limit(start_bot: Any, fake_api: FakeBotAPI) -> None:
    await start_bot(questions_per_minute=3)
    context = (await _group_answer(fake_api))["📄 Context [1]"]
    for _ in range(10):
        fake_api.callback(context, chat=GROUP)
    fake_api.callback(context, user=OTHER, chat=GROUP)  # someone else still may
    await fake_api.settle()
    answers = fake_api.sent("answerCallbackQuery")
    waits = [c for c in answers if "pressing faster" in c.params.get("text", "")]
    assert len(answers) == 11 and len(waits) == 7
    # The answer, then three contexts and OTHER's, each shown in the answer's own message.
    assert [c.method for c in _to(fake_api, GROUP)] == ["sendMessage"] + ["editMessageText"] * 4
