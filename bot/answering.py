"""Question in, Answer out: check the input, rank, drop weak and duplicate passages, mark the
sentence that answers. Pure: the index and analyzer are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import messages
from bot.analysis import Analyzer, to_simplified
from bot.cleaning import clean_question
from bot.index import SearchIndex
from bot.models import Answer, CitedPassage, Hit, Span, Status
from bot.splitting import sentence_spans

_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_WORD_CHAR = re.compile(r"[^\W_]")
# Extra hits fetched beyond k, so dropping duplicates and weak hits still leaves k.
_EXTRA = 5


@dataclass(frozen=True)
class AnswerOptions:
    """How many passages to show and how strict to be about relevance."""

    k: int = 3
    min_coverage: float = 0.3
    max_question_chars: int = 1000


def detect_language(question: str) -> tuple[str, bool]:
    """("zh" or "en", written in traditional characters?) for the reply.

    Chinese when Han characters outnumber Latin words two to one, so "Fu Linlin 送谁去了医院"
    is Chinese and "Who is 王小容?" English.
    """
    han = len(_HAN_CHAR.findall(question))
    words = len(_LATIN_WORD.findall(question))
    if han == 0 or han < 2 * words:
        return "en", False
    han_text = "".join(_HAN_CHAR.findall(question))
    return "zh", to_simplified(han_text) != han_text


def coverage(terms: Sequence[str], hit: Hit, index: SearchIndex) -> tuple[float, int]:
    """Share of the question's IDF weight found in the passage, and how many terms matched."""
    wanted = set(terms)
    present = wanted & set(hit.passage.tokens)
    total = sum(index.ranker.idf(t) for t in wanted)
    found = sum(index.ranker.idf(t) for t in present)
    return (found / total if total else 0.0), len(present)


def is_relevant(terms: Sequence[str], hit: Hit, index: SearchIndex, min_coverage: float) -> bool:
    """Enough of the question is in the passage: most of its weight, or two of its terms."""
    share, matched = coverage(terms, hit, index)
    return share >= min_coverage or matched >= 2


def _fingerprint(hit: Hit) -> frozenset[str]:
    return frozenset(hit.passage.tokens)


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= 0.8


def retrieve(
    terms: Sequence[str], index: SearchIndex, k: int, min_coverage: float
) -> list[Hit]:
    """The k best relevant passages, each shown once even if another document repeats it."""
    chosen: list[Hit] = []
    prints: list[frozenset[str]] = []
    for hit in index.search(terms, k + _EXTRA if k < 10 else 2 * k):
        if not is_relevant(terms, hit, index, min_coverage):
            continue
        fp = _fingerprint(hit)
        if any(_near_duplicate(fp, other) for other in prints):
            continue
        chosen.append(Hit(hit.passage, hit.score, len(chosen) + 1))
        prints.append(fp)
        if len(chosen) == k:
            break
    return chosen


def best_sentence(
    text: str, terms: Sequence[str], index: SearchIndex, analyzer: Analyzer
) -> Span | None:
    """The sentence carrying most of the question's IDF weight; the earliest wins a tie."""
    wanted = set(terms)
    best: tuple[float, Span] | None = None
    for span in sentence_spans(text):
        present = wanted.intersection(analyzer.tokens(text[span.start : span.end]))
        weight = sum(index.ranker.idf(t) for t in present)
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, span)
    return best[1] if best else None


def answer(
    question: str, index: SearchIndex, analyzer: Analyzer, options: AnswerOptions
) -> Answer:
    """The reply to one question, whatever the input."""
    if len(question) > options.max_question_chars:
        language, traditional = detect_language(question[: options.max_question_chars])
        message = messages.text(
            "too_long", language, traditional,
            length=len(question), limit=options.max_question_chars,
        )
        return Answer(question, language, traditional, Status.TOO_LONG, message)

    cleaned = clean_question(question)
    language, traditional = detect_language(cleaned)
    if not cleaned:
        return Answer(question, language, traditional, Status.EMPTY, messages.bilingual("empty"))
    if not _WORD_CHAR.search(cleaned):
        return Answer(
            question, language, traditional, Status.NO_WORDS, messages.bilingual("no_words")
        )
    if not index.passages:
        message = messages.text("no_documents", language, traditional)
        return Answer(question, language, traditional, Status.NO_DOCUMENTS, message)

    terms = analyzer.tokens(cleaned)
    hits = retrieve(terms, index, options.k, options.min_coverage) if terms else []
    if not hits:
        message = messages.text("no_match", language, traditional, documents=index.documents)
        return Answer(question, language, traditional, Status.NO_MATCH, message)

    cited = tuple(
        CitedPassage(number=hit.rank, hit=hit,
                     highlight=best_sentence(hit.passage.text, terms, index, analyzer))
        for hit in hits
    )
    top = cited[0]
    direct = (
        top.hit.passage.text[top.highlight.start : top.highlight.end]
        if top.highlight
        else top.hit.passage.text
    )
    return Answer(question, language, traditional, Status.ANSWERED, direct, cited)
