"""Our ranker and the fastest BM25 engines on the same tokens: bench.py's peer columns.

Every engine is handed the bot's own terms (the analyzer's output, joined by nothing of its
own), so the comparison is of ranking alone, not of tokenisers. The peers come from the
optional `[bench]` extra (`pip install -e '.[bench]'`); a peer that is not installed is
skipped with a message, never a failure of the run.

- ours: `bot.core.ranking.Ranker`, exact rank-bm25 scores (float64).
- bm25s: scores precomputed per posting (float32, "lucene" method, our k1 and b), the numba
  backend, one question a call as the bot asks them.
- tantivy: Rust, Lucene-style BM25 with its own fixed k1 = 1.2, b = 0.75 and lengths rounded
  to one byte (its field norms); a RAM index, our terms through its whitespace tokenizer, a
  question as a boolean OR of term queries (a repeated term counts twice, as in rank-bm25).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

Search = Callable[[Sequence[str]], list[tuple[int, float]]]
ENGINES = ("ours", "bm25s", "tantivy")
ROUNDS = 3
WARM_UP = 20


class Missing(Exception):
    """A peer's library is not installed: the engine is skipped."""


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise Missing(f"{name} is not installed ({error}); "
                      "pip install -e '.[bench]' to compare with it") from None


def ours(tokens: list[tuple[str, ...]], k1: float, b: float,
         ranker_module: ModuleType | None = None) -> Search:
    """The bot's ranker (or the Ranker of another module, e.g. an older commit's)."""
    from bot.core import ranking

    ranker = (ranker_module or ranking).Ranker(tokens, "lucene", k1, b)
    return lambda query: ranker.rank(query, 10)


def bm25s_engine(tokens: list[tuple[str, ...]], k1: float, b: float) -> Search:
    """bm25s over our terms, its numba backend (numba comes with the extra)."""
    bm25s = _import("bm25s")
    _import("numba")  # bm25s falls back to numpy silently without it: refuse instead
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene", backend="numba")
    retriever.index([list(t) for t in tokens], show_progress=False)
    k = min(10, len(tokens))

    def search(query: Sequence[str]) -> list[tuple[int, float]]:
        if not query:  # bm25s cannot retrieve for a question without terms; ours finds none
            return []
        ids, scores = retriever.retrieve([list(query)], k=k, show_progress=False)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True)]

    return search


def tantivy_engine(tokens: list[tuple[str, ...]], k1: float, b: float) -> Search:
    """tantivy over our terms (its k1 and b are fixed: ours are not passed)."""
    tantivy = _import("tantivy")
    builder = tantivy.SchemaBuilder()
    # Our terms hold no whitespace, so its whitespace tokenizer gives them back unchanged.
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field("id", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema)  # in RAM, as ours serves from memory
    writer = index.writer(heap_size=512_000_000, num_threads=1)
    for i, terms in enumerate(tokens):
        writer.add_document(tantivy.Document(body=" ".join(terms), id=i))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    term_query, should = tantivy.Query.term_query, tantivy.Occur.Should

    def search(query: Sequence[str]) -> list[tuple[int, float]]:
        q = tantivy.Query.boolean_query(
            [(should, term_query(schema, "body", t, index_option="freq")) for t in query])
        hits = searcher.search(q, 10, count=False).hits
        # The stored id is read only for the agreement check; tantivy's own answer is `hits`.
        return hits  # type: ignore[no-any-return]

    def ids(hits: list[tuple[float, object]]) -> list[tuple[int, float]]:
        return [(int(searcher.doc(a)["id"][0]), float(s)) for s, a in hits]

    search.resolve = ids  # type: ignore[attr-defined]
    return search


def ranking_module(path: Path) -> ModuleType:
    """bot/core/ranking.py as another commit has it (`bench.ranking_at`), importing that
    commit's compiled loops from beside it."""
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("ranking_compared", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build(engine: str, tokens: list[tuple[str, ...]], k1: float, b: float,
          compare: Path | None = None) -> Search:
    """The engine's search function over tokens (raises Missing for an absent peer)."""
    if engine == "ours":
        return ours(tokens, k1, b)
    if engine == "before":
        assert compare is not None, "--compare names the ranking.py to compare with"
        return ours(tokens, k1, b, ranking_module(compare))
    if engine == "bm25s":
        return bm25s_engine(tokens, k1, b)
    if engine == "tantivy":
        return tantivy_engine(tokens, k1, b)
    raise ValueError(f"unknown engine {engine!r}")


def rounds(search: Search, queries: list[list[str]]) -> dict[str, object]:
    """p50 and p95 ms of one question's top 10, each the median of ROUNDS rounds over every
    question, and the top 10 of each question (ids, positive scores only)."""
    for query in queries[:WARM_UP]:
        search(query)
    p50s, p95s = [], []
    for _ in range(ROUNDS):
        times, results = [], []
        for query in queries:
            started = time.perf_counter()
            results.append(search(query))
            times.append(1000 * (time.perf_counter() - started))
        p50s.append(float(np.percentile(times, 50)))
        p95s.append(float(np.percentile(times, 95)))
    resolve = getattr(search, "resolve", None)
    if resolve is not None:
        results = [resolve(r) for r in results]
    # bm25s fills its k with passages that share no term: they are no answer.
    tops = [[(i, s) for i, s in r if s > 0] for r in results]
    return {"p50": statistics.median(p50s), "p95": statistics.median(p95s), "tops": tops}


def medians(fns: list[Callable[[Any], object]], items: Sequence[Any],
            rounds: int = ROUNDS) -> list[list[float]]:
    """Milliseconds per item for each of fns, the median of `rounds` rounds over every item; in
    each round every fn takes its turn, in an order that turns round by round, so neither
    warms the caches for another or comes first every time."""
    runs_of: list[list[list[float]]] = [[] for _ in fns]
    for n in range(rounds):
        for k in [(n + j) % len(fns) for j in range(len(fns))]:
            times = []
            for item in items:
                started = time.perf_counter()
                fns[k](item)
                times.append(1000 * (time.perf_counter() - started))
            runs_of[k].append(times)
    return [[statistics.median(r[i] for r in runs) for i in range(len(items))]
            for runs in runs_of]


def agreement(tops: list[list[tuple[int, float]]],
              reference: dict[int, list[tuple[int, float]]]) -> tuple[int, int]:
    """Questions (by position) whose top-10 passage ids are the reference's, as a set
    (float32 scores order near-ties their own way), out of those the reference has."""
    same = sum({i for i, _ in tops[q]} == {i for i, _ in ref} for q, ref in reference.items())
    return same, len(reference)
