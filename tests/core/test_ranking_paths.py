"""Each of `Ranker.rank`'s paths (the compiled loop; in numpy, one pass over every posting or
MaxScore in batches) equals rank-bm25."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import ranking
from bot.core.ranking import VARIANTS, Ranker
from tests.core.test_ranking import WORDS, assert_matches_on_zipf, reference_rank

# With the compiled loop off, 0: every question pruned in numpy (MaxScore); 2**40: every
# question in one pass; None: the compiled loop (BM25Plus still takes numpy's MaxScore).
PATHS = {"maxscore": 0, "one pass": 2**40, "compiled": None}


@pytest.fixture(params=list(PATHS))
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if PATHS[request.param] is not None:
        monkeypatch.setattr(ranking, "COMPILED", False)
        monkeypatch.setattr(ranking, "_ONE_PASS", PATHS[request.param])
    yield request.param


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(st.lists(WORDS, max_size=10), min_size=1, max_size=40).filter(any),
    query=st.lists(st.one_of(WORDS, st.just("unseen")), min_size=1, max_size=6),
    limit=st.integers(1, 15),
    variant=st.sampled_from(VARIANTS),
    budget=st.sampled_from(list(PATHS.values())),
)
def test_each_path_equals_rank_bm25_on_generated_collections(
    corpus: list[list[str]], query: list[str], limit: int, variant: str, budget: int,
) -> None:
    saved = ranking._ONE_PASS, ranking.COMPILED
    if budget is not None:
        ranking._ONE_PASS, ranking.COMPILED = budget, False
    try:
        got = Ranker(corpus, variant).rank(query, limit)
    finally:
        ranking._ONE_PASS, ranking.COMPILED = saved
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


@pytest.mark.parametrize("variant", ["lucene", "okapi", "l"])
def test_the_compiled_loop_ranks_plain_questions(
    variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither numpy path runs: the top passages come from bot.core.topk alone, and equal
    # rank-bm25's on a collection where the k-th score rises and common terms are skipped.
    monkeypatch.setattr(Ranker, "_rank_in_one_pass",
                        lambda *args: pytest.fail("the numpy one pass ran"))
    monkeypatch.setattr(Ranker, "score", lambda *args: pytest.fail("numpy's MaxScore ran"))
    assert_matches_on_zipf(variant, 11, 300, 4000, 60, 60, [1, 3, 10, 50])


def test_the_compiled_loop_reads_wide_counts() -> None:
    # A passage of more than 65,535 terms: counts are int32, not uint16, and still exact.
    corpus = [["long"] * 70_000 + ["rare"], ["long", "rare", "rare"], ["long"], ["other"]]
    ranker = Ranker(corpus)
    assert ranker.postings.frequencies.dtype != np.uint16
    for query in (["long"], ["rare", "long"], ["long", "long", "other"]):
        assert ranker.rank(query, 3) == reference_rank(corpus, "lucene", query, 3)


def test_the_compiled_loop_breaks_ties_towards_the_earlier_passage() -> None:
    # Forty copies of one passage tie: the first ten of them, in order, as rank-bm25 sorts.
    corpus = [["filler", "x"]] * 5 + [["tie", "word"]] * 40 + [["tie"]] * 5
    ranked = Ranker(corpus).rank(["tie", "word"], 10)
    assert [i for i, _ in ranked] == list(range(5, 15))
    assert ranked == reference_rank(corpus, "lucene", ["tie", "word"], 10)
