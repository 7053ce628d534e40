"""Question in, Answer out: check the input, rank, drop weak and duplicate passages, mark the
sentence that answers. Pure: the index and analyzer are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.core import messages
from bot.core.analysis import Analyzer
from bot.core.cleaning import clean_question
from bot.core.index import SearchIndex
from bot.core.language import detect_language
from bot.core.models import Answer, CitedPassage, Hit, Span, Status
from bot.core.smalltalk import classify
from bot.core.splitting import sentence_spans
from bot.core.translation import Dictionary, DocumentFrequency

_WORD_CHAR = re.compile(r"[^\W_]")
# Extra hits fetched beyond k, so dropping duplicates and weak hits still leaves k.
_EXTRA = 5
_WORD_RUN = re.compile(r"\w+")
# Share of min_coverage that two concepts found in a passage must hold to make it relevant.
PAIR_COVERAGE = 2 / 3
# Share of the best passage's score that a later passage of a translated question needs.
RELATED_SCORE = 0.4


@dataclass(frozen=True)
class AnswerOptions:
    """How many passages to show and how strict to be about relevance."""

    k: int = 3
    min_coverage: float = 0.3
    max_question_chars: int = 1000
    dictionary: Dictionary | None = None  # set: questions also search the other language


def coverage(
    concepts: Sequence[tuple[Sequence[str], float]], present: Collection[str]
) -> tuple[float, int]:
    """Share of the question's IDF weight found in a passage holding the terms `present`,
    and how many of its concepts (a word, or a word with its translations, with its IDF)
    the passage holds."""
    total = found = 0.0
    matched = 0
    for concept, weight in concepts:
        total += weight
        if any(t in present for t in concept):
            found += weight
            matched += 1
    return (found / total if total else 0.0), matched


def is_relevant(
    concepts: Sequence[tuple[Sequence[str], float]], present: Collection[str],
    min_coverage: float,
) -> bool:
    """Enough of the question is in the passage: min_coverage of its weight, or two of its
    concepts holding PAIR_COVERAGE of that. Two common words alone ("capital", "France" in a
    passage on inequality) are no answer to a longer question. The floor declines a tenth
    more of the questions about other things, and no tuning set lost recall (README,
    Quality)."""
    share, matched = coverage(concepts, present)
    return share >= min_coverage or (matched >= 2 and share >= PAIR_COVERAGE * min_coverage)


def is_related(
    concepts: Sequence[tuple[Sequence[str], float]], present: Collection[str], score: float,
    best_score: float,
) -> bool:
    """A passage after the first of a translated question: it holds one of the question's
    concepts and scores at least RELATED_SCORE of the best passage."""
    return score >= RELATED_SCORE * best_score and coverage(concepts, present)[1] >= 1


def _fingerprint(text: str) -> frozenset[str]:
    """The passage's runs of letters and digits (an English word, a Han run between two
    punctuation marks): how much two passages' text overlaps, in any language, found by one
    regular expression rather than a loop over every character."""
    return frozenset(_WORD_RUN.findall(text.casefold()))


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= 0.8


def query_groups(
    terms: Sequence[str], words: Sequence[str], dictionary: Dictionary | None, question: str,
    document_frequency: DocumentFrequency,
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(ranking groups, relevance concepts) for a question.

    Without a dictionary every term is its own group. With one, each word joins its
    translations (those the collection uses, given its document frequencies) in one group,
    and the other terms (bigrams, pinyin) stay single. A monolingual collection uses no
    translations, so its questions stay on the plain (faster) ranking path.
    """
    concepts = (
        dictionary.expand(question, document_frequency, words) if dictionary
        else [(w,) for w in dict.fromkeys(words)]
    )
    heads = {c[0] for c in concepts}
    groups = [c for c in concepts if len(c) > 1]
    expanded = {c[0] for c in groups}
    groups += [(t,) for t in terms if t not in expanded]
    if not heads.issuperset(words):
        concepts += [(w,) for w in dict.fromkeys(words) if w not in heads]
    if dictionary and any(len(g) > 1 for g in groups):
        # The question found translations, so the collection holds the other language. A
        # word it never uses that the dictionary does not know either is then no sign that
        # it cannot answer: a name, which the other language spells its own way ("Matlin"
        # is 麦特琳). Such words are left out of the relevance check. A known word that no
        # passage uses in either language (天气, "weather") still counts against it.
        concepts = [c for c in concepts
                    if any(document_frequency(t) for t in c) or dictionary.translates(c[0])]
    return groups, concepts


