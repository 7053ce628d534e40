"""The security suite of collections: a chat and a user that may not see the `staff`
collection try every path through the fake Bot API, and not one reply holds its text, its
title or a count that includes it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.core.collections import DEFAULT
from tests.faces.telegram.fake_bot_api import (
    BOT_USER,
    GROUP,
    OTHER,
    OTHER_CHAT,
    PRIVATE,
    USER,
    Call,
    FakeBotAPI,
)

ADMIN: dict[str, Any] = {"id": 3003, "is_bot": False, "first_name": "Ada", "language_code": "en"}
ADMIN_CHAT: dict[str, Any] = {"id": 3003, "type": "private", "first_name": "Ada"}
STAFF_TITLE = "Staff handbook: the night shift"
STAFF_TEXT = f"""{STAFF_TITLE}

The night shift door code is 4471, and it changes every quarter; tell the duty manager first.

The petty cash box is kept in the locked drawer behind the reception desk, and its key hangs in
the manager's office.
"""
# What only the staff collection holds: none may reach the user or the group.
SECRETS = ("4471", "petty cash", "Staff handbook", "duty manager", "staff/")
SECRET_QUESTIONS = ("What is the night shift door code?", "where is the petty cash box kept?",
                    "夜班门禁密码是多少？")


def _leaks(text: str) -> list[str]:
    """The secrets a reply shows, and any document count other than the public one (the two
    seeds)."""
    found = [s for s in SECRETS if s.lower() in text.lower()]
    counts = re.findall(r"(\d+) ?(?:documents|份文档|份文件)", text)
    return found + [f"count {c}" for c in counts if c != "2"]


def _everything_sent(fake_api: FakeBotAPI, chats: set[int]) -> list[str]:
    """Every text the bot sent or edited into these chats, and every button answer."""
    out = [fake_api.visible(c) for m in ("sendMessage", "editMessageText")
           for c in fake_api.sent(m) if c.params["chat_id"] in chats]
    out += [c.params.get("text", "") for c in fake_api.sent("answerCallbackQuery")]
    return out


@pytest.fixture
def staff_folder(settings: Any) -> Path:
    """The seeds at the top (the default collection), and the staff handbook in `staff/`."""
    staff = settings.knowledge_dir / "staff"
    staff.mkdir()
    (staff / "night-shift.txt").write_text(STAFF_TEXT, encoding="utf-8")
    return staff


@pytest.fixture
async def bot(start_bot: Any, staff_folder: Path) -> Any:
    """Everyone sees the default collection; OTHER also staff; ADMIN runs the bot."""
    return await start_bot(
        telegram_admin_ids=frozenset({ADMIN["id"]}),
        collections={str(OTHER["id"]): frozenset({DEFAULT, "staff"}), "*": frozenset({DEFAULT})},
    )


async def _answer_with_buttons(fake_api: FakeBotAPI, question: str, chat: dict[str, Any],
                               user: dict[str, Any]) -> Call:
    before = len(fake_api.sent())
    fake_api.message(question, chat=chat, user=user)
    return (await fake_api.wait_for("sendMessage", before + 1))[before]


def _buttons(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_the_collection_is_real_for_those_who_may_see_it(bot: Any,
                                                               fake_api: FakeBotAPI) -> None:
    answer = await _answer_with_buttons(fake_api, SECRET_QUESTIONS[0], OTHER_CHAT, OTHER)
    assert "4471" in fake_api.visible(answer)
    answer = await _answer_with_buttons(fake_api, SECRET_QUESTIONS[0], ADMIN_CHAT, ADMIN)
    assert "4471" in fake_api.visible(answer)  # an admin named nowhere sees everything


async def test_private_questions_small_talk_and_listings_show_nothing_hidden(
    bot: Any, fake_api: FakeBotAPI,
) -> None:
    for text in (*SECRET_QUESTIONS, "hello", "谢谢", "/help", "/sources", "/collections", "/docs",
                 "/stats", "/use staff", "Who did Fu Linlin take to the hospital?"):
        fake_api.message(text)
    await fake_api.settle()
    replies = _everything_sent(fake_api, {PRIVATE["id"]})
    assert len(replies) == 12
    assert not [(r, _leaks(r)) for r in replies if _leaks(r)]
    assert any("Fu Linlin" in r for r in replies)  # what the user may see is there
    assert any("This chat searches: default" in r for r in replies)


async def test_a_group_sees_its_own_collections_whoever_asks(bot: Any,
                                                            fake_api: FakeBotAPI) -> None:
    # OTHER may see staff in private, but in the group everyone reads the reply.
    for user in (OTHER, ADMIN, USER):
        for question in SECRET_QUESTIONS:
            fake_api.message(f"/ask {question}", chat=GROUP, user=user)
        fake_api.message("/ask hello", chat=GROUP, user=user)
    fake_api.message("/sources", chat=GROUP, user=OTHER)
    fake_api.message("/docs", chat=GROUP, user=ADMIN)
    fake_api.message("/collections", chat=GROUP, user=ADMIN)
    await fake_api.settle()
    replies = _everything_sent(fake_api, {GROUP["id"]})
    assert len(replies) == 15
    assert not [(r, _leaks(r)) for r in replies if _leaks(r)]


async def test_inline_results_are_the_askers_own_and_cached_for_them_alone(
    bot: Any, fake_api: FakeBotAPI,
) -> None:
    for n, (user, query) in enumerate([(USER, q) for q in SECRET_QUESTIONS]
                                      + [(OTHER, SECRET_QUESTIONS[0])]):
        fake_api.push({"inline_query": {"id": f"iq{n}", "from": user, "query": query,
                                        "offset": ""}})
    calls = sorted(await fake_api.wait_for("answerInlineQuery", 4),
                   key=lambda c: c.params["inline_query_id"])  # answered in any order
    for call in calls[:3]:
        assert not _leaks(json.dumps(call.params["results"], ensure_ascii=False))
        assert call.params["is_personal"] is True
    assert "4471" in json.dumps(calls[3].params["results"])  # OTHER's own scope


async def test_a_forged_press_on_another_chats_answer_shows_nothing(
    bot: Any, fake_api: FakeBotAPI,
) -> None:
    answer = await _answer_with_buttons(fake_api, SECRET_QUESTIONS[0], OTHER_CHAT, OTHER)
    buttons = _buttons(answer)
    assert any(d.startswith("ctx:") for d in buttons.values())
    for data in buttons.values():
        fake_api.callback(data, user=USER, chat=PRIVATE)  # the same data, from another chat
        fake_api.callback(data, user=USER, chat=GROUP)
    await fake_api.settle()
    assert not [r for r in _everything_sent(fake_api, {PRIVATE["id"], GROUP["id"]})
                if _leaks(r)]
    assert not [c for c in fake_api.sent("editMessageText")
                if c.params["chat_id"] != OTHER_CHAT["id"]]


async def test_a_reply_to_another_chats_answer_forwarded_here_is_searched_here(
    bot: Any, fake_api: FakeBotAPI,
) -> None:
    answer = await _answer_with_buttons(fake_api, SECRET_QUESTIONS[0], OTHER_CHAT, OTHER)
    kept = fake_api.kept(answer).message
    # OTHER forwards the bot's answer into the group; USER replies to the copy.
    forwarded = {"message_id": 777, "date": kept["date"], "chat": GROUP, "from": OTHER,
                 "forward_origin": {"type": "user", "sender_user": BOT_USER,
                                    "date": kept["date"]},
                 "text": "the answer"}
    fake_api.message("/ask and when does it change?", chat=GROUP, user=USER,
                     reply_to_message=forwarded)
    # And a reply naming the other chat's answer by its message id, as a forged client would.
    fake_api.message("and when does it change?", chat=GROUP, user=USER,
                     reply_to_message={**kept, "chat": GROUP})
    await fake_api.settle()
    replies = _everything_sent(fake_api, {GROUP["id"]})
    assert replies and not [r for r in replies if _leaks(r)]
    assert not [r for r in replies if "Searched together" in r]


async def test_narrowing_a_chat_refuses_its_earlier_answers_buttons(
    bot: Any, fake_api: FakeBotAPI,
) -> None:
    fake_api.message("/use default,staff", chat=GROUP, user=ADMIN)
    await fake_api.settle()
    answer = await _answer_with_buttons(fake_api, f"/ask {SECRET_QUESTIONS[0]}", GROUP, ADMIN)
    assert "4471" in fake_api.visible(answer)
    fake_api.message("/use default", chat=GROUP, user=ADMIN)
    await fake_api.settle()
    edits = len(fake_api.sent("editMessageText"))
    for data in _buttons(answer).values():
        if data.startswith(("ctx:", "ans:")):
            fake_api.callback(data, user=USER, chat=GROUP, message=answer)
    await fake_api.settle()
    assert len(fake_api.sent("editMessageText")) == edits  # nothing shown again
    alerts = [c.params.get("text", "") for c in fake_api.sent("answerCallbackQuery")]
    assert alerts and all("changed" in a for a in alerts)
    again = await _answer_with_buttons(fake_api, f"/ask {SECRET_QUESTIONS[0]}", GROUP, ADMIN)
    assert not _leaks(fake_api.visible(again))


async def test_only_admins_change_grants_and_they_are_listed(bot: Any,
                                                             fake_api: FakeBotAPI) -> None:
    fake_api.message("/use staff", chat=GROUP, user=USER)  # not an admin: refused
    for text in ("/use staff,nowhere", f"/use default {USER['id']}", "/use ../etc",
                 "/collections"):  # one after the other, as a person types them
        fake_api.message(text, chat=ADMIN_CHAT, user=ADMIN)
        await fake_api.settle()
    group = _everything_sent(fake_api, {GROUP["id"]})
    assert len(group) == 1 and "admin" in group[0].lower()
    admin = _everything_sent(fake_api, {ADMIN_CHAT["id"]})
    assert "This chat now searches: nowhere, staff." in admin[0]
    assert "No documents yet in: nowhere." in admin[0]
    assert f"{USER['id']} now searches: default." in admin[1]
    assert "is not a collection name" in admin[2]
    listing = admin[3]
    assert "staff: 1 documents" in listing and "default: 2 documents" in listing
    assert f"{OTHER['id']} = default, staff" in listing  # from COLLECTIONS
    assert f"{ADMIN['id']} = nowhere, staff" in listing and f"{USER['id']} = default" in listing
    for question in (SECRET_QUESTIONS[0], "Who did Fu Linlin take to the hospital?"):
        fake_api.message(question, chat=ADMIN_CHAT, user=ADMIN)
        await fake_api.settle()
    replies = _everything_sent(fake_api, {ADMIN_CHAT["id"]})[-2:]
    assert "4471" in replies[0] and "Fu Linlin" not in replies[1], replies  # staff alone now


async def test_an_upload_goes_into_the_collection_its_caption_names(
    bot: Any, fake_api: FakeBotAPI, staff_folder: Path,
) -> None:
    rota = "Weekend rota: Mei opens the kitchen at six on Saturdays.\n".encode()
    fake_api.document("rota.txt", rota, caption="collection: staff\ntitle: Weekend rota",
                      chat=ADMIN_CHAT, user=ADMIN)
    (added,) = await fake_api.wait_for("sendMessage")
    assert "Added staff/rota.txt" in fake_api.visible(added)
    assert (staff_folder / "rota.txt").exists()
    fake_api.message("Who opens the kitchen on Saturdays?")
    fake_api.message("Who opens the kitchen on Saturdays?", chat=OTHER_CHAT, user=OTHER)
    await fake_api.settle()
    assert "Mei opens" not in _everything_sent(fake_api, {PRIVATE["id"]})[0]
    assert "Mei opens" in _everything_sent(fake_api, {OTHER_CHAT["id"]})[0]


async def test_stats_in_a_group_gives_counts_not_questions(bot: Any,
                                                           fake_api: FakeBotAPI) -> None:
    fake_api.message(SECRET_QUESTIONS[1], chat=OTHER_CHAT, user=OTHER)
    await fake_api.wait_for("sendMessage")
    fake_api.message("/stats", chat=GROUP, user=ADMIN)
    fake_api.message("/stats", chat=ADMIN_CHAT, user=ADMIN)
    await fake_api.settle()
    (group,) = _everything_sent(fake_api, {GROUP["id"]})
    assert "Questions: 1" in group and "petty cash" not in group
    assert "petty cash" in _everything_sent(fake_api, {ADMIN_CHAT["id"]})[0]
