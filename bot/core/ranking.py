"""BM25 ranking of passages over an inverted index, scoring exactly as rank-bm25 does.

Pure: tokens in, ranked passage indices out. rank-bm25 loops in Python over every passage;
`Ranker` reads only the postings of the question's terms and evaluates rank-bm25's own float64
expressions on them (`bot.core.bm25`), in the same order, so scores are bit-identical. Plain
and cross-lingual questions go through the compiled loop of `bot.core.topk` (MaxScore term at
a time: a common term's long postings are read only where a passage is still in contention).
BM25Plus (whose absent terms weigh something in every passage), and an install without numba,
use numpy: one pass over every posting for short postings, or MaxScore in batches of numpy
calls.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.bm25 import (
    L_DELTA,
    BM25Lucene,
    corpus_okapi_floor,
    group_idf,
    length_norm,
    lucene_idf,
    make_bm25,
    term_weight,
    variant_idf,
)
from bot.core.bm25_constants import K1, VARIANT, VARIANTS, B, check_variant
from bot.core.postings import Postings
from bot.core.topk import (
    FORMS,
    GALLOP,
    L_FORM,
    held_pairs,
    ranked,
    ranked_terms,
    union_peaks,
)

__all__ = ["VARIANTS", "BM25Lucene", "Ranker", "make_bm25"]

# Postings weighed at a time when computing each term's best weight, to bound memory.
_CHUNK = 8_000_000
# Terms in fewer than size / _RARE passages are scored together in the first batch.
_RARE = 4096
# A later term's new passages are bounded one by one when there are at least this many.
_PRUNE_FROM = 1000
# Term frequencies tried when finding how many occurrences a pruned passage would need.
_LEVELS = np.arange(1, 17, dtype=np.int64)
_TINY = float(np.nextafter(0.0, 1.0))
# Terms in at least size / _DENSE_FROM passages also get a dense array of their frequency in
# every passage, so looking up many passages costs one gather, not a binary search in a list
# of hundreds of thousands; commonest first, at most _DENSE_BYTES in all.
_DENSE_FROM = 16
_DENSE_BYTES = 48 * 2**20
# A question whose terms' postings, plus a quarter of the collection (the one-pass path's
# per-passage sums), come to at most this many is scored in one pass without pruning: a dozen
# numpy calls cost less than MaxScore's few hundred (measured with benchmarks/bench.py).
_ONE_PASS = 1 << 17
# The most (group, passage) pairs the grouped one-pass path counts in one array: a question's
# groups times the collection's passages (about 26 groups at 10,000 passages, 2 at 100,000).
_ONE_PASS_PAIRS = 1 << 18
# Groups' union frequencies a ranker remembers at most (then it starts again).
_UNIONS_KEPT = 100_000
# Groups' alternatives and IDFs a ranker remembers at most (about 600 bytes each: 12 MB).
_GROUPS_KEPT = 20_000
_UNSEEN = object()  # a group not looked at yet (None is a group the collection lacks)
# Plain questions go through the compiled loop where it applies (tests turn it off to check
# the numpy paths, which BM25Plus and an install without numba use, against rank-bm25).
COMPILED = ranked is not None


def best_weights(
    postings: Postings, variant: str, idf: np.ndarray, k1: float, b: float
) -> np.ndarray:
    """Each term's highest weight in any passage, by term id (the MaxScore bounds)."""
    df = postings.document_frequencies()
    best = np.zeros(len(df), dtype=np.float64)
    avgdl = postings.average_length
    start = 0
    while start < len(df):
        # Whole terms per chunk, so reduceat never splits one.
        end = int(np.searchsorted(postings.offsets, postings.offsets[start] + _CHUNK, "right"))
        end = min(max(end - 1, start + 1), len(df))
        lo, hi = postings.offsets[start], postings.offsets[end]
        tf = postings.frequencies[lo:hi].astype(np.int64)
        dl = postings.lengths[postings.passages[lo:hi]]
        weights = term_weight(variant, np.repeat(idf[start:end], df[start:end]), tf,
                              length_norm(dl, b, avgdl), k1)
        best[start:end] = np.maximum.reduceat(weights, postings.offsets[start:end] - lo)
        start = end
    return best


