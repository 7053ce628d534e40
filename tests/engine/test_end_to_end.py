"""Questions about the seed documents, asked through the whole service, as a user would."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.models import Status
from bot.faces.text import render_text
from bot.engine.service import QAService
from tests.conftest import EN_SEED, ZH_SEED

CASES = [
    # (question, language, document cited first, text its first passage must contain)
    ("Who did Fu Linlin take to the hospital?", "en", EN_SEED, "takes the residents to the hospital"),
    ("Who was discovered to have pancreatitis?", "en", EN_SEED, "the old man had pancreatitis"),
    ("Which health center is Jiang Jie a doctor at?", "en", EN_SEED, "Tiaodeng Town"),
    ("How many times a day does Chen Shi take samples?", "en", EN_SEED, "hundreds of times"),
    ("Fu Linlin 送谁去了医院？", "zh", EN_SEED, "Fu Linlin"),
    ("东原社区有多少户居民？", "zh", ZH_SEED, "6126"),
    ("東原社區有多少戶居民？", "zh", ZH_SEED, "6126"),
    ("王小容在哪个单位工作？", "zh", ZH_SEED, "水利局"),
    ("田阿姨患有什么病？", "zh", ZH_SEED, "失眠"),
    ("田阿姨患有什麼病？", "zh", ZH_SEED, "失眠"),
    ("下沉群里有多少党员？", "zh", ZH_SEED, "125"),
]


@pytest.mark.parametrize(("question", "language", "doc", "needle"), CASES)
async def test_seed_questions(
    service: QAService, question: str, language: str, doc: str, needle: str
) -> None:
    answer = await asyncio.to_thread(service.ask, question)
    assert answer.status is Status.ANSWERED
    assert answer.language == language
    top = answer.passages[0].hit.passage
    assert top.doc_id == doc
    assert needle in top.text


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        # "work" is not in the answering sentence ("She is a doctor at ..."), so BM25 puts
        # another Jiang Jie passage first; the answer must still be on screen.
        ("Where does Jiang Jie work?", "Tiaodeng Town Health Center"),
        # "illness" is not in the text: only the reader knows pancreatitis is one.
        ("What illness did the 81-year-old man have?", "pancreatitis"),
    ],
)
async def test_answer_in_other_words_is_still_among_the_passages(
    service: QAService, question: str, needle: str
) -> None:
    answer = service.ask(question)
    assert any(needle in c.hit.passage.text for c in answer.passages)


async def test_reply_reads_like_a_cited_answer(service: QAService) -> None:
    answer = service.ask("Who did Fu Linlin take to the hospital?")
    text = render_text(answer)
    assert text.startswith("**")  # the answering sentence first, marked
    assert text.split("\n")[1].startswith("[1] Volunteers")  # its citation right under it
    assert ("[1] Volunteers Offer Hearty Support in Fight against COVID-19 Resurgence — "
            "iChongqing, https://www.ichongqing.info/") in text
    assert "2022-11-18, passage " in text
    assert "iChongqing Title" not in text and "67230470" not in text


async def test_traditional_question_gets_traditional_wording(service: QAService) -> None:
    answer = service.ask("東原社區有多少戶居民？")
    assert answer.traditional
    assert "戶" in render_text(answer).split("\n")[0]  # the lead, as the document writes it
    assert "2022-11-24, 第 " in render_text(answer)


async def test_unrelated_questions_are_declined(service: QAService) -> None:
    for question in ("What is the capital of France?", "How do I bake sourdough bread?",
                     "明天上海的天气怎么样？"):
        answer = service.ask(question)
        assert answer.status is Status.NO_MATCH, question
        assert "2" in answer.message  # says how many documents it looked in


@pytest.mark.parametrize(
    ("question", "doc", "needle", "note"),
    [
        ("Who is Wang Xiaorong?", ZH_SEED, "王小容", "in Chinese"),
        ("How many households live in Dongyuan community?", ZH_SEED, "6126", "in Chinese"),
        ("付林林把谁送去了医院？", EN_SEED, "hospital", "英文原文"),
    ],
)
async def test_questions_find_the_other_language(
    service: QAService, question: str, doc: str, needle: str, note: str
) -> None:
    answer = service.ask(question)
    assert answer.status is Status.ANSWERED
    assert any(c.hit.passage.doc_id == doc and needle in c.hit.passage.text
               for c in answer.passages)
    assert note in render_text(answer)


@pytest.mark.parametrize(
    ("message", "language", "traditional", "needle"),
    [
        ("thank you so much", "en", False, "welcome"),
        ("good morning", "en", False, "Hello"),
        ("早上好", "zh", False, "你好"),
        ("謝謝", "zh", True, "不客氣"),
        ("who are you?", "en", False, "/sources"),
        ("哈哈", "zh", False, "文档"),
        ("ok", "en", False, "OK"),
    ],
)
async def test_small_talk_gets_a_reply_not_a_search(
    service: QAService, message: str, language: str, traditional: bool, needle: str
) -> None:
    answer = service.ask(message)
    assert answer.status is Status.SMALL_TALK and not answer.passages
    assert (answer.language, answer.traditional) == (language, traditional)
    assert needle in answer.message
    assert "2" in answer.message  # says how many documents it knows
    assert render_text(answer) == answer.message


@pytest.mark.parametrize(("question", "doc"), [("hi, who is Fu Linlin?", EN_SEED),
                                               ("你好，东原社区有多少户？", ZH_SEED)])
async def test_a_question_that_begins_with_a_greeting_is_answered(
    service: QAService, question: str, doc: str
) -> None:
    answer = service.ask(question)
    assert answer.status is Status.ANSWERED
    assert answer.passages[0].hit.passage.doc_id == doc
