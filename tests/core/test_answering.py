from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.core.analysis import Analyzer
from bot.core.answering import (
    AnswerOptions,
    Candidate,
    answer,
    query_candidates,
    question_query,
    rank_and_filter,
)
from bot.core.cleaning import clean_question
from bot.core.decision import (
    CASES,
    FEATURES,
    DecisionModel,
    Logistic,
    case_of,
    expand,
    features,
    matched,
)
from bot.core.follow_up import Query
from bot.core.index import SearchIndex
from bot.core.language import detect_language
from bot.core.models import Hit, Status, StoredPassage
from bot.core.translation import Dictionary, Entry
from bot.faces.evaluation import load_squad
from bot.sources.cedict import load_dictionary
from bot.sources.decision import load_decision_model
from tests.conftest import DATA
from tests.core.test_follow_up import seeds_among_slices

DECISION = load_decision_model()


def _options(**values: object) -> AnswerOptions:
    """The bot's options: the shipped answer decision at the default strictness."""
    return AnswerOptions(decision=DECISION, **values)  # type: ignore[arg-type]


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
    # Every ranked passage (strictness 0): a four-passage toy collection is not what the
    # decision was fitted on; what it decides is tested below.
    result = answer("How long can I borrow books?", index, analyzer, _options(strictness=0.0))
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
    result = answer("library books borrowed weeks", index, analyzer, _options(k=3))
    hits = [c.hit for c in result.passages]
    docs = [h.passage.doc_id for h in hits]
    assert "d0" in docs and "d3" not in docs
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_a_passage_inside_one_ranked_above_it_adds_nothing_and_is_left_out(
    analyzer: Analyzer,
) -> None:
    longer = TEXTS[0] + " Renewals are free online, and the desk helps with them."
    inside = "Books can be borrowed for three weeks. Late returns cost a fee."
    index = _index([longer, inside, TEXTS[1]], analyzer)
    ranked = answer("books borrowed weeks renewals online", index, analyzer,
                    _options(strictness=0.0))
    assert [c.hit.passage.doc_id for c in ranked.passages][:1] == ["d0"]
    assert "d1" not in [c.hit.passage.doc_id for c in ranked.passages]
    # the other way round, the longer passage adds something to the one above it: kept
    ranked = answer("books borrowed weeks fee", index, analyzer, _options(strictness=0.0))
    assert [c.hit.passage.doc_id for c in ranked.passages][:2] == ["d1", "d0"]


