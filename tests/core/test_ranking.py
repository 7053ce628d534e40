from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25, BM25Okapi

from bot.core.analysis import Analyzer
from bot.faces.evaluation import load_squad
from bot.core import ranking
from bot.core.bm25_constants import B, K1
from bot.core.ranking import VARIANTS, Ranker, make_bm25
from bot.core.postings import Postings
from tests.conftest import DATA

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
    model = make_bm25(CORPUS, "lucene", K1, B)
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
    reference = make_bm25(corpus, "lucene", K1, B).get_scores(["a", "b"])
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


def reference_rank(
    corpus: list[list[str]], variant: str, query: list[str], limit: int, model: BM25 | None = None
) -> list[tuple[int, float]]:
    """What rank-bm25 itself ranks: candidates scored by get_batch_scores, ties to the earlier."""
    ids = sorted({i for i, doc in enumerate(corpus) if set(doc) & set(query)})
    if not ids:
        return []
    model = model or make_bm25(corpus, variant, K1, B)
    scores = np.asarray(model.get_batch_scores(query, ids))
    order = np.lexsort((np.asarray(ids), -scores))[:limit]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


WORDS = st.sampled_from([f"w{i}" for i in range(12)])


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(st.lists(WORDS, max_size=10), min_size=1, max_size=40).filter(any),
    query=st.lists(st.one_of(WORDS, st.just("unseen")), min_size=1, max_size=5),
    limit=st.integers(1, 15),
    variant=st.sampled_from(VARIANTS),
    rare=st.sampled_from([4096, 8, 2]),
    prune_from=st.sampled_from([1000, 1]),
    dense=st.sampled_from([0, 64, 2**20]),  # frequency lookups: none, some or all dense
)
def test_fast_path_equals_rank_bm25_on_generated_collections(
    corpus: list[list[str]], query: list[str], limit: int, variant: str, rare: int,
    prune_from: int, dense: int,
) -> None:
    # Small batch and pruning thresholds make small collections take every path.
    saved = ranking._RARE, ranking._PRUNE_FROM, ranking._DENSE_BYTES
    ranking._RARE, ranking._PRUNE_FROM, ranking._DENSE_BYTES = rare, prune_from, dense
    try:
        got = Ranker(corpus, variant).rank(query, limit)
    finally:
        ranking._RARE, ranking._PRUNE_FROM, ranking._DENSE_BYTES = saved
    # Bit-identical: the same float64 expressions are summed in the same order.
    assert got == reference_rank(corpus, variant, query, limit)


def assert_matches_on_zipf(
    variant: str, seed: int, vocabulary: int, passages: int, longest: int, questions: int,
    limits: list[int],
) -> None:
    """The fast path equals rank-bm25 on passages with Zipf-like term frequencies."""
    rng = random.Random(seed)
    words = [f"t{i}" for i in range(vocabulary)]
    weights = [1 / (i + 1) for i in range(vocabulary)]
    corpus = [rng.choices(words, weights, k=rng.randint(3, longest)) for _ in range(passages)]
    ranker, model = Ranker(corpus, variant), make_bm25(corpus, variant, K1, B)
    for _ in range(questions):
        query = rng.choices(words, weights, k=rng.randint(1, 12))
        limit = rng.choice(limits)
        assert ranker.rank(query, limit) == reference_rank(corpus, variant, query, limit, model)


