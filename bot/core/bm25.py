"""BM25 as rank-bm25 computes it: its reference models, and its formulas as numpy expressions.

Pure. rank-bm25's BM25Okapi floors the IDF of a term found in half the passages at zero (and of
commoner terms at epsilon x average IDF), so in a small collection such terms stop counting; the
default variant keeps Okapi's term weighting but uses Lucene's always-positive IDF,
log(1 + (N - n + 0.5) / (n + 0.5)). The expressions below repeat rank-bm25's operation for
operation, so the fast path's float64 scores are bit-identical to rank-bm25's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

VARIANTS = ("lucene", "okapi", "plus", "l")
# rank-bm25's defaults for the constants our settings do not expose.
OKAPI_EPSILON = 0.25
L_DELTA = 0.5
PLUS_DELTA = 1


class BM25Lucene(BM25Okapi):
    """BM25Okapi scoring with Lucene's IDF, which never reaches zero."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


def make_bm25(corpus: Sequence[Sequence[str]], variant: str, k1: float, b: float) -> BM25:
    """The rank-bm25 model of the chosen variant over tokenised passages (the reference)."""
    if variant == "lucene":
        return BM25Lucene(corpus, k1=k1, b=b)
    if variant == "okapi":
        return BM25Okapi(corpus, k1=k1, b=b)
    if variant == "plus":
        return BM25Plus(corpus, k1=k1, b=b)
    if variant == "l":
        return BM25L(corpus, k1=k1, b=b)
    raise ValueError(f"unknown BM25 variant {variant!r}; choose from {', '.join(VARIANTS)}")


def variant_idf(variant: str, size: int, df: np.ndarray) -> np.ndarray:
    """Each term's IDF as rank-bm25's class for the variant computes it, by term id."""
    # math.log, not np.log: numpy's vectorised log may differ from libm in the last bit.
    values, inverse = np.unique(df, return_inverse=True)
    n = size
    if variant == "lucene":
        table = [math.log(1 + (n - f + 0.5) / (f + 0.5)) for f in values.tolist()]
    elif variant == "okapi":
        table = [math.log(n - f + 0.5) - math.log(f + 0.5) for f in values.tolist()]
    elif variant == "plus":
        table = [math.log((n + 1) / f) for f in values.tolist()]
    elif variant == "l":
        table = [math.log(n + 1) - math.log(f + 0.5) for f in values.tolist()]
    else:
        raise ValueError(f"unknown BM25 variant {variant!r}; choose from {', '.join(VARIANTS)}")
    idf = np.asarray(table, dtype=np.float64)[inverse.reshape(-1)]
    if variant == "okapi" and len(idf):
        # rank-bm25 sums in first-seen order (cumsum is sequential, like its loop).
        average = float(np.cumsum(idf)[-1]) / len(idf)
        idf[idf < 0] = OKAPI_EPSILON * average
    return idf


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
