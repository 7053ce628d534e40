"""Each of `Ranker.rank`'s paths (the compiled loop, its contenders looked up either way; in
numpy, one pass over every posting or MaxScore in batches) equals rank-bm25."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import ranking
from bot.core.ranking import VARIANTS, Ranker
from tests.core.test_ranking import WORDS, assert_matches_on_zipf, reference_rank

# Each path as (compiled, budget): numpy's, where 0 prunes every question (MaxScore) and 2**40
# scores every one in one pass; the compiled loop's, where 0 looks every contender up in a
# common term's postings (galloping) and 2**40 reads them off its postings (topk.GALLOP).
# BM25Plus always takes numpy's paths.
PATHS = {"maxscore": (False, 0), "one pass": (False, 2**40), "galloping": (True, 0),
         "reading postings": (True, 2**40)}


def take(path: tuple[bool, int]) -> tuple[bool, int, int]:
    """Set the ranker's path; returns the settings it replaced, for `restore`."""
    saved = ranking.COMPILED, ranking._ONE_PASS, ranking.GALLOP
    compiled, budget = path
    ranking.COMPILED = compiled
    if compiled:
        ranking.GALLOP = budget
    else:
        ranking._ONE_PASS = budget
    return saved


def restore(saved: tuple[bool, int, int]) -> None:
    ranking.COMPILED, ranking._ONE_PASS, ranking.GALLOP = saved


@pytest.fixture(params=list(PATHS))
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = take(PATHS[request.param])
    yield request.param
    restore(saved)


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(st.lists(WORDS, max_size=10), min_size=1, max_size=40).filter(any),
    query=st.lists(st.one_of(WORDS, st.just("unseen")), min_size=1, max_size=6),
    limit=st.integers(1, 15),
    variant=st.sampled_from(VARIANTS),
    way=st.sampled_from(list(PATHS.values())),
)
def test_each_path_equals_rank_bm25_on_generated_collections(
    corpus: list[list[str]], query: list[str], limit: int, variant: str,
    way: tuple[bool, int],
) -> None:
    saved = take(way)
    try:
        got = Ranker(corpus, variant).rank(query, limit)
    finally:
        restore(saved)
    assert got == reference_rank(corpus, variant, query, limit)


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_path_equals_rank_bm25_on_a_skewed_collection(variant: str, path: str) -> None:
    assert_matches_on_zipf(variant, 5, 400, 3000, 40, 40, [1, 10])


def test_the_one_pass_path_is_taken_and_agrees_with_maxscore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small collection is scored in one pass: MaxScore's scorer is never called.
    corpus = [["common", "rare"]] + [["common", "x", "x"] for _ in range(200)]
    monkeypatch.setattr(ranking, "COMPILED", False)
    ranker = Ranker(corpus)
    ranker.score = lambda *args: pytest.fail("MaxScore ran")  # type: ignore[method-assign]
    one_pass = ranker.rank(["common", "rare", "x"], 5)
    monkeypatch.setattr(ranking, "_ONE_PASS", 0)
    assert Ranker(corpus).rank(["common", "rare", "x"], 5) == one_pass


@pytest.mark.parametrize("budget", [0, 2**40])  # galloping; reading postings
@pytest.mark.parametrize("variant", ["lucene", "okapi", "l"])
def test_the_compiled_loops_rank_plain_questions(
    variant: str, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither numpy path runs: the top passages come from bot.core.topk alone, and equal
    # rank-bm25's on a collection where the k-th score rises and common terms are skipped.
    monkeypatch.setattr(ranking, "GALLOP", budget)
    monkeypatch.setattr(Ranker, "_rank_in_one_pass",
                        lambda *args: pytest.fail("the numpy one pass ran"))
    monkeypatch.setattr(Ranker, "score", lambda *args: pytest.fail("numpy's MaxScore ran"))
    assert_matches_on_zipf(variant, 11, 300, 4000, 60, 60, [1, 3, 10, 50])


@pytest.mark.parametrize("budget", [0, 2**40])
def test_the_compiled_loops_read_wide_counts(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A passage of more than 65,535 terms: counts are int32, not uint16, and still exact.
    monkeypatch.setattr(ranking, "GALLOP", budget)
    corpus = [["long"] * 70_000 + ["rare"], ["long", "rare", "rare"], ["long"], ["other"]]
    ranker = Ranker(corpus)
    assert ranker.postings.frequencies.dtype != np.uint16
    for query in (["long"], ["rare", "long"], ["long", "long", "other"]):
        assert ranker.rank(query, 3) == reference_rank(corpus, "lucene", query, 3)


@pytest.mark.parametrize("budget", [0, 2**40])
def test_the_compiled_loops_break_ties_towards_the_earlier_passage(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forty copies of one passage tie: the first ten of them, in order, as rank-bm25 sorts.
    monkeypatch.setattr(ranking, "GALLOP", budget)
    corpus = [["filler", "x"]] * 5 + [["tie", "word"]] * 40 + [["tie"]] * 5
    ranked = Ranker(corpus).rank(["tie", "word"], 10)
    assert [i for i, _ in ranked] == list(range(5, 15))
    assert ranked == reference_rank(corpus, "lucene", ["tie", "word"], 10)


def test_the_accumulators_are_given_back_zero_and_never_shared() -> None:
    # The compiled loop adds into arrays the collection's size: each must be all zero again
    # after a question, or the next question's scores would be wrong, and two questions
    # ranked at once must not add into the same one.
    corpus = [["a", "b"], ["b"], ["a", "c", "c"], ["d"]] * 50
    ranker = Ranker(corpus)
    first = ranker.rank(["a", "c"], 5)
    ranker.rank_groups([("a", "c"), ("b",)], 5)
    pool = ranker._accumulators
    assert len(pool._free) == 1  # a question's sums and a group's frequencies
    assert not any(array.any() for pair in pool._free for array in pair)
    assert ranker.rank(["a", "c"], 5) == first == reference_rank(corpus, "lucene",
                                                                 ["a", "c"], 5)
    with pool.lend() as one, pool.lend() as two, pool.lend() as three:
        assert len({id(array) for array in (*one, *two, *three)}) == 6
    assert len(pool._free) == 3


@pytest.mark.parametrize("budget", [0, 2**40])
def test_the_compiled_loops_read_counts_past_a_byte(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 of one term in a passage: counts are uint16, not uint8, and still exact.
    monkeypatch.setattr(ranking, "GALLOP", budget)
    corpus = [["cell"] * 300 + ["sum"], ["cell", "sum", "sum"], ["cell"] * 255, ["other"]]
    ranker = Ranker(corpus)
    assert ranker.postings.frequencies.dtype == np.uint16
    for query in (["cell"], ["sum", "cell"], ["cell", "cell", "other"]):
        assert ranker.rank(query, 3) == reference_rank(corpus, "lucene", query, 3)
