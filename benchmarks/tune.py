"""Grid search of passage size, overlap and BM25 settings on a tuning set (never a report set).

    python benchmarks/tune.py ../shared/data/cmrc2018_trial.json --sizes 600 800 1000

English has no tuning set, so --articles even asks only the questions of even-numbered articles
(all paragraphs stay in the collection); --articles odd then checks the choice on the half that
was held out:

    python benchmarks/tune.py ../shared/data/squad_v1.1_dev.json --articles even --k1 0.9 1.2

Prints one line per setting, best Recall@1 last. Tokenised passages are cached per
(size, overlap), so the BM25 grid costs only ranking time.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collection import index_of, start_jieba  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import analysis  # noqa: E402
from bot.core.answering import AnswerOptions, answer  # noqa: E402
from bot.core.index import SearchIndex  # noqa: E402
from bot.core.ranking import Ranker  # noqa: E402
from bot.faces.evaluation import load_squad, score  # noqa: E402


# The bot's own settings (and the analyzer's defaults below) are the grid's defaults, so a
# run without options measures what the bot does.
BOT = Settings(_env_file=None)  # type: ignore[call-arg]


def main() -> None:
    """Run the grid and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[BOT.passage_size])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[BOT.passage_overlap])
    parser.add_argument("--variants", nargs="+", default=[BOT.bm25_variant])
    parser.add_argument("--k1", type=float, nargs="+", default=[BOT.bm25_k1])
    parser.add_argument("--b", type=float, nargs="+", default=[BOT.bm25_b])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--articles", choices=["all", "even", "odd"], default="all",
                        help="ask only the questions of even- or odd-numbered articles")
    parser.add_argument("--han", nargs="+", default=["both"], help="analyzer Han modes")
    parser.add_argument("--title", type=int, nargs="+", default=[3], help="title weights")
    parser.add_argument("--pinyin", type=int, nargs="+", default=[1], help="0/1: pinyin terms")
    args = parser.parse_args()

    start_jieba()
    documents, questions = load_squad(args.file)
    if args.articles != "all":
        parity = 0 if args.articles == "even" else 1
        questions = [q for q in questions if int(q.doc_id.split(":")[0]) % 2 == parity]
    questions = questions[: args.limit] if args.limit else questions
    results = []
    for han, title, pinyin, size, overlap in itertools.product(
        args.han, args.title, args.pinyin, args.sizes, args.overlaps
    ):
        analyzer = analysis.Analyzer(han=han, title_weight=title, pinyin=bool(pinyin))
        settings = Settings(passage_size=size, passage_overlap=overlap)
        base = index_of(documents, analyzer, settings)
        for variant, k1, b in itertools.product(args.variants, args.k1, args.b):
            s = Settings(passage_size=size, passage_overlap=overlap, bm25_variant=variant,
                         bm25_k1=k1, bm25_b=b)
            ranker = Ranker.from_postings(base.ranker.postings, variant, k1, b)
            index = SearchIndex.of(base.table, ranker)
            # Every ranked passage: retrieval alone, without the answer decision.
            options = AnswerOptions(k=10, max_question_chars=s.max_question_chars)
            r1, r5, mrr, _ = score(
                questions, lambda q, k, _s, i=index, o=options: answer(q, i, analyzer, o))
            line = (f"han={han} title={title} pinyin={pinyin} size={size} overlap={overlap} variant={variant} k1={k1} b={b} "
                    f" R@1={100 * r1:.1f} R@5={100 * r5:.1f} MRR@10={mrr:.3f}")
            print(line, flush=True)
            results.append((r1, mrr, line))
    print("best:", max(results)[2])


if __name__ == "__main__":
    main()
