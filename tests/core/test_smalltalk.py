"""Small talk is told from questions by rules (bot/core/smalltalk.py). The sentences here are
not in the rules: they are built from the vocabulary, as people write them."""

from __future__ import annotations

import pytest

from bot.core.smalltalk import Kind, classify, without_opening


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("thank you so much", Kind.THANKS),
        ("Thanks a lot, bot!!", Kind.THANKS),
        ("good morning", Kind.GREETING),
        ("Hey there 👋", Kind.GREETING),
        ("hello again", Kind.GREETING),
        ("早上好", Kind.GREETING),
        ("大家下午好！", Kind.GREETING),
        ("您好啊", Kind.GREETING),
        ("謝謝", Kind.THANKS),
        ("非常感謝您", Kind.THANKS),
        ("好的，谢谢你", Kind.THANKS),
        ("bye for now", None),  # "now" is no small-talk word: searched
        ("ok bye", Kind.GOODBYE),
        ("再見啦", Kind.GOODBYE),
        ("who are you?", Kind.ABOUT),
        ("What can you do", Kind.ABOUT),
        ("help", Kind.ABOUT),
        ("你能做什麼？", Kind.ABOUT),
        ("哈哈哈哈", Kind.LAUGH),
        ("hahaha", Kind.LAUGH),
        ("LOL", Kind.LAUGH),
        ("ok", Kind.ACK),
        ("okay cool", Kind.ACK),
        ("好的", Kind.ACK),
        ("嗯嗯，明白了", Kind.ACK),
        ("what time is it", Kind.CLOCK),
        ("What's the date today?", Kind.CLOCK),
        ("现在几点了？", Kind.CLOCK),
        ("今天星期幾", Kind.CLOCK),
    ],
)
def test_small_talk_by_kind(message: str, kind: Kind | None) -> None:
    assert classify(message) is kind


@pytest.mark.parametrize(
    "question",
    [
        "hi, who is Fu Linlin?",
        "你好，东原社区有多少户？",
        "what time does the library open",
        "今天几点开门？",
        "what day is the festival",
        "thanks, and where does Jiang Jie work?",
        "what do you know about the moon",
        "help me find the 2022 report",
        "好的，那王小容在哪里工作？",
        "今天天气怎么样",
        "hello 2022",
        "",
        "🙂",
    ],
)
def test_questions_are_not_small_talk(question: str) -> None:
    assert classify(question) is None


@pytest.mark.parametrize(("message", "question"), [
    ("hi, who is Fu Linlin?", "who is Fu Linlin?"),
    ("Hello! Thanks, how many households are there?", "how many households are there?"),
    ("你好，东原社区有多少户？", "东原社区有多少户？"),
    ("謝謝！王小容是誰？", "王小容是誰？"),  # traditional
    ("ok, 好的，王小容是谁", "王小容是谁"),
])
def test_a_greeting_that_opens_a_question_is_not_searched(message: str, question: str) -> None:
    assert without_opening(message) == question


@pytest.mark.parametrize("message", [
    "thanks!",  # nothing after it: small talk, left whole
    "hi there",
    "Dongyuan, how many households?",  # the opening clause is the question's own
    "Fu Linlin: who did she drive to hospital?",
])
def test_a_message_without_such_an_opening_is_left_whole(message: str) -> None:
    assert without_opening(message) == message
