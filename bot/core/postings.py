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
_NONE = np.zeros(0, dtype=np.int64)
# Pieces an update copies one by one at most; more go through numpy's masks and inserts.
_PIECES = 100_000


@dataclass(frozen=True)
class Postings:
    """Per term (by id) a slice of `passages` and `frequencies`; per passage its length."""

    vocabulary: dict[str, int]
    offsets: np.ndarray  # int64 [terms + 1]: term t owns [offsets[t], offsets[t + 1])
    passages: np.ndarray  # int32 [postings]: passage indices, ascending within a term
    frequencies: np.ndarray  # uint8 (uint16, int32 if any exceeds it) [postings]: occurrences
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
        their order, followed by the added passages (`new`, as `build` counts them): the
        arrays `build` gives over those passages (up to the terms' numbering), without
        counting the kept passages again. With them, each old term id's new one (-1 for a
        term only removed passages held).

        CPU-bound, linear in the postings: the removed rows' postings are cut out and each
        term's new postings go at the end of its list, since the added passages come after
        every kept one. The output is written once, piece by piece between the cuts, so it
        costs about a copy of the arrays and no temporary of their size."""
        gone = np.zeros(self.size, dtype=bool)
        gone[removed] = True
        dropped = np.flatnonzero(gone[self.passages]) if len(removed) else _NONE
        term_of_dropped = np.searchsorted(self.offsets, dropped, "right") - 1
        counts = np.diff(self.offsets) - np.bincount(term_of_dropped,
                                                     minlength=len(self.vocabulary))
        present = np.flatnonzero(counts)
        renumbered = np.full(len(self.vocabulary), -1, dtype=np.int64)
        renumbered[present] = np.arange(len(present))
        if len(present) == len(self.vocabulary):
            vocabulary = dict(self.vocabulary) if new.size else self.vocabulary
        else:
            terms = list(self.vocabulary)  # in id order: ids were given in insertion order
            vocabulary = {terms[t]: n for n, t in enumerate(present.tolist())}
        kept_terms = len(vocabulary)
        added_terms = list(new.vocabulary)
        for term in added_terms:
            vocabulary.setdefault(term, len(vocabulary))
        ids = np.fromiter((vocabulary[t] for t in added_terms), np.int64, len(added_terms))
        merged = np.zeros(len(vocabulary), dtype=np.int64)
        merged[:kept_terms] = counts[present]
        merged[ids] += np.diff(new.offsets)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(merged, out=offsets[1:])
        # The added postings in merged term order, each placed (in the old arrays'
        # coordinates) at the end of its term's old list, or at the very end for a new term.
        order = np.argsort(ids, kind="stable")
        lengths = np.diff(new.offsets)[order]
        at = _runs(new.offsets[order], lengths)
        # Each merged term's old id; a term new to the index goes after every old list.
        old_of = np.concatenate((present, np.full(len(vocabulary) - kept_terms,
                                                  len(self.vocabulary), dtype=np.int64)))
        old_ids = old_of[ids[order]]
        where = np.repeat(np.append(self.offsets[1:], self.offsets[-1])[old_ids], lengths)
        width = np.promote_types(self.frequencies.dtype, new.frequencies.dtype)
        renumber = np.cumsum(~gone, dtype=np.int32) - 1 if len(removed) else None
        passages, frequencies = _splice(
            self.passages, self.frequencies.astype(width, copy=False), dropped, where,
            (new.passages[at] + (self.size - len(removed))).astype(np.int32),
            new.frequencies[at].astype(width), renumber)
        return Postings(vocabulary, offsets, passages, frequencies,
                        np.concatenate((np.delete(self.lengths, removed), new.lengths))
                        ), renumbered

    def slice(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices, term frequencies) of the term with id t."""
        start, end = self.offsets[t], self.offsets[t + 1]
        return self.passages[start:end], self.frequencies[start:end]


def _narrow(counts: np.ndarray) -> np.ndarray:
    """Counts as uint8 when none exceeds 255, as in any passage of prose (a term repeated
    256 times in one passage is a list or a table): a byte a posting instead of two, 135 MB
    less at a million passages, serving and building."""
    if counts.dtype.itemsize > 1 and (len(counts) == 0 or int(counts.max()) <= 255):
        return counts.astype(np.uint8)
    return counts


def _splice(
    passages: np.ndarray, frequencies: np.ndarray, dropped: np.ndarray, where: np.ndarray,
    new_passages: np.ndarray, new_frequencies: np.ndarray, renumber: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The arrays without the postings at `dropped`, with new ones inserted before the old
    positions `where` (ascending; len(passages) for the end), kept passages renumbered."""
    # The old arrays cut at every dropped posting and every insertion point: each piece is
    # copied whole (after the new postings placed at its start), or left out when dropped.
    cuts = np.unique(np.concatenate(([0, len(passages)], dropped, dropped + 1, where)))
    starts, ends = cuts[:-1], cuts[1:]
    if len(starts) > _PIECES:  # too many for a loop: masks and inserts, in numpy
        kept = np.ones(len(passages), dtype=bool)
        kept[dropped] = False
        old = passages[kept] if renumber is None else renumber[passages[kept]]
        at = where - np.searchsorted(dropped, where, "left")  # where, without the dropped
        return (np.insert(old, at, new_passages),
                np.insert(frequencies[kept], at, new_frequencies))
    size = len(passages) - len(dropped) + len(new_passages)
    out_p = np.empty(size, dtype=passages.dtype)
    out_f = np.empty(size, dtype=frequencies.dtype)
    keep = ~np.isin(starts, dropped)
    first = np.searchsorted(where, starts, "left").tolist()
    last = np.searchsorted(where, starts, "right").tolist()
    o = 0
    for s, e, i, j, k in zip(starts.tolist(), ends.tolist(), first, last, keep.tolist(),
                             strict=True):
        if j > i:
            out_p[o : o + j - i] = new_passages[i:j]
            out_f[o : o + j - i] = new_frequencies[i:j]
            o += j - i
        if k:
            if renumber is None:
                out_p[o : o + e - s] = passages[s:e]
            else:
                np.take(renumber, passages[s:e], out=out_p[o : o + e - s], mode="clip")
            out_f[o : o + e - s] = frequencies[s:e]
            o += e - s
    tail = int(np.searchsorted(where, len(passages), "left"))
    out_p[o:] = new_passages[tail:]
    out_f[o:] = new_frequencies[tail:]
    return out_p, out_f


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[i], starts[i] + 1, ... counts[i] of each, one run after another."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + counts,
                                                                    counts)
