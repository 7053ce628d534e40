"""The inverted index: for every term, the passages holding it and how often, as numpy arrays.

Pure: tokenised passages in, arrays out. Terms are numbered in order of first appearance (the
order rank-bm25 meets them in, which its Okapi IDF average depends on); each term's passages
are ascending, so any scorer (plain BM25 today, grouped terms later) can merge them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.int32)


def _narrow(counts: np.ndarray) -> np.ndarray:
    """Counts as uint16 when they fit (they nearly always do): a quarter of the index's
    memory at a million passages."""
    if not len(counts) or int(counts.max()) <= np.iinfo(np.uint16).max:
        return counts.astype(np.uint16)
    return counts.astype(np.int32)


@dataclass(frozen=True)
class Postings:
    """Per term (by id) a slice of `passages` and `frequencies`; per passage its length."""

    vocabulary: dict[str, int]
    offsets: np.ndarray  # int64 [terms + 1]: term t owns [offsets[t], offsets[t + 1])
    passages: np.ndarray  # int32 [postings]: passage indices, ascending within a term
    frequencies: np.ndarray  # uint16 (int32 if any exceeds it) [postings]: occurrences
    lengths: np.ndarray  # int64 [passages]: tokens in each passage

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]]) -> Postings:
        """Count every term of every passage (CPU-bound: run it off the event loop)."""
        vocabulary: dict[str, int] = {}
        lengths = np.fromiter((len(doc) for doc in corpus), dtype=np.int64, count=len(corpus))
        total = int(lengths.sum())
        codes = np.fromiter(
            (vocabulary.setdefault(term, len(vocabulary)) for doc in corpus for term in doc),
            dtype=np.int32, count=total,
        )
        indptr = np.zeros(len(corpus) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        # A passage x term count matrix; scipy sums repeated terms and transposes in C.
        matrix = sparse.csr_matrix(
            (np.ones(total, dtype=np.int32), codes, indptr),
            shape=(len(corpus), len(vocabulary)),
        )
        matrix.sum_duplicates()
        by_term = matrix.tocsc()
        by_term.sort_indices()
        return cls(
            vocabulary,
            by_term.indptr.astype(np.int64),
            by_term.indices.astype(np.int32),
            _narrow(by_term.data),
            lengths,
        )

    @property
    def size(self) -> int:
        """The number of passages."""
        return len(self.lengths)

    @property
    def average_length(self) -> float:
        """Mean tokens per passage, computed as rank-bm25 does (0.0 when empty)."""
        return int(self.lengths.sum()) / self.size if self.size else 0.0

    def document_frequencies(self) -> np.ndarray:
        """Passages holding each term, by term id."""
        return np.diff(self.offsets)

    def term(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices ascending, term frequencies) of one term; empty when unseen."""
        t = self.vocabulary.get(term)
        if t is None:
            return _EMPTY_IDS, _EMPTY_TF
        return self.slice(t)

    def slice(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices, term frequencies) of the term with id t."""
        start, end = self.offsets[t], self.offsets[t + 1]
        return self.passages[start:end], self.frequencies[start:end]
