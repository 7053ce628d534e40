"""Replies as a person reads them on a phone, and conversations that go on by replying."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from tests.faces.telegram.fake_bot_api import FORUM, GROUP, PRIVATE, FakeBotAPI

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_the_first_screen_holds_the_answer_and_one_tap_the_evidence(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message(QUESTION)
    (reply,) = await fake_api.wait_for("sendMessage")
    folded, whole = fake_api.visible(reply, folded=True), fake_api.visible(reply)
    lead, citation = folded.split("\n")[:2]
    assert lead == ("Fu Linlin (the first from the right) takes the residents to the hospital. "
                    "(Photo provided to iChongqing)")
    assert citation.startswith("[1] Volunteers Offer Hearty Support") and "passage 3/4" in citation
    assert len(folded) <= 600 < len(whole)  # the evidence is there, folded away
    assert "81-year-old man" in whole  # the passage around the answer, one tap away


async def test_a_vague_reply_to_an_answer_is_searched_with_the_question_it_answered(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    # The question's text is not logged: the conversation lives in memory only.
    await start_bot(store_question_text=False)
    fake_api.message("How old is Duan Chengming?")
    (first,) = await fake_api.wait_for("sendMessage")
    fake_api.reply("and his wife?", to=first)
    follow_up = (await fake_api.wait_for("sendMessage", 2))[1]
    shown = fake_api.visible(follow_up)
    assert "Jiang Jie" in shown.split("\n")[0]  # the answer, first
    assert ("↩ Searched together with your earlier question: “How old is Duan Chengming?”"
            in shown)
    # The same words sent on their own are searched on their own.
    fake_api.message("and his wife?")
    alone = (await fake_api.wait_for("sendMessage", 3))[2]
    assert "earlier question" not in fake_api.visible(alone)


async def test_small_talk_in_reply_to_an_answer_is_small_talk(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message(QUESTION)
    (answer,) = await fake_api.wait_for("sendMessage")
    fake_api.reply("thanks!", to=answer)
    fake_api.reply("謝謝", to=answer)
    thanks, xie = (await fake_api.wait_for("sendMessage", 3))[1:]
    assert "welcome" in fake_api.visible(thanks) and "[1]" not in fake_api.visible(thanks)
    assert "不客氣" in fake_api.visible(xie) and "[1]" not in fake_api.visible(xie)


async def test_a_complete_question_in_reply_is_searched_alone(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message(QUESTION)
    (answer,) = await fake_api.wait_for("sendMessage")
    fake_api.reply("东原社区有多少户居民？", to=answer)
    second = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "6126" in fake_api.visible(second) and "之前的问题" not in fake_api.visible(second)


async def test_follow_ups_in_a_forum_topic_stay_in_the_topic(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    thread = fake_api.topic("Volunteers")["message_id"]
    fake_api.message("/ask How old is Duan Chengming?", chat=FORUM, thread=thread)
    (answer,) = await fake_api.wait_for("sendMessage")
    fake_api.reply("and his wife?", to=answer)
    follow_up = (await fake_api.wait_for("sendMessage", 2))[1]
    assert fake_api.kept(answer).message_thread_id == thread
    assert fake_api.kept(follow_up).message_thread_id == thread
    assert "Jiang Jie" in fake_api.visible(follow_up)


async def test_a_reply_to_an_answer_in_another_chat_has_no_context_here(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message("How old is Duan Chengming?", chat=GROUP)  # not addressed: silence
    fake_api.message("/ask How old is Duan Chengming?", chat=GROUP)
    (answer,) = await fake_api.wait_for("sendMessage")
    # The group's answer forwarded as a reply target into a private chat: nothing remembered
    # for that chat and message, so the reply is searched alone.
    fake_api.reply("and his wife?", to=fake_api.kept(answer), chat=PRIVATE)
    second = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "earlier question" not in fake_api.visible(second)
