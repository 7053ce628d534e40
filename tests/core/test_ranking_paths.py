"""Both of `Ranker.rank`'s paths (one pass over every posting, MaxScore) equal rank-bm25."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import ranking
from bot.core.ranking import VARIANTS, Ranker
from tests.core.test_ranking import WORDS, assert_matches_on_zipf, reference_rank

# 0: every question pruned (MaxScore); 2**40: every question in one pass.
PATHS = {"maxscore": 0, "one pass": 2**40}


@pytest.fixture(params=list(PATHS))
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
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
    saved = ranking._ONE_PASS
    ranking._ONE_PASS = budget
    try:
        got = Ranker(corpus, variant).rank(query, limit)
    finally:
        ranking._ONE_PASS = saved
    assert got == reference_rank(corpus, variant, query, limit)


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_path_equals_rank_bm25_on_a_skewed_collection(variant: str, path: str) -> None:
    assert_matches_on_zipf(variant, 5, 400, 3000, 40, 40, [1, 10])


def test_the_one_pass_path_is_taken_and_agrees_with_maxscore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small collection is scored in one pass: MaxScore's scorer is never called.
    corpus = [["common", "rare"]] + [["common", "x", "x"] for _ in range(200)]
    ranker = Ranker(corpus)
    ranker.score = lambda *args: pytest.fail("MaxScore ran")  # type: ignore[method-assign]
    one_pass = ranker.rank(["common", "rare", "x"], 5)
    monkeypatch.setattr(ranking, "_ONE_PASS", 0)
    assert Ranker(corpus).rank(["common", "rare", "x"], 5) == one_pass
