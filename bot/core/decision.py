"""Whether a ranked passage answers the question: evidence retrieval already has, combined
by logistic models fitted on tuning data, one for each case of CASES
(`benchmarks/fit_decision.py`, which writes the parameters the bot ships in
`bot/sources/data/decision_model.json`). Pure: the parameters are passed in.

A model's output is the estimated probability that the passage answers, among candidates of
its case where answerable questions and questions about other things weigh the same; the
bot's STRICTNESS is the probability a passage must reach to be shown.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.language import HAN

# Evidence about one candidate passage, in this order (the model file names them too).
FEATURES = (
    "share",  # of the question's IDF weight, its concepts found in the passage
    "own_share",  # of that weight, found through the question's own words, not translations
    "matched",  # share of the question's concepts found
    "missing_top",  # weight of the rarest concept missing, over the rarest concept's
    "present_top",  # weight of the rarest concept found, over the rarest concept's
    "score_vs_best",  # BM25 score over the question's best possible score
    "score_vs_top",  # BM25 score over the first candidate's
    "gap_next",  # how far the next candidate's score is below this one's, over this one's
    "log_concepts",  # log(1 + the question's concepts)
    "translated",  # 1 when the question found translations (the other language is searched)
    "score_vs_idf",  # BM25 score over the rarest possible term's IDF, log(1 + passages)
    "names_found",  # share of the question's capitalised or Latin names found (1 if none)
    "found_vs_idf",  # the IDF weight found over log(1 + passages)
    "missing_vs_idf",  # the IDF weight missing over log(1 + passages)
    "rank",  # 1 for the first candidate, 2 for the next, ...
    "sentence_share",  # of the question's IDF weight, the most one sentence of it holds
    "other_language",  # 1 when the passage is in the other language than the question
    "chinese",  # 1 when the question is in Chinese: its words are cut differently, so the
    # same share of weight means something else than in English
)
# Ranks the model was fitted on; a later candidate counts as the last of them.
RANKS = 10
_HAN_CHAR = re.compile(f"^[{HAN}]$")


def expand(values: Sequence[float], products: bool) -> list[float]:
    """The model's inputs: the features, and with `products` every product of two of them
    (each with itself too, in the order i <= j), so a linear model can weigh combinations."""
    out = list(values)
    if products:
        n = len(values)
        out += [values[i] * values[j] for i in range(n) for j in range(i, n)]
    return out


@functools.lru_cache(maxsize=4)
def _upper(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs i <= j of `expand`'s products, in its order."""
    return np.triu_indices(n)


@dataclass(frozen=True)
class Logistic:
    """One fitted logistic regression: the features (with their products, if fitted so),
    standardised, then weighed."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    products: bool = False

    @functools.cached_property
    def _weights(self) -> tuple[np.ndarray, float]:
        """The coefficients over the standardisation, and the intercept with the means taken
        out: one dot product a candidate."""
        coef = np.asarray(self.coef) / np.asarray(self.scale)
        return coef, self.intercept - float(coef @ np.asarray(self.mean))

    def probability(self, values: Sequence[float]) -> float:
        """The estimated probability that a passage with these features answers."""
        return _logistic(self._z(np.asarray(values, dtype=float)))

    def _z(self, x: np.ndarray) -> float:
        coef, intercept = self._weights
        if self.products:
            x = np.concatenate([x, np.outer(x, x)[_upper(len(x))]])
        return intercept + float(coef @ x)

    def highest(self, values: Sequence[float], feature: int, top: float) -> float:
        """The highest probability these features reach with values[feature] anywhere in
        [0, top] and the others as they are (a little above, for rounding): the logit is
        linear in one feature, or with products quadratic (b x + c x^2, b from the products
        with the other features), so its highest is at an end of the range or the vertex."""
        x = np.asarray(values, dtype=float)
        x[feature] = 0.0
        z = self._z(x)
        coef, _ = self._weights
        b, c = float(coef[feature]), 0.0
        if self.products:
            others, at, square = _pairs_with(len(x), feature)
            b += float(coef[at] @ x[others])
            c = float(coef[square])
        reach = max(z, z + b * top + c * top * top)
        if c < 0.0 and 0.0 < -b / (2 * c) < top:
            reach = max(reach, z - b * b / (4 * c))
        return _logistic(reach + 1e-9 * (1.0 + abs(reach)))


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@functools.lru_cache(maxsize=64)
def _pairs_with(n: int, feature: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Of `expand`'s inputs for n features: the other feature of each product of `feature`
    with another, that product's position, and the position of its square."""
    rows, cols = _upper(n)
    mine = np.flatnonzero((rows == feature) | (cols == feature))
    square = int(mine[(rows[mine] == feature) & (cols[mine] == feature)][0])
    mine = mine[mine != square]
    others = np.where(rows[mine] == feature, cols[mine], rows[mine])
    return others, n + mine, n + square


