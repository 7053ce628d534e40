"""The inverted index: for every term, the passages holding it and how often, as numpy arrays.

Pure: tokenised passages in, arrays out. Terms are numbered in order of first appearance (the
order rank-bm25 meets them in, which its Okapi IDF average depends on); each term's passages
are ascending, so any scorer (plain BM25 today, grouped terms later) can merge them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class Postings:
    """Per term (by id) a slice of `passages` and `frequencies`; per passage its length."""

    vocabulary: dict[str, int]
    offsets: np.ndarray  # int64 [terms + 1]: term t owns [offsets[t], offsets[t + 1])
    passages: np.ndarray  # int32 [postings]: passage indices, ascending within a term
    frequencies: np.ndarray  # uint16 (int32 if any exceeds it) [postings]: occurrences
    lengths: np.ndarray  # int64 [passages]: tokens in each passage

    @classmethod
    def build(cls, corpus: Iterable[Sequence[str]]) -> Postings:
        """Count every term of every passage (CPU-bound: run it off the event loop).

        The corpus is read once, so it may be a generator: a collection too big to hold as
        term lists is indexed while it streams past."""
        vocabulary: dict[str, int] = {}
        sizes = array("q")
        term_ids = array("i")  # 4 bytes a term occurrence, not a Python int each
        add = vocabulary.setdefault
        for doc in corpus:
            sizes.append(len(doc))
            term_ids.extend([add(term, len(vocabulary)) for term in doc])
        lengths = np.frombuffer(sizes, dtype=np.int64).copy()
        del sizes
        codes = np.frombuffer(term_ids, dtype=np.int32)
        total = len(codes)
        # 32-bit row offsets while they fit, so scipy need not widen `codes` to match them.
        wide = total >= np.iinfo(np.int32).max
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64 if wide else np.int32)
        np.cumsum(lengths, out=indptr[1:])
        # A count never exceeds its passage's length, so uint16 holds it unless a passage is
        # longer than 65,535 terms: half the memory of int32 while building and serving.
        count = np.uint16 if len(lengths) == 0 or lengths.max() <= 65_535 else np.int32
        # A passage x term count matrix; scipy sums repeated terms and transposes in C.
        matrix = sparse.csr_matrix(
            (np.ones(total, dtype=count), codes, indptr),
            shape=(len(lengths), len(vocabulary)), copy=False,
        )
        del codes, term_ids, indptr
        matrix.sum_duplicates()
        by_term = matrix.tocsc()
        del matrix
        by_term.sort_indices()
        return cls(
            vocabulary,
            by_term.indptr.astype(np.int64),
            by_term.indices.astype(np.int32, copy=False),
            by_term.data,
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

    def subset(self, rows: np.ndarray) -> Postings:
        """The postings of the given ascending passages alone, renumbered 0.. in their order:
        a term none of them holds is not in its vocabulary (numpy passes, one Python step per
        term kept)."""
        keep = np.zeros(self.size, dtype=bool)
        keep[rows] = True
        renumber = np.full(self.size, -1, dtype=np.int32)
        renumber[rows] = np.arange(len(rows), dtype=np.int32)
        kept = np.flatnonzero(keep[self.passages])  # the postings kept, in order
        # Kept postings before each term's first: a term's count is a difference.
        counts = np.diff(np.searchsorted(kept, self.offsets))
        present = np.flatnonzero(counts)
        offsets = np.zeros(len(present) + 1, dtype=np.int64)
        np.cumsum(counts[present], out=offsets[1:])
        terms = list(self.vocabulary)  # in id order: ids were given in insertion order
        vocabulary = {terms[t]: n for n, t in enumerate(present.tolist())}
        return Postings(vocabulary, offsets, renumber[self.passages[kept]],
                        self.frequencies[kept], self.lengths[rows])

    def slice(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices, term frequencies) of the term with id t."""
        start, end = self.offsets[t], self.offsets[t + 1]
        return self.passages[start:end], self.frequencies[start:end]