def test_irrelevant_question_says_so_in_its_language(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    en = answer("What is the weather in Beijing today?", index, analyzer, _options())
    assert en.status is Status.NO_MATCH and not en.passages
    assert "couldn't find" in en.message
    zh = answer("北京今天天气怎么样？", index, analyzer, _options())
    assert zh.status is Status.NO_MATCH and "没有找到" in zh.message
    hant = answer("北京今天天氣怎麼樣？", index, analyzer, _options())
    assert hant.status is Status.NO_MATCH and "沒有找到" in hant.message


def test_weak_single_common_term_is_not_an_answer(analyzer: Analyzer) -> None:
    # "library" matches, but most of the question's weight (unknown words) does not.
    index = _index(TEXTS, analyzer)
    result = answer("library parking permit tariff zone", index, analyzer, _options())
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
    result = answer(question, _index(TEXTS, analyzer), analyzer, _options())
    assert result.status is status
    assert needle in result.message
    assert not result.passages


def test_control_characters_are_ignored_not_fatal(analyzer: Analyzer) -> None:
    result = answer("How long\x00 can I\x1b borrow\u200b books?", _index(TEXTS, analyzer),
                    analyzer, _options(strictness=0.0))
    assert result.status is Status.ANSWERED
    assert result.passages[0].hit.passage.doc_id == "d0"


def test_empty_collection(analyzer: Analyzer) -> None:
    result = answer("Where is the library?", SearchIndex.build([]), analyzer, _options())
    assert result.status is Status.NO_DOCUMENTS
    assert "no documents" in result.message


def test_k_limits_the_passages(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    one = answer("library pool lessons books", index, analyzer, _options(k=1))
    assert len(one.passages) == 1


def _candidate(rank: int, confidence: float | None) -> Candidate:
    passage = StoredPassage(rank, f"d{rank}", 1, 1, "text", "T", None, None, None)
    return Candidate(Hit(passage, 10.0 - rank, rank), (), confidence)


def test_every_passage_shown_passes_the_same_decision() -> None:
    found = [_candidate(1, 0.9), _candidate(2, 0.2), _candidate(3, 0.6), _candidate(4, 0.7)]
    shown = rank_and_filter(found, 3, 0.5)
    assert [c.hit.passage.doc_id for c in shown] == ["d1", "d3", "d4"]
    assert [c.hit.rank for c in shown] == [1, 2, 3]  # renumbered as shown
    assert rank_and_filter(found, 3, 0.95) == []
    assert len(rank_and_filter(found, 10, 0.0)) == 4
    # without a model every ranked passage is shown
    assert len(rank_and_filter([_candidate(1, None), _candidate(2, None)], 3, 0.99)) == 2


def test_a_one_character_translation_never_counts_alone() -> None:
    assert matched(("moon", "月亮", "月"), {"月"}) == (False, False)
    assert matched(("moon", "月亮", "月"), {"月亮"}) == (True, False)
    assert matched(("moon", "月"), {"moon"}) == (True, True)
    weighted = [(("moon", "月"), 4.0), (("last",), 1.0)]
    values = dict(zip(FEATURES, features(weighted, {"月", "last"}, 2.0, 10.0, 4.0, 1.0, True, []),
                      strict=True))
    assert values["share"] == 0.2 and values["own_share"] == 0.2
    assert values["missing_top"] == 1.0 and values["present_top"] == 0.25
    assert (values["score_vs_best"], values["score_vs_top"], values["gap_next"]) == (0.2, 0.5, 0.5)
    assert values["names_found"] == 1.0  # no names in the question
    assert values["rank"] == 1.0
    assert values["sentence_share"] == 0.0  # no sentences given
    # the most of the question's weight one sentence holds, not the passage's scattered words
    split = dict(zip(FEATURES, features(weighted, {"moon", "last"}, 2.0, 10.0, 4.0, 1.0, False,
                                        [], sentences=[{"last"}, {"moon"}]), strict=True))
    assert split["share"] == 1.0 and split["sentence_share"] == 0.8
    assert split["other_language"] == 0.0


def test_the_model_is_a_logistic_function_of_standardised_features() -> None:
    n = len(FEATURES)
    one = Logistic((0.5,) * n, (0.5,) * n, (2.0,) + (0.0,) * (n - 1), 0.0)
    assert one.probability([0.5] * n) == 0.5
    assert one.probability([1.0] + [0.0] * (n - 1)) == pytest.approx(1 / (1 + 2.718281828 ** -2))
    # with products: the features and every product of two, each standardised, then weighed
    m = len(expand([0.0] * n, True))
    coef = tuple((-1) ** i * 0.1 * (i % 7) for i in range(m))
    mean = tuple(0.01 * i for i in range(m))
    scale = tuple(1.0 + 0.02 * i for i in range(m))
    both = Logistic(mean, scale, coef, 0.3, products=True)
    values = [0.1 * (i % 5) for i in range(n)]
    z = 0.3 + sum(c * (v - mu) / sd
                  for c, v, mu, sd in zip(coef, expand(values, True), mean, scale, strict=True))
    assert both.probability(values) == pytest.approx(1 / (1 + math.exp(-z)))


def test_the_highest_probability_over_one_feature_is_found_exactly() -> None:
    # A candidate whose best sentence cannot lift it to the strictness is left unread: the
    # bound must be at or above every value the feature can give, and reached by one.
    n = len(FEATURES)
    m = len(expand([0.0] * n, True))
    bowl = tuple(0.3 * math.sin(i) for i in range(m))  # mixed signs: vertices inside too
    linear = Logistic((0.1,) * n, (0.7,) * n, tuple(math.cos(i) for i in range(n)), -0.2)
    models = [DECISION.cases[c] for c in CASES] + [
        Logistic((0.0,) * m, (1.0,) * m, bowl, 0.1, products=True), linear]
    feature = FEATURES.index("sentence_share")
    for model in models:
        for k in range(40):
            values = [abs(math.sin(k * 7 + i)) * 2 for i in range(n)]
            top = abs(math.cos(k))
            best = model.highest(values, feature, top)
            seen = max(model.probability([*values[:feature], top * t / 400,
                                          *values[feature + 1:]]) for t in range(401))
            assert seen <= best <= seen + 1e-4


def test_each_case_has_its_own_regression() -> None:
    n = len(FEATURES)
    sure, unsure = (Logistic((0.0,) * n, (1.0,) * n, (0.0,) * n, z) for z in (5.0, -5.0))
    model = DecisionModel(FEATURES, {"english": sure, "chinese": unsure, "across": unsure})
    values = [0.0] * n
    assert case_of(values) == "english" and model.probability(values) > 0.99
    values[FEATURES.index("chinese")] = 1.0
    assert case_of(values) == "chinese" and model.probability(values) < 0.01
    values[FEATURES.index("other_language")] = 1.0  # a passage in the other language
    assert case_of(values) == "across"


def test_the_shipped_model_trusts_more_evidence_more() -> None:
    shipped = load_decision_model()
    assert shipped.features == FEATURES and set(shipped.cases) == set(CASES)
    for case in shipped.cases.values():
        assert len(case.coef) == len(case.mean) == len(case.scale) >= len(FEATURES)
    # more of the question found, through its own words, in one sentence, at the top
    low = [0.1, 0.1, 0.2, 1.0, 0.3, 0.05, 0.5, 0.0, 1.6, 0.0, 1.0, 1.0, 0.7, 2.5, 2.0, 0.1, 0.0, 0.0]
    high = [0.9, 0.9, 0.8, 0.1, 1.0, 0.4, 1.0, 0.5, 1.6, 0.0, 2.5, 1.0, 2.5, 0.5, 1.0, 0.8, 0.0, 0.0]
    assert shipped.probability(high) > 0.5 > shipped.probability(low)
    chinese = [*high[:-1], 1.0]
    assert shipped.probability(chinese) > 0.5 > shipped.probability([*low[:-1], 1.0])


def test_strictness_declines_and_zero_shows_every_ranked_passage(analyzer: Analyzer) -> None:
    index = _index(TEXTS, analyzer)
    decision = load_decision_model()
    strict = answer("How long can I borrow books?", index, analyzer,
                    AnswerOptions(decision=decision, strictness=1.0))
    assert strict.status is Status.NO_MATCH
    everything = answer("library pool lessons books", index, analyzer,
                        AnswerOptions(k=10, decision=decision, strictness=0.0))
    assert len(everything.passages) == 2  # d0 and d1 share terms with it, d3 is d0 again
    assert all(c.confidence is not None and 0 <= c.confidence <= 1 for c in everything.passages)


@pytest.mark.parametrize(("opened", "plain"), [
    ("Hi, how long can I borrow books?", "How long can I borrow books?"),
    ("Hello! Thanks, when does the library open?", "when does the library open?"),
    ("你好，图书馆几点开门？", "图书馆几点开门？"),
])
def test_a_greeting_that_opens_a_question_counts_against_no_passage(
    analyzer: Analyzer, opened: str, plain: str
) -> None:
    # "hi" is in no passage: searched, it would lower the confidence in every one
    index = _index(TEXTS, analyzer)
    options = _options(strictness=0.0)
    got, want = (answer(q, index, analyzer, options) for q in (opened, plain))
    assert got.status is Status.ANSWERED and got.passages
    assert [(c.hit.passage.doc_id, c.confidence) for c in got.passages] == \
        [(c.hit.passage.doc_id, c.confidence) for c in want.passages]


def test_a_dictionary_searches_the_other_language_too(analyzer: Analyzer) -> None:
    small = Dictionary([Entry("图书馆", ("library",))], analyzer)
    index = _index(TEXTS, analyzer)
    alone = answer("library", index, analyzer, _options())
    assert "d2" not in [c.hit.passage.doc_id for c in alone.passages]
    both = answer("library", index, analyzer, _options(dictionary=small, strictness=0.0))
    assert "d2" in [c.hit.passage.doc_id for c in both.passages]  # 社区图书馆, translated


NAMED = [
    "Fu Linlin took the residents to the hospital by car.",
    "The swimming pool is closed on Mondays for cleaning.",
    "社区图书馆每天早上九点开门。",
]


def _named_query(question: str, texts: list[str], analyzer: Analyzer) -> Query | None:
    small = Dictionary([Entry("医院", ("hospital",)), Entry("图书馆", ("library",)),
                        Entry("付", ("to pay",)), Entry("付", ("surname Fu",))], analyzer)
    index = _index(texts, analyzer)
    return question_query(question, "zh", index, analyzer, _options(dictionary=small))


def test_a_chinese_name_the_collection_writes_in_pinyin_is_searched_so(
    analyzer: Analyzer,
) -> None:
    query = _named_query("付林林把谁送去了医院？", NAMED, analyzer)
    assert query is not None
    assert query.concepts[:2] == (("fu",), ("linlin",))
    assert {0, 1} <= set(query.names)  # names, as "Fu Linlin" in a Chinese question is
    small = Dictionary([Entry("医院", ("hospital",)), Entry("付", ("surname Fu",))], analyzer)
    index = _index(NAMED, analyzer)
    result = answer("付林林把谁送去了医院？", index, analyzer,
                    _options(dictionary=small, strictness=0.0))
    assert result.passages[0].hit.passage.doc_id == "d0"


def test_a_name_the_collection_holds_as_written_or_not_at_all_is_kept(
    analyzer: Analyzer,
) -> None:
    held = _named_query("付林林把谁送去了医院？", [*NAMED, "付林林开车送居民去医院。"], analyzer)
    assert held is not None and ("付林林",) in held.concepts and ("fu",) not in held.concepts
    # no passage spells "Linlin": nothing to search it as
    absent = _named_query("付林林把谁送去了医院？", NAMED[1:], analyzer)
    assert absent is not None
    assert not {("fu",), ("linlin",)} & set(absent.concepts)


@pytest.fixture(scope="module")
def slices(analyzer: Analyzer) -> SearchIndex:
    return seeds_among_slices(analyzer)


@pytest.mark.parametrize("strictness", [0.1, 0.5])
def test_a_reply_leaves_unread_only_candidates_it_would_not_show(
    analyzer: Analyzer, cache_dir: Path, slices: SearchIndex, strictness: float
) -> None:
    # The seeds among the test slices, asked the slices' questions in both languages (many of
    # them of passages in the other language): what a reply takes of the ranked candidates.
    collection = slices
    options = AnswerOptions(decision=DECISION, dictionary=load_dictionary(analyzer, cache_dir),
                            strictness=strictness)
    every = unread = 0
    for name in ("squad_v1.1_dev_slice.json", "cmrc2018_dev_slice.json", "xquad_zh_slice.json"):
        _, questions = load_squad(DATA / name)
        for item in questions[:40]:
            cleaned = clean_question(item.text)
            language = detect_language(cleaned)[0]
            query = question_query(cleaned, language, collection, analyzer, options)
            assert query is not None
            full = list(query_candidates(query, language, collection, analyzer, options))
            taken = list(query_candidates(query, language, collection, analyzer, options,
                                          shown_only=True))
            # the same candidates with the same evidence, less only some that are not shown
            assert all(c in full for c in taken)
            assert [c for c in full if c.confidence >= strictness] == [
                c for c in taken if c.confidence >= strictness]
            shown = answer(item.text, collection, analyzer, options).passages
            assert [(p.hit.row, p.confidence) for p in shown] == [
                (c.hit.row, c.confidence) for c in rank_and_filter(full, options.k,
                                                                    strictness)]
            every += len(full)
            unread += len(full) - len(taken)
    assert unread > every // 4  # most candidates that are not shown are never read