class Ranker:
    """Scores passages for a tokenised question; an empty collection simply finds nothing."""

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        variant: str = VARIANT,
        k1: float = K1,
        b: float = B,
    ) -> None:
        self._setup(Postings.build(corpus), variant, k1, b, None, None)

    @classmethod
    def from_postings(
        cls,
        postings: Postings,
        variant: str = VARIANT,
        k1: float = K1,
        b: float = B,
        idf: np.ndarray | None = None,
        best: np.ndarray | None = None,
    ) -> Ranker:
        """A ranker over an existing index, with its term weights when they were saved."""
        ranker = cls.__new__(cls)
        ranker._setup(postings, variant, k1, b, idf, best)
        return ranker

    def updated(self, removed: np.ndarray, added: Sequence[Sequence[str]]) -> Ranker:
        """The ranker of every passage but the ascending rows `removed`, then the added ones:
        it ranks exactly as one built over those passages, statistics and all (`Postings.
        updated`). Only the MaxScore bounds are not recomputed over every posting: a kept
        term's old bound, scaled to its new IDF and average length, still bounds its weights
        (see `_scaled_bounds`), and the added postings are weighed exactly."""
        fresh = Postings.build(added)
        postings, renumbered = self.postings.updated(removed, fresh)
        idf = variant_idf(self.variant, postings.size, postings.document_frequencies())
        best = _scaled_bounds(self, postings, renumbered, idf)
        if best is None:  # no safe scaling: weigh every posting
            return Ranker.from_postings(postings, self.variant, self.k1, self.b, idf)
        if fresh.size:
            ids = np.fromiter((postings.vocabulary[t] for t in fresh.vocabulary), np.int64,
                              len(fresh.vocabulary))
            # The added passages' own weights, under the merged statistics.
            at = np.repeat(np.arange(len(ids)), np.diff(fresh.offsets))
            dl = fresh.lengths[fresh.passages]
            weights = term_weight(self.variant, idf[ids][at],
                                  fresh.frequencies.astype(np.int64),
                                  length_norm(dl, self.b, postings.average_length), self.k1)
            np.maximum.at(best, ids[at], weights)
        return Ranker.from_postings(postings, self.variant, self.k1, self.b, idf, best)

    def _setup(
        self, postings: Postings, variant: str, k1: float, b: float,
        idf: np.ndarray | None, best: np.ndarray | None,
    ) -> None:
        check_variant(variant)
        self.postings = postings
        self.variant, self.k1, self.b = variant, k1, b
        self.size = postings.size
        df = postings.document_frequencies()
        self.term_idf = variant_idf(variant, self.size, df) if idf is None else idf
        self.best = (
            best_weights(postings, variant, self.term_idf, k1, b) if best is None else best
        )
        self._norm = length_norm(postings.lengths, b, postings.average_length)
        # k1 x norm per passage, as term_weight computes it, for the compiled loop; which
        # weight formula it applies, or None: BM25Plus, or a term weighing less than nothing
        # (Okapi's floor in a tiny collection), which MaxScore's bounds do not allow for.
        self._knorm = k1 * self._norm
        self._form = FORMS.get(variant) if not len(self.term_idf) or (
            float(self.term_idf.min()) > 0) else None
        # What the loop's choosing reads in float32 (`bot.core.topk._ranked`): knorm for
        # Okapi's form, norm for BM25L's.
        self._loose = (self._norm if self._form == L_FORM else self._knorm).astype(np.float32)
        # Groups' alternatives and scoring IDFs so far (`_group_setups`).
        self._groups: dict[tuple[str, ...], _Group | None] = {}
        self._unions: dict[tuple[int, ...], int] = {}  # union frequencies so far, by term ids
        self._accumulators = _Accumulators(self.size)
        self._shortest = np.full(len(_LEVELS), self._norm.min() if self.size else 1.0)
        self._okapi_floor: float | None = None  # computed when a group first needs it
        # What a term adds to a passage without it: zero but for BM25Plus's delta.
        self._absent = term_weight(variant, self.term_idf, np.zeros(len(df), dtype=np.int64),
                                   np.ones(len(df)), k1)

    def document_frequency(self, term: str) -> int:
        """In how many passages the term occurs."""
        t = self.postings.vocabulary.get(term)
        return 0 if t is None else int(self.postings.offsets[t + 1] - self.postings.offsets[t])

    def held(self, terms: Sequence[str], rows: Sequence[int]) -> list[tuple[int, int]]:
        """(term's position in terms, row's position in rows) for each of the terms that
        occurs in each of the passages rows: in one compiled call, else a search a term."""
        if COMPILED:
            vocabulary = self.postings.vocabulary
            ids = np.fromiter((vocabulary.get(t, -1) for t in terms), np.int64, len(terms))
            pairs = held_pairs(ids, np.asarray(rows, dtype=np.int64), self.postings.offsets,
                               self.postings.passages)
            return [(j, i) for j, i in pairs.tolist()]
        wanted = np.asarray(rows, dtype=np.int64)
        return [(j, i) for j, term in enumerate(terms)
                for i in np.flatnonzero(self.holds(term, wanted)).tolist()]

    def holds(self, term: str, rows: np.ndarray) -> np.ndarray:
        """For each passage index in rows, whether the term occurs in it."""
        ids = self.postings.term(term)[0]
        if not len(ids):
            return np.zeros(len(rows), dtype=bool)
        pos = np.minimum(ids.searchsorted(rows), len(ids) - 1)
        return ids[pos] == rows

    def idf(self, term: str) -> float:
        """A positive weight for how rare a term is (Lucene's IDF, whatever the variant that
        scores); unseen terms weigh the most."""
        return lucene_idf(self.size, self.document_frequency(term))

    def candidates(self, query: Sequence[str]) -> list[int]:
        """Indices of passages sharing at least one term with the query, ascending."""
        lists = [self.postings.term(term)[0] for term in set(query)]
        return np.unique(np.concatenate(lists)).tolist() if lists else []

    def _weights(self, t: int, tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
        return term_weight(self.variant, float(self.term_idf[t]), tf, norm, self.k1)

    @functools.cached_property
    def _dense(self) -> dict[int, np.ndarray]:
        """The commonest terms' frequencies in every passage (`_dense_frequencies`), made when
        numpy's MaxScore first needs them: the compiled loops never do, so most rankers never
        hold these (up to _DENSE_BYTES)."""
        return _dense_frequencies(self.postings, self.postings.document_frequencies())

    def _frequencies(self, t: int, docs: np.ndarray) -> np.ndarray:
        """Term t's frequency in each of the ascending passages docs (0 where absent)."""
        dense = self._dense.get(t)
        if dense is not None:
            return dense[docs].astype(np.int64)
        ids, tf = self.postings.slice(t)
        out = np.zeros(len(docs), dtype=np.int64)
        if len(ids) <= len(docs):  # search the shorter list in the longer one
            pos = np.minimum(docs.searchsorted(ids), len(docs) - 1)
            hit = docs[pos] == ids
            out[pos[hit]] = tf[hit]
        else:
            pos = np.minimum(ids.searchsorted(docs), len(ids) - 1)
            hit = ids[pos] == docs
            out[hit] = tf[pos[hit]]
        return out

    def score(
        self, query: Sequence[int], docs: np.ndarray, lacking: Collection[int] = ()
    ) -> np.ndarray:
        """Exact scores of ascending passages docs for term ids, summed in query order.

        Terms in `lacking` are known to be in none of docs: they add their absent weight
        without a lookup (adding it as a scalar rounds exactly as adding it per passage).
        """
        norm = self._norm[docs]
        total = np.zeros(len(docs), dtype=np.float64)
        cache: dict[int, np.ndarray | float] = {}
        for t in query:
            if t not in cache:
                cache[t] = (float(self._absent[t]) if t in lacking
                            else self._weights(t, self._frequencies(t, docs), norm))
            total += cache[t]
        return total

    def _score_pruned(
        self, order: Sequence[int], docs: np.ndarray, terms: list[int], done: int,
        counts: dict[int, int], absent: dict[int, float], best: dict[int, float],
        threshold: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact scores of the passages in docs that can still reach the threshold.

        docs hold none of terms[:done]. The others are looked up rarest first, and a passage
        whose weights so far plus the best of the rest stay below the threshold is dropped
        before the long postings of common terms are searched for it.
        """
        if len(docs) < _PRUNE_FROM or threshold <= _TINY:  # bookkeeping would cost more
            return docs, self.score(order, docs, terms[:done])
        lookup = terms[done:]
        alive = np.arange(len(docs))
        partial = np.zeros(len(docs))
        rest = _bound(terms, done, counts, absent, best)
        weights: dict[int, np.ndarray] = {}
        for t in lookup:
            rest -= counts[t] * best[t]
            ids = docs[alive]
            w = np.zeros(len(docs))
            w[alive] = self._weights(t, self._frequencies(t, ids), self._norm[ids])
            weights[t] = w
            partial[alive] += counts[t] * w[alive]
            alive = alive[partial[alive] + rest + _slop(rest) >= threshold]
            if not len(alive):
                break
        # The exact sum, in query order, for the survivors only.
        total = np.zeros(len(alive))
        for t in order:
            total += weights[t][alive] if t in weights else absent[t]
        return docs[alive], total

    def _union_frequency(self, group: Sequence[str]) -> int:
        """In how many passages at least one of the alternatives occurs: marks in an array
        the collection's size, or a sort of their postings when they are very short for it
        (measured: 20,000 postings sort in 1.6 ms, and are marked in 0.02 ms among 100,000
        passages, 0.06 ms among a million; at a million, 500 sort as fast as they mark)."""
        vocabulary = self.postings.vocabulary
        key = tuple(sorted({vocabulary[t] for t in group if t in vocabulary}))
        offsets = self.postings.offsets
        if len(key) < 2:
            return int(offsets[key[0] + 1] - offsets[key[0]]) if key else 0
        known = self._unions.get(key)
        if known is not None:
            return known
        lists = [self.postings.passages[offsets[t]:offsets[t + 1]] for t in key]
        total = sum(map(len, lists))
        if total * 1000 < self.size:
            union = len(np.unique(np.concatenate(lists)))
        else:
            marked = np.zeros(self.size, dtype=bool)
            for ids in lists:
                marked[ids] = True
            union = int(np.count_nonzero(marked))
        self._remember_union(key, union)
        return union

    def _remember_union(self, key: tuple[int, ...], union: int) -> None:
        """Keeps a union frequency, by the alternatives' sorted term ids: the same words'
        translations come back question after question, and relevance asks each group's IDF
        again for every question (at a million passages, marking a group's union in an array
        the collection's size took longer than ranking the question)."""
        if len(self._unions) > _UNIONS_KEPT:
            self._unions.clear()
        self._unions[key] = union

    def group_idf(self, group: Sequence[str]) -> float:
        """How rare alternatives counted as one term are, as `idf` weighs one term: a passage
        counts once if any of them occurs."""
        if len(group) == 1:
            return self.idf(group[0])
        return lucene_idf(self.size, self._union_frequency(group))

    def _scoring_idf(self, group: Sequence[str], union: int | None = None) -> float:
        """The IDF a group scores with under the ranker's variant: a single known term's own,
        else the variant's IDF of the union of the alternatives' passages (`union` passages,
        when the caller has counted them)."""
        terms = [self.postings.vocabulary[t] for t in dict.fromkeys(group)
                 if t in self.postings.vocabulary]
        if len(terms) == 1 and len(set(group)) == 1:
            return float(self.term_idf[terms[0]])
        if self.variant == "okapi" and self._okapi_floor is None:
            self._okapi_floor = corpus_okapi_floor(self.size,
                                                   self.postings.document_frequencies())
        if union is None:
            union = self._union_frequency(group)
        return group_idf(self.variant, self.size, union, self._okapi_floor or 0.0)

    def rank_groups(
        self, groups: Sequence[Sequence[str]], limit: int,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[int, float]]:
        """BM25 over a structured query: each group of alternatives (a word and its
        translations, best first) is one term, with a union document frequency and summed
        term frequencies, the n-th alternative counting 1/n (the word and its first
        translation fully), so a word with many translations weighs no more than one with a
        single translation and a doubtful sense less than the first. Groups of one term score
        as `rank` does, under the ranker's variant.

        `weights`, one a group, scale each group's BM25 weight (a follow-up's earlier question
        counts less than its new words); a group weighing 0 is left out. None, the default,
        scores every group fully, exactly as without them."""
        if weights is not None:
            if len(weights) != len(groups):
                raise ValueError(f"{len(weights)} weights for {len(groups)} groups")
            groups = [g for g, w in zip(groups, weights, strict=True) if w > 0]
            weights = [w for w in weights if w > 0]
        if self.size == 0 or limit <= 0:
            return []
        if COMPILED and self._form is not None:
            compiled = self._rank_groups_compiled(groups, limit, weights)
            if compiled is not None:
                return compiled
        if self.variant != "plus":  # a group a passage lacks adds nothing to its score
            one_pass = self._rank_groups_in_one_pass(groups, limit, weights)
            if one_pass is not None:
                return one_pass
            return self._rank_groups_scattered(groups, limit, weights)
        docs = np.asarray(self.candidates([t for g in groups for t in g]), dtype=np.int64)
        if not len(docs):
            return []
        norm = self._norm[docs]
        scores = np.zeros(len(docs), dtype=np.float64)
        for i, group in enumerate(groups):
            weighted = self._alternatives(group)
            if not weighted:
                continue
            tf = sum(w * self._frequencies(t, docs) for w, t in weighted)
            score = term_weight(self.variant, self._scoring_idf(group), tf, norm, self.k1)
            # Unweighted, the sum is rounded exactly as it always was (no multiplication).
            scores += score if weights is None else weights[i] * score
        return _top(docs, scores, limit)

    def _alternatives(self, group: Sequence[str]) -> list[tuple[float, int]]:
        """(share, term id) of each of a group's alternatives the collection has: the n-th
        counts 1/n, the word and its first translation fully."""
        vocabulary = self.postings.vocabulary
        return [(1.0 / max(n, 1), vocabulary[t])
                for n, t in enumerate(dict.fromkeys(group)) if t in vocabulary]

    def _rank_groups_compiled(
        self, groups: Sequence[Sequence[str]], limit: int, weights: Sequence[float] | None,
    ) -> list[tuple[int, float]] | None:
        """`rank_groups` through the compiled loop, each group a unit bounded as `_groups_read`
        bounds it, or None when a group's IDF is not positive (Okapi's floor), which bounds
        do not allow for. The same sums in the same order as the other paths: the same
        scores."""
        setups = self._group_setups(groups)
        kept = [i for i, setup in enumerate(setups) if setup is not None]
        found = [setup for setup in setups if setup is not None]
        if not found:
            return []
        idf = np.fromiter((g.idf for g in found), np.float64, len(found))
        if float(idf.min()) <= 0:
            return None
        starts = np.zeros(len(found) + 1, dtype=np.int64)
        np.cumsum([len(g.terms) for g in found], out=starts[1:])
        bound = np.fromiter((g.bound for g in found), np.float64, len(found))
        ones = np.ones(len(found))
        scale = ones
        if weights is not None:
            scale = np.asarray(weights)[kept]
            bound *= scale
        return self._ranked(np.concatenate([g.terms for g in found]),
                            np.concatenate([g.shares for g in found]), starts, idf, scale,
                            ones, bound, np.arange(len(found), dtype=np.int64), limit)

    def _ranked(
        self, terms: np.ndarray, shares: np.ndarray, starts: np.ndarray, idf: np.ndarray,
        scale: np.ndarray, count: np.ndarray, bound: np.ndarray, positions: np.ndarray,
        limit: int,
    ) -> list[tuple[int, float]]:
        """The compiled loop's best `limit` for these units (`bot.core.topk.ranked`), with
        accumulators lent for the question."""
        p = self.postings
        with self._accumulators.lend() as (sums, frequency):
            docs, scores, _ = ranked(
                terms, shares, starts, idf, scale, count, bound, positions, p.offsets,
                p.passages, p.frequencies, self._norm, self._knorm, self._loose, limit,
                self._form, self.k1 + 1, self.k1, L_DELTA, sums, frequency, GALLOP)
        return list(zip(docs.tolist(), scores.tolist(), strict=True))

    def _group_setups(self, groups: Sequence[Sequence[str]]) -> list[_Group | None]:
        """Each group as the compiled loop reads it (`_groups_read`), or None when the
        collection has none of its alternatives: remembered by group, since the same words
        and their translations come back question after question, and at 10,000 passages
        making them costs more than the ranking."""
        keys = [tuple(g) for g in groups]
        out = [self._groups.get(key, _UNSEEN) for key in keys]
        new = [i for i, setup in enumerate(out) if setup is _UNSEEN]
        if new:
            found = {i: self._alternatives(groups[i]) for i in new}
            present = [i for i in new if found[i]]
            if len(self._groups) > _GROUPS_KEPT:
                self._groups.clear()
            for i in new:
                out[i] = None
            read = self._groups_read([groups[i] for i in present], [found[i] for i in present])
            for i, setup in zip(present, read, strict=True):
                out[i] = setup
            for i in new:
                self._groups[keys[i]] = out[i]
        return out  # type: ignore[return-value]

    def _groups_read(
        self, groups: list[Sequence[str]], found: list[list[tuple[float, int]]],
    ) -> list[_Group]:
        """Each group's alternatives (share, term id, as `found` lists them), the IDF it
        scores with, and the most its weight is in any passage: for a lone term counted
        fully, its best weight (known already) at the group's IDF; for the others, their
        postings read once, in compiled code (`union_peaks`), for the union frequency and
        the highest weight (to a few float32 roundings above). Tight bounds matter here: the
        sum of the members' best weights (what concavity allows) is twice the peak on
        bench.py's collections, and pruning started so late that a grouped question added
        six times the postings."""
        terms = [np.asarray([t for _, t in f], dtype=np.int64) for f in found]
        shares = [np.asarray([share for share, _ in f]) for f in found]
        offsets = self.postings.offsets
        sizes = [int(offsets[t[0] + 1] - offsets[t[0]]) for t in terms]
        peaks: dict[int, float] = {}
        merged = [g for g, f in enumerate(found) if len(f) > 1 or f[0][0] != 1.0]
        if merged:
            starts = np.zeros(len(merged) + 1, dtype=np.int64)
            np.cumsum([len(terms[g]) for g in merged], out=starts[1:])
            with self._accumulators.lend() as (_, frequency):
                counted, highest = union_peaks(
                    np.concatenate([terms[g] for g in merged]),
                    np.concatenate([shares[g] for g in merged]), starts, offsets,
                    self.postings.passages, self.postings.frequencies, self._norm,
                    self._knorm, self._form, self.k1 + 1, self.k1, L_DELTA, frequency)
            for g, size, peak in zip(merged, counted.tolist(), highest.tolist(), strict=True):
                sizes[g] = size
                peaks[g] = peak
                if len(terms[g]) > 1:  # for `group_idf`, which relevance asks next
                    self._remember_union(tuple(sorted(terms[g].tolist())), size)
        out = []
        for g, group in enumerate(groups):
            idf = self._scoring_idf(group, sizes[g])
            if g in peaks:
                bound = idf * peaks[g]
            else:
                t = terms[g][0]
                bound = idf * float(self.best[t] / self.term_idf[t])
            out.append(_Group(terms[g], shares[g], idf, bound))
        return out

    def _rank_groups_in_one_pass(
        self, groups: Sequence[Sequence[str]], limit: int, weights: Sequence[float] | None,
    ) -> list[tuple[int, float]] | None:
        """`rank_groups` in a few calls whatever the number of groups, or None when the
        groups' postings are long or there are too many (group, passage) pairs to count
        (a large collection: `_rank_groups_scattered` then). Every posting of every
        alternative at once: `np.bincount` adds each (group, passage)'s weighted frequencies
        in the alternatives' order, then each passage's group weights in the groups' order,
        from 0.0, as the scattered path adds them, so the scores are the same to the bit."""
        kept: list[int] = []  # the groups with an alternative the collection has
        rows: list[tuple[int, float, int]] = []  # (kept group, share, term id)
        for i, group in enumerate(groups):
            alternatives = self._alternatives(group)
            if alternatives:
                rows += [(len(kept), share, t) for share, t in alternatives]
                kept.append(i)
        if not kept:
            return []
        pairs = len(kept) * self.size
        if pairs > _ONE_PASS_PAIRS:
            return None
        terms = np.asarray([t for *_, t in rows], dtype=np.int64)
        offsets = self.postings.offsets
        starts = offsets[terms]
        lengths = offsets[terms + 1] - starts
        total = int(lengths.sum())
        if total > _ONE_PASS:
            return None
        ends = np.cumsum(lengths)
        at = np.arange(total) + np.repeat(starts - ends + lengths, lengths)
        ids = self.postings.passages[at].astype(np.int64)
        shares = np.repeat(np.asarray([share for _, share, _ in rows]), lengths)
        owner = np.repeat(np.asarray([g for g, *_ in rows], dtype=np.int64), lengths)
        frequency = np.bincount(owner * self.size + ids,
                                weights=shares * self.postings.frequencies[at],
                                minlength=pairs)
        held = frequency != 0  # nonzero on booleans is several times faster than on floats
        unions = np.count_nonzero(held.reshape(len(kept), self.size), axis=1)
        idf = np.asarray([self._scoring_idf(groups[i], int(unions[g]))
                          for g, i in enumerate(kept)])
        found = np.flatnonzero(held)  # by group, then passage
        group_of = found // self.size
        passage_of = found - group_of * self.size
        score = term_weight(self.variant, idf[group_of], frequency[found],
                            self._norm[passage_of], self.k1)
        if weights is not None:
            score = np.asarray(weights)[kept][group_of] * score
        scores = np.bincount(passage_of, weights=score, minlength=self.size)
        hit = np.zeros(self.size, dtype=bool)
        hit[passage_of] = True
        docs = np.flatnonzero(hit)
        return _top(docs, scores[docs], limit)

    def _rank_groups_scattered(
        self, groups: Sequence[Sequence[str]], limit: int, weights: Sequence[float] | None,
    ) -> list[tuple[int, float]]:
        """`rank_groups` from the postings alone, for variants where a group a passage lacks
        weighs 0: each group's weighted frequencies are added into one array the size of
        the collection at its passages, then weighed and added to theirs, so no passage
        outside a group's postings is looked at for it, and no list is searched or sorted.

        Exact, value for value: each passage's frequency is 0.0 plus its alternatives'
        weighted counts in the group's order, and its score 0.0 plus its groups' weights in
        query order, as `rank_groups` adds them (a lacking group added 0.0 there, which
        changes no sum)."""
        # The group's frequencies so far (0 where it has none yet: every share and count is
        # positive, and they are reset after each group), the scores, the passages seen.
        frequency = np.zeros(self.size)
        scores = np.zeros(self.size)
        hit = np.zeros(self.size, dtype=bool)
        for i, group in enumerate(groups):
            alternatives = self._alternatives(group)
            if not alternatives:
                continue
            if len(alternatives) == 1:  # its own postings: 0.0 + share x count, as below
                share, t = alternatives[0]
                union, tf = self.postings.slice(t)
                tf_union = share * tf
            else:
                parts = []
                for share, t in alternatives:
                    ids, tf = self.postings.slice(t)
                    so_far = frequency[ids]
                    parts.append(ids[so_far == 0])  # the group's union grows by these
                    frequency[ids] = so_far + share * tf  # a term's passages are distinct
                union = np.concatenate(parts)
                tf_union = frequency[union]
                frequency[union] = 0.0
            hit[union] = True
            score = term_weight(self.variant, self._scoring_idf(group, len(union)), tf_union,
                                self._norm[union], self.k1)
            scores[union] += score if weights is None else weights[i] * score
        docs = np.flatnonzero(hit)
        if not len(docs):
            return []
        return _top(docs, scores[docs], limit)

    def rank(self, query: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """Best passages first as (index, score); ties go to the earlier passage."""
        vocabulary = self.postings.vocabulary
        # rank-bm25 gives unseen terms no weight at all, and counts a repeated term twice.
        order = [vocabulary[term] for term in query if term in vocabulary]
        if not order or limit <= 0:
            return []
        if COMPILED and self._form is not None:
            p = self.postings
            with self._accumulators.lend() as (sums, frequency):
                docs, scores, _ = ranked_terms(
                    np.asarray(order, dtype=np.int64), p.offsets, p.passages, p.frequencies,
                    self._norm, self._knorm, self._loose, self.term_idf, self.best, limit,
                    self._form, self.k1 + 1, self.k1, L_DELTA, sums, frequency, GALLOP)
            return list(zip(docs.tolist(), scores.tolist(), strict=True))
        one_pass = self._rank_in_one_pass(order, limit)
        if one_pass is not None:
            return one_pass
        counts: dict[int, int] = {}
        for t in order:
            counts[t] = counts.get(t, 0) + 1
        terms = sorted(counts, key=lambda t: (self.postings.offsets[t + 1]
                                              - self.postings.offsets[t], t))
        absent = {t: float(self._absent[t]) for t in terms}
        best = {t: max(float(self.best[t]), absent[t]) for t in terms}
        # The first batch takes every rare term at once: scoring a batch costs a few numpy
        # calls per query term, so fewer, larger batches are cheaper than one term at a time.
        df = {t: int(self.postings.offsets[t + 1] - self.postings.offsets[t]) for t in terms}
        first = 1
        while first < len(terms) and df[terms[first]] <= self.size // _RARE:
            first += 1
        seen = np.zeros(self.size, dtype=bool)
        docs: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        leaders = _Leaders(limit)
        done = 0
        for batch in [terms[:first]] + [[t] for t in terms[first:]]:
            if len(batch) > 1:
                ids = np.concatenate([self.postings.slice(t)[0] for t in batch])
                new = np.unique(ids[~seen[ids]])
                seen[new] = True
            else:
                new = self._promising(batch[0], terms, done, counts, absent, best, seen,
                                      leaders.threshold)
            if len(new):
                kept, kept_scores = self._score_pruned(
                    order, new, terms, done, counts, absent, best, leaders.threshold
                )
                docs.append(kept)
                scores.append(kept_scores)
                leaders.add(kept_scores)
            done += len(batch)
            if done < len(terms) and _bound(terms, done, counts, absent, best) < leaders.threshold:
                # No passage outside the postings scored so far can reach the top `limit`.
                break
        if not docs:  # every passage was pruned: none can score above zero
            return []
        return _top(np.concatenate(docs), np.concatenate(scores), limit)

    def _rank_in_one_pass(self, order: list[int], limit: int) -> list[tuple[int, float]] | None:
        """The top `limit` from every posting of the question's terms at once, or None when
        pruning would cost less (long postings, a large collection) or cannot be skipped.

        Exact: each posting's weight is rank-bm25's expression, element for element, and
        bincount adds the weights in array order, i.e. each passage's in query order (a
        repeated term's postings come twice), from 0.0, as rank-bm25's loop does. A term's
        absent weight must then be 0.0 (every variant but BM25Plus), as rank-bm25 adds it.
        """
        terms = np.asarray(order, dtype=np.int64)
        offsets = self.postings.offsets
        starts = offsets[terms]
        lengths = offsets[terms + 1] - starts
        total = int(lengths.sum())
        if total + self.size // 4 > _ONE_PASS or self._absent[terms].any():
            return None
        # Each term's posting positions, one after another: a run of aranges in one call.
        ends = np.cumsum(lengths)
        at = np.arange(total) + np.repeat(starts - ends + lengths, lengths)
        ids = self.postings.passages[at]
        tf = self.postings.frequencies[at].astype(np.int64)
        weights = term_weight(self.variant, np.repeat(self.term_idf[terms], lengths), tf,
                              self._norm[ids], self.k1)
        scores = np.bincount(ids, weights=weights, minlength=self.size)
        docs = np.flatnonzero(scores > 0)
        return _top(docs, scores[docs], limit)

    def _promising(
        self, t: int, terms: list[int], done: int, counts: dict[int, int],
        absent: dict[int, float], best: dict[int, float], seen: np.ndarray, threshold: float,
    ) -> np.ndarray:
        """Term t's passages not scored yet that could still reach the threshold (all marked)."""
        ids, tf = self.postings.slice(t)
        fresh = ~seen[ids]
        seen[ids] = True
        if len(ids) < _PRUNE_FROM:
            return ids[fresh]
        # Their own weight for t, at most the best of every later term, none of the earlier.
        rest = _bound(terms, done + 1, counts, absent, best) - counts[t] * absent[t]
        if self.term_idf[t] > 0:
            # Weights grow with tf and shrink with length: a passage as short as the shortest
            # still needs `least` occurrences, which drops most postings in one comparison.
            top = counts[t] * self._weights(t, _LEVELS, self._shortest) + rest + _slop(rest)
            reach = top >= threshold
            least = int(_LEVELS[reach.argmax()]) if reach[-1] else len(_LEVELS) + 1
            if least > 1:
                fresh &= tf >= least
        ids = ids[fresh]
        weights = self._weights(t, tf[fresh].astype(np.int64), self._norm[ids])
        return ids[counts[t] * weights + rest + _slop(rest) >= threshold]


# Relative room left on a scaled bound for the rounding of the scaling itself.
_BOUND_ROOM = 1e-9


def _scaled_bounds(
    old: Ranker, postings: Postings, renumbered: np.ndarray, idf: np.ndarray
) -> np.ndarray | None:
    """Upper bounds of each term's weight after an update, from the old ranker's (zero for a
    term it did not have), or None when they cannot be scaled safely.

    Every variant's weight is the IDF times a factor that grows with the term frequency and
    shrinks as the length norm 1 - b + b * dl / avgdl grows; when the average length grows
    by r > 1 a passage's norm shrinks by at most r, and the factor then grows by at most r
    (it is concave in tf / norm, or of the form tf / (tf + k1 * norm)). So old bound / old
    IDF x new IDF x max(1, r) bounds every kept posting's new weight."""
    before = old.term_idf
    if len(before) and float(before.min()) <= 0:
        return None
    scale = max(1.0, postings.average_length / old.postings.average_length
                if old.postings.average_length else 1.0) * (1 + _BOUND_ROOM)
    best = np.zeros(len(postings.vocabulary), dtype=np.float64)
    src = np.flatnonzero(renumbered >= 0)
    dst = renumbered[src]
    best[dst] = old.best[src] / before[src] * idf[dst] * scale
    return best


def _dense_frequencies(postings: Postings, df: np.ndarray) -> dict[int, np.ndarray]:
    """Each very common term's frequency in every passage (0 where absent), by term id."""
    size = postings.size
    if not size:
        return {}
    room = _DENSE_BYTES // (size * postings.frequencies.itemsize)
    common = np.flatnonzero(df >= max(size / _DENSE_FROM, 1))
    common = common[np.argsort(-df[common], kind="stable")][:room]
    out = {}
    for t in common.tolist():
        ids, tf = postings.slice(t)
        dense = np.zeros(size, dtype=postings.frequencies.dtype)
        dense[ids] = tf
        out[t] = dense
    return out


def _slop(value: float) -> float:
    """Room for float rounding when comparing sums of weights."""
    return 1e-9 * abs(value) + 1e-12


def _bound(
    terms: list[int], done: int, counts: dict[int, int], absent: dict[int, float],
    best: dict[int, float],
) -> float:
    """The best score of a passage holding none of terms[:done], rounded up."""
    bound = sum(counts[t] * absent[t] for t in terms[:done])
    bound += sum(counts[t] * best[t] for t in terms[done:])
    return bound + _slop(bound)


@dataclass(frozen=True, slots=True)
class _Group:
    """A group of a structured question as the compiled loop reads it: its alternatives'
    term ids and shares, the IDF it scores with, the most it adds to a passage unweighted."""

    terms: np.ndarray
    shares: np.ndarray
    idf: float
    bound: float


class _Accumulators:
    """Pairs of float32 arrays the collection's size, all zero, for the compiled loop (each
    passage's sum so far, and its frequency of the group being added): each pair lent to one
    question at a time and given back zero, as the loop leaves it, so questions ranked at
    once in several threads never share one, and no more are made than ever ran at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free: list[tuple[np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lend(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        with self._lock:
            pair = self._free.pop() if self._free else None
        if pair is None:
            pair = np.zeros(self.size, np.float32), np.zeros(self.size, np.float32)
        yield pair  # not given back if the loop failed: it may not be zero any more
        with self._lock:
            self._free.append(pair)


class _Leaders:
    """The best `limit` positive scores seen so far, kept as they arrive: their lowest is
    the threshold a passage must beat strictly to enter."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.scores = np.zeros(0)
        # Until `limit` are found anything positive gets in; "< threshold" = "not positive".
        self.threshold = _TINY

    def add(self, scores: np.ndarray) -> None:
        found = np.concatenate((self.scores, scores[scores > 0]))
        if len(found) > self.limit:
            found = -np.partition(-found, self.limit - 1)[: self.limit]
        self.scores = found
        if len(found) == self.limit:
            self.threshold = float(found.min())


def _top(docs: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` best positive scores, ties to the lower passage index."""
    keep = scores > 0
    docs, scores = docs[keep], scores[keep]
    if len(scores) > limit:
        # Partition on the candidates only, then keep every tie of the k-th for the sort.
        kth = -np.partition(-scores, limit - 1)[limit - 1]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order]
