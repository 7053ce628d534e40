"""A question's best passages, in compiled code: the ranker's inner loops.

Pure: postings arrays in, the top passages out. numba compiles these loops to machine code once
per machine (its cache: beside this file, or NUMBA_CACHE_DIR where the package folder is
read-only, as under the systemd unit), so a question costs one call instead of the hundreds of
numpy calls a Python-level MaxScore makes.

One loop ranks every question, plain or cross-lingual (`ranked`): MaxScore term at a time.
The question's units (terms, or groups of a word and its translations) are added into an
accumulator the size of the collection rarest first, every posting, until the units left
could not together lift a passage not yet seen to the k-th sum so far; the common units'
long postings are then read only at the passages still in contention, which are dropped as
soon as they cannot reach the k-th. Rare terms decide most of a score, so most of a common
term's postings are never weighed.

Each score returned is exact: the sums in rarity order only choose the contenders; the few
within float rounding of the k-th are scored again with rank-bm25's float64 expression
(`bot.core.bm25.term_weight`), units in the question's order (a repeated term twice) from 0.0,
so the scores are rank-bm25's to the bit, and ties go to the earlier passage.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - numba is a dependency; the numpy path stays exact
    njit = None

# Variants' term weights as the loops compute them (bot.core.bm25.term_weight's expressions).
OKAPI_FORM = 0  # lucene and okapi: idf * (tf * (k1 + 1) / (tf + k1 * norm))
L_FORM = 1  # BM25L: idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta), ctd = tf / norm
FORMS = {"lucene": OKAPI_FORM, "okapi": OKAPI_FORM, "l": L_FORM}
# A unit is looked up passage by passage (galloping) while its contenders are fewer than its
# postings / GALLOP, else read off its postings: measured with a prototype of this loop on
# bench.py's collections, 16 was as fast as 4 or 64 at 10,000, 100,000 and a million passages.
GALLOP = 16


def _compile(function):  # type: ignore[no-untyped-def]
    """numba's compiled version of function, cached on disk where numba may write."""
    if njit is None:  # pragma: no cover
        return None
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError:  # no folder to cache in (read-only install, no NUMBA_CACHE_DIR)
        return njit(cache=False, nogil=True)(function)


def _weight(form, idf, tf, norm, knorm, doc, c, k1, delta):  # type: ignore[no-untyped-def]
    """A weight at passage doc, operation for operation as `term_weight` evaluates it (c is
    k1 + 1 and knorm k1 * norm, computed as numpy computes them). Each formula reads only the
    array it needs: a passage's entry is mostly a cache miss in a large collection."""
    if form == OKAPI_FORM:
        return idf * (tf * c / (tf + knorm[doc]))
    ctd = tf / norm[doc]
    return idf * tf * c * (ctd + delta) / (k1 + ctd + delta)


def _slop(value, eps):  # type: ignore[no-untyped-def]
    """Room for rounding when comparing sums of weights: eps of the value, plus 1e-12."""
    return eps * abs(value) + 1e-12


