"""The compiled loop (`bot.core.topk.ranked`) on its own: common terms are read only where
a passage is still in contention, the scores stay rank-bm25's, and the accumulators it is lent
come back zero."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.core import topk
from bot.core.bm25 import L_DELTA
from bot.core.ranking import Ranker
from tests.core.test_ranking import reference_rank

pytestmark = pytest.mark.skipif(topk.ranked is None, reason="numba is not installed")


def collection() -> list[list[str]]:
    """3,000 passages of Zipf-like words, a rare word in 30 of them."""
    rng = random.Random(5)
    words = [f"t{i}" for i in range(200)]
    weights = [1 / (i + 1) for i in range(200)]
    corpus = [rng.choices(words, weights, k=rng.randint(5, 40)) for _ in range(3000)]
    for i in rng.sample(range(3000), 30):
        corpus[i].append("needle")
    return corpus


def rank(ranker: Ranker, groups: list[list[str]], gallop: int, sums: np.ndarray,
         frequency: np.ndarray, loose: np.ndarray | None = None,
         ) -> tuple[list[tuple[int, float]], int]:
    """The loop's top 10 for unweighted groups (each alternative's share 1/n as the ranker
    gives them, unit bounds from each term's best weight) and how many postings it added
    every one of; `loose`, what the loop chooses with, is the ranker's unless given."""
    p = ranker.postings
    members = [[(1.0 / max(n, 1), p.vocabulary[t]) for n, t in enumerate(g)] for g in groups]
    terms = np.asarray([t for m in members for _, t in m], np.int64)
    shares = np.asarray([s for m in members for s, _ in m])
    starts = np.cumsum([0] + [len(m) for m in members], dtype=np.int64)
    idf = np.asarray([ranker.term_idf[m[0][1]] for m in members])
    # A bound for any group: the sum of its alternatives' best weights at the group's IDF.
    bound = np.asarray([sum(ranker.best[t] / ranker.term_idf[t] for _, t in m) for m in members])
    bound *= idf
    ones = np.ones(len(members))
    docs, scores, added = topk.ranked(
        terms, shares, starts, idf, ones, ones, bound, np.arange(len(members)), p.offsets,
        p.passages, p.frequencies, ranker._norm, ranker._knorm,
        ranker._loose if loose is None else loose, 10,
        topk.OKAPI_FORM, ranker.k1 + 1, ranker.k1, L_DELTA, sums, frequency, gallop)
    return list(zip(docs.tolist(), scores.tolist(), strict=True)), int(added)


@pytest.mark.parametrize("gallop", [0, 2**40])  # contenders looked up; read off postings
def test_common_terms_are_added_only_at_contenders(gallop: int) -> None:
    corpus = collection()
    ranker = Ranker(corpus)
    sums, frequency = np.zeros(ranker.size, np.float32), np.zeros(ranker.size, np.float32)
    question = ["needle", "t0", "t1", "t2"]
    top, added = rank(ranker, [[t] for t in question], gallop, sums, frequency)
    # The rare word's 30 passages decide: the three commonest words (in most passages) are
    # never added at every passage, yet the top 10 and their scores are rank-bm25's.
    assert added == ranker.document_frequency("needle")
    assert top == reference_rank(corpus, "lucene", question, 10)
    assert not sums.any() and not frequency.any()


@pytest.mark.parametrize("gallop", [0, 2**40])
def test_groups_of_alternatives_are_summed_before_they_are_weighed(gallop: int) -> None:
    corpus = collection()
    ranker = Ranker(corpus)
    sums, frequency = np.zeros(ranker.size, np.float32), np.zeros(ranker.size, np.float32)
    groups = [["needle"], ["t0", "t3"], ["t1", "t4", "t5"]]
    top, added = rank(ranker, groups, gallop, sums, frequency)
    assert added == ranker.document_frequency("needle")
    # Every passage scored again in numpy, groups in order: the same top 10, to the bit.
    p = ranker.postings
    expected = []
    for doc, words in enumerate(corpus):
        score = 0.0
        for group in groups:
            tf = 0.0
            for n, t in enumerate(group):
                tf += 1.0 / max(n, 1) * words.count(t)
            if tf:
                score += ranker._weights(p.vocabulary[group[0]], np.asarray([tf]),
                                         ranker._norm[[doc]])[0]
        expected.append((doc, score))
    expected.sort(key=lambda pair: (-pair[1], pair[0]))
    assert top == expected[:10]
    assert not sums.any() and not frequency.any()


@pytest.mark.parametrize("gallop", [0, 2**40])
def test_choosing_in_float32_still_returns_the_exact_top_10(gallop: int) -> None:
    # The loop chooses with float32 lengths and sums; each comparison allows for their
    # rounding. Lengths off by twice float32's rounding, up or down at random, must still give
    # rank-bm25's top 10 and scores to the bit, on questions whose scores crowd together.
    corpus = collection()
    ranker = Ranker(corpus)
    rng = np.random.default_rng(2)
    off = ranker._knorm * (1 + rng.choice([-2.0**-23, 2.0**-23], ranker.size))
    sums, frequency = np.zeros(ranker.size, np.float32), np.zeros(ranker.size, np.float32)
    words = random.Random(4)
    for _ in range(30):
        question = [f"t{i}" for i in words.sample(range(60), words.randint(2, 6))]
        top, _ = rank(ranker, [[t] for t in question], gallop, sums, frequency,
                      off.astype(np.float32))
        assert top == reference_rank(corpus, "lucene", question, 10)
    assert not sums.any() and not frequency.any()


def test_warming_compiles_what_questions_then_use() -> None:
    # A question that finds no compiled version of its argument types compiles one: about
    # 13 s on this host, which `warm` spends at start-up instead. Plain and grouped questions
    # (a group of several alternatives, merged for its bound) after it compile nothing new.
    topk.warm()
    loops = (topk.ranked, topk.ranked_terms, topk.union_peaks, topk.held_pairs)
    compiled = [len(loop.signatures) for loop in loops]
    ranker = Ranker(collection())
    assert ranker.rank(["needle", "t0", "t1"], 10)
    assert ranker.rank_groups([["needle"], ["t3", "t4", "t9"], ["t0", "t1"]], 10)
    assert ranker.held(["needle", "t0", "absent"], [0, 1, 2])
    assert [len(loop.signatures) for loop in loops] == compiled