def rank_and_filter(
    terms: Sequence[str], groups: Sequence[tuple[str, ...]],
    concepts: Sequence[tuple[str, ...]], index: SearchIndex, k: int, min_coverage: float,
) -> list[Hit]:
    """The k best relevant passages for a question whose ranking groups and relevance
    concepts are made (`query_groups`), each shown once even if another document repeats it."""
    limit = k + _EXTRA if k < 10 else 2 * k
    translated = any(len(g) > 1 for g in groups)
    if translated:
        found = index.search_groups(groups, limit)
    else:
        found = index.search(terms, limit)
    # Each concept's weight once per question, not once per candidate passage.
    weighted = [(c, index.ranker.group_idf(c)) for c in concepts]
    wanted = {t for c in concepts for t in c}
    chosen: list[Hit] = []
    prints: list[frozenset[str]] = []
    holding = index.terms_in_rows([row for row, _ in found], wanted)
    for (row, score), present in zip(found, holding, strict=True):
        # Across languages coverage understates a passage: the dictionary misses words it
        # writes its own way (黑豹队 for "Panthers"). Once the best passage has shown that the
        # collection answers, the next ones may instead share a concept and score near it.
        if not (is_relevant(weighted, present, min_coverage) or (
                chosen and translated
                and is_related(weighted, present, score, chosen[0].score))):
            continue
        fp = _fingerprint(index.text(row))
        if any(_near_duplicate(fp, other) for other in prints):
            continue
        chosen.append(index.hit(row, score, len(chosen) + 1))
        prints.append(fp)
        if len(chosen) == k:
            break
    return chosen


def best_sentence(
    text: str, terms: Sequence[str], index: SearchIndex, analyzer: Analyzer,
    already: frozenset[str] = frozenset(),
) -> Span | None:
    """The sentence carrying most of the question's IDF weight; the earliest wins a tie.
    Sentences in `already` (marked in an earlier, overlapping passage) are passed over."""
    wanted = set(terms)
    best: tuple[float, Span] | None = None
    for span in sentence_spans(text):
        if text[span.start : span.end] in already:
            continue
        present = analyzer.present(text[span.start : span.end], wanted)
        weight = sum(index.ranker.idf(t) for t in present)
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, span)
    return best[1] if best else None


def _too_long(question: str, limit: int) -> Answer:
    language, traditional = detect_language(question[:limit])
    message = messages.text("too_long", language, traditional, length=len(question), limit=limit)
    return Answer(question, language, traditional, Status.TOO_LONG, message)


def _refusal(
    question: str, cleaned: str, language: str, traditional: bool, index: SearchIndex
) -> Answer | None:
    """The reply to a cleaned question that cannot or need not be searched (empty, only
    symbols, small talk, no documents to search), or None for one that can."""
    if not cleaned:
        return Answer(question, language, traditional, Status.EMPTY, messages.bilingual("empty"))
    if not _WORD_CHAR.search(cleaned):
        return Answer(
            question, language, traditional, Status.NO_WORDS, messages.bilingual("no_words")
        )
    kind = classify(cleaned)
    if kind is not None:  # a greeting, thanks, ...: said back, not searched
        message = messages.text(f"small_talk_{kind.value}", language, traditional,
                                documents=index.documents)
        return Answer(question, language, traditional, Status.SMALL_TALK, message)
    if not index.size:
        message = messages.text("no_documents", language, traditional)
        return Answer(question, language, traditional, Status.NO_DOCUMENTS, message)
    return None


def _cite(
    hits: Sequence[Hit], terms: Sequence[str], index: SearchIndex, analyzer: Analyzer,
    language: str,
) -> list[CitedPassage]:
    """The hits with their answering sentences marked, a sentence marked once in all."""
    cited: list[CitedPassage] = []
    marked: set[str] = set()
    # Only terms a passage holds can be in one of its sentences (the index knows which).
    holding = index.terms_in_rows([hit.row for hit in hits], terms)
    for hit, wanted in zip(hits, holding, strict=True):
        text = hit.passage.text
        span = best_sentence(text, wanted, index, analyzer, frozenset(marked))
        if span is not None:
            marked.add(text[span.start : span.end])
        cited.append(CitedPassage(number=hit.rank, hit=hit, highlight=span,
                                  other_language=detect_language(text)[0] != language))
    return cited


def answer(
    question: str, index: SearchIndex, analyzer: Analyzer, options: AnswerOptions
) -> Answer:
    """The reply to one question, whatever the input."""
    if len(question) > options.max_question_chars:
        return _too_long(question, options.max_question_chars)
    cleaned = clean_question(question)
    language, traditional = detect_language(cleaned)
    refused = _refusal(question, cleaned, language, traditional, index)
    if refused is not None:
        return refused
    terms = analyzer.tokens(cleaned)
    groups, concepts = query_groups(terms, analyzer.words(cleaned), options.dictionary, cleaned,
                                    index.ranker.document_frequency)
    hits = (
        rank_and_filter(terms, groups, concepts, index, options.k, options.min_coverage)
        if terms else []
    )
    if not hits:
        message = messages.text("no_match", language, traditional, documents=index.documents)
        return Answer(question, language, traditional, Status.NO_MATCH, message)
    # A translation can be the answer's word, so every group's terms are looked for.
    cited = _cite(hits, [t for g in groups for t in g], index, analyzer, language)
    top = cited[0]
    direct = (
        top.hit.passage.text[top.highlight.start : top.highlight.end]
        if top.highlight
        else top.hit.passage.text
    )
    return Answer(question, language, traditional, Status.ANSWERED, direct, tuple(cited))