def _advance(passages, at, end, target):  # type: ignore[no-untyped-def]
    """The first position in [at, end) whose passage is at least target (end if none):
    galloping, so a long list is crossed in steps that double, then a binary search."""
    if at >= end or passages[at] >= target:
        return at
    prev = at
    step = 1
    nxt = at + 1
    while nxt < end and passages[nxt] < target:
        prev = nxt
        step *= 2
        nxt = prev + step
    lo = prev + 1
    hi = min(nxt, end)
    while lo < hi:
        mid = (lo + hi) // 2
        if passages[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _offer(top_docs, top_scores, filled, worst, doc, score):  # type: ignore[no-untyped-def]
    """Let (doc, score) into the best len(top_docs) if it belongs there: a positive score,
    above the worst kept, or equal to it from an earlier passage. Returns the new count and
    the slot of the worst kept (lowest score, latest passage among ties)."""
    limit = len(top_docs)
    if filled < limit:
        if score <= 0.0:
            return filled, worst
        top_docs[filled] = doc
        top_scores[filled] = score
        filled += 1
        if filled < limit:
            return filled, worst
    elif score > top_scores[worst] or (score == top_scores[worst] and doc < top_docs[worst]):
        top_docs[worst] = doc
        top_scores[worst] = score
    else:
        return filled, worst
    worst = 0
    for s in range(1, limit):
        if top_scores[s] < top_scores[worst] or (
                top_scores[s] == top_scores[worst] and top_docs[s] > top_docs[worst]):
            worst = s
    return filled, worst


def _sorted(top_docs, top_scores, filled):  # type: ignore[no-untyped-def]
    """The first `filled` found, best first, ties to the lower passage (an insertion sort:
    there are at most `limit`)."""
    for s in range(1, filled):
        d, v = top_docs[s], top_scores[s]
        r = s - 1
        while r >= 0 and (top_scores[r] < v or (top_scores[r] == v and top_docs[r] > d)):
            top_docs[r + 1] = top_docs[r]
            top_scores[r + 1] = top_scores[r]
            r -= 1
        top_docs[r + 1] = d
        top_scores[r + 1] = v
    return top_docs[:filled], top_scores[:filled]


def _kth(acc, docs, count, limit):  # type: ignore[no-untyped-def]
    """The limit-th highest of acc over the passages docs[:count] (0.0 if there are fewer):
    a lower bound of the limit-th score, as every sum only rises."""
    best = np.zeros(limit)
    low = 0
    for x in range(count):
        v = acc[docs[x]]
        if v > best[low]:
            best[low] = v
            for s in range(limit):
                if best[s] < best[low]:
                    low = s
    return best[low]


def _unit_weight(first, last, alternatives, shares, at, end, offsets, passages, frequencies,
                 doc, seek, scale, idf, norm, knorm, form, c, k1,
                 delta):  # type: ignore[no-untyped-def]
    """A unit's weight at passage doc, 0.0 if none of its alternatives
    (alternatives[first:last]) is there: its frequency 0.0 plus share x count of each one
    there, in order, weighed at idf and scaled. With `seek` each alternative's cursor
    (at[a], end[a]) jumps to doc, else each is searched from its postings' start."""
    tf = 0.0
    held = False
    for a in range(first, last):
        t = alternatives[a]
        if seek:
            at[a] = _advance(passages, at[a], end[a], doc)
            p = at[a]
            stop = end[a]
        else:
            stop = offsets[t + 1]
            p = _advance(passages, offsets[t], stop, doc)
        if p < stop and passages[p] == doc:
            tf += shares[a] * frequencies[p]
            held = True
    return scale * _weight(form, idf, tf, norm, knorm, doc, c, k1, delta) if held else 0.0


def _marked(bits, doc):  # type: ignore[no-untyped-def]
    """Whether passage doc's bit is set."""
    return (bits[doc >> 6] >> np.uint64(doc & 63)) & np.uint64(1) != 0


def _add_unit(g, alternatives, shares, starts, unit_idf, unit_scale, count, offsets, passages,
              frequencies, norm, knorm, form, c, k1, delta, acc, frequency, touched, seen,
              live, bits):  # type: ignore[no-untyped-def]
    """Adds unit g's weight (times its count) into acc at every passage it holds, from every
    posting: where `live`, only at the contenders (marked in bits, one bit a passage: an
    eighth of a megabyte at a million passages, which stays in the processor's cache where
    the sums do not), else at every one, those that held nothing noted in touched[seen:].
    Returns the new `seen` and the highest sum reached."""
    top = 0.0
    first, last = starts[g], starts[g + 1]
    scale = count[g] * unit_scale[g]
    idf = unit_idf[g]
    if last - first == 1:  # one alternative: no frequencies to sum first
        t = alternatives[first]
        share = shares[first]
        for p in range(offsets[t], offsets[t + 1]):
            doc = passages[p]
            if live and not _marked(bits, doc):
                continue
            v = acc[doc]
            if v == 0.0:
                touched[seen] = doc
                seen += 1
            v += scale * _weight(form, idf, share * frequencies[p], norm, knorm, doc, c, k1,
                                 delta)
            acc[doc] = v
            top = max(top, v)
        return seen, top
    held = 0
    for a in range(first, last):
        held += offsets[alternatives[a] + 1] - offsets[alternatives[a]]
    union = np.empty(min(held, len(acc)), np.int32)
    held = 0
    for a in range(first, last):
        t = alternatives[a]
        for p in range(offsets[t], offsets[t + 1]):
            doc = passages[p]
            if live and not _marked(bits, doc):
                continue
            if frequency[doc] == 0.0:
                union[held] = doc
                held += 1
            frequency[doc] += shares[a] * frequencies[p]
    for x in range(held):
        doc = union[x]
        v = acc[doc]
        if v == 0.0:
            touched[seen] = doc
            seen += 1
        v += scale * _weight(form, idf, frequency[doc], norm, knorm, doc, c, k1, delta)
        frequency[doc] = 0.0
        acc[doc] = v
        top = max(top, v)
    return seen, top


def _ranked(alternatives, shares, starts, unit_idf, unit_scale, count, bound, positions,
            offsets, passages, frequencies, norm, knorm, loose, limit, form, c, k1, delta, acc,
            frequency, gallop):  # type: ignore[no-untyped-def]
    """(passages, scores, postings added everywhere) of the `limit` best for a question of
    units, by MaxScore term at a time.

    Unit g is a term, or a group of alternatives (alternatives[starts[g]:starts[g + 1]], term
    ids, each with its share): its frequency in a passage is 0.0 plus share x count of each
    alternative there, in order, its weight unit_scale[g] x the weight of that frequency at
    unit_idf[g], and it occurs count[g] times in the question, adding at most bound[g]
    (count included) to any passage; `positions` are the units in the question's order, a
    repeated one each time. `acc` and `frequency` are zero for every passage, and left so.

    Choosing reads float32 (`loose`: knorm for Okapi's form, norm for BM25L's, rounded to
    float32; `acc` and `frequency` float32): at a million passages the arrays read at random
    are then 4 MB each, not 8, and more of them stays in the processor's cache (measured: a
    third less time, p50 and p95). Each weight and sum is then within a few float32 roundings
    of its float64 value, and every comparison allows for that many (`eps`); the exact
    scoring at the end reads float64 `norm` and `knorm`.

    Units are added into acc rarest first, at every posting, until the units left could not
    together lift a passage not yet seen to the limit-th sum so far; from then on they are
    added only at the contenders, the passages whose sum plus what the units left could add
    still reaches it (each looked up, galloping, while they are fewer than a unit's postings /
    `gallop`, else read off its postings against their marks in a bitmap), and a contender is
    dropped once it cannot. Sums in rarity order only choose: the passages within float rounding of the
    limit-th are scored again exactly, units in question order, and those scores decide."""
    n = len(count)
    # Each float32 weight is within a rounding or two of its float64 value (the group's
    # frequency adds one per alternative, the sum one per unit): room for four times that.
    eps = max(1e-9, (len(alternatives) + n + 4) * 2.0**-22)
    size = np.zeros(n, np.int64)  # each unit's postings, its cost to read
    for g in range(n):
        for a in range(starts[g], starts[g + 1]):
            size[g] += offsets[alternatives[a] + 1] - offsets[alternatives[a]]
    rarest = np.argsort(size, kind="mergesort")
    rest = np.zeros(n + 1)  # what the units from the i-th rarest on could add, at most
    for i in range(n - 1, -1, -1):
        rest[i] = rest[i + 1] + bound[rarest[i]]
    touched = np.empty(min(size.sum(), len(acc)), np.int32)
    bits = np.zeros(0, np.uint64)  # the contenders, once there are some
    seen = 0
    high = 0.0  # the highest sum so far
    threshold = 0.0  # the limit-th sum so far, when it was last needed
    added = 0
    i = 0
    while i < n:
        seen, top = _add_unit(rarest[i], alternatives, shares, starts, unit_idf, unit_scale,
                              count, offsets, passages, frequencies, loose, loose, form, c, k1,
                              delta, acc, frequency, touched, seen, False, bits)
        added += size[rarest[i]]
        high = max(high, top)
        i += 1
        left = rest[i] + _slop(rest[i], eps)
        if i < n and left < high:  # else no limit-th sum can exceed what the rest could add
            threshold = _kth(acc, touched, seen, limit)
            if left < threshold:
                break  # no passage not seen yet can enter
    contenders = touched
    kept = seen
    at = np.empty(len(alternatives), np.int64)  # the alternatives' cursors, when galloping
    end = np.empty(len(alternatives), np.int64)
    if i < n:
        contenders = np.empty(seen, np.int32)
        bits = np.zeros(len(acc) // 64 + 1, np.uint64)
        kept = _contenders(acc, touched, seen, contenders, rest[i], threshold, bits, eps)
        ascending = False
        for j in range(i, n):
            g = rarest[j]
            if kept * gallop < size[g]:
                if not ascending:
                    contenders[:kept] = np.sort(contenders[:kept])
                    ascending = True
                for a in range(starts[g], starts[g + 1]):
                    at[a] = offsets[alternatives[a]]
                    end[a] = offsets[alternatives[a] + 1]
                scale = count[g] * unit_scale[g]
                for x in range(kept):
                    doc = contenders[x]
                    acc[doc] += _unit_weight(starts[g], starts[g + 1], alternatives, shares,
                                             at, end, offsets, passages, frequencies, doc,
                                             True, scale, unit_idf[g], loose, loose, form, c,
                                             k1, delta)
            else:
                _add_unit(g, alternatives, shares, starts, unit_idf, unit_scale, count,
                          offsets, passages, frequencies, loose, loose, form, c, k1, delta,
                          acc, frequency, touched, seen, True, bits)
            threshold = max(threshold, _kth(acc, contenders, kept, limit))
            kept = _contenders(acc, contenders, kept, contenders, rest[j + 1], threshold, bits,
                               eps)
    cut = _kth(acc, contenders, kept, limit)
    cut -= 2 * _slop(cut, eps)
    best_docs = np.empty(limit, np.int64)
    best_scores = np.empty(limit)
    filled = 0
    worst = 0
    for x in range(kept):
        doc = contenders[x]
        if acc[doc] >= cut:
            score = 0.0
            for j in range(len(positions)):
                g = positions[j]
                score += _unit_weight(starts[g], starts[g + 1], alternatives, shares, at, end,
                                      offsets, passages, frequencies, doc, False,
                                      unit_scale[g], unit_idf[g], norm, knorm, form, c, k1,
                                      delta)
            filled, worst = _offer(best_docs, best_scores, filled, worst, doc, score)
    for x in range(seen):
        acc[touched[x]] = 0.0
    docs, scores = _sorted(best_docs, best_scores, filled)
    return docs, scores, added


def _ranked_terms(order, offsets, passages, frequencies, norm, knorm, loose, idf, best, limit,
                  form, c, k1, delta, acc, frequency, gallop):  # type: ignore[no-untyped-def]
    """`_ranked` for a plain question, the term ids `order` (repeats included): each distinct
    term a unit of its count, bounded by count x its best weight."""
    m = len(order)
    terms = np.empty(m, np.int64)
    count = np.zeros(m)
    positions = np.empty(m, np.int64)
    n = 0
    for j in range(m):
        u = 0
        while u < n and terms[u] != order[j]:
            u += 1
        if u == n:
            terms[n] = order[j]
            n += 1
        count[u] += 1.0
        positions[j] = u
    terms = terms[:n]
    count = count[:n]
    ones = np.ones(n)
    return _ranked(terms, ones, np.arange(n + 1), idf[terms], ones, count, count * best[terms],
                   positions, offsets, passages, frequencies, norm, knorm, loose, limit, form,
                   c, k1, delta, acc, frequency, gallop)


def _contenders(acc, docs, count, out, left, threshold, bits,
                eps):  # type: ignore[no-untyped-def]
    """Copies into out those of docs[:count] whose sum plus `left` could still reach the
    threshold, in order, and marks them in bits (one per passage), clearing the others' marks;
    returns how many it kept (docs and out may be one array)."""
    kept = 0
    for x in range(count):
        doc = docs[x]
        reach = acc[doc] + left
        bit = np.uint64(1) << np.uint64(doc & 63)
        if reach + _slop(reach, eps) >= threshold:
            out[kept] = doc
            kept += 1
            bits[doc >> 6] |= bit
        else:
            bits[doc >> 6] &= ~bit
    return kept


def _union_peaks(alternatives, shares, starts, offsets, passages, frequencies, norm, knorm,
                 form, c, k1, delta, frequency):  # type: ignore[no-untyped-def]
    """For each group (alternatives[starts[g]:starts[g + 1]], term ids, each with its share):
    in how many passages at least one of them occurs, and the most its weight at IDF 1 can be
    there (its frequency: share x count of each alternative held, in order, as `_add_unit`
    sums it). Each alternative's postings are added into `frequency` (float32, zero, and left
    so), the passages first met noted, then each noted passage weighed: 3 to 4 times faster
    than merging the alternatives' postings (measured on bench.py's collections, a question's
    groups: 0.28 against 0.07 ms at 100,000 passages, 2.8 against 0.86 at a million).

    A float32 frequency is within one rounding an alternative of its float64 sum, and a
    weight grows at most twice as fast as its frequency (BM25L's; Okapi's at most as fast),
    so the peak, raised by (alternatives + 2) float32 roundings, still bounds the group's
    float64 weight; times the group's IDF it bounds the group as a term's best weight bounds a
    term, to the few roundings that the loop's `eps` allows for."""
    groups = len(starts) - 1
    sizes = np.zeros(groups, np.int64)
    peaks = np.zeros(groups)
    for g in range(groups):
        first, last = starts[g], starts[g + 1]
        total = 0
        for a in range(first, last):
            total += offsets[alternatives[a] + 1] - offsets[alternatives[a]]
        union = np.empty(total, np.int32)
        held = 0
        for a in range(first, last):
            t = alternatives[a]
            share = shares[a]
            for p in range(offsets[t], offsets[t + 1]):
                doc = passages[p]
                if frequency[doc] == 0.0:
                    union[held] = doc
                    held += 1
                frequency[doc] += share * frequencies[p]
        peak = 0.0
        for x in range(held):
            doc = union[x]
            tf = np.float64(frequency[doc])
            peak = max(peak, _weight(form, 1.0, tf, norm, knorm, doc, c, k1, delta))
            frequency[doc] = 0.0
        sizes[g] = held
        peaks[g] = peak * (1.0 + (last - first + 2) * 2.0**-23)
    return sizes, peaks


def _held(terms, rows, offsets, passages):  # type: ignore[no-untyped-def]
    """Which of the passages rows each term id of terms occurs in, as (term's position, row's
    position) pairs: a binary search of each term's postings for each row (the relevance
    check asks a few dozen terms about a dozen passages, which numpy did in six calls a term)."""
    pairs = np.empty((len(terms) * len(rows), 2), np.int64)
    found = 0
    for j in range(len(terms)):
        t = terms[j]
        if t < 0:  # not in the collection
            continue
        first, last = offsets[t], offsets[t + 1]
        for i in range(len(rows)):
            at = first + np.searchsorted(passages[first:last], rows[i])
            if at < last and passages[at] == rows[i]:
                pairs[found, 0] = j
                pairs[found, 1] = i
                found += 1
    return pairs[:found]


if njit is not None:
    _weight = _compile(_weight)
    _slop = _compile(_slop)
    _advance = _compile(_advance)
    _offer = _compile(_offer)
    _sorted = _compile(_sorted)
    _kth = _compile(_kth)
    _unit_weight = _compile(_unit_weight)
    _add_unit = _compile(_add_unit)
    _contenders = _compile(_contenders)
    _marked = _compile(_marked)
    _ranked = _compile(_ranked)
    ranked = _ranked
    ranked_terms = _compile(_ranked_terms)
    union_peaks = _compile(_union_peaks)
    held_pairs = _compile(_held)
else:  # pragma: no cover
    ranked = ranked_terms = union_peaks = held_pairs = None


def warm() -> None:
    """Compile (or load from numba's cache) the loop for the arrays an index holds, so that
    the first question does not wait for it: several seconds once per install, a fraction of
    a second from the cache. Only for counts as uint8: `Postings.build` widens them past
    255 (a passage repeating one term that often: a list, a table), and such an index
    compiles its own the first time it is asked, rather than every install paying for all."""
    if ranked is None:  # pragma: no cover
        return
    one = np.ones(1)
    first = np.zeros(1, np.int64)
    offsets = np.array([0, 1], np.int64)
    passages = np.zeros(1, np.int32)
    frequencies = np.ones(1, np.uint8)
    loose = np.ones(1, np.float32)
    zero = np.zeros(1, np.float32)  # the accumulators
    ranked(first, one, offsets, one, one, one, one, first, offsets, passages, frequencies, one,
           one, loose, 1, OKAPI_FORM, 1.9, 0.9, 0.5, zero, zero.copy(), GALLOP)
    ranked_terms(first, offsets, passages, frequencies, one, one, loose, one, one, 1, OKAPI_FORM,
                 1.9, 0.9, 0.5, zero, zero.copy(), GALLOP)
    union_peaks(first, one, offsets, offsets, passages, frequencies, one, one, OKAPI_FORM, 1.9,
                0.9, 0.5, zero.copy())
    held_pairs(first, first, offsets, passages)
