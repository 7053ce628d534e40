"""Searching one collection against searching everything, in the same run.

    python benchmarks/collections_speed.py --size 1000000 --collections 10

The passages `bench.py` grows (half English, half Chinese, five a document) are spread over
`--collections` collections by document; the questions are that script's 200. The bot's own
objects do the work: `Views.of(scope)` (what `QAService.ask` searches), `SearchIndex.search`
(ranking alone) and `bot.core.answering.answer` (the whole answer: analyse, rank, decide,
highlight). Each round times every question unscoped and scoped, one right after the other
(in alternating order), so both see the same machine; the figures are the median of the
rounds' p50 and p95. Columns:

- scope: everything, one collection, or half of them; passages it searches;
- cut s: `SearchIndex.view` building the scope's index once (done at reload, before the swap);
- extra MB: the process's RSS growth for that view;
- rank p50 / p95 ms: the top 10 of a question's terms; answer p50 / p95 ms: a whole answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DATA, grow, make_pool, rss_mb, terms  # noqa: E402
from collection import start_jieba  # noqa: E402

from bot.core import analysis  # noqa: E402
from bot.core.answering import AnswerOptions, answer  # noqa: E402
from bot.core.collections import EVERYTHING, Scope  # noqa: E402
from bot.core.index import SearchIndex  # noqa: E402
from bot.core.ranking import Ranker  # noqa: E402
from bot.engine.views import Views  # noqa: E402
from bot.sources.decision import load_decision_model  # noqa: E402


def _ms(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return 1000 * (time.perf_counter() - started)


def main() -> None:
    """Build one index, cut the views, time every question in and out of them."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--collections", type=int, default=10)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    pool = make_pool(args.data, args.questions, args.seed)
    start_jieba()
    analyzer = analysis.Analyzer()
    grown, picks, offsets = grow(pool, args.size, args.seed)
    # Documents are five passages; document d belongs to collection d mod n.
    passages = [dataclasses.replace(p, collection=f"c{(i // 5) % args.collections}")
                for i, p in enumerate(grown)]
    del grown
    started = time.perf_counter()
    ranker = Ranker(terms(pool, picks, offsets))
    index = SearchIndex.build(passages, ranker=ranker)
    build = time.perf_counter() - started
    del passages
    gc.collect()
    print(f"{args.size:,} passages in {args.collections} collections, index built in "
          f"{build:.1f} s", file=sys.stderr, flush=True)

    views = Views(index)
    scopes = {"everything": EVERYTHING, "one collection": Scope(frozenset({"c0"})),
              "half of them": Scope(frozenset(f"c{i}" for i in range(args.collections // 2)))}
    cut: dict[str, tuple[float, float]] = {}
    for name, scope in scopes.items():
        before = rss_mb("VmRSS")
        started = time.perf_counter()
        views.of(scope)
        cut[name] = (time.perf_counter() - started, rss_mb("VmRSS") - before)
    options = AnswerOptions(k=10, decision=load_decision_model())
    questions = pool["questions"]  # type: ignore[index]
    tokens = [analyzer.tokens(q) for q in questions]  # type: ignore[union-attr]
    for q in questions[:5]:  # type: ignore[index]
        answer(q, index, analyzer, options)  # warm caches (translation tables, jieba)

    figures: dict[str, dict[str, list[float]]] = {
        name: {"rank50": [], "rank95": [], "ans50": [], "ans95": []} for name in scopes}
    for round_ in range(args.rounds):
        rank = {name: [] for name in scopes}
        whole = {name: [] for name in scopes}
        asked = zip(questions, tokens, strict=True)  # type: ignore[arg-type]
        for n, (question, query) in enumerate(asked):
            order = list(scopes.items())
            if (n + round_) % 2:
                order.reverse()
            for name, scope in order:
                rank[name].append(_ms(lambda s=scope: views.of(s).search(query, 10)))
                whole[name].append(_ms(lambda s=scope: answer(question, views.of(s), analyzer,
                                                                options)))
        for name in scopes:
            figures[name]["rank50"].append(float(np.percentile(rank[name], 50)))
            figures[name]["rank95"].append(float(np.percentile(rank[name], 95)))
            figures[name]["ans50"].append(float(np.percentile(whole[name], 50)))
            figures[name]["ans95"].append(float(np.percentile(whole[name], 95)))

    print("| scope | passages | cut s | extra MB | rank p50 ms | rank p95 ms | "
          "answer p50 ms | answer p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, scope in scopes.items():
        f = {k: statistics.median(v) for k, v in figures[name].items()}
        seconds, mb = cut[name]
        print(f"| {name} | {views.of(scope).size:,} | {seconds:.2f} | {mb:.0f} | "
              f"{f['rank50']:.2f} | {f['rank95']:.2f} | {f['ans50']:.2f} | {f['ans95']:.2f} |")
    print(f"\n{len(tokens)} questions, median of {args.rounds} rounds; "
          f"peak RSS {rss_mb('VmHWM'):.0f} MB")


if __name__ == "__main__":
    main()
