"""A question's best passages, in compiled code: the ranker's inner loops.

Pure: postings arrays in, the top passages out. numba compiles these loops to machine code once
per machine (its cache: beside this file, or NUMBA_CACHE_DIR where the package folder is
read-only, as under the systemd unit), so a question costs one call instead of the hundreds of
numpy calls a Python-level MaxScore makes. Two ways, chosen by the caller from the postings'
length:

- every posting (term at a time): each weight added into an accumulator the size of the
  collection, passages in the question's order of terms; cheapest while the postings are
  short and the accumulator stays in the processor's cache;
- WAND (document at a time, ascending passages): the terms' cursors are kept sorted by their
  next passage, and the first passage whose terms' best possible weights could together beat
  the k-th score so far (the pivot) is the next one scored; the cursors before it jump to it
  (a galloping search), so a passage that holds only terms too weak to enter is never read.
  Structured (cross-lingual) questions use MaxScore instead: groups whose bounds together
  cannot reach the k-th are looked up only for passages that a stronger group holds.

Either way each passage's score is exact: every weight is rank-bm25's float64 expression
(`bot.core.bm25.term_weight`), summed in the question's order (a repeated term twice) from 0.0,
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


def _accumulated(acc, touched, count, limit):  # type: ignore[no-untyped-def]
    """The best `limit` of the accumulated passages touched[:count], resetting acc to zero."""
    top_docs = np.empty(limit, np.int64)
    top_scores = np.empty(limit)
    filled = 0
    worst = 0
    for x in range(count):
        doc = touched[x]
        score = acc[doc]
        acc[doc] = 0.0
        filled, worst = _offer(top_docs, top_scores, filled, worst, doc, score)
    return _sorted(top_docs, top_scores, filled)


def _every_posting(order, offsets, passages, frequencies, norm, knorm, idf, limit, form, c,
                   k1, delta, acc):  # type: ignore[no-untyped-def]
    """(passages, scores) of the `limit` best, from every posting of the term ids `order`
    (the question's, repeats included), term after term in that order. `acc` is zero for
    every passage and left so; every weight is positive, so a passage's first adds to 0.0."""
    total = 0
    for j in range(len(order)):
        total += offsets[order[j] + 1] - offsets[order[j]]
    touched = np.empty(total, np.int64)
    count = 0
    for j in range(len(order)):
        t = order[j]
        term_idf = idf[t]
        for p in range(offsets[t], offsets[t + 1]):
            doc = passages[p]
            w = _weight(form, term_idf, float(frequencies[p]), norm[doc], knorm[doc], c, k1,
                        delta)
            if acc[doc] == 0.0:
                touched[count] = doc
                count += 1
            acc[doc] += w
    return _accumulated(acc, touched, count, limit)


def _resort(rank, cur):  # type: ignore[no-untyped-def]
    """rank (cursor numbers) in ascending order of their current passage: an insertion sort,
    as only the cursors that moved are out of place."""
    for q in range(1, len(rank)):
        v = rank[q]
        x = q - 1
        while x >= 0 and cur[rank[x]] > cur[v]:
            rank[x + 1] = rank[x]
            x -= 1
        rank[x + 1] = v


def _wand(order, offsets, passages, frequencies, norm, knorm, idf, best, limit, form, c, k1,
          delta):  # type: ignore[no-untyped-def]
    """(passages, scores) of the `limit` best for the term ids `order`, by WAND over the
    unique terms' postings, each bounded by its count in the question x its best weight."""
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
    none = np.iinfo(np.int64).max
    bound = np.empty(n)
    at = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    cur = np.empty(n, np.int64)  # each term's current passage (none when done)
    for u in range(n):
        bound[u] = count[u] * best[unique[u]]
        at[u] = offsets[unique[u]]
        end[u] = offsets[unique[u] + 1]
        cur[u] = passages[at[u]] if at[u] < end[u] else none
    rank = np.argsort(cur, kind="mergesort")
    weights = np.zeros(n)
    top_docs = np.empty(limit, np.int64)
    top_scores = np.empty(limit)
    filled = 0
    worst = 0
    while True:
        threshold = top_scores[worst] if filled == limit else 0.0
        reach = 0.0
        pivot = -1
        for r in range(n):
            if cur[rank[r]] == none:
                break
            reach += bound[rank[r]]
            if filled < limit or reach + _slop(reach) >= threshold:
                pivot = r
                break
        if pivot < 0:  # no passage left can enter
            break
        doc = cur[rank[pivot]]
        if cur[rank[0]] == doc:  # every cursor before the pivot is at it: score it
            for u in range(n):
                weights[u] = 0.0
            r = 0
            while r < n and cur[rank[r]] == doc:
                u = rank[r]
                weights[u] = _weight(form, idf[unique[u]], float(frequencies[at[u]]),
                                     norm[doc], knorm[doc], c, k1, delta)
                at[u] += 1
                cur[u] = passages[at[u]] if at[u] < end[u] else none
                r += 1
            score = 0.0
            for j in range(m):
                score += weights[slot[j]]
            filled, worst = _offer(top_docs, top_scores, filled, worst, doc, score)
        else:  # no passage before the pivot's can enter: the cursors before it jump to it
            for r in range(pivot):
                u = rank[r]
                at[u] = _advance(passages, at[u], end[u], doc)
                cur[u] = passages[at[u]] if at[u] < end[u] else none
        _resort(rank, cur)
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


def _every_group_posting(alternatives, shares, starts, group_idf, group_weight, offsets,
                         passages, frequencies, norm, knorm, limit, form, c, k1, delta, acc,
                         frequency):  # type: ignore[no-untyped-def]
    """`_every_posting` for a structured question (as `_grouped_maxscore` reads its
    arguments): group by group, its alternatives' shares of their counts are summed into
    `frequency` (zero everywhere, and left so), then its weight at each passage it holds is
    added into `acc`, groups in order."""
    total = 0
    for a in range(len(alternatives)):
        total += offsets[alternatives[a] + 1] - offsets[alternatives[a]]
    touched = np.empty(total, np.int64)
    union = np.empty(total, np.int64)
    count = 0
    for g in range(len(group_idf)):
        held = 0
        for a in range(starts[g], starts[g + 1]):
            t = alternatives[a]
            for p in range(offsets[t], offsets[t + 1]):
                doc = passages[p]
                if frequency[doc] == 0.0:
                    union[held] = doc
                    held += 1
                frequency[doc] += shares[a] * frequencies[p]
        for x in range(held):
            doc = union[x]
            w = group_weight[g] * _weight(form, group_idf[g], frequency[doc], norm[doc],
                                          knorm[doc], c, k1, delta)
            frequency[doc] = 0.0
            if acc[doc] == 0.0:
                touched[count] = doc
                count += 1
            acc[doc] += w
    return _accumulated(acc, touched, count, limit)


def _group_at(first, last, at, end, share, passages, frequencies, doc, seek, scale, idf,
              norm, knorm, form, c, k1, delta):  # type: ignore[no-untyped-def]
    """A group's weight at passage doc (0.0 if none of its alternatives, cursors
    at[first:last], is there): its frequency 0.0 plus share x count of each alternative there,
    in order. With `seek` the cursors first jump to doc (a group looked up for a passage that
    a stronger one holds); without, they are at it or past it, and those at it step on."""
    tf = 0.0
    held = False
    for a in range(first, last):
        if seek:
            at[a] = _advance(passages, at[a], end[a], doc)
        if at[a] < end[a] and passages[at[a]] == doc:
            tf += share[a] * frequencies[at[a]]
            held = True
            if not seek:
                at[a] += 1
    return scale * _weight(form, idf, tf, norm, knorm, c, k1, delta) if held else 0.0


def _grouped_maxscore(alternatives, shares, starts, group_idf, group_weight, bound, offsets,
                      passages, frequencies, norm, knorm, limit, form, c, k1,
                      delta):  # type: ignore[no-untyped-def]
    """(passages, scores) of the `limit` best for a structured question: group g's
    alternatives are alternatives[starts[g]:starts[g + 1]] (term ids, each with its share),
    its frequency in a passage 0.0 plus share x count of each alternative there, in order,
    its weight group_weight[g] x the weight of that frequency at group_idf[g], at most
    bound[g]; a passage's score is 0.0 plus its groups' weights in order, as
    `Ranker.rank_groups` adds them. MaxScore, document at a time: the groups of lowest
    bounds, which together cannot reach the k-th, are looked up only for passages a
    stronger group holds, and only while the passage can still enter."""
    n = len(group_idf)
    by_bound = np.argsort(bound, kind="mergesort")  # lowest bound first
    below = np.empty(n)  # the bounds of this group and every lower one, summed
    total = 0.0
    for i in range(n):
        total += bound[by_bound[i]]
        below[i] = total
    # Each alternative's cursor, grouped in bound order: group i owns first[i]:first[i + 1].
    cursors = starts[-1] - starts[0]
    first = np.empty(n + 1, np.int64)
    share = np.empty(cursors)
    at = np.empty(cursors, np.int64)
    end = np.empty(cursors, np.int64)
    k = 0
    for i in range(n):
        first[i] = k
        g = by_bound[i]
        for a in range(starts[g], starts[g + 1]):
            share[k] = shares[a]
            at[k] = offsets[alternatives[a]]
            end[k] = offsets[alternatives[a] + 1]
            k += 1
    first[n] = k
    weights = np.zeros(n)  # by group, for the passage being scored
    top_docs = np.empty(limit, np.int64)
    top_scores = np.empty(limit)
    filled = 0
    worst = 0
    essential = 0  # groups[:essential] cannot bring a passage in alone
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
            g = by_bound[i]
            w = _group_at(first[i], first[i + 1], at, end, share, passages, frequencies, doc,
                          False, group_weight[g], group_idf[g], norm[doc], knorm[doc], form, c,
                          k1, delta)
            weights[g] = w
            partial += w
        threshold = top_scores[worst] if filled == limit else 0.0
        dropped = False
        for i in range(essential - 1, -1, -1):
            reach = partial + below[i]
            if reach + _slop(reach) < threshold:
                dropped = True
                break
            g = by_bound[i]
            w = _group_at(first[i], first[i + 1], at, end, share, passages, frequencies, doc,
                          True, group_weight[g], group_idf[g], norm[doc], knorm[doc], form, c,
                          k1, delta)
            weights[g] = w
            partial += w
        if dropped:
            continue
        score = 0.0
        for g in range(n):
            score += weights[g]
        filled, worst = _offer(top_docs, top_scores, filled, worst, doc, score)
        if filled == limit:
            threshold = top_scores[worst]
            while essential < n and below[essential] + _slop(below[essential]) < threshold:
                essential += 1
    return _sorted(top_docs, top_scores, filled)


if njit is not None:
    _weight = _compile(_weight)
    _slop = _compile(_slop)
    _advance = _compile(_advance)
    _offer = _compile(_offer)
    _sorted = _compile(_sorted)
    _accumulated = _compile(_accumulated)
    _resort = _compile(_resort)
    _group_at = _compile(_group_at)
    every_posting = _compile(_every_posting)
    wand = _compile(_wand)
    union_sizes = _compile(_union_sizes)
    every_group_posting = _compile(_every_group_posting)
    grouped_maxscore = _compile(_grouped_maxscore)
else:  # pragma: no cover
    every_posting = wand = union_sizes = every_group_posting = grouped_maxscore = None


def warm() -> None:
    """Compile (or load from numba's cache) the loops for the arrays an index holds, so that
    the first question does not wait for them: several seconds once per install, a fraction
    of a second from the cache."""
    if wand is None:  # pragma: no cover
        return
    one = np.ones(1)
    zero = np.zeros(1)
    first = np.zeros(1, np.int64)
    offsets = np.array([0, 1], np.int64)
    passages = np.zeros(1, np.int32)
    for counts in (np.uint16, np.int32):  # `Postings.build` widens counts past 65,535
        frequencies = np.ones(1, counts)
        args = (offsets, passages, frequencies, one, one, one)
        every_posting(first, *args, 1, OKAPI_FORM, 1.9, 0.9, 0.5, zero)
        wand(first, *args, one, 1, OKAPI_FORM, 1.9, 0.9, 0.5)
        grouped = (first, one, offsets, one, one)
        every_group_posting(*grouped, offsets, passages, frequencies, one, one, 1, OKAPI_FORM,
                            1.9, 0.9, 0.5, zero, zero)
        grouped_maxscore(*grouped, one, offsets, passages, frequencies, one, one, 1,
                         OKAPI_FORM, 1.9, 0.9, 0.5)
    union_sizes(first, offsets, offsets, passages)
