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

    def updated(self, removed: np.ndarray, new: Postings) -> tuple[Postings, np.ndarray]:
        """The postings of every passage but the ascending rows `removed`, renumbered 0.. in
        their order, followed by the added passages: the arrays `build` gives over those
        passages (up to the terms' numbering), without counting the kept passages again.

        A few numpy passes over the postings (CPU-bound): the removed rows' postings are cut
        out, and each term's new postings inserted at the end of its list, since the added
        passages come after every kept one."""
        kept, renumbered = (self._without(removed) if len(removed)
                            else (self, np.arange(len(self.vocabulary), dtype=np.int64)))
        if not new.size:
            return kept, renumbered
        terms = list(new.vocabulary)
        vocabulary = dict(kept.vocabulary)
        for term in terms:
            vocabulary.setdefault(term, len(vocabulary))
        ids = np.fromiter((vocabulary[t] for t in terms), np.int64, len(terms))
        # The new terms' lists in the order of their ids in the merged vocabulary.
        order = np.argsort(ids, kind="stable")
        counts = np.diff(new.offsets)[order]
        at = _runs(new.offsets[order], counts)
        old = len(kept.vocabulary)
        # Before the end of each old term's list, or at the very end for a term not seen yet.
        where = np.repeat(kept.offsets[np.minimum(ids[order] + 1, old)], counts)
        merged_counts = np.zeros(len(vocabulary), dtype=np.int64)
        merged_counts[:old] = np.diff(kept.offsets)
        merged_counts[ids] += np.diff(new.offsets)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(merged_counts, out=offsets[1:])
        width = np.promote_types(kept.frequencies.dtype, new.frequencies.dtype)
        passages = np.insert(kept.passages, where,
                             (new.passages[at] + kept.size).astype(np.int32))
        frequencies = np.insert(kept.frequencies.astype(width, copy=False), where,
                                new.frequencies[at].astype(width))
        return Postings(vocabulary, offsets, passages, frequencies,
                        np.concatenate((kept.lengths, new.lengths))), renumbered

    def _without(self, removed: np.ndarray) -> tuple[Postings, np.ndarray]:
        """Every passage but the ascending rows `removed`, renumbered 0.. in their order (a
        term only they held is dropped), and each old term's new id (-1 when dropped):
        `subset` of the rest, with memory for the few postings removed, not the many kept."""
        gone = np.zeros(self.size, dtype=bool)
        gone[removed] = True
        dropped = np.flatnonzero(gone[self.passages])
        counts = np.diff(self.offsets) - np.bincount(
            np.searchsorted(self.offsets, dropped, "right") - 1, minlength=len(self.vocabulary))
        renumber = np.cumsum(~gone, dtype=np.int32) - 1
        kept = np.ones(len(self.passages), dtype=bool)
        kept[dropped] = False
        passages = renumber[self.passages[kept]]
        frequencies = self.frequencies[kept]
        del kept
        present = np.flatnonzero(counts)
        offsets = np.zeros(len(present) + 1, dtype=np.int64)
        np.cumsum(counts[present], out=offsets[1:])
        renumbered = np.full(len(self.vocabulary), -1, dtype=np.int64)
        renumbered[present] = np.arange(len(present))
        if len(present) == len(self.vocabulary):
            vocabulary = self.vocabulary
        else:
            terms = list(self.vocabulary)
            vocabulary = {terms[t]: n for n, t in enumerate(present.tolist())}
        return Postings(vocabulary, offsets, passages, frequencies,
                        np.delete(self.lengths, removed)), renumbered

    def slice(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices, term frequencies) of the term with id t."""
        start, end = self.offsets[t], self.offsets[t + 1]
        return self.passages[start:end], self.frequencies[start:end]


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[i], starts[i] + 1, ... counts[i] of each, one run after another."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + counts,
                                                                    counts)
