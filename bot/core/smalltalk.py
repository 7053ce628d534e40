"""Small talk: greetings, thanks, goodbyes, questions about the bot, laughter and
acknowledgements, told from questions by rules, so they get a short reply instead of a search.

A message is small talk when the whole of it, punctuation and emoji aside, is made of the
small-talk words below: in English every word, in Chinese (traditional mapped to simplified
first) a segmentation of every Han run into these units. The words are a vocabulary, not a list
of sentences: "thank you so much" is thanks + filler words, 早上好 is a time of day + 好. Any
other word ("hi, who is Fu Linlin?", "你好，东原社区有多少户？") makes it a question. Pure.
"""

from __future__ import annotations

import enum
import functools
import re

from bot.core.language import HAN, to_simplified


class Kind(enum.Enum):
    """What a small-talk message does; its reply says the matching thing back."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ABOUT = "about"  # who are you, what can you do, help
    LAUGH = "laugh"
    ACK = "ack"
    CLOCK = "clock"  # what time or day it is: no document says, so no search either


# English words by what they do; FILLER words go with any of them but make nothing alone.
_EN: dict[Kind | None, str] = {
    Kind.GREETING: "hello hi hey heya hiya howdy yo greetings morning afternoon evening "
    "day gm sup whatsup what's up how are you doing nice to meet",
    Kind.THANKS: "thanks thank thx ty tks cheers appreciated appreciate grateful",
    Kind.GOODBYE: "bye goodbye byebye farewell later cya ya night goodnight gn",
    Kind.ACK: "ok okay okey k kk alright sure fine cool great nice awesome perfect got it "
    "understood noted sounds good yes yeah yep no nope np right wow",
    Kind.LAUGH: "",
    None: "good so very much a lot many you there all everyone guys bot again and too "
    "see oh well just for the that's it's this",
}
# Whole English messages about the bot itself, and laughter (haha, hehe, lol, lmao).
_EN_ABOUT = re.compile(
    r"(who|what) (are|r) (you|u)|what (can|do) (you|u) (do|know)|how (do|does|can) (i|you|u) "
    r"(use|work)( (this|you|it))?|what is this( bot)?|help( me)?|who (made|built|created) "
    r"(you|this( bot)?)|what are you for|what do you do|what can i ask( you)?|how to use")
# The time or the date now ("what time is it", "what's the date today", "现在几点了",
# "今天星期几"): a document can only answer "what time does X open", which these are not.
_EN_CLOCK = re.compile(
    r"(what|wat) ?('s|is)? (the )?(time|date|day)( is it)?( now| today| right now)?|"
    r"what time is it( now| right now)?|what day is (it|today)( today)?|"
    r"what('s| is) today('s date)?|do you (have|know) the time|what year is it")
_ZH_CLOCK = re.compile(
    r"(现在|请问)*(是)?(几点|几点钟|什么时间|什么时候)(了)?|"
    r"(今天|今日|现在)(是)?(几号|几月几号|几月几日|星期几|礼拜几|周几|哪天|什么日子)|"
    r"(今年|现在)(是)?(哪一年|哪年|几几年|什么年份)")
_ZH_TAIL = re.compile(r"[了啊呀呢吗嘛]+$")
_EN_LAUGH = re.compile(r"(a?h[ae]){2,}h?|l+o+l+|lmao+|rofl|xd+|hehe+")
_EN_WORD = re.compile(r"[a-z']+")

# Chinese units, simplified; each segment of a Han run must be one of them.
_ZH: dict[Kind | None, str] = {
    Kind.GREETING: "你好 您好 好 安 早 哈喽 哈啰 嗨 喂 哈罗 在吗 在不在 早上 上午 中午 下午 "
    "晚上 大家 各位 很高兴认识 认识你很高兴 吗 最近怎么样",
    Kind.THANKS: "谢谢 谢 多谢 感谢 谢了 谢啦 辛苦了 辛苦 麻烦 费心 感恩",
    Kind.GOODBYE: "再见 拜拜 回头见 再会 明天见 下次见 晚安 先走了 告辞 见",
    Kind.ACK: "好的 好滴 好嘞 好吧 嗯 行 可以 收到 明白 知道 了解 懂了 懂 没问题 对 是的 "
    "没事 不客气 不用谢 棒 厉害 太好了 真棒 ok",
    Kind.ABOUT: "你是谁 你叫什么 你能做什么 你会什么 你可以做什么 你能干什么 你是什么 "
    "帮助 帮忙 怎么用 如何使用 怎么使用 使用说明 介绍一下 介绍 你自己 自己 能做什么 会什么",
    Kind.LAUGH: "哈 呵 嘿 嘻 笑死 哈哈",
    None: "你 您 啊 呀 吧 哦 噢 喔 呢 啦 了 的 非常 很 太 真 十分 大家 老师 机器人 朋友 们 "
    "一下 也 又 再 那 就 这样 一切 都",
}
_HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_RUN = re.compile(r"[A-Za-z']+")
_WORDLIKE = re.compile(rf"[^\W_]|[{HAN}]")


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Kind | None], dict[str, Kind | None]]:
    en = {w: kind for kind, words in _EN.items() for w in words.split()}
    zh = {w: kind for kind, words in _ZH.items() for w in words.split()}
    return en, zh


def _english(words: list[str], kinds: list[Kind]) -> bool:
    en, _ = _tables()
    for word in words:
        if _EN_LAUGH.fullmatch(word):
            kinds.append(Kind.LAUGH)
        elif word in en:
            kind = en[word]
            if kind is not None:
                kinds.append(kind)
        else:
            return False
    return True


def _segment(run: str) -> list[Kind | None] | None:
    """The kinds of a segmentation of a Han run into small-talk units (longest units first),
    or None when there is none."""
    _, zh = _tables()
    longest = max(map(len, zh))
    best: list[list[Kind | None] | None] = [None] * (len(run) + 1)
    best[0] = []
    for end in range(1, len(run) + 1):
        for size in range(min(longest, end), 0, -1):
            before = best[end - size]
            unit = run[end - size : end]
            if before is not None and unit in zh:
                best[end] = [*before, zh[unit]]
                break
    return best[len(run)]


def classify(message: str) -> Kind | None:
    """The kind of small talk the (cleaned) message is, or None for a question."""
    text = to_simplified(message).casefold().replace("’", "'")
    latin = " ".join(_LATIN_RUN.findall(text))
    if len(text) > 60 or not _WORDLIKE.search(text):
        return None
    han = "".join(_HAN_RUN.findall(text))
    if (latin and not han and _EN_CLOCK.fullmatch(latin)) or (
            han and not latin and _ZH_CLOCK.fullmatch(_ZH_TAIL.sub("", han))):
        return Kind.CLOCK
    kinds: list[Kind] = []
    if _EN_ABOUT.fullmatch(latin) or (latin and _EN_ABOUT.search(latin) and len(latin) < 25
                                     and _english(_EN_ABOUT.sub(" ", latin).split(), kinds)):
        kinds.append(Kind.ABOUT)
    elif latin and not _english(_EN_WORD.findall(latin), kinds):
        return None
    for run in _HAN_RUN.findall(text):
        found = _segment(run)
        if found is None:
            return None
        kinds.extend(k for k in found if k is not None)
    rest = _LATIN_RUN.sub("", _HAN_RUN.sub("", text))
    if any(ch.isalnum() for ch in rest):  # digits, other scripts: a question
        return None
    if not kinds:
        return None
    # A greeting with anything else is still a greeting; thanks and goodbyes before the rest.
    for kind in (Kind.ABOUT, Kind.GOODBYE, Kind.THANKS, Kind.GREETING, Kind.LAUGH, Kind.ACK):
        if kind in kinds:
            return kind
    return None


# A clause a message opens with, up to the punctuation that ends it ("hi,", "你好，", "thanks!").
_OPENING = re.compile(r"\s*([^,，、!！.。~～:：;；?？]{1,30})[,，、!！.。~～:：;；]+\s*(?=\S)")
# What may open a question without being part of it.
_OPENERS = frozenset({Kind.GREETING, Kind.THANKS, Kind.ACK, Kind.LAUGH})


def without_opening(message: str) -> str:
    """The message without the greetings, thanks or acknowledgements it opens with ("hi, who
    is Fu Linlin?" is "who is Fu Linlin?"; "你好，东原社区有多少户？" is "东原社区有多少户？");
    a message that is nothing else is left whole."""
    for _ in range(3):  # "hi, thanks, ...": a few clauses at most
        match = _OPENING.match(message)
        if match is None or classify(match.group(1)) not in _OPENERS:
            break
        message = message[match.end():]
    return message
