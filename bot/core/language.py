"""Which script and language a text is written in: the Han ranges, traditional to simplified
Chinese (OpenCC), and the language a reply should be in. Pure."""

from __future__ import annotations

import functools
import re

import opencc

# CJK Unified Ideographs with extension A, the compatibility ideographs, and the supplementary
# planes' extensions B onwards: every Han character the analyzer, splitter and metadata see.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def has_han(text: str) -> bool:
    """True when text holds at least one Han character."""
    return HAN_RUN.search(text) is not None


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, so either form finds the other."""
    return _converter().convert(text)


def language_of(text: str) -> str:
    """"zh" or "en": Chinese when Han characters outnumber Latin words two to one, so
    "Fu Linlin 送谁去了医院" is Chinese and "Who is 王小容?" English."""
    han = sum(map(len, HAN_RUN.findall(text)))
    return "zh" if han and han >= 2 * len(_LATIN_WORD.findall(text)) else "en"


def detect_language(question: str) -> tuple[str, bool]:
    """("zh" or "en" as `language_of` tells them, written in traditional characters?) for
    the reply."""
    if language_of(question) == "en":
        return "en", False
    han_text = "".join(HAN_CHAR.findall(question))
    return "zh", to_simplified(han_text) != han_text
