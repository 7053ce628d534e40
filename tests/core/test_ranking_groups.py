"""The grouped cross-lingual path (`Ranker.rank_groups`) equals a plain brute-force scorer of
its structured formula (rank-bm25 has none to compare with)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import ranking
from bot.core.bm25 import IDF, L_DELTA, OKAPI_EPSILON, PLUS_DELTA
from bot.core.bm25_constants import K1, B
from bot.core.ranking import VARIANTS, Ranker
from tests.core.test_ranking import WORDS


def brute_force_groups(
    corpus: list[list[str]], variant: str, groups: Sequence[Sequence[str]], limit: int,
    weights: Sequence[float] | None,
) -> list[tuple[int, float]]:
    """`Ranker.rank_groups`'s formula, passage by passage in plain Python: per group, the
    union's document frequency and IDF (Okapi's negative IDF floored at epsilon x the mean
    over every term), the alternatives' frequencies summed with the n-th counting 1/n (the
    first two fully), the variant's weight, scaled by the group's weight; summed in order."""
    n = len(corpus)
    vocabulary = list(dict.fromkeys(t for doc in corpus for t in doc))
    df = {t: sum(t in doc for doc in corpus) for t in vocabulary}
    raw = [IDF["okapi"](n, df[t]) for t in vocabulary]
    floor = OKAPI_EPSILON * sum(raw) / len(raw)
    avgdl = sum(map(len, corpus)) / n
    pairs = list(zip(groups, weights or [1.0] * len(groups), strict=True))
    pairs = [(g, w) for g, w in pairs if w > 0]
    asked = {t for g, _ in pairs for t in g}
    found = []
    for i, doc in enumerate(corpus):
        if not asked & set(doc):
            continue
        norm = 1 - B + B * len(doc) / avgdl
        total = 0.0
        for group, weight in pairs:
            alternatives = [(1.0 / max(k, 1), t) for k, t in enumerate(dict.fromkeys(group))
                            if t in df]
            if not alternatives:
                continue
            union = sum(any(t in d for _, t in alternatives) for d in corpus)
            idf = IDF[variant](n, union)
            if variant == "okapi" and idf < 0:
                idf = floor
            tf = sum(share * doc.count(t) for share, t in alternatives)
            if variant in ("lucene", "okapi"):
                part = idf * (tf * (K1 + 1) / (tf + K1 * norm))
            elif variant == "plus":
                part = idf * (PLUS_DELTA + (tf * (K1 + 1)) / (K1 * norm + tf))
            else:
                ctd = tf / norm
                part = idf * tf * (K1 + 1) * (ctd + L_DELTA) / (K1 + ctd + L_DELTA)
            total += part if weights is None else weight * part
        if total > 0:
            found.append((i, total))
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found[:limit]


GROUP = st.lists(st.one_of(WORDS, st.just("unseen")), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    corpus=st.lists(st.lists(WORDS, max_size=10), min_size=1, max_size=40).filter(any),
    groups=st.lists(GROUP, min_size=1, max_size=4),
    limit=st.integers(1, 15),
    variant=st.sampled_from(VARIANTS),
    weighted=st.booleans(),
    data=st.data(),
)
def test_grouped_path_equals_a_brute_force_scorer(
    corpus: list[list[str]], groups: list[list[str]], limit: int, variant: str,
    weighted: bool, data: st.DataObject,
) -> None:
    weights = (data.draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]),
                                  min_size=len(groups), max_size=len(groups)))
               if weighted else None)
    ranker = Ranker(corpus, variant)
    saved = ranking._ONE_PASS_PAIRS, ranking.COMPILED, ranking.GALLOP
    try:
        ranking.GALLOP = 2**40  # the compiled loop: contenders read off the postings
        reading = ranker.rank_groups(groups, limit, weights)
        ranking.GALLOP = 0  # then looked up one by one
        compiled = ranker.rank_groups(groups, limit, weights)
        ranking.COMPILED = False  # numpy's paths: in one pass, then scattered
        one_pass = ranker.rank_groups(groups, limit, weights)
        ranking._ONE_PASS_PAIRS = 0  # every question a large collection's: the scattered path
        scattered = ranker.rank_groups(groups, limit, weights)
    finally:
        ranking._ONE_PASS_PAIRS, ranking.COMPILED, ranking.GALLOP = saved
    # every path adds the same numbers in the same order: equal to the bit
    assert reading == compiled == one_pass == scattered
    expected = brute_force_groups(corpus, variant, groups, limit, weights)
    assert [i for i, _ in one_pass] == [i for i, _ in expected]
    assert [s for _, s in one_pass] == pytest.approx([s for _, s in expected], rel=1e-12)


@pytest.mark.parametrize("budget", [0, 2**40])  # galloping; reading postings
@pytest.mark.parametrize("variant", ["lucene", "okapi", "l"])
def test_the_compiled_grouped_loops_equal_numpy_on_a_skewed_collection(
    variant: str, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3,000 passages of Zipf-like terms: the k-th score rises, common groups stop being
    # looked up, and union frequencies are remembered between questions. Every top 10 is
    # numpy's scattered path's to the bit, asked twice (the second time from the memory of
    # unions and of groups' alternatives, IDFs and bounds).
    monkeypatch.setattr(ranking, "GALLOP", budget)
    rng = random.Random(3)
    words = [f"t{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]
    corpus = [rng.choices(words, weights, k=rng.randint(3, 60)) for _ in range(3000)]
    ranker = Ranker(corpus, variant)
    questions = [[rng.choices(words, weights, k=rng.randint(1, 4))
                  for _ in range(rng.randint(1, 8))] for _ in range(40)]
    compiled = [ranker.rank_groups(groups, 10) for groups in questions]
    # multi-term groups' unions were counted and kept, and every group's setup
    assert ranker._unions and len(ranker._groups) >= len({tuple(g) for q in questions
                                                          for g in q})
    again = [ranker.rank_groups(groups, 10) for groups in questions]
    saved = ranking.COMPILED, ranking._ONE_PASS_PAIRS
    ranking.COMPILED, ranking._ONE_PASS_PAIRS = False, 0
    try:
        scattered = [ranker.rank_groups(groups, 10) for groups in questions]
    finally:
        ranking.COMPILED, ranking._ONE_PASS_PAIRS = saved
    assert compiled == again == scattered
    assert all(len(top) == 10 for top in compiled)


@pytest.mark.parametrize("variant", ["lucene", "okapi", "l"])
def test_a_groups_bound_is_its_highest_weight_in_any_passage(variant: str) -> None:
    # Pruning starts once the groups left cannot lift a passage to the k-th score, so a
    # loose bound (the members' best weights summed, twice the truth on bench.py's
    # collections) costs postings read: each group is bounded by its best weight, the
    # brute-force scorer's top score for the group asked alone, shares and all (raised by a
    # few float32 roundings: its frequencies are summed in float32).
    rng = random.Random(5)
    words = [f"t{i}" for i in range(40)]
    weights = [1 / (i + 1) for i in range(40)]
    corpus = [rng.choices(words, weights, k=rng.randint(3, 30)) for _ in range(200)]
    ranker = Ranker(corpus, variant)
    groups = [rng.sample(words, rng.randint(1, 4)) for _ in range(30)]
    groups += [["unseen", "t3", "t7"], ["t2", "unseen"]]  # shares 1/2 and 1/3; a lone t2
    setups = ranker._group_setups(groups)
    for group, setup in zip(groups, setups, strict=True):
        assert setup is not None
        (_, best), = brute_force_groups(corpus, variant, [group], 1, None)
        # the highest weight (a lone term's scaled to the group's IDF, to its rounding), and
        # above it by at most a few float32 roundings
        assert best * (1 - 1e-12) <= setup.bound <= best * (1 + 1e-5)
