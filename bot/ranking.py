"""BM25 ranking of passages through rank-bm25, restricted to passages that share a term.

Pure: tokens in, ranked passage indices out. rank-bm25's BM25Okapi floors the IDF of a term
found in half the passages at zero (and of commoner terms at epsilon x average IDF), so in a
small collection such terms stop counting; the default variant here keeps Okapi's term
weighting but uses Lucene's always-positive IDF, log(1 + (N - n + 0.5) / (n + 0.5)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

VARIANTS = ("lucene", "okapi", "plus", "l")


class BM25Lucene(BM25Okapi):
    """BM25Okapi scoring with Lucene's IDF, which never reaches zero."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


def make_bm25(corpus: Sequence[Sequence[str]], variant: str, k1: float, b: float) -> BM25:
    """The rank-bm25 model of the chosen variant over tokenised passages."""
    if variant == "lucene":
        return BM25Lucene(corpus, k1=k1, b=b)
    if variant == "okapi":
        return BM25Okapi(corpus, k1=k1, b=b)
    if variant == "plus":
        return BM25Plus(corpus, k1=k1, b=b)
    if variant == "l":
        return BM25L(corpus, k1=k1, b=b)
    raise ValueError(f"unknown BM25 variant {variant!r}; choose from {', '.join(VARIANTS)}")


class Ranker:
    """Scores passages for a tokenised question; an empty collection simply finds nothing."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        variant: str = "lucene",
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.size = len(corpus)
        self._postings: dict[str, list[int]] = {}
        for i, tokens in enumerate(corpus):
            for term in set(tokens):
                self._postings.setdefault(term, []).append(i)
        # rank-bm25 divides by the corpus size: an empty collection gets no model at all.
        self._bm25 = make_bm25(corpus, variant, k1, b) if self.size else None

    def document_frequency(self, term: str) -> int:
        """In how many passages the term occurs."""
        return len(self._postings.get(term, ()))

    def idf(self, term: str) -> float:
        """A positive weight for how rare a term is; unseen terms weigh the most."""
        n = self.document_frequency(term)
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def candidates(self, query: Sequence[str]) -> list[int]:
        """Indices of passages sharing at least one term with the query, ascending."""
        seen: set[int] = set()
        for term in set(query):
            seen.update(self._postings.get(term, ()))
        return sorted(seen)

    def group_idf(self, group: Sequence[str]) -> float:
        """IDF of alternatives counted as one term: a passage counts once if any occurs."""
        if len(group) == 1:
            return self.idf(group[0])
        n = len(set().union(*(self._postings.get(t, ()) for t in group)))
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def rank_groups(
        self, groups: Sequence[Sequence[str]], limit: int
    ) -> list[tuple[int, float]]:
        """BM25 over a structured query: each group of alternatives (a word and its
        translations) is one term, with summed term frequencies and a union document
        frequency, so a word with many translations weighs no more than one with a single
        translation. Groups of one term score exactly as `rank` does with the Lucene IDF."""
        if self._bm25 is None or limit <= 0:
            return []
        ids = self.candidates([t for g in groups for t in g])
        if not ids:
            return []
        model = self._bm25
        k1, b, avgdl = model.k1, model.b, model.avgdl
        lengths = np.asarray(model.doc_len, dtype=np.float64)[ids]
        norm = k1 * (1 - b + b * lengths / avgdl)
        scores = np.zeros(len(ids))
        for group in groups:
            tf = np.zeros(len(ids))
            for term in set(group):
                tf += np.fromiter((model.doc_freqs[i].get(term, 0) for i in ids), float, len(ids))
            scores += self.group_idf(group) * tf * (k1 + 1) / (tf + norm)
        order = np.lexsort((np.asarray(ids), -scores))[:limit]
        return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def rank(self, query: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """Best passages first as (index, score); ties go to the earlier passage."""
        if self._bm25 is None or limit <= 0:
            return []
        ids = self.candidates(query)
        if not ids:
            return []
        scores = np.asarray(self._bm25.get_batch_scores(list(query), ids), dtype=np.float64)
        order = np.lexsort((np.asarray(ids), -scores))[:limit]
        return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]
