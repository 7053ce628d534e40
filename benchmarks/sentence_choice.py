"""Which sentence of the gold paragraph the bot marks as the answer, and how often it holds a
gold answer: the choice `bot/core/answering.best_sentence` makes, on the tuning sets.

    python benchmarks/sentence_choice.py

Each paragraph of CMRC 2018 trial and of the odd-numbered SQuAD v1.1 dev articles (the first
400 paragraphs) is a passage of one index (for IDF); each question's sentence is chosen in its
own gold paragraph, as `_cite` chooses it (the title's words discounted, the title line passed
over), from the question's words and, for comparison, from all its terms (bigrams too).
Reads `../shared/data/` unless given `--data DIR`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bot.core.analysis import Analyzer
from bot.core.answering import best_sentence
from bot.core.cleaning import clean_question, normalise
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage
from bot.sources.cache import prepare_jieba

ROOT = Path(__file__).resolve().parents[1]
Paragraph = tuple[str, list[tuple[str, list[str]]], str]  # text, questions, title


def load(path: Path, odd_only: bool, limit: int) -> list[Paragraph]:
    """The paragraphs of a SQuAD-format file with their questions and article titles."""
    out: list[Paragraph] = []
    for n, article in enumerate(json.loads(path.read_text("utf-8"))["data"]):
        if odd_only and n % 2 == 0:
            continue
        for p in article["paragraphs"]:
            questions = [(q["question"], [a["text"] for a in q["answers"]]) for q in p["qas"]]
            out.append((" ".join(p["context"].split()), questions,
                        article["title"].replace("_", " ")))
    return out[:limit]


def share(paragraphs: list[Paragraph], analyzer: Analyzer, words: bool) -> tuple[float, int]:
    """The share of questions whose chosen sentence holds a gold answer, and their number."""
    passages = [StoredPassage(i, f"d{i}", 1, 1, text, title, None, None, None)
                for i, (text, _, title) in enumerate(paragraphs)]
    index = SearchIndex.build(passages, [analyzer.index_terms(p.text) for p in passages])
    good = total = 0
    for text, questions, title in paragraphs:
        for question, golds in questions:
            cleaned = clean_question(question)
            terms = analyzer.words(cleaned) if words else analyzer.tokens(cleaned)
            subject = frozenset(analyzer.present(title, set(terms)))
            span = best_sentence(text, terms, index, analyzer, frozenset({title}), None, subject)
            total += 1
            if span is not None:
                sentence = normalise(text[span.start : span.end]).casefold()
                good += any(normalise(g).casefold() in sentence for g in golds)
    return good / max(total, 1), total


def main() -> None:
    """Print one line a set and a choice."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no data folder at {args.data} (give --data DIR)")
    prepare_jieba(Path(tempfile.mkdtemp(prefix="bot-jieba-")))
    analyzer = Analyzer()
    sets = {"cmrc2018_trial": load(args.data / "cmrc2018_trial.json", False, 10**9),
            "squad_v1.1_dev odd articles": load(args.data / "squad_v1.1_dev.json", True, 400)}
    for name, paragraphs in sets.items():
        for words in (True, False):
            value, total = share(paragraphs, analyzer, words)
            print(f"{name}: chosen by {'words' if words else 'all terms'}: "
                  f"{100 * value:.1f}% of {total}", flush=True)


if __name__ == "__main__":
    main()