@pytest.mark.parametrize("dense", [0, 6_000])  # 6,000 bytes: the commonest term
@pytest.mark.parametrize("variant", VARIANTS)
def test_fast_path_equals_rank_bm25_on_a_skewed_collection(
    variant: str, dense: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Low thresholds, so 3,000 passages take numpy's batching and pruning paths.
    monkeypatch.setattr(ranking, "COMPILED", False)
    monkeypatch.setattr(ranking, "_RARE", 64)
    monkeypatch.setattr(ranking, "_PRUNE_FROM", 50)
    monkeypatch.setattr(ranking, "_DENSE_BYTES", dense)
    assert_matches_on_zipf(variant, 5, 400, 3000, 40, 40, [10])


@pytest.mark.parametrize("name", ["cmrc2018_dev_slice.json", "squad_v1.1_dev_slice.json"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_fast_path_equals_rank_bm25_on_public_slices(
    name: str, variant: str, analyzer: Analyzer
) -> None:
    documents, questions = load_squad(DATA / name)
    corpus = [analyzer.tokens(doc.text) for doc in documents]
    ranker = Ranker(corpus, variant)
    for question in questions[:80]:
        query = analyzer.tokens(question.text)
        assert ranker.rank(query, 20) == reference_rank(corpus, variant, query, 20)


def test_okapi_epsilon_floor_matches_rank_bm25() -> None:
    # "a" is in 4 of 5 passages: a negative Okapi IDF, floored at epsilon x average IDF.
    corpus = [["a", "b"], ["a"], ["a", "c"], ["a", "d", "d"], ["e"]]
    reference = BM25Okapi(corpus, k1=K1, b=B)
    assert reference.idf["a"] == pytest.approx(0.25 * reference.average_idf)
    ranker = Ranker(corpus, "okapi")
    assert ranker.term_idf[ranker.postings.vocabulary["a"]] == reference.idf["a"]
    assert ranker.rank(["a", "d"], 5) == reference_rank(corpus, "okapi", ["a", "d"], 5)


def test_common_terms_are_skipped_once_they_cannot_change_the_top(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 200 passages hold "common"; one holds the rare term too. Asking for one passage must
    # not score all 200: the rare term's passage already beats any "common"-only passage.
    # (numpy's MaxScore: a collection this small is otherwise scored in one pass, and plain
    # questions go through the compiled loop.)
    monkeypatch.setattr(ranking, "COMPILED", False)
    monkeypatch.setattr(ranking, "_ONE_PASS", 0)
    corpus = [["common", "rare"]] + [["common", "x"] for _ in range(200)]
    ranker = Ranker(corpus)
    scored: list[int] = []
    original = ranker.score
    ranker.score = lambda q, docs, *rest: scored.append(len(docs)) or original(q, docs, *rest)  # type: ignore  # noqa: E501
    assert [i for i, _ in ranker.rank(["rare", "common"], 1)] == [0]
    assert scored == [1]
    assert ranker.rank(["rare", "common"], 3) == reference_rank(corpus, "lucene",
                                                                ["rare", "common"], 3)


def test_only_the_commonest_terms_get_dense_frequencies(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"], ["b", "a", "a"]] * 8 + [["d"]] * 32
    width = Postings.build(corpus).frequencies.itemsize
    monkeypatch.setattr(ranking, "_DENSE_BYTES", 2 * 64 * width)  # two terms of 64 passages
    ranker = Ranker(corpus)
    vocabulary = ranker.postings.vocabulary
    assert set(ranker._dense) == {vocabulary["a"], vocabulary["d"]}  # the two commonest
    assert ranker._dense[vocabulary["a"]].tolist() == [1, 1, 1, 2] * 8 + [0] * 32


def test_ranker_exposes_postings_for_other_scorers() -> None:
    ranker = Ranker(CORPUS)
    ids, tf = ranker.postings.term("book")
    assert ids.tolist() == [2, 3] and tf.tolist() == [1, 1]
    assert ranker.postings.lengths.tolist() == [3, 2, 2, 3]
    assert ranker.postings.average_length == 2.5
    assert ranker.candidates(["book", "river"]) == [0, 1, 2, 3]
    assert ranker.document_frequency("book") == 2 and ranker.document_frequency("zz") == 0


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_fast_path_equals_rank_bm25_on_a_large_skewed_collection(variant: str) -> None:
    # The production thresholds (first batch, pruning) on 30,000 passages.
    assert_matches_on_zipf(variant, 11, 5000, 30_000, 80, 300, [1, 8, 20])


@pytest.mark.parametrize("variant", VARIANTS)
def test_groups_of_one_term_score_as_the_plain_query_under_every_variant(variant: str) -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"], ["a", "d", "d"], ["e", "b"], ["b", "c", "c"]]
    ranker = Ranker(corpus, variant)
    query = ["a", "b", "d"]
    plain = ranker.rank(query, 6)
    grouped = ranker.rank_groups([(t,) for t in query], 6)
    assert [row for row, _ in grouped] == [row for row, _ in plain]
    assert [s for _, s in grouped] == pytest.approx([s for _, s in plain])


def test_a_group_of_alternatives_weighs_with_the_variants_idf() -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"], ["a", "d", "d"], ["e"], ["f"], ["g"], ["h"]]
    ranker = Ranker(corpus, "plus")
    scores = dict(ranker.rank_groups([("c", "d")], 8))
    # BM25+ of the union (c or d: 2 of 8 passages), tf summed over the alternatives
    idf = math.log((8 + 1) / 2)
    for row, tf, length in ((2, 1, 2), (3, 2, 3)):
        norm = 1 - B + B * length / 1.5
        assert scores[row] == pytest.approx(idf * (1 + tf * (K1 + 1) / (K1 * norm + tf)))


def test_an_okapi_group_in_most_passages_weighs_with_okapis_floor() -> None:
    corpus = [["a", "b"], ["a"], ["b", "c"], ["a", "d", "d"], ["e"]]
    ranker = Ranker(corpus, "okapi")
    reference = BM25Okapi(corpus, k1=K1, b=B)
    # a or b: 4 of 5 passages, a negative Okapi IDF, floored at epsilon x the average IDF
    scores = dict(ranker.rank_groups([("a", "b")], 5))
    floor = 0.25 * reference.average_idf
    avgdl = 9 / 5
    for row, tf, length in ((0, 2, 2), (1, 1, 1), (2, 1, 2), (3, 1, 3)):
        norm = 1 - B + B * length / avgdl
        assert scores[row] == pytest.approx(floor * tf * (K1 + 1) / (tf + K1 * norm))


@pytest.mark.parametrize("variant", VARIANTS)
def test_group_weights_scale_each_groups_part_and_default_to_none(variant: str) -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"], ["a", "d", "d"], ["e", "b"], ["b", "c", "c"]]
    ranker = Ranker(corpus, variant)
    groups = [("a",), ("b", "e"), ("c",)]
    plain = ranker.rank_groups(groups, 6)
    # No weights, and weights of 1, give the very same floats: existing results unchanged.
    assert ranker.rank_groups(groups, 6, None) == plain
    assert ranker.rank_groups(groups, 6, [1.0, 1.0, 1.0]) == plain
    # Each group's part is scaled: the sum of the parts, each scored as a group alone (every
    # passage: BM25+ gives a passage without the term a part too), weighed.
    weighted = dict(ranker.rank_groups(groups, 6, [1.0, 0.5, 0.25]))
    everyone = [("a",), ("b",), ("c",), ("d",), ("e",)]
    alone = [{row: s - rest for (row, s), (_, rest) in zip(
        sorted(ranker.rank_groups([g, *everyone], 6)),
        sorted(ranker.rank_groups(everyone, 6)), strict=True)} for g in groups]
    for row, score in weighted.items():
        expected = sum(w * part[row] for w, part in zip((1.0, 0.5, 0.25), alone, strict=True))
        assert score == pytest.approx(expected)
    # A group weighing nothing is left out, and finds nothing of its own.
    assert 4 not in dict(ranker.rank_groups([("a",), ("e",)], 6, [1.0, 0.0]))
    with pytest.raises(ValueError, match="2 weights for 3 groups"):
        ranker.rank_groups(groups, 6, [1.0, 1.0])
