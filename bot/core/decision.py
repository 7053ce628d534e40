"""Whether a ranked passage answers the question: evidence retrieval already has, combined
by a logistic model fitted on tuning data (`benchmarks/fit_decision.py`, which writes the
parameters the bot ships in `bot/sources/data/decision_model.json`). Pure: the parameters
are passed in.

The model's output is the estimated probability that the passage answers (on the tuning
mix of answerable questions and questions about other things); the bot's STRICTNESS is the
probability a passage must reach to be shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

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
)
_HAN_CHAR = re.compile(r"^[\u3400-\u9fff]$")


def expand(values: Sequence[float], products: bool) -> list[float]:
    """The model's inputs: the features, and with `products` every product of two of them
    (each with itself too, in the order i <= j), so a linear model can weigh combinations."""
    out = list(values)
    if products:
        n = len(values)
        out += [values[i] * values[j] for i in range(n) for j in range(i, n)]
    return out


@dataclass(frozen=True)
class DecisionModel:
    """Fitted parameters: the features (with their products, if fitted so), standardised,
    then logistic regression."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    products: bool = False

    def probability(self, values: Sequence[float]) -> float:
        """The estimated probability that a passage with these features answers."""
        z = self.intercept + sum(
            c * (v - m) / s for c, v, m, s in zip(
                self.coef, expand(values, self.products), self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def matched(concept: Sequence[str], present: Collection[str]) -> tuple[bool, bool]:
    """(found at all, found through the question's own word) for one concept: the word, then
    its translations. A translation that is one Han character (月 for "moon", 天 for "day")
    is found in nearly every Chinese passage, so it never counts on its own."""
    if concept[0] in present:
        return True, True
    return any(t in present and not _HAN_CHAR.match(t) for t in concept[1:]), False


def features(
    weighted: Sequence[tuple[Sequence[str], float]], present: Collection[str],
    score: float, best_possible: float, top_score: float, next_score: float,
    translated: bool, names: Sequence[int], rank: int = 1, passages: int = 1,
) -> list[float]:
    """The FEATURES of one candidate: `weighted` are the question's concepts with their IDF,
    `present` the terms the passage holds, `names` the indices of concepts that are names,
    `passages` the collection's size. Weights and scores are taken over the rarest possible
    term's IDF, so the features mean the same in a collection of ten passages or a million."""
    rarest = math.log1p(max(passages, 1))
    total = own = found = 0.0
    top = missing = present_weight = 0.0
    count = 0
    names_hit = 0
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
        float(rank),
    ]
