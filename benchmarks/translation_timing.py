"""What cross-lingual search costs: building and loading the dictionary, translating a question,
and answering with translation against answering without it, in the same run.

    python benchmarks/translation_timing.py                 # ../shared/data/xquad_*.json
    python benchmarks/translation_timing.py --data DIR

The dictionary is built into an empty temporary folder (as on a first start), then loaded from
the cache it wrote (as on every later start). Questions are XQuAD's, asked over the paragraphs of
the other language and over their own: "translate" is `Dictionary.expand` alone (the question
already cut into words), "answer" the bot's whole answer path (`bot.core.answering.answer`) with
and without the dictionary.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collection import index_of, start_jieba  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import analysis  # noqa: E402
from bot.core.answering import AnswerOptions, answer  # noqa: E402
from bot.faces.evaluation import load_squad  # noqa: E402
from bot.sources import cedict  # noqa: E402
from bot.sources.decision import load_decision_model  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def per_question_ms(fn, questions: list[str]) -> tuple[float, float]:
    """Median and 95th percentile milliseconds of fn over the questions."""
    times = []
    for q in questions:
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    start_jieba()
    analyzer = analysis.Analyzer()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        cedict.load_dictionary(analyzer, Path(folder))
        built = time.perf_counter() - started
        cedict._built.clear()  # as a new process: only the cache file is left
        started = time.perf_counter()
        dictionary = cedict.load_dictionary(analyzer, Path(folder))
        loaded = time.perf_counter() - started
    print(f"dictionary: first build {built:.2f} s, later loads {loaded:.2f} s")

    settings = Settings()
    print("paragraphs  questions  translate p50/p95 ms  answer without / with dictionary "
          "p50 ms")
    for paragraphs, asked in (("xquad_zh", "xquad_en"), ("xquad_en", "xquad_zh"),
                              ("xquad_zh", "xquad_zh"), ("xquad_en", "xquad_en")):
        documents, _ = load_squad(args.data / f"{paragraphs}.json")
        questions = [q.text for q in load_squad(args.data / f"{asked}.json")[1]]
        index = index_of(documents, analyzer, settings)
        df = index.ranker.document_frequency
        decision = load_decision_model()
        plain_options = AnswerOptions(settings.top_k, settings.strictness, decision=decision)
        crossed_options = AnswerOptions(settings.top_k, settings.strictness,
                                        dictionary=dictionary, decision=decision)

        def ask(q: str, with_dictionary: bool) -> None:
            answer(q, index, analyzer, crossed_options if with_dictionary else plain_options)

        words = {q: analyzer.words(q) for q in questions}
        translate = per_question_ms(lambda q: dictionary.expand(q, df, words[q]), questions)
        for q in questions:  # both ways once first, so neither fills the shared caches alone
            ask(q, False)
            ask(q, True)
        plain = per_question_ms(lambda q: ask(q, False), questions)
        crossed = per_question_ms(lambda q: ask(q, True), questions)
        print(f"{paragraphs:<11} {asked:<10} {translate[0]:9.2f} / {translate[1]:.2f}"
              f"            {plain[0]:.2f} / {crossed[0]:.2f}")


if __name__ == "__main__":
    main()
