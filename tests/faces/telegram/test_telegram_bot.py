"""The real Application against the fake Bot API: updates in, the exact requests out."""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

import pytest
from telegram.ext import Application

from bot.faces.telegram import typing_indicator
from bot.faces.telegram.render import strip_html, utf16_len
from tests.faces.telegram import bot_api_limits
from tests.faces.telegram.fake_bot_api import (
    BOT_USER,
    GROUP,
    OTHER,
    OTHER_CHAT,
    PRIVATE,
    USER,
    FakeBotAPI,
    until,
)

def assert_telegram_html(text: str) -> None:
    """Parsed as Telegram parses HTML (allowed tags and attributes, well nested, entities
    within limits), and within the length limit."""
    assert bot_api_limits.problem("sendMessage", {"text": text, "parse_mode": "HTML"}) is None
    assert utf16_len(text) <= 4096


def buttons(call: Any) -> list[dict[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def test_private_english_question(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.message("Who did Fu Linlin take to the hospital?")
    (reply,) = await fake_api.wait_for("sendMessage")
    text = reply.params["text"]
    assert reply.params["parse_mode"] == "HTML"
    assert reply.params["chat_id"] == PRIVATE["id"]
    lead, citation = text.split("\n")[:2]
    # the answering sentence first, in bold, and its citation right under it
    assert lead == ("<b>Fu Linlin (the first from the right) takes the residents to the "
                    "hospital. (Photo provided to iChongqing)</b>")
    assert citation.startswith("[1] <a href=\"https://www.ichongqing.info/2022/11/18/")
    assert citation.endswith(">Volunteers Offer Hearty Support in Fight against COVID-19 "
                             "Resurgence</a> — iChongqing, 2022-11-18, passage 3/4")
    # the evidence folded away, one tap from being read
    assert text.count("<blockquote expandable>") >= 1
    assert_telegram_html(text)
    # one Context button for each passage shown (those the answer decision passes)
    # (a later passage's citation opens its folded evidence)
    shown = re.findall(r"^(?:<blockquote expandable>)?\[(\d+)\] <a href=", text, re.M)
    labels = [b["text"] for b in buttons(reply)]
    assert shown and labels[-len(shown):] == [f"📄 Context [{n}]" for n in shown]
    for b in buttons(reply):
        assert len(b["callback_data"].encode()) <= 64
        assert "Fu" not in b["callback_data"]


async def test_a_quick_answer_comes_without_typing(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    await start_bot(typing_delay_seconds=60)
    fake_api.message("Who did Fu Linlin take to the hospital?")
    await fake_api.wait_for("sendMessage")
    await fake_api.settle()
    assert fake_api.sent("sendChatAction") == []


async def test_a_slow_answer_shows_typing_until_it_is_sent(
    start_bot: Any, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(typing_indicator, "RENEW_SECONDS", 0.05)
    app = await start_bot(typing_delay_seconds=0.05)
    service = app.bot_data["service"]
    real_ask = service.ask
    release = threading.Event()

    def slow(question: str, k: int | None = None, **options: Any) -> Any:
        release.wait(30)
        return real_ask(question, k, **options)

    monkeypatch.setattr(service, "ask", slow)
    fake_api.message("Who did Fu Linlin take to the hospital?")
    first, second = await fake_api.wait_for("sendChatAction", 2)  # shown, then renewed
    assert first.params == {"chat_id": PRIVATE["id"], "action": "typing"}
    assert fake_api.sent("sendMessage") == []
    release.set()
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "Fu Linlin" in reply.params["text"]
    await fake_api.settle()
    assert all(c.at < reply.at for c in fake_api.sent("sendChatAction"))  # none after it


async def test_updates_beyond_the_concurrency_limit_wait_their_turn(
    start_bot: Any, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await start_bot(concurrent_updates=2)
    service = app.bot_data["service"]
    real_ask = service.ask
    release = threading.Event()
    asked: list[str] = []

    def held(question: str, k: int | None = None, **options: Any) -> Any:
        asked.append(question)
        release.wait(30)
        return real_ask(question, k, **options)

    monkeypatch.setattr(service, "ask", held)
    for question in ("Who is Fu Linlin?", "Who is Duan Chengming?", "Who is Chen Shi?"):
        fake_api.message(question)
    # All three fetched and out of the update queue, two of them being answered: the third
    # has its task and needs a slot, which it would take within a few turns of the loop.
    await until(lambda: len(asked) >= 2 and not fake_api.unfetched and app.update_queue.empty())
    for _ in range(50):
        await asyncio.sleep(0)
    assert app.update_processor.current_concurrent_updates == 2
    assert sorted(asked) == ["Who is Duan Chengming?", "Who is Fu Linlin?"]  # the third waits
    release.set()
    await fake_api.wait_for("sendMessage", 3)
    assert asked[2] == "Who is Chen Shi?"


async def test_simplified_and_traditional_questions(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message("东原社区有多少户居民？")
    fake_api.message("東原社區有多少戶居民？")
    first, second = await fake_api.wait_for("sendMessage", 2)
    for call in (first, second):
        text = call.params["text"]
        # the document's own script, the answer first
        assert text.startswith("<b>東原社區實際居住居民6126戶18000余人")
        assert re.search(r"\n\[1\] <a href=.+第 \d+/\d+ 段", text)
        assert_telegram_html(text)
    # buttons in the question's language (no seed question in Chinese has more than one
    # reply's worth of passages the answer decision passes, so "More results" is not here)
    fake_api.message("付林林把谁送去了医院？")
    fake_api.message("付林林把誰送去了醫院？")
    replies = (await fake_api.wait_for("sendMessage", 4))[2:]
    labels = [b["text"] for reply in replies for b in buttons(reply)]
    assert labels.count("📄 上下文 [1]") == 2 and "More results ▶" not in labels


async def test_more_results_and_context_buttons(start_bot: Any, fake_api: FakeBotAPI) -> None:
    # Every ranked passage (strictness 0), so the two seeds give more than one page: how the
    # pages and buttons work, not which passages the decision passes.
    await start_bot(strictness=0.0)
    fake_api.message("Fu Linlin hospital community residents")
    (reply,) = await fake_api.wait_for("sendMessage")
    labels = {b["text"]: b["callback_data"] for b in buttons(reply)}
    fake_api.callback(labels["More results ▶"])
    (page,) = await fake_api.wait_for("editMessageText")
    # the next page in the same message, not a new one
    assert (page.params["chat_id"], page.params["message_id"]) == (
        PRIVATE["id"], reply.answer["result"]["message_id"])
    assert page.params["text"].startswith("<i>Results 4–6 of ")
    assert "<blockquote expandable>[4] <a href=" in page.params["text"]
    assert_telegram_html(page.params["text"])
    turned = {b["text"]: b["callback_data"] for b in buttons(page)}
    assert "◀" in turned and "📄 Context [4]" in turned and "📄 Context [1]" not in turned
    fake_api.callback(turned["◀"])
    back = (await fake_api.wait_for("editMessageText", 2))[1]
    assert back.params["text"] == reply.params["text"]  # the first page again, as sent
    fake_api.callback(labels["📄 Context [1]"])
    context_view = (await fake_api.wait_for("editMessageText", 3))[2]
    text = context_view.params["text"]
    assert text.startswith("📄 <a href=")
    assert_telegram_html(text)
    assert text.count("<b>") == 1  # the cited passage is bold, its neighbours are not
    (back_button,) = buttons(context_view)
    assert back_button["text"] == "◀ Back"
    fake_api.callback(back_button["callback_data"])
    again = (await fake_api.wait_for("editMessageText", 4))[3]
    assert again.params["text"] == reply.params["text"]
    await fake_api.settle()
    assert len(fake_api.sent("sendMessage")) == 1  # the chat holds one message throughout


async def test_a_press_on_an_answer_whose_documents_changed_says_so(
    start_bot: Any, fake_api: FakeBotAPI, knowledge: Any
) -> None:
    app = await start_bot(strictness=0.0)
    service = app.bot_data["service"]
    fake_api.message("Fu Linlin hospital community residents")
    (reply,) = await fake_api.wait_for("sendMessage")
    labels = {b["text"]: b["callback_data"] for b in buttons(reply)}
    await service.reload()  # nothing changed: the buttons work as before
    fake_api.callback(labels["📄 Context [1]"])
    await fake_api.wait_for("editMessageText")
    article = next(p for p in knowledge.iterdir() if "ichongqing" in p.read_text("utf-8"))
    article.write_text(article.read_text("utf-8").replace("hospital", "clinic"), "utf-8")
    await service.reload()
    fake_api.callback(labels["📄 Context [1]"])  # passage 1 is the article's
    await fake_api.settle()
    first, second = fake_api.sent("answerCallbackQuery")
    assert "text" not in first.params and "have changed since" in second.params["text"]
    assert len(fake_api.sent("editMessageText")) == 1  # no old text shown as current


async def test_expired_button(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.callback("ans:nosuchid:1")
    (call,) = await fake_api.wait_for("answerCallbackQuery")
    assert "no longer available" in call.params["text"]


async def test_another_chat_cannot_page_an_answer_it_was_not_sent(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message("Who did Fu Linlin take to the hospital?")
    (reply,) = await fake_api.wait_for("sendMessage")
    ctx = next(b for b in buttons(reply) if b["text"] == "📄 Context [1]")["callback_data"]
    fake_api.callback(ctx, user=OTHER, chat=OTHER_CHAT)  # forged: the data of another chat
    (call,) = await fake_api.wait_for("answerCallbackQuery")
    assert "no longer available" in call.params["text"]
    await fake_api.settle()
    assert fake_api.sent("editMessageText") == []


async def test_groups_answer_only_when_addressed(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.message("东原社区有多少户居民？", chat=GROUP)
    await fake_api.settle()
    assert fake_api.sent("sendMessage") == []
    mention = "@docs_answer_bot 东原社区有多少户居民？"
    fake_api.message(mention, chat=GROUP,
                     entities=[{"type": "mention", "offset": 0, "length": 16}])
    (reply,) = await fake_api.wait_for("sendMessage")
    assert reply.params["chat_id"] == GROUP["id"]
    assert "6126" in reply.params["text"]
    assert reply.params["reply_parameters"]["message_id"]  # quotes the question
    fake_api.message("Who is Fu Linlin?", chat=GROUP,
                     reply_to_message={"message_id": 1, "date": 0, "chat": GROUP,
                                       "from": BOT_USER, "text": "earlier answer"})
    await fake_api.wait_for("sendMessage", 2)
    fake_api.message("/ask@docs_answer_bot 田阿姨患有什么病？", chat=GROUP)
    third = (await fake_api.wait_for("sendMessage", 3))[2]
    assert "失眠" in third.params["text"]
    fake_api.message("/ask", chat=GROUP)
    usage = (await fake_api.wait_for("sendMessage", 4))[3]
    assert "/ask Who is Fu Linlin?" in usage.params["text"]
    # small talk: silence unless addressed, then a short reply with no search
    fake_api.message("谢谢", chat=GROUP)
    await fake_api.settle()
    assert len(fake_api.sent("sendMessage")) == 4
    fake_api.message("@docs_answer_bot 谢谢", chat=GROUP,
                     entities=[{"type": "mention", "offset": 0, "length": 16}])
    thanks = (await fake_api.wait_for("sendMessage", 5))[4]
    assert "不客气" in thanks.params["text"] and "来源" not in thanks.params["text"]


async def test_non_text_updates(bot_app: Application, fake_api: FakeBotAPI) -> None:
    sticker = {"file_id": "s", "file_unique_id": "u", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular"}
    fake_api.message(None, chat=GROUP, sticker=sticker)
    fake_api.push({"edited_message": {"message_id": 3, "date": 0, "edit_date": 1,
                                      "chat": PRIVATE, "from": USER, "text": "Who is Duan?"}})
    await fake_api.settle()
    assert fake_api.sent("sendMessage") == []  # silence in groups, edits ignored
    fake_api.message(None, sticker=sticker)
    (hint,) = await fake_api.wait_for("sendMessage")
    assert "I can only read text" in hint.params["text"]


async def test_huge_and_html_looking_messages(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.message("a" * 5000)
    (long_reply,) = await fake_api.wait_for("sendMessage")
    assert "5,000 characters" in long_reply.params["text"]
    fake_api.message("<b>hi</b> & <script>Fu Linlin</script>")
    html_reply = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "<script>" not in html_reply.params["text"]
    assert_telegram_html(html_reply.params["text"])


async def test_inline_query(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.push({"inline_query": {"id": "iq1", "from": USER, "query": "Fu Linlin hospital",
                                    "offset": ""}})
    (call,) = await fake_api.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 50
    first = results[0]
    assert first["type"] == "article" and first["title"].startswith("[1] Volunteers")
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    lead, citation = content["message_text"].split("\n")[:2]
    assert lead.startswith("<b>") and citation.startswith("[1] <a href=")  # the short reply
    assert first["description"] in lead  # the answering sentence
    assert len({r["id"] for r in results}) == len(results)
    # the same answer decision as replies: questions the seeds do not answer, and small
    # talk, get no results rather than passages that share a word
    for n, query in enumerate(("when was the last time anyone was on the moon", "今天天气怎么样",
                               "thank you so much")):
        fake_api.push({"inline_query": {"id": f"iq{n + 2}", "from": USER, "query": query,
                                        "offset": ""}})
        call = (await fake_api.wait_for("answerInlineQuery", n + 2))[n + 1]
        assert call.params["results"] == [], query


async def test_help_and_sources(bot_app: Application, fake_api: FakeBotAPI) -> None:
    fake_api.message("/start")
    (help_reply,) = await fake_api.wait_for("sendMessage")
    text = help_reply.params["text"]
    assert "2 documents" in text and "2 份文档" in text
    assert "• Volunteers Offer Hearty Support" in text and "王小容" in text
    fake_api.message("/sources")
    sources = (await fake_api.wait_for("sendMessage", 2))[1].params["text"]
    assert re.search(r"1\. <a href=\"https://www\.ichongqing\.info/.+\">Volunteers", sources)
    assert "城鄉統籌發展網, 2022-11-24" in sources
    commands = fake_api.sent("setMyCommands")[0].params["commands"]
    assert {c["command"] for c in commands} == {"help", "ask", "sources"}


async def test_rejected_html_is_resent_as_plain_text(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.reject = lambda method, params: (
        "can't parse entities: unsupported start tag" if params.get("parse_mode") == "HTML"
        else None
    )
    fake_api.message("Who did Fu Linlin take to the hospital?")
    first, second = await fake_api.wait_for("sendMessage", 2)
    assert first.params["parse_mode"] == "HTML"
    assert "parse_mode" not in second.params
    assert second.params["text"].startswith("Fu Linlin (the first from the right)")
    assert "<b>" not in second.params["text"] and "\n[1] Volunteers" in second.params["text"]
    assert buttons(second)  # the buttons survive the fallback


async def test_a_failing_update_does_not_stop_the_next(
    bot_app: Application, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = bot_app.bot_data["service"]
    real_ask = service.ask
    calls = {"n": 0}

    def flaky(question: str, k: int | None = None, **options: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real_ask(question, k, **options)

    monkeypatch.setattr(service, "ask", flaky)
    fake_api.message("王小容是誰？")
    (sorry,) = await fake_api.wait_for("sendMessage")
    assert "抱歉，回答時出了點問題" in sorry.params["text"]
    fake_api.message("Who is Fu Linlin?")
    answered = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "Fu Linlin" in answered.params["text"]


async def test_long_answers_are_pages_of_one_message(
    start_bot: Any, fake_api: FakeBotAPI, knowledge: Any
) -> None:
    import random

    vocabulary = [f"word{n}" for n in range(400)]
    paragraphs = []
    for i in range(40):
        rng = random.Random(i)
        filler = ". ".join(" ".join(rng.sample(vocabulary, 12)) for _ in range(9))
        paragraphs.append(f"The river lanterns of district {i} are lit at dusk. {filler}.")
    (knowledge / "lanterns.md").write_text("\n\n".join(paragraphs), encoding="utf-8")
    await start_bot(strictness=0.0)  # all ten, whatever the decision makes of them
    fake_api.message("When are the river lanterns lit?")
    (reply,) = await fake_api.wait_for("sendMessage")
    pages = [reply]
    while next_page := [b for b in buttons(pages[-1]) if b["text"].endswith("▶")]:
        fake_api.callback(next_page[0]["callback_data"])
        pages.append((await fake_api.wait_for("editMessageText", len(pages)))[-1])
    assert len(pages) == 4  # ten passages, three a page
    cited = [int(n) for call in pages
             for n in re.findall(r"^\[(\d+)\] ", strip_html(call.params["text"]), re.M)]
    assert cited == list(range(1, 11))  # each passage once, in order, with its citation
    for call in pages:
        assert_telegram_html(call.params["text"])
    assert len(fake_api.sent("sendMessage")) == 1


async def test_per_user_limit(start_bot: Any, fake_api: FakeBotAPI) -> None:
    await start_bot(questions_per_minute=2)
    for question in ("Who is Fu Linlin?", "Who is Duan Chengming?", "Who is Chen Shi?"):
        fake_api.message(question)
    replies = await fake_api.wait_for("sendMessage", 3)
    waits = [c for c in replies if "Please wait" in c.params["text"]]
    assert len(waits) == 1 and re.search(r"wait \d+ seconds", waits[0].params["text"])


async def test_allow_list(start_bot: Any, fake_api: FakeBotAPI) -> None:
    await start_bot(allowed_ids=frozenset({999}))
    fake_api.message("Who is Fu Linlin?")
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "only answers its own members" in reply.params["text"]


@pytest.mark.parametrize("faults", [["429"], ["500", "500"], ["reset"], ["reset", "429", "500"]])
async def test_telegram_faults_do_not_lose_the_answer(
    bot_app: Application, fake_api: FakeBotAPI, faults: list[str]
) -> None:
    fake_api.faults["sendMessage"] = list(faults)
    fake_api.message("Who did Fu Linlin take to the hospital?")
    calls = await fake_api.wait_for("sendMessage", len(faults) + 1, timeout=30)
    assert not fake_api.faults["sendMessage"]  # every fault was met
    last = calls[-1].params["text"]
    assert "takes the residents to the hospital" in last and "\n[1] <a href=" in last
    fake_api.message("Who is Duan Chengming?")  # and the bot carries on
    after = await fake_api.wait_for("sendMessage", len(faults) + 2, timeout=30)
    assert "Duan" in after[-1].params["text"]


async def test_a_flood_is_throttled_without_a_flood_of_replies(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    await start_bot(questions_per_minute=3)
    for i in range(60):
        fake_api.message(f"Who is Fu Linlin? {i}")
    other = {**USER, "id": 2002, "first_name": "Mei"}
    fake_api.message("东原社区有多少户居民？", chat={**PRIVATE, "id": 2002}, user=other)
    await fake_api.wait_for("sendMessage", 5, timeout=30)
    await fake_api.settle()
    to_flooder = [c for c in fake_api.sent() if c.params["chat_id"] == PRIVATE["id"]]
    to_other = [c for c in fake_api.sent() if c.params["chat_id"] == 2002]
    assert len(to_flooder) == 4  # three answers and one "please wait"
    assert sum("Please wait" in c.params["text"] for c in to_flooder) == 1
    assert len(to_other) == 1 and "6126" in to_other[0].params["text"]


async def test_an_inline_result_shared_in_a_chat_is_not_a_question(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    shared = "[1] Fu Linlin takes the residents to the hospital.\n\nSources\n[1] Volunteers"
    fake_api.message(shared, via_bot=BOT_USER)
    fake_api.message(shared, chat=GROUP, via_bot=BOT_USER,
                     reply_to_message={"message_id": 1, "date": 0, "chat": GROUP,
                                       "from": BOT_USER, "text": "earlier answer"})
    await fake_api.settle()
    assert fake_api.sent() == []  # before: the bot answered its own answer


async def test_a_question_deleted_before_its_answer_still_gets_it(
    bot_app: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.delete(fake_api.message("/ask Who did Fu Linlin take to the hospital?", chat=GROUP))
    (reply,) = await fake_api.wait_for("sendMessage")
    await fake_api.settle()
    # Taken by Telegram (the fake refuses a reply to a deleted message that does not allow
    # sending without it: before, the answer was refused and so was the apology after it).
    assert reply.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert "Fu Linlin" in reply.params["text"] and len(fake_api.sent()) == 1
