"""ALLOWED_IDS on every path a user can take, and votes only from the one who asked."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.faces.telegram.fake_bot_api import (
    GROUP,
    OTHER,
    OTHER_CHAT,
    PRIVATE,
    USER,
    FakeBotAPI,
)
from tests.faces.telegram.test_telegram_bot import buttons

FU = "Who did Fu Linlin take to the hospital?"
# What the seed documents would give away: titles, publishers, URLs, passage text.
SECRETS = ("Volunteers Offer", "王小容", "ichongqing", "wehi.org.cn", "Fu Linlin", "iChongqing")
REFUSAL = "only answers its own members"


def _leaks(fake_api: FakeBotAPI) -> list[str]:
    texts = [str(c.params) for c in fake_api.calls if c.method != "setMyCommands"]
    return [t for t in texts if any(s in t for s in SECRETS)]


async def test_outsiders_get_one_short_reason_and_no_titles(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    await start_bot(allowed_ids=frozenset({OTHER["id"]}))
    for text in ("/start", "/help", "/sources", FU, "/ask Fu Linlin", "/nosuchcommand"):
        fake_api.message(text)
    sticker = {"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1,
               "is_animated": False, "is_video": False, "type": "regular"}
    fake_api.message(None, sticker=sticker)
    fake_api.push({"edited_message": {"message_id": 3, "date": 0, "edit_date": 1,
                                      "chat": PRIVATE, "from": USER, "text": FU}})
    fake_api.message("chatter that is not for the bot", chat=GROUP)
    fake_api.message("/help@docs_answer_bot", chat=GROUP)
    await fake_api.settle()
    replies = fake_api.sent()
    # Told once in each chat (a flood of messages is not answered by a flood of replies).
    assert sorted(c.params["chat_id"] for c in replies) == sorted([PRIVATE["id"], GROUP["id"]])
    assert all(REFUSAL in c.params["text"] and "只为指定的成员服务" in c.params["text"]
               for c in replies)
    assert _leaks(fake_api) == []


async def test_outsiders_cannot_use_the_buttons_of_a_member(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(allowed_ids=frozenset({OTHER["id"]}))
    fake_api.message(FU, chat=OTHER_CHAT, user=OTHER)
    (answer,) = await fake_api.wait_for("sendMessage")
    before = len(fake_api.calls)
    # Pressed in the outsider's own chat with the bot (a client sends any data it likes).
    for button in buttons(answer):  # More results, 👍, 👎, Context [1..3]
        fake_api.callback(button["callback_data"], user=USER, chat=PRIVATE)
    presses = len(buttons(answer))
    calls = await fake_api.wait_for("answerCallbackQuery", presses)
    await fake_api.settle()
    assert len(calls) == presses and all(REFUSAL in c.params["text"] for c in calls)
    assert len(fake_api.sent()) == 1  # no passage, no context, no next page
    assert _leaks(fake_api)[before:] == []
    with sqlite3.connect(app.bot_data["settings"].database_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


async def test_outsiders_inline_queries_get_a_polite_button(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    await start_bot(allowed_ids=frozenset({OTHER["id"]}))
    fake_api.push({"inline_query": {"id": "iq1", "from": USER, "query": "Fu Linlin hospital",
                                    "offset": ""}})
    (call,) = await fake_api.wait_for("answerInlineQuery")
    assert call.params["results"] == [] and call.params["is_personal"] is True
    assert call.params["button"] == {"text": "Only for members", "start_parameter": "members"}


async def test_a_members_inline_results_are_not_cached_for_others(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    await start_bot(allowed_ids=frozenset({OTHER["id"]}))
    fake_api.push({"inline_query": {"id": "iq1", "from": OTHER, "query": "Fu Linlin hospital",
                                    "offset": ""}})
    (call,) = await fake_api.wait_for("answerInlineQuery")
    assert call.params["results"]  # the member's answer...
    assert call.params["is_personal"] is True  # ...which Telegram must not serve to others


async def test_admins_pass_though_not_listed(start_bot: Any, fake_api: FakeBotAPI) -> None:
    await start_bot(allowed_ids=frozenset({OTHER["id"]}),
                    telegram_admin_ids=frozenset({USER["id"]}))
    fake_api.message("/sources")
    (listing,) = await fake_api.wait_for("sendMessage")
    assert "Volunteers Offer" in listing.params["text"]


@pytest.mark.parametrize("hash_user_ids", [False, True])
async def test_a_vote_counts_only_from_the_one_who_asked(
    start_bot: Any, fake_api: FakeBotAPI, hash_user_ids: bool
) -> None:
    # The group is allowed, so everyone in it may ask and press: but rate only their own.
    app = await start_bot(allowed_ids=frozenset({GROUP["id"]}), hash_user_ids=hash_user_ids)
    fake_api.message(f"/ask {FU}", chat=GROUP)
    (answer,) = await fake_api.wait_for("sendMessage")
    votes = {b["text"]: b["callback_data"] for b in buttons(answer)}
    fake_api.callback(votes["👎"], user=OTHER, chat=GROUP)
    (refused,) = await fake_api.wait_for("answerCallbackQuery")
    assert refused.params["text"] == "Only the person who asked can rate this answer."
    fake_api.callback(votes["👍"], user=USER, chat=GROUP)
    thanks = (await fake_api.wait_for("answerCallbackQuery", 2))[1]
    assert thanks.params["text"] == "Thanks for the feedback!"
    with sqlite3.connect(app.bot_data["settings"].database_path) as conn:
        rows = conn.execute("SELECT f.value, f.user_id = q.user_id FROM feedback f "
                            "JOIN questions q ON q.id = f.question_id").fetchall()
    assert rows == [(1, 1)]
