"""BM25 as rank-bm25 computes it: its reference models, and its formulas as numpy expressions.

Pure. rank-bm25's BM25Okapi floors the IDF of a term found in half the passages at zero (and of
commoner terms at epsilon x average IDF), so in a small collection such terms stop counting; the
default variant keeps Okapi's term weighting but uses Lucene's always-positive IDF,
log(1 + (N - n + 0.5) / (n + 0.5)). The expressions below repeat rank-bm25's operation for
operation, so the fast path's float64 scores are bit-identical to rank-bm25's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

from bot.core.bm25_constants import check_variant

# rank-bm25's defaults for the constants our settings do not expose.
OKAPI_EPSILON = 0.25
L_DELTA = 0.5
PLUS_DELTA = 1


def lucene_idf(size: int, df: int) -> float:
    """Lucene's IDF of a term in df of size passages: log(1 + (N - n + 0.5) / (n + 0.5)),
    always positive, and highest for a term no passage holds."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


# Each variant's IDF of one term as its rank-bm25 class computes it (before Okapi's floor).
# math.log, not np.log: numpy's vectorised log may differ from libm in the last bit.
IDF: dict[str, Callable[[int, int], float]] = {
    "lucene": lucene_idf,
    "okapi": lambda n, f: math.log(n - f + 0.5) - math.log(f + 0.5),
    "plus": lambda n, f: math.log((n + 1) / f),
    "l": lambda n, f: math.log(n + 1) - math.log(f + 0.5),
}


class BM25Lucene(BM25Okapi):
    """BM25Okapi scoring with Lucene's IDF, which never reaches zero."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = lucene_idf(self.corpus_size, freq)


def make_bm25(corpus: Sequence[Sequence[str]], variant: str, k1: float, b: float) -> BM25:
    """The rank-bm25 model of the chosen variant over tokenised passages (the reference)."""
    check_variant(variant)
    model = {"lucene": BM25Lucene, "okapi": BM25Okapi, "plus": BM25Plus, "l": BM25L}[variant]
    return model(corpus, k1=k1, b=b)


def _raw_idf(variant: str, size: int, df: np.ndarray) -> np.ndarray:
    check_variant(variant)
    values, inverse = np.unique(df, return_inverse=True)
    formula = IDF[variant]
    table = [formula(size, f) for f in values.tolist()]
    return np.asarray(table, dtype=np.float64)[inverse.reshape(-1)]


def okapi_floor(idf: np.ndarray) -> float:
    """What BM25Okapi puts in place of a negative IDF: epsilon x the average of all of them,
    summed in first-seen order (cumsum is sequential, like rank-bm25's loop)."""
    return OKAPI_EPSILON * float(np.cumsum(idf)[-1]) / len(idf) if len(idf) else 0.0


def variant_idf(variant: str, size: int, df: np.ndarray) -> np.ndarray:
    """Each term's IDF as rank-bm25's class for the variant computes it, by term id."""
    idf = _raw_idf(variant, size, df)
    if variant == "okapi" and len(idf):
        idf[idf < 0] = okapi_floor(idf)
    return idf


def corpus_okapi_floor(size: int, df: np.ndarray) -> float:
    """Okapi's floor for a collection, from every term's document frequency."""
    return okapi_floor(_raw_idf("okapi", size, df))


def group_idf(variant: str, size: int, df: int, floor: float) -> float:
    """The variant's IDF of alternatives counted as one term found in df passages; a negative
    Okapi IDF becomes the collection's floor (`corpus_okapi_floor`)."""
    idf = IDF[variant](size, df)
    return floor if variant == "okapi" and idf < 0 else idf


def length_norm(dl: np.ndarray, b: float, avgdl: float) -> np.ndarray:
    """1 - b + b * dl / avgdl per passage, evaluated as rank-bm25 evaluates it."""
    return 1 - b + b * dl / avgdl


def term_weight(
    variant: str, idf: float | np.ndarray, tf: np.ndarray, norm: np.ndarray, k1: float
) -> np.ndarray:
    """One term's contribution per passage: rank-bm25's expression, operation for operation."""
    if variant in ("lucene", "okapi"):
        return idf * (tf * (k1 + 1) / (tf + k1 * norm))
    if variant == "plus":
        return idf * (PLUS_DELTA + (tf * (k1 + 1)) / (k1 * norm + tf))
    ctd = tf / norm
    return idf * tf * (k1 + 1) * (ctd + L_DELTA) / (k1 + ctd + L_DELTA)
