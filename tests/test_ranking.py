from __future__ import annotations

import math

import pytest
from rank_bm25 import BM25Okapi

from bot.ranking import VARIANTS, Ranker, make_bm25

CORPUS = [
    ["river", "festival", "boat"],
    ["river", "bridge"],
    ["library", "book"],
    ["school", "book", "teacher"],
]


def test_okapi_trap_is_real_and_avoided() -> None:
    # "river" is in half the passages: rank-bm25's Okapi IDF is exactly zero for it ...
    assert BM25Okapi(CORPUS).idf["river"] == 0
    assert all(s == 0 for s in BM25Okapi(CORPUS).get_scores(["river"]))
    # ... while the default variant still finds and ranks those passages.
    ranked = Ranker(CORPUS).rank(["river"], 10)
    assert {i for i, _ in ranked} == {0, 1}
    assert all(score > 0 for _, score in ranked)


def test_lucene_idf_formula() -> None:
    model = make_bm25(CORPUS, "lucene", 1.2, 0.75)
    assert model.idf["river"] == pytest.approx(math.log(1 + (4 - 2 + 0.5) / (2 + 0.5)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_empty_collection_finds_nothing(variant: str) -> None:
    ranker = Ranker([], variant=variant)
    assert ranker.rank(["anything"], 5) == []
    assert ranker.idf("anything") > 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_passages_sharing_no_term_are_never_returned(variant: str) -> None:
    ranked = Ranker(CORPUS, variant=variant).rank(["teacher", "unknown"], 10)
    assert [i for i, _ in ranked] == [3]


def test_scores_match_rank_bm25_and_ties_go_to_the_earlier_passage() -> None:
    corpus = [["a", "b"], ["c"], ["a", "b"], ["a", "d", "e"]]
    ranker = Ranker(corpus)
    ranked = ranker.rank(["a", "b"], 10)
    assert [i for i, _ in ranked] == [0, 2, 3]
    reference = make_bm25(corpus, "lucene", 1.2, 0.75).get_scores(["a", "b"])
    for i, score in ranked:
        assert score == pytest.approx(reference[i])


def test_limit_and_unknown_variant() -> None:
    assert len(Ranker(CORPUS).rank(["book", "river"], 2)) == 2
    with pytest.raises(ValueError, match="unknown BM25 variant"):
        Ranker(CORPUS, variant="nope")


def test_rare_terms_weigh_more() -> None:
    ranker = Ranker(CORPUS)
    assert ranker.idf("teacher") > ranker.idf("book") > 0
    assert ranker.idf("never-seen") > ranker.idf("teacher")
