"""The fake Bot API keeps messages as Telegram does: sends answered with the whole message,
edits refused when Telegram refuses them, presses and replies on the bot's real messages, and
forum topics; then the real bot in a topic and answering a reply."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram.ext import Application

from tests.faces.telegram.fake_bot_api import (
    BOT_USER,
    FORUM,
    GROUP,
    NOT_MODIFIED,
    PRIVATE,
    USER,
    Call,
    FakeBotAPI,
)

KEYBOARD = {"inline_keyboard": [[{"text": "▶", "callback_data": "pg:s:1"}]]}
OTHER_KEYBOARD = {"inline_keyboard": [[{"text": "◀", "callback_data": "pg:s:0"}]]}


async def _call(fake: FakeBotAPI, method: str, **params: Any) -> Call:
    """Make one Bot API call as the bot would, and return it as the fake recorded it."""
    async with aiohttp.ClientSession() as session:
        await session.post(f"{fake.base_url}{fake.token}/{method}", json=params)
    return fake.calls[-1]


async def _updates(fake: FakeBotAPI) -> list[dict[str, Any]]:
    """The updates pushed since the last look, fetched as the bot fetches them, and confirmed."""
    async with aiohttp.ClientSession() as session:
        answer = await session.post(f"{fake.base_url}{fake.token}/getUpdates", json={})
        updates = list((await answer.json())["result"])
        if updates:
            await session.post(f"{fake.base_url}{fake.token}/getUpdates",
                               json={"offset": updates[-1]["update_id"] + 1})
        return updates


async def _send(fake: FakeBotAPI, text: str = "<b>Page</b> 1", chat: dict[str, Any] = PRIVATE,
                **params: Any) -> Call:
    return await _call(fake, "sendMessage", chat_id=chat["id"], text=text, parse_mode="HTML",
                       **params)


def _description(call: Call) -> str:
    return str(call.answer.get("description"))


async def test_a_sent_message_is_answered_whole_and_kept(fake_api: FakeBotAPI) -> None:
    call = await _send(fake_api, '<b>Page</b> 1 <a href="https://example.org/x">x</a>',
                       reply_markup=KEYBOARD)
    message = call.answer["result"]
    assert message["from"] == BOT_USER and message["chat"] == PRIVATE
    assert message["text"] == "Page 1 x"  # as parsed, the way Telegram answers
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 4},
                                   {"type": "text_link", "offset": 7, "length": 1,
                                    "url": "https://example.org/x"}]
    assert message["reply_markup"] == KEYBOARD
    assert "message_thread_id" not in message and "reply_to_message" not in message
    kept = fake_api.kept(call)
    assert kept.message == message and kept.source == call.params["text"]
    assert fake_api.last_sent(PRIVATE["id"]) is kept and fake_api.last_sent(GROUP["id"]) is None
    assert fake_api.visible(call) == fake_api.visible(kept) == "Page 1 x"


async def test_replies_are_answered_with_the_message_they_reply_to(fake_api: FakeBotAPI) -> None:
    fake_api.message("a question", chat=GROUP)
    (question,) = [k for k in fake_api.messages.values() if k.message.get("text") == "a question"]
    answer = await _send(fake_api, "an answer", chat=GROUP,
                         reply_parameters={"message_id": question.key[1]})
    assert answer.answer["result"]["reply_to_message"] == question.message
    lost = await _send(fake_api, "to nothing", reply_parameters={"message_id": 12345})
    assert _description(lost) == "Bad Request: message to be replied not found"
    anyway = await _send(fake_api, "to nothing", reply_parameters={
        "message_id": 12345, "allow_sending_without_reply": True})
    assert anyway.answer["ok"] and "reply_to_message" not in anyway.answer["result"]
    assert not fake_api.refused  # the chat's state refused it, not a limit


async def test_edits_as_telegram_refuses_them(fake_api: FakeBotAPI) -> None:
    sent = await _send(fake_api, reply_markup=KEYBOARD)
    key = {"chat_id": PRIVATE["id"], "message_id": sent.answer["result"]["message_id"]}
    lost = await _call(fake_api, "editMessageText", chat_id=PRIVATE["id"], message_id=9,
                       text="x", parse_mode="HTML")
    assert _description(lost) == "Bad Request: message to edit not found"
    # The same text and entities (however written) and the same buttons: not modified.
    same = await _call(fake_api, "editMessageText", **key, text="<strong>Page</strong> 1",
                       parse_mode="HTML", reply_markup=KEYBOARD)
    assert _description(same) == f"Bad Request: {NOT_MODIFIED}"
    # Other buttons are a change; so is the same text without its bold.
    buttons = await _call(fake_api, "editMessageText", **key, text="<b>Page</b> 1",
                          parse_mode="HTML", reply_markup=OTHER_KEYBOARD)
    assert buttons.answer["ok"] and fake_api.kept(sent).reply_markup == OTHER_KEYBOARD
    plain = await _call(fake_api, "editMessageText", **key, text="Page 1")
    assert plain.answer["ok"]
    edited = fake_api.kept(sent).message
    assert edited["text"] == "Page 1" and "entities" not in edited and "reply_markup" not in edited
    assert edited["message_id"] == key["message_id"] and "edit_date" in edited
    page = await _call(fake_api, "editMessageText", **key, text="<b>Page</b> 2",
                       parse_mode="HTML", reply_markup=KEYBOARD)
    assert page.answer["result"] == fake_api.kept(sent).message
    assert fake_api.visible(sent) == "Page 1" and fake_api.visible(page) == "Page 2"
    assert fake_api.visible(fake_api.kept(sent)) == "Page 2"  # the message as it stands now
    fake_api.message("mine")
    theirs = next(k for k in fake_api.messages.values() if k.message.get("text") == "mine")
    refused = await _call(fake_api, "editMessageText", chat_id=PRIVATE["id"],
                          message_id=theirs.key[1], text="x")
    assert _description(refused) == "Bad Request: message can't be edited"


async def test_reply_markup_edits(fake_api: FakeBotAPI) -> None:
    sent = await _send(fake_api, reply_markup=KEYBOARD)
    key = {"chat_id": PRIVATE["id"], "message_id": sent.answer["result"]["message_id"]}
    same = await _call(fake_api, "editMessageReplyMarkup", **key, reply_markup=KEYBOARD)
    assert _description(same) == f"Bad Request: {NOT_MODIFIED}"
    gone = await _call(fake_api, "editMessageReplyMarkup", **key)
    assert gone.answer["ok"] and fake_api.kept(sent).reply_markup is None
    again = await _call(fake_api, "editMessageReplyMarkup", **key,
                        reply_markup={"inline_keyboard": []})  # no keyboard is no keyboard
    assert _description(again) == f"Bad Request: {NOT_MODIFIED}"
    lost = await _call(fake_api, "editMessageReplyMarkup", chat_id=PRIVATE["id"], message_id=9,
                       reply_markup=KEYBOARD)
    assert _description(lost) == "Bad Request: message to edit not found"


async def test_presses_are_on_the_bots_real_messages(fake_api: FakeBotAPI) -> None:
    fake_api.callback("nothing sent yet")
    first = await _send(fake_api, "first", reply_markup=KEYBOARD)
    second = await _send(fake_api, "second")
    await _call(fake_api, "editMessageText", chat_id=PRIVATE["id"],
                message_id=second.answer["result"]["message_id"], text="second, edited")
    fake_api.callback("last")
    fake_api.callback("chosen", message=first)
    fake_api.callback("in a group", chat=GROUP)
    pressed = [u["callback_query"]["message"] for u in await _updates(fake_api)]
    assert pressed[0]["message_id"] == 9 and (PRIVATE["id"], 9) not in fake_api.messages
    assert pressed[1] == fake_api.kept(second).message  # the last sent, as edited
    assert pressed[1]["text"] == "second, edited"
    assert pressed[2] == fake_api.kept(first).message and pressed[2]["reply_markup"] == KEYBOARD
    assert pressed[3]["message_id"] == 9 and pressed[3]["chat"] == GROUP


async def test_a_reply_to_the_bot_carries_its_message(fake_api: FakeBotAPI) -> None:
    sent = await _send(fake_api, "<b>an answer</b>", chat=GROUP)
    fake_api.reply("and why?", to=sent, user=USER)
    (update,) = await _updates(fake_api)
    message = update["message"]
    assert message["chat"] == GROUP and message["from"] == USER and message["text"] == "and why?"
    assert message["reply_to_message"] == fake_api.kept(sent).message
    assert message["reply_to_message"]["from"] == BOT_USER
    # Telegram leaves out the reply_to_message of the message replied to.
    answer = await _send(fake_api, "because", chat=GROUP,
                         reply_parameters={"message_id": message["message_id"]})
    fake_api.reply("thanks", to=answer)
    (update,) = await _updates(fake_api)
    assert "reply_to_message" not in update["message"]["reply_to_message"]


async def test_forum_topics(fake_api: FakeBotAPI) -> None:
    topic = fake_api.topic("Questions")
    thread = topic["message_id"]
    assert FORUM["is_forum"] and topic["forum_topic_created"]["name"] == "Questions"
    fake_api.message("in the topic", chat=FORUM, thread=thread)
    fake_api.message("in General", chat=FORUM)
    fake_api.message("a new topic", chat=FORUM, thread=4321)
    in_topic, general, other = (u["message"] for u in await _updates(fake_api))
    assert in_topic["message_thread_id"] == thread and in_topic["is_topic_message"] is True
    assert in_topic["reply_to_message"]["forum_topic_created"]["name"] == "Questions"
    assert "message_thread_id" not in general and "reply_to_message" not in general
    assert other["message_thread_id"] == 4321
    answer = await _send(fake_api, "answer", chat=FORUM, message_thread_id=thread,
                         reply_parameters={"message_id": in_topic["message_id"]})
    sent = answer.answer["result"]
    assert sent["message_thread_id"] == thread and sent["is_topic_message"] is True
    assert sent["reply_to_message"]["message_id"] == in_topic["message_id"]
    # A reply alone lands in the topic of what it replies to; a bare send, in the topic's root.
    quoted = await _send(fake_api, "quoted", chat=FORUM,
                         reply_parameters={"message_id": in_topic["message_id"]})
    assert quoted.answer["result"]["message_thread_id"] == thread
    bare = await _send(fake_api, "bare", chat=FORUM, message_thread_id=thread)
    assert bare.answer["result"]["reply_to_message"]["message_id"] == thread
    lost = await _send(fake_api, "nowhere", chat=FORUM, message_thread_id=999)
    assert _description(lost) == "Bad Request: message thread not found"
    not_forum = await _send(fake_api, "nowhere", chat=GROUP, message_thread_id=thread)
    assert _description(not_forum) == "Bad Request: message thread not found"
    fake_api.reply("a follow-up", to=answer)  # a reply in a topic is in the topic
    (follow_up,) = (u["message"] for u in await _updates(fake_api))
    assert follow_up["message_thread_id"] == thread and follow_up["is_topic_message"] is True
    with pytest.raises(ValueError, match="no forum"):
        fake_api.topic("x", chat=GROUP)


async def test_visible_folds_expandable_blockquotes(fake_api: FakeBotAPI) -> None:
    evidence = "\n".join(f"line {i}" for i in range(1, 6))
    call = await _send(fake_api, f"<b>Short answer</b>\n<blockquote expandable>{evidence}"
                                 "</blockquote>")
    assert fake_api.visible(call) == f"Short answer\n{evidence}"
    assert fake_api.visible(call, folded=True) == "Short answer\nline 1\nline 2\nline 3…"
    assert fake_api.kept(call).visible(folded=True) == fake_api.visible(call, folded=True)
    plain = await _call(fake_api, "sendMessage", chat_id=PRIVATE["id"], text="<b>as is</b>")
    assert fake_api.visible(plain) == "<b>as is</b>"


# The real bot, through python-telegram-bot, against these.

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_the_bot_answers_in_the_topic_it_was_asked_in(
    bot_app: Application, fake_api: FakeBotAPI,
) -> None:
    thread = fake_api.topic("Hospital")["message_id"]
    fake_api.message(f"/ask {QUESTION}", chat=FORUM, thread=thread)
    (answer,) = await fake_api.wait_for("sendMessage")
    sent = fake_api.kept(answer)
    assert sent.message_thread_id == thread and sent.message["is_topic_message"] is True
    assert "Fu Linlin" in fake_api.visible(answer)


async def test_the_bot_answers_a_reply_to_its_answer_in_a_group(
    bot_app: Application, fake_api: FakeBotAPI,
) -> None:
    fake_api.message(f"/ask {QUESTION}", chat=GROUP)
    (answer,) = await fake_api.wait_for("sendMessage")
    fake_api.reply("Who is Fu Linlin?", to=answer)  # addressed by replying, not mentioning
    follow_up = (await fake_api.wait_for("sendMessage", 2))[1]
    assert follow_up.params["chat_id"] == GROUP["id"]
    assert "Fu Linlin" in fake_api.visible(follow_up)
    fake_api.message("Who is Fu Linlin?", chat=GROUP)  # neither: silence
    await fake_api.settle()
    assert len(fake_api.sent()) == 2
