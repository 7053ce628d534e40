"""What the bot says, in English and simplified Chinese; traditional Chinese is converted.

Every front end (console, Telegram) takes its wording from here, so they answer alike.
"""

from __future__ import annotations

import functools

import opencc

_TEXTS: dict[str, dict[str, str]] = {
    "no_match": {
        "en": "I couldn't find anything about that in the {documents} documents I have. "
        "Try other words, or see what I know with /sources.",
        "zh": "抱歉，我在现有的 {documents} 份文档里没有找到与这个问题相关的内容。"
        "可以换个说法，或发送 /sources 查看我有哪些资料。",
    },
    "no_documents": {
        "en": "I have no documents yet. An admin can add files to the knowledge folder and reload.",
        "zh": "我还没有任何文档。管理员可以把文件放进知识库文件夹，然后重新加载。",
    },
    "empty": {
        "en": "Please send me a question, for example: Who did Fu Linlin take to the hospital?",
        "zh": "请输入一个问题，例如：王小容做了哪些志愿服务？",
    },
    "no_words": {
        "en": "Your message has only symbols or emoji, so there is nothing I can search for. "
        "Please ask in words.",
        "zh": "您的消息里只有符号或表情，没有可以搜索的文字。请用文字提问。",
    },
    "too_long": {
        "en": "Your message is {length:,} characters long. Please ask a shorter question "
        "(at most {limit:,} characters).",
        "zh": "您的消息有 {length:,} 个字符，太长了。请把问题缩短到 {limit:,} 个字符以内。",
    },
    "sources": {"en": "Sources", "zh": "来源"},
    "passage": {"en": "passage {position}/{count}", "zh": "第 {position}/{count} 段"},
}

# Messages given before the question's language is known are shown in both languages.
BILINGUAL = frozenset({"empty", "no_words"})


@functools.lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def text(key: str, language: str, traditional: bool = False, **values: object) -> str:
    """The message `key` in the question's language and script."""
    message = _TEXTS[key]["zh" if language == "zh" else "en"].format(**values)
    if language == "zh" and traditional:
        message = _to_traditional().convert(message)
    return message


def bilingual(key: str, **values: object) -> str:
    """English and Chinese together, for a message whose language cannot be told."""
    return f"{text(key, 'en', **values)}\n{text(key, 'zh', **values)}"
