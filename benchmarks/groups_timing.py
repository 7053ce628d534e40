"""What a cross-lingual question costs against a monolingual one, on the mixed collections
`benchmarks/bench.py` grows (half English, half Chinese passages of about 330 characters).

    python benchmarks/groups_timing.py --sizes 10000 100000
    python benchmarks/groups_timing.py --sizes 100000 --compare HEAD~1

Each sampled question (SQuAD and CMRC dev, both languages) is analysed as the bot analyses it,
with the dictionary (`bot.core.answering.question_query`); those that find translations rank
with their groups (`Ranker.rank_groups`, the structured cross-lingual path). Each is timed
both ways, top 10, median of three rounds (each round times every way in turn, the order
turning round by round): "plain" ranks the question's own terms alone
(`Ranker.rank`, the monolingual path, MaxScore), "grouped" its groups, so the ratio is what
the translations cost; "flat" ranks every alternative of every group as a plain term of its
own (`Ranker.rank` over them all: the same postings without the groups' structure), so
grouped / flat is what the structure itself costs, apart from reading the translations'
postings. "answer" is the bot's whole answer to the same questions
(`bot.core.answering.answer`, with the bot's settings and answer decision), "alone" without
the dictionary (each question a monolingual one of its own words), "with translations" with
it, timed in turn the same way: what a person waits for either way. A ranker remembers each group's union frequency once counted (the same
words' translations come back question after question), so "grouped, first" also times each
question once, in order, on a fresh ranker over the same postings: what a bot just started
pays, while its memory of unions fills. `--compare REV` adds "before": `rank_groups` of bot/core/ranking.py as
commit REV has it, over the same postings, and "plain before" its `rank`, each timed in turn
with ours within every round, and checks that both give the same top 10 both ways.
Reads `../shared/data/` unless given `--data DIR`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import grow, make_pool, p, ranking_at, terms  # noqa: E402
from peers import medians, ranking_module  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import analysis  # noqa: E402
from bot.core.answering import AnswerOptions, answer, question_query  # noqa: E402
from bot.core.cleaning import clean_question  # noqa: E402
from bot.core.index import SearchIndex  # noqa: E402
from bot.core.language import detect_language  # noqa: E402
from bot.sources.cedict import load_dictionary  # noqa: E402
from bot.sources.decision import load_decision_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--compare", metavar="REV")
    args = parser.parse_args()
    pool = make_pool(args.data, args.questions, args.seed)
    analyzer = analysis.Analyzer()
    dictionary = load_dictionary(analyzer, Settings().cache_folder)
    options = AnswerOptions(dictionary=dictionary)
    settings = Settings()
    decision = load_decision_model()
    alone = AnswerOptions(settings.top_k, settings.strictness, decision=decision)
    crossed = AnswerOptions(settings.top_k, settings.strictness, dictionary=dictionary,
                            decision=decision)
    before = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            before = ranking_module(ranking_at(args.compare, Path(tmp)))
    print("| passages | questions with translations | plain p50 / p95 ms | grouped p50 / p95 ms"
          " | grouped / plain (p50) | flat p50 / p95 ms | grouped / flat (p50) |"
          " grouped, first p50 / p95 ms | answer alone p50 / p95 ms |"
          " answer with translations p50 / p95 ms | with / alone (p50) |"
          + (" before p50 / p95 ms | plain before p50 / p95 ms | same top 10 |"
             if before else ""))
    print("|---:|---:|---|---|---:|---|---:|---|---|---|---:|"
          + ("---|---|---|" if before else ""))
    for size in args.sizes:
        passages, picks, offsets = grow(pool, size, args.seed)
        index = SearchIndex.build(passages, list(terms(pool, picks, offsets)))
        ranker = index.ranker
        asked = []
        texts = []
        for text in pool["questions"]:  # type: ignore[union-attr]
            cleaned = clean_question(text)
            query = question_query(cleaned, detect_language(cleaned)[0], index, analyzer,
                                   options)
            if query is not None and any(len(g) > 1 for g in query.groups):
                asked.append(query)
                texts.append(text)
        fns = [lambda q: ranker.rank(list(q.terms), LIMIT),
               lambda q: ranker.rank_groups(q.groups, LIMIT),
               lambda q: ranker.rank([t for g in q.groups for t in dict.fromkeys(g)], LIMIT)]
        old = None
        if before is not None:
            old = before.Ranker.from_postings(ranker.postings, ranker.variant, ranker.k1,
                                              ranker.b, ranker.term_idf, ranker.best)
            fns.append(lambda q: old.rank_groups(q.groups, LIMIT))
            fns.append(lambda q: old.rank(list(q.terms), LIMIT))
        fresh = type(ranker).from_postings(ranker.postings, ranker.variant, ranker.k1,
                                           ranker.b, ranker.term_idf, ranker.best)
        first = medians([lambda q: fresh.rank_groups(q.groups, LIMIT)], asked, rounds=1)[0]
        plain, grouped, flat, *was = medians(fns, asked)
        answers = [lambda q: answer(q, index, analyzer, alone),
                   lambda q: answer(q, index, analyzer, crossed)]
        for text in texts:  # both ways once first, so neither fills the shared caches alone
            for fn in answers:
                fn(text)
        answered_alone, answered = medians(answers, texts)
        line = (f"| {size:,} | {len(asked)} | {p(plain, 50):.3f} / "
                f"{p(plain, 95):.3f} | {p(grouped, 50):.3f} / "
                f"{p(grouped, 95):.3f} | "
                f"{p(grouped, 50) / p(plain, 50):.2f} | {p(flat, 50):.3f} / "
                f"{p(flat, 95):.3f} | {p(grouped, 50) / p(flat, 50):.2f} | "
                f"{p(first, 50):.3f} / {p(first, 95):.3f} | "
                f"{p(answered_alone, 50):.2f} / {p(answered_alone, 95):.2f} | "
                f"{p(answered, 50):.2f} / {p(answered, 95):.2f} | "
                f"{p(answered, 50) / p(answered_alone, 50):.2f} |")
        if old is not None:
            same = sum(old.rank_groups(q.groups, LIMIT) == ranker.rank_groups(q.groups, LIMIT)
                       and old.rank(list(q.terms), LIMIT) == ranker.rank(list(q.terms), LIMIT)
                       for q in asked)
            line += (f" {p(was[0], 50):.3f} / {p(was[0], 95):.3f} |"
                     f" {p(was[1], 50):.3f} / {p(was[1], 95):.3f} |"
                     f" {same}/{len(asked)} |")
        print(line, flush=True)


if __name__ == "__main__":
    main()