# The kinds of candidate the decision has one regression for: how much of a question a passage
# must hold to answer is not the same in English, in Chinese (words cut into characters and
# bigrams) and across languages (a dictionary finds part of it), so one scale for all three
# put Chinese and cross-lingual answers where English non-answers were (README, Quality).
CASES = ("english", "chinese", "across")


_OTHER_LANGUAGE = FEATURES.index("other_language")
_CHINESE = FEATURES.index("chinese")


def case_of(values: Sequence[float]) -> str:
    """Which of CASES a candidate with these FEATURES is."""
    if values[_OTHER_LANGUAGE]:
        return "across"
    return "chinese" if values[_CHINESE] else "english"


@dataclass(frozen=True)
class DecisionModel:
    """The fitted answer decision: a regression for each of CASES, over the same FEATURES, each
    fitted on as many answerable as unrelated questions of its kind, so that a probability
    means the same in every case."""

    features: tuple[str, ...]
    cases: Mapping[str, Logistic]

    def probability(self, values: Sequence[float]) -> float:
        """The estimated probability that a passage with these features answers."""
        return self.cases[case_of(values)].probability(values)

    def highest(self, values: Sequence[float], feature: int, top: float) -> float:
        """The highest `probability` with values[feature] anywhere in [0, top] (not a
        feature that chooses the case)."""
        return self.cases[case_of(values)].highest(values, feature, top)


def matched(concept: Sequence[str], present: Collection[str]) -> tuple[bool, bool]:
    """(found at all, found through the question's own word) for one concept: the word, then
    its translations. A translation that is one Han character (月 for "moon", 天 for "day")
    is found in nearly every Chinese passage, so it never counts on its own."""
    if concept[0] in present:
        return True, True
    return any(t in present for t in _countable(tuple(concept))), False


@functools.lru_cache(maxsize=4096)
def _countable(concept: tuple[str, ...]) -> tuple[str, ...]:
    """A concept's translations that may count on their own: not one Han character."""
    return tuple(t for t in concept[1:] if not _HAN_CHAR.match(t))


def features(
    weighted: Sequence[tuple[Sequence[str], float]], present: Collection[str],
    score: float, best_possible: float, top_score: float, next_score: float,
    translated: bool, names: Sequence[int], rank: int = 1, passages: int = 1,
    sentences: Sequence[Collection[str]] = (), other_language: bool = False,
    chinese: bool = False,
) -> list[float]:
    """The FEATURES of one candidate: `weighted` are the question's concepts with their IDF,
    `present` the terms the passage holds, `names` the indices of concepts that are names,
    `passages` the collection's size, `sentences` the terms (of `present`) each of its
    sentences holds (a passage that answers usually holds much of the question in one
    sentence; one that merely shares its words has them scattered). Weights and scores are
    taken over the rarest possible term's IDF, so the features mean the same in a collection
    of ten passages or a million."""
    rarest = math.log1p(max(passages, 1))
    total = own = found = 0.0
    top = missing = present_weight = 0.0
    count = 0
    names_hit = 0
    # The concepts the passage holds, in order, each as the terms that find it (`matched`).
    held: list[tuple[frozenset[str], float]] = []
    for i, (concept, weight) in enumerate(weighted):
        total += weight
        top = max(top, weight)
        hit, direct = matched(concept, present)
        if hit:
            found += weight
            count += 1
            present_weight = max(present_weight, weight)
            own += weight if direct else 0.0
            names_hit += i in names
            held.append((_finders(tuple(concept)), weight))
        else:
            missing = max(missing, weight)
    n = len(weighted)
    return [
        found / total if total else 0.0,
        own / total if total else 0.0,
        count / n if n else 0.0,
        missing / top if top else 0.0,
        present_weight / top if top else 0.0,
        score / best_possible if best_possible > 0 else 0.0,
        score / top_score if top_score > 0 else 0.0,
        (score - next_score) / score if score > 0 else 0.0,
        math.log1p(n),
        1.0 if translated else 0.0,
        score / rarest,
        names_hit / len(names) if names else 1.0,
        found / rarest,
        (total - found) / rarest,
        float(min(rank, RANKS)),
        # A sentence holds only terms of its passage, so only the concepts the passage holds
        # are looked for in it (the same sum, in the same order, as over every concept).
        max((share_of(held, terms, total) for terms in sentences if terms), default=0.0),
        1.0 if other_language else 0.0,
        1.0 if chinese else 0.0,
    ]


@functools.lru_cache(maxsize=4096)
def _finders(concept: tuple[str, ...]) -> frozenset[str]:
    """The terms whose presence finds a concept (`matched`): its word, and its translations
    that count on their own."""
    return frozenset((concept[0], *_countable(concept)))


def share_of(held: Sequence[tuple[frozenset[str], float]], present: Collection[str],
             total: float) -> float:
    """The share of `total` (the question's IDF weight) whose concepts, each given by its
    `_finders` with its weight, `present` holds: one set test a concept, since the best
    sentence's share is looked for in every sentence of every candidate."""
    if not total:
        return 0.0
    return sum(w for finders, w in held if not finders.isdisjoint(present)) / total
