"""A question's best passages by MaxScore, in compiled code: the ranker's inner loop.

Pure: postings arrays in, the top passages out. numba compiles `best_passages` to machine code
once per machine (its cache: beside this file, or NUMBA_CACHE_DIR where the package folder is
read-only, as under the systemd unit), so a question costs one call instead of the hundreds
of numpy calls a Python-level MaxScore makes, and only the postings it needs are read.

Document at a time, in ascending passage order: the terms are sorted by their best possible
weight; the lowest ones, whose bounds together cannot reach the k-th score found so far, are
"non-essential": they only are looked up (a galloping search forward in their postings) for a
passage that an essential term holds, and only while its partial score plus their bounds can
still beat the k-th. Each passage that survives is scored exactly: every term's weight is
rank-bm25's float64 expression, summed in the question's order (a repeated term twice), from
0.0, so the scores are rank-bm25's to the bit. Passages come in ascending order, so a later
passage whose score ties the k-th loses, as ties go to the earlier passage.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - numba is a dependency; the numpy path stays exact
    njit = None

# Variants' term weights as the loop computes them (bot.core.bm25.term_weight's expressions).
OKAPI_FORM = 0  # lucene and okapi: idf * (tf * (k1 + 1) / (tf + k1 * norm))
L_FORM = 1  # BM25L: idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta), ctd = tf / norm
FORMS = {"lucene": OKAPI_FORM, "okapi": OKAPI_FORM, "l": L_FORM}


def _compile(function):  # type: ignore[no-untyped-def]
    """numba's compiled version of function, cached on disk where numba may write."""
    if njit is None:  # pragma: no cover
        return None
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError:  # no folder to cache in (read-only install, no NUMBA_CACHE_DIR)
        return njit(cache=False, nogil=True)(function)


def _weight(form, idf, tf, norm, knorm, c, k1, delta):  # type: ignore[no-untyped-def]
    """One posting's weight, operation for operation as `term_weight` evaluates it (c is
    k1 + 1 and knorm k1 * norm, computed as numpy computes them)."""
    if form == OKAPI_FORM:
        return idf * (tf * c / (tf + knorm))
    ctd = tf / norm
    return idf * tf * c * (ctd + delta) / (k1 + ctd + delta)


def _slop(value):  # type: ignore[no-untyped-def]
    """Room for float rounding when comparing sums of weights (as ranking._slop)."""
    return 1e-9 * abs(value) + 1e-12


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


