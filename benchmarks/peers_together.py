"""Our ranker and the peers in one process, timed in turn within every round.

    python benchmarks/peers_together.py --sizes 100000 1000000
    python benchmarks/peers_together.py --sizes 1000000 --engines ours before --compare HEAD~1

bench.py times each engine in a fresh process of its own, one after another; on a shared host
whose speed drifts by a third within minutes, two engines measured minutes apart can differ by
more than the change being measured. Here every engine (`peers.build`: ours, bm25s, tantivy,
and with `--compare REV` "before", the ranker of that commit) is built over the same terms of
bench.py's grown passages in this one process, then each round asks every question of every
engine in turn, the order of the engines turning round by round, so drift falls on all alike.
p50 and p95 are over each question's median of `--rounds` rounds; "= ours" counts the questions
whose top-10 passage ids, as a set, are our ranker's. Needs the memory of every engine at once
(bm25s: about 3.6 GB at a million passages). Reads `../shared/data/` unless given `--data`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers
from bench import DATA, grown_terms, make_pool, ranking_at
from collection import start_jieba

from bot.core import analysis
from bot.core.bm25_constants import K1, B


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--engines", nargs="+", default=list(peers.ENGINES))
    parser.add_argument("--compare", metavar="REV", help="add 'before': the ranker at REV")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    pool = make_pool(args.data, args.questions, args.seed)
    start_jieba()
    analyzer = analysis.Analyzer()
    queries = [analyzer.tokens(q) for q in pool["questions"]]  # type: ignore[union-attr]
    engines = list(args.engines) + (["before"] if args.compare else [])
    print("| passages | engine | p50 ms | p95 ms | top 10 = ours |")
    print("|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        compare = ranking_at(args.compare, Path(tmp)) if args.compare else None
        for size in args.sizes:
            tokens = grown_terms(pool, size, args.seed)
            searches = {}
            for engine in engines:
                try:
                    searches[engine] = peers.build(engine, tokens, K1, B, compare)
                except peers.Missing as missing:
                    print(f"{engine} skipped: {missing}", file=sys.stderr)
            for search in searches.values():
                for query in queries[:peers.WARM_UP]:
                    search(query)
            names = list(searches)
            times = peers.medians([searches[name] for name in names], queries, args.rounds)
            tops = {}
            for name in names:  # each question once more, for its top 10
                resolve = getattr(searches[name], "resolve", None)
                tops[name] = [[(i, s) for i, s in (resolve(r) if resolve else r) if s > 0]
                              for r in map(searches[name], queries)]
            ours = dict(enumerate(tops["ours"])) if "ours" in tops else {}
            for name, per_question in zip(names, times, strict=True):
                same, asked = peers.agreement(tops[name], ours)
                print(f"| {size:,} | {name} | {np.percentile(per_question, 50):.3f} | "
                      f"{np.percentile(per_question, 95):.3f} | {same}/{asked} |", flush=True)
            del searches, tokens


if __name__ == "__main__":
    main()
