from __future__ import annotations

import pytest

from bot.core.analysis import Analyzer
from bot.core.answering import (
    AnswerOptions,
    answer,
    is_related,
    is_relevant,
    rank_and_filter,
)
from bot.core.index import SearchIndex
from bot.core.models import Status, StoredPassage
from bot.core.translation import Dictionary, Entry


def _index(texts: list[str], analyzer: Analyzer, doc: str = "d") -> SearchIndex:
    passages = [
        StoredPassage(
            id=i + 1, doc_id=f"{doc}{i}", position=1, count=1, text=t,
            title=f"Title {i}", source=None, url=None, date=None,
        )
        for i, t in enumerate(texts)
    ]
    return SearchIndex.build(passages, [analyzer.tokens(t) for t in texts])


TEXTS = [
    "The library opens at nine. Books can be borrowed for three weeks. Late returns cost a fee.",
    "The swimming pool is closed on Mondays for cleaning. Lessons start in spring.",
    "社区图书馆每天早上九点开门。借书期限为三周。",
    "The library opens at nine. Books can be borrowed for three weeks. Late returns cost a fee!",
]


def test_best_passage_and_its_answering_sentence(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    result = answer("How long can I borrow books?", index, analyzer, AnswerOptions())
    assert result.status is Status.ANSWERED
    top = result.passages[0]
    assert top.hit.passage.doc_id == "d0"
    assert top.highlight is not None
    assert top.hit.passage.text[top.highlight.start : top.highlight.end] == (
        "Books can be borrowed for three weeks."
    )
    assert result.message == "Books can be borrowed for three weeks."


def test_near_identical_passages_appear_once(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    result = answer("library books borrowed weeks", index, analyzer, AnswerOptions(k=3))
    hits = [c.hit for c in result.passages]
    docs = [h.passage.doc_id for h in hits]
    assert "d0" in docs and "d3" not in docs
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_irrelevant_question_says_so_in_its_language(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    en = answer("What is the weather in Beijing today?", index, analyzer, AnswerOptions())
    assert en.status is Status.NO_MATCH and not en.passages
    assert "couldn't find" in en.message
    zh = answer("北京今天天气怎么样？", index, analyzer, AnswerOptions())
    assert zh.status is Status.NO_MATCH and "没有找到" in zh.message
    hant = answer("北京今天天氣怎麼樣？", index, analyzer, AnswerOptions())
    assert hant.status is Status.NO_MATCH and "沒有找到" in hant.message


def test_weak_single_common_term_is_not_an_answer(analyzer: Analyzer) -> None:
    # "library" matches, but most of the question's weight (unknown words) does not.
    index = _index(TEXTS, analyzer)
    result = answer("library parking permit tariff zone", index, analyzer, AnswerOptions())
    assert result.status is Status.NO_MATCH


@pytest.mark.parametrize(
    ("question", "status", "needle"),
    [
        ("", Status.EMPTY, "Please send me a question"),
        ("   \n\t  ", Status.EMPTY, "请输入一个问题"),
        ("?!…。，", Status.NO_WORDS, "only symbols or emoji"),
        ("😀🎉👍🏽", Status.NO_WORDS, "只有符号或表情"),
        ("\x00\x07\x1b", Status.EMPTY, "Please send me a question"),
        ("x" * 100_000, Status.TOO_LONG, "100,000 characters"),
        ("图" * 100_000, Status.TOO_LONG, "100,000 个字符"),
    ],
)
def test_bad_input_gets_a_clear_answer(
    analyzer: Analyzer, question: str, status: Status, needle: str
) -> None:
    result = answer(question, _index(TEXTS, analyzer), analyzer, AnswerOptions())
    assert result.status is status
    assert needle in result.message
    assert not result.passages


def test_control_characters_are_ignored_not_fatal(analyzer: Analyzer) -> None:
    result = answer("How long\x00 can I\x1b borrow\u200b books?", _index(TEXTS, analyzer),
                    analyzer, AnswerOptions())
    assert result.status is Status.ANSWERED
    assert result.passages[0].hit.passage.doc_id == "d0"


def test_empty_collection(analyzer: Analyzer) -> None:
    result = answer("Where is the library?", SearchIndex.build([]), analyzer, AnswerOptions())
    assert result.status is Status.NO_DOCUMENTS
    assert "no documents" in result.message


def test_k_limits_the_passages(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    one = answer("library pool lessons books", index, analyzer, AnswerOptions(k=1))
    assert len(one.passages) == 1


def test_after_a_relevant_first_passage_a_translated_question_shows_related_ones(
        analyzer: Analyzer) -> None:
    # Passage 0 holds two of the question's concepts; passage 1 only its rarest one, often,
    # too little of the question to pass alone ("c" and "d" are words no passage uses).
    tokens = [["a", "b"], ["a", "a", "a"], ["b", "e"], ["b", "f"], ["g"], ["h"]]
    passages = [
        StoredPassage(id=i + 1, doc_id=f"d{i}", position=1, count=1, text=f"text {i}",
                      title="T", source=None, url=None, date=None)
        for i in range(len(tokens))
    ]
    index = SearchIndex.build(passages, tokens)
    concepts = [("a", "甲"), ("b",), ("c",), ("d",)]
    assert not is_relevant([(c, index.ranker.group_idf(c)) for c in concepts], {"a"}, 0.3)

    translated = rank_and_filter(["a", "b", "c", "d"], concepts, concepts, index, 3, 0.3)
    assert [h.passage.doc_id for h in translated][:2] == ["d0", "d1"]
    # the same question without translations keeps the stricter check for every passage
    plain = [(t,) for t in ("a", "b", "c", "d")]
    assert [h.passage.doc_id for h in rank_and_filter(
        ["a", "b", "c", "d"], plain, plain, index, 3, 0.3)] == ["d0"]
    # a related passage must still score near the first
    assert not is_related([(c, 1.0) for c in concepts], {"a"}, 0.3, 1.0)


def test_two_concepts_need_part_of_the_question_weight() -> None:
    def concepts(rare: float) -> list[tuple[tuple[str, ...], float]]:
        return [(("capit",), 1.0), (("franc",), 1.0), (("weather",), rare)]

    # two common words of a question whose rarest word the passage lacks
    assert is_relevant(concepts(8.0), {"capit", "franc"}, 0.3)  # 2 of 10: two thirds of 0.3
    assert not is_relevant(concepts(10.0), {"capit", "franc"}, 0.3)  # 2 of 12
    assert is_relevant(concepts(2.0), {"weather"}, 0.3)  # one concept holding half
    assert is_relevant(concepts(10.0), {"capit"}, 0.0)  # MIN_COVERAGE=0: any shared term


def test_a_dictionary_searches_the_other_language_too(analyzer: Analyzer) -> None:
    small = Dictionary([Entry("图书馆", ("library",))], analyzer)
    index = _index(TEXTS, analyzer)
    alone = answer("library", index, analyzer, AnswerOptions())
    assert "d2" not in [c.hit.passage.doc_id for c in alone.passages]
    both = answer("library", index, analyzer, AnswerOptions(dictionary=small))
    assert "d2" in [c.hit.passage.doc_id for c in both.passages]  # 社区图书馆, translated