def _best_passages(order, offsets, passages, frequencies, norm, knorm, idf, best, limit,
                   form, c, k1, delta):  # type: ignore[no-untyped-def]
    """(passages, scores) of the `limit` best positive scores, best first, ties to the lower
    passage, for the term ids `order` (the question's, repeats included)."""
    m = len(order)
    unique = np.empty(m, np.int64)
    count = np.zeros(m, np.int64)
    slot = np.empty(m, np.int64)  # each question position's unique term
    n = 0
    for j in range(m):
        found = -1
        for u in range(n):
            if unique[u] == order[j]:
                found = u
                break
        if found < 0:
            unique[n] = order[j]
            found = n
            n += 1
        count[found] += 1
        slot[j] = found
    bound = np.empty(n)
    for u in range(n):
        bound[u] = count[u] * best[unique[u]]
    by_bound = np.argsort(bound, kind="mergesort")  # lowest bound first
    term = np.empty(n, np.int64)
    times = np.empty(n, np.int64)
    below = np.empty(n)  # the bounds of this term and every lower one, summed
    at = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    total = 0.0
    for i in range(n):
        u = by_bound[i]
        term[i] = unique[u]
        times[i] = count[u]
        total += bound[u]
        below[i] = total
        at[i] = offsets[unique[u]]
        end[i] = offsets[unique[u] + 1]
    weights = np.zeros(n)  # by unique term, for the passage being scored
    top_docs = np.empty(limit, np.int64)
    top_scores = np.empty(limit)
    filled = 0
    threshold = 0.0
    worst = 0  # the slot of the k-th: lowest score, the latest passage among ties
    essential = 0  # terms[:essential] cannot bring a passage in alone
    none = np.iinfo(np.int64).max
    while True:
        doc = none
        for i in range(essential, n):
            if at[i] < end[i] and passages[at[i]] < doc:
                doc = passages[at[i]]
        if doc == none:
            break
        partial = 0.0
        for u in range(n):
            weights[u] = 0.0
        for i in range(essential, n):
            if at[i] < end[i] and passages[at[i]] == doc:
                w = _weight(form, idf[term[i]], float(frequencies[at[i]]), norm[doc],
                            knorm[doc], c, k1, delta)
                weights[by_bound[i]] = w
                partial += times[i] * w
                at[i] += 1
        dropped = False
        for i in range(essential - 1, -1, -1):
            reach = partial + below[i]
            if reach + _slop(reach) < threshold:
                dropped = True
                break
            at[i] = _advance(passages, at[i], end[i], doc)
            if at[i] < end[i] and passages[at[i]] == doc:
                w = _weight(form, idf[term[i]], float(frequencies[at[i]]), norm[doc],
                            knorm[doc], c, k1, delta)
                weights[by_bound[i]] = w
                partial += times[i] * w
        if dropped:
            continue
        score = 0.0
        for j in range(m):
            score += weights[slot[j]]
        if filled < limit:
            if score <= 0.0:
                continue
            top_docs[filled] = doc
            top_scores[filled] = score
            filled += 1
            if filled < limit:
                continue
        elif score > threshold:
            top_docs[worst] = doc
            top_scores[worst] = score
        else:
            continue
        worst = 0
        for s in range(1, limit):
            if top_scores[s] < top_scores[worst] or (
                    top_scores[s] == top_scores[worst] and top_docs[s] > top_docs[worst]):
                worst = s
        threshold = top_scores[worst]
        while essential < n and below[essential] + _slop(below[essential]) < threshold:
            essential += 1
    return _sorted(top_docs, top_scores, filled)


def _union_sizes(alternatives, starts, offsets, passages):  # type: ignore[no-untyped-def]
    """For each group (alternatives[starts[g]:starts[g + 1]], term ids), in how many passages
    at least one of them occurs: their ascending postings merged, each passage counted once."""
    groups = len(starts) - 1
    sizes = np.zeros(groups, np.int64)
    none = np.iinfo(np.int64).max
    for g in range(groups):
        first, last = starts[g], starts[g + 1]
        at = np.empty(last - first, np.int64)
        end = np.empty(last - first, np.int64)
        for a in range(first, last):
            at[a - first] = offsets[alternatives[a]]
            end[a - first] = offsets[alternatives[a] + 1]
        count = 0
        while True:
            doc = none
            for a in range(last - first):
                if at[a] < end[a] and passages[at[a]] < doc:
                    doc = passages[at[a]]
            if doc == none:
                break
            count += 1
            for a in range(last - first):
                if at[a] < end[a] and passages[at[a]] == doc:
                    at[a] += 1
        sizes[g] = count
    return sizes


