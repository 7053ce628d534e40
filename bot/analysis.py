"""One analyzer for passages and questions: text in, index terms out.

A chain of small steps, each a function: normalise (NFKC, case-fold), map traditional to
simplified Chinese (OpenCC), split into Han and non-Han runs, cut Han runs into words (jieba),
stem other words (Snowball via PyStemmer), drop stop words of both languages.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from importlib import resources

import jieba
import opencc
import Stemmer

# Bump when the token stream changes for the same text: stored tokens are then rebuilt.
ANALYZER_VERSION = "1"

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HAN_RUN = re.compile(f"[{HAN}]+")
# Letters and digits that are not Han: English words, numbers, pinyin, other scripts.
_RUNS = re.compile(f"[{HAN}]+|[^\\W_{HAN}]+")
_ASCII_WORD = re.compile(r"[a-z]+")

_jieba_lock = threading.Lock()
_jieba_ready = False


def load_stop_words(name: str) -> frozenset[str]:
    """A packaged stop-word list: one word a line, # starts a comment."""
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def warm_up() -> None:
    """Load jieba's dictionary now (it takes about a second) instead of on the first question."""
    global _jieba_ready
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            _jieba_ready = True


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, so either form finds the other."""
    return _converter().convert(text)


def has_han(text: str) -> bool:
    """True when text holds at least one Han character."""
    return _HAN_RUN.search(text) is not None


class Analyzer:
    """Turns text into index terms; the same instance serves passages and questions."""

    def __init__(self, stem: bool = True, stop_words: bool = True) -> None:
        self._stemmer = Stemmer.Stemmer("english") if stem else None
        self._stop = (
            load_stop_words("stopwords_en.txt") | load_stop_words("stopwords_zh.txt")
            if stop_words
            else frozenset()
        )
        self._stems: dict[str, str] = {}
        self.options = (stem, stop_words)  # enough to build the same analyzer in a worker
        self.signature = f"v{ANALYZER_VERSION};stem={stem};stop={stop_words};jieba=search"

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word) if self._stemmer else word
            if len(self._stems) < 200_000:
                self._stems[word] = stem
        return stem

    def _han_words(self, run: str) -> Iterator[str]:
        if not _jieba_ready:
            warm_up()
        for word in jieba.cut_for_search(run):
            if word not in self._stop:
                yield word

    def _other_words(self, run: str) -> Iterator[str]:
        if run in self._stop:
            return
        yield self._stem(run) if _ASCII_WORD.fullmatch(run) else run

    def tokens(self, text: str) -> list[str]:
        """Index terms of text, in order, repeats kept (BM25 counts them)."""
        text = unicodedata.normalize("NFKC", text).casefold()
        if has_han(text):
            text = to_simplified(text)
        out: list[str] = []
        for match in _RUNS.finditer(text):
            run = match.group()
            words: Iterable[str] = (
                self._han_words(run) if _HAN_RUN.fullmatch(run) else self._other_words(run)
            )
            out.extend(words)
        return out