def _best_grouped(alternatives, shares, starts, group_idf, group_weight, bound, offsets,
                  passages, frequencies, norm, knorm, limit, form, c, k1,
                  delta):  # type: ignore[no-untyped-def]
    """`_best_passages` for a structured question: group g's alternatives are
    alternatives[starts[g]:starts[g + 1]] (term ids, each with its share), its frequency in
    a passage 0.0 plus share x count of each alternative there, in order, its weight
    group_weight[g] x the weight of that frequency at group_idf[g], at most bound[g]; a
    passage's score is 0.0 plus its groups' weights in order, as `Ranker.rank_groups` adds
    them."""
    n = len(group_idf)
    by_bound = np.argsort(bound, kind="mergesort")  # lowest bound first
    below = np.empty(n)
    total = 0.0
    for i in range(n):
        total += bound[by_bound[i]]
        below[i] = total
    # Each alternative's cursor, grouped as by_bound orders the groups: group i (in bound
    # order) owns cursors first[i]:first[i + 1].
    cursors = starts[-1] - starts[0]
    first = np.empty(n + 1, np.int64)
    term = np.empty(cursors, np.int64)
    share = np.empty(cursors)
    at = np.empty(cursors, np.int64)
    end = np.empty(cursors, np.int64)
    k = 0
    for i in range(n):
        first[i] = k
        g = by_bound[i]
        for a in range(starts[g], starts[g + 1]):
            term[k] = alternatives[a]
            share[k] = shares[a]
            at[k] = offsets[alternatives[a]]
            end[k] = offsets[alternatives[a] + 1]
            k += 1
    first[n] = k
    weights = np.zeros(n)  # by group, for the passage being scored
    top_docs = np.empty(limit, np.int64)
    top_scores = np.empty(limit)
    filled = 0
    threshold = 0.0
    worst = 0
    essential = 0
    none = np.iinfo(np.int64).max
    while True:
        doc = none
        for a in range(first[essential], k):
            if at[a] < end[a] and passages[at[a]] < doc:
                doc = passages[at[a]]
        if doc == none:
            break
        for g in range(n):
            weights[g] = 0.0
        partial = 0.0
        for i in range(essential, n):
            tf = 0.0
            held = False
            for a in range(first[i], first[i + 1]):
                if at[a] < end[a] and passages[at[a]] == doc:
                    tf += share[a] * frequencies[at[a]]
                    held = True
                    at[a] += 1
            if held:
                g = by_bound[i]
                w = group_weight[g] * _weight(form, group_idf[g], tf, norm[doc], knorm[doc],
                                              c, k1, delta)
                weights[g] = w
                partial += w
        dropped = False
        for i in range(essential - 1, -1, -1):
            reach = partial + below[i]
            if reach + _slop(reach) < threshold:
                dropped = True
                break
            tf = 0.0
            held = False
            for a in range(first[i], first[i + 1]):
                at[a] = _advance(passages, at[a], end[a], doc)
                if at[a] < end[a] and passages[at[a]] == doc:
                    tf += share[a] * frequencies[at[a]]
                    held = True
            if held:
                g = by_bound[i]
                w = group_weight[g] * _weight(form, group_idf[g], tf, norm[doc], knorm[doc],
                                              c, k1, delta)
                weights[g] = w
                partial += w
        if dropped:
            continue
        score = 0.0
        for g in range(n):
            score += weights[g]
        if filled < limit:
            if score <= 0.0:
                continue
            top_docs[filled] = doc
            top_scores[filled] = score
            filled += 1
            if filled < limit:
                continue
        elif score > threshold:
            top_docs[worst] = doc
            top_scores[worst] = score
        else:
            continue
        worst = 0
        for s in range(1, limit):
            if top_scores[s] < top_scores[worst] or (
                    top_scores[s] == top_scores[worst] and top_docs[s] > top_docs[worst]):
                worst = s
        threshold = top_scores[worst]
        while essential < n and below[essential] + _slop(below[essential]) < threshold:
            essential += 1
    return _sorted(top_docs, top_scores, filled)


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


def warm() -> None:
    """Compile (or load from numba's cache) the loops for the arrays an index holds, so that
    the first question does not wait for them: a few seconds once per install, a fraction of
    a second from the cache."""
    if best_passages is None:  # pragma: no cover
        return
    one = np.ones(1)
    first = np.zeros(1, np.int64)
    offsets = np.array([0, 1], np.int64)
    passages = np.zeros(1, np.int32)
    for counts in (np.uint16, np.int32):  # `Postings.build` widens counts past 65,535
        frequencies = np.ones(1, counts)
        best_passages(first, offsets, passages, frequencies, one, one, one, one, 1,
                      OKAPI_FORM, 1.9, 0.9, 0.5)
        best_grouped(first, one, offsets, one, one, one, offsets, passages, frequencies,
                     one, one, 1, OKAPI_FORM, 1.9, 0.9, 0.5)
    union_sizes(first, offsets, offsets, passages)


if njit is not None:
    _weight = _compile(_weight)
    _slop = _compile(_slop)
    _advance = _compile(_advance)
    _sorted = _compile(_sorted)
    best_passages = _compile(_best_passages)
    best_grouped = _compile(_best_grouped)
    union_sizes = _compile(_union_sizes)
else:  # pragma: no cover
    best_passages = best_grouped = union_sizes = None
