"""Speed and memory of the ranking fast path against rank-bm25, on generated collections.

    python benchmarks/bench.py --sizes 10000 100000 1000000

Passages of about 310 characters, half English and half Chinese, are grown from the sentences
of SQuAD and CMRC paragraphs (`--data`), each a random combination of sentences from one
language, tokenised by the bot's analyzer; questions are those sets' own questions. Every size
runs in a fresh process, so its memory figures are its own. Columns:

- build s: inverted index and term weights from tokenised passages (tokenising not included;
  its rate is printed below the table); load s: the restart path, fingerprint of the passages
  plus loading the saved arrays; restart s: the bot's whole restart path, passages read from
  SQLite and the saved index loaded (up to 100,000 passages); index MB: the ranker's arrays;
  peak / serving RSS: the process's high-water mark before
  rank-bm25 is built, and its size afterwards serving from the loaded index (passages included);
- fast / rank-bm25 p50, p95: milliseconds to rank one question's top 10; rank-bm25 is timed on
  a sample (n), as the project used it: candidates, then `get_batch_scores`, then sort;
- speed x: rank-bm25 p50 / fast p50 on that sample; top-10 same: how many of the sample's
  top 10s are identical, indices and scores; answer p50, p95: `bot.answering.answer` whole.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bot import analysis, index_store
from bot.answering import AnswerOptions, answer
from bot.cleaning import clean
from bot.index import SearchIndex
from bot.models import Document, Passage, StoredPassage
from bot.ranking import Ranker, make_bm25
from bot.splitting import sentence_spans
from bot.storage import Database, DocumentUpdate
from bot.tokenising import tokenise_all

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = {"en": "squad_v1.1_dev.json", "zh": "cmrc2018_dev.json"}
TARGET_CHARS = 310
# The SQLite round trip is measured up to this size (writing the database takes a while).
RESTART_UP_TO = 100_000


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_pool(data: Path, questions: int, seed: int) -> dict[str, object]:
    """Tokenised sentences per language, and sample questions with their terms."""
    analysis.warm_up()
    analyzer = analysis.Analyzer()
    rng = random.Random(seed)
    pool: dict[str, object] = {}
    asked: list[str] = []
    for lang, name in SETS.items():
        squad = json.loads((data / name).read_text(encoding="utf-8"))
        paragraphs = [clean(p["context"]) for a in squad["data"] for p in a["paragraphs"]]
        sentences = [text[s.start : s.end].strip() for text in paragraphs
                     for s in sentence_spans(text)]
        sentences = [s for s in sentences if s]
        started = time.perf_counter()
        tokens = tokenise_all(sentences, analyzer, label=f"tokenising {lang}")
        pool[f"rate_{lang}"] = sum(map(len, sentences)) / (time.perf_counter() - started)
        pool[lang] = (sentences, [tuple(t) for t in tokens])
        texts = [qa["question"] for a in squad["data"] for p in a["paragraphs"]
                 for qa in p["qas"]]
        asked += rng.sample(texts, questions // 2)
    rng.shuffle(asked)
    pool["questions"] = asked
    return pool


def grow(pool: dict[str, object], size: int, seed: int) -> list[StoredPassage]:
    """size passages of about TARGET_CHARS characters, alternately English and Chinese."""
    rng = random.Random(seed)
    passages = []
    for i in range(size):
        lang = "zh" if i % 2 else "en"
        sentences, tokens = pool[lang]  # type: ignore[misc]
        texts: list[str] = []
        terms: list[str] = []
        chars = 0
        while chars < TARGET_CHARS - 40:
            j = rng.randrange(len(sentences))
            texts.append(sentences[j])
            terms.extend(tokens[j])
            chars += len(sentences[j])
        text = ("" if lang == "zh" else " ").join(texts)
        passages.append(StoredPassage(
            id=i + 1, doc_id=f"doc{i // 5}", position=i % 5 + 1, count=5, text=text,
            tokens=tuple(terms), title=f"Document {i // 5}", source=None, url=None, date=None,
        ))
    return passages


def timed(fn: object, items: list[object]) -> tuple[list[float], list[object]]:
    """Milliseconds per call of fn on each item, and the results."""
    times, results = [], []
    for item in items:
        started = time.perf_counter()
        results.append(fn(item))  # type: ignore[operator]
        times.append(1000 * (time.perf_counter() - started))
    return times, results


def p(times: list[float], q: float) -> float:
    return float(np.percentile(times, q)) if times else float("nan")


def reference_top(model: object, ranker: Ranker, query: list[str]) -> list[tuple[int, float]]:
    """rank-bm25 as the project used it: candidates, get_batch_scores, sort."""
    ids = ranker.candidates(query)
    if not ids:
        return []
    scores = np.asarray(model.get_batch_scores(query, ids))  # type: ignore[attr-defined]
    order = np.lexsort((np.asarray(ids), -scores))[:10]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


async def restart_seconds(passages: list[StoredPassage], tmp: Path) -> float:
    """Seconds for the bot's restart path: passages out of SQLite, the saved index loaded."""
    db = await Database.open(tmp / "bot.sqlite3")
    updates = []
    for start in range(0, len(passages), 5):
        group = passages[start : start + 5]
        text = "\n\n".join(p.text for p in group)
        doc = Document(id=group[0].doc_id, title=group[0].title, text=text, content_hash="x")
        updates.append(DocumentUpdate(
            doc, [Passage(p.doc_id, p.position, p.count, 0, 0, p.text) for p in group],
            [p.tokens for p in group],
        ))
    await db.apply(updates)
    await db.close()
    folder = index_store.folder_for(tmp / "bot.sqlite3")
    index_store.load_or_build(await _stored(tmp), folder, "lucene", 1.2, 0.75)  # saves
    started = time.perf_counter()
    stored = await _stored(tmp)
    SearchIndex.build(stored, ranker=index_store.load_or_build(stored, folder, "lucene", 1.2,
                                                               0.75))
    return time.perf_counter() - started


async def _stored(tmp: Path) -> list[StoredPassage]:
    db = await Database.open(tmp / "bot.sqlite3")
    try:
        return await db.passages()
    finally:
        await db.close()


def run_one(size: int, pool_file: Path, seed: int, reference: int) -> dict[str, object]:
    """All figures for one collection size, in this process."""
    pool = pickle.loads(pool_file.read_bytes())
    analysis.warm_up()
    analyzer = analysis.Analyzer()
    passages = grow(pool, size, seed)
    questions: list[str] = pool["questions"]
    queries = [analyzer.tokens(q) for q in questions]
    gc.collect()

    started = time.perf_counter()
    ranker = Ranker([p.tokens for p in passages])
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp) / "bot.sqlite3.index"
        index_store.save(folder, ranker, index_store.fingerprint(passages, "lucene", 1.2, 0.75))
        del ranker
        gc.collect()
        started = time.perf_counter()
        key = index_store.fingerprint(passages, "lucene", 1.2, 0.75)
        ranker = index_store.load(folder, key, len(passages))
        load = time.perf_counter() - started
    assert ranker is not None, "the saved index did not load"
    index = SearchIndex.build(passages, ranker=ranker)
    gc.collect()
    peak, serving = rss_mb("VmHWM"), rss_mb("VmRSS")

    timed(lambda q: ranker.rank(q, 10), queries[:20])  # warm caches
    fast_ms, fast_top = timed(lambda q: ranker.rank(q, 10), queries)
    options = AnswerOptions()
    answer_ms, _ = timed(lambda q: answer(q, index, analyzer, options), questions)

    sample = list(range(min(reference, len(queries))))
    model = make_bm25([p.tokens for p in passages], "lucene", 1.2, 0.75)
    ref_ms, ref_top = timed(lambda i: reference_top(model, ranker, queries[i]), sample)
    same = sum(ref_top[k] == fast_top[i] for k, i in enumerate(sample))
    fast_sample = [fast_ms[i] for i in sample]
    restart = float("nan")
    if size <= RESTART_UP_TO:
        with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
            restart = asyncio.run(restart_seconds(passages, Path(tmp)))
    return {
        "passages": size, "restart_s": restart, "build_s": build, "load_s": load, "peak_mb": peak,
        "serving_mb": serving, "fast_p50": p(fast_ms, 50), "fast_p95": p(fast_ms, 95),
        "ref_p50": p(ref_ms, 50), "ref_p95": p(ref_ms, 95), "ref_n": len(sample),
        "ratio": statistics.median(ref_ms) / statistics.median(fast_sample),
        "same": f"{same}/{len(sample)}", "answer_p50": p(answer_ms, 50),
        "answer_p95": p(answer_ms, 95), "postings": int(len(ranker.postings.passages)),
        "terms": len(ranker.postings.vocabulary),
        "index_mb": sum(a.nbytes for a in index_store.arrays(ranker).values()) / 2**20,
    }


HEADER = ("| passages | build s | load s | restart s | index MB | peak RSS MB | serving RSS MB | fast p50 ms | "
          "fast p95 ms | rank-bm25 p50 ms | rank-bm25 p95 ms (n) | speed x | top-10 same | "
          "answer p50 ms | answer p95 ms |")


def row(r: dict[str, object]) -> str:
    return (f"| {r['passages']:,} | {r['build_s']:.1f} | {r['load_s']:.2f} | "
            f"{r['restart_s']:.2f} | {r['index_mb']:,.0f} | "
            f"{r['peak_mb']:,.0f} | {r['serving_mb']:,.0f} | {r['fast_p50']:.3f} | "
            f"{r['fast_p95']:.3f} | {r['ref_p50']:,.1f} | {r['ref_p95']:,.1f} ({r['ref_n']}) | "
            f"{r['ratio']:,.0f} | {r['same']} | {r['answer_p50']:.2f} | {r['answer_p95']:.2f} |")


def main() -> None:
    """Build the pool once, run each size in its own process, print one table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--reference-budget", type=int, default=10_000_000,
                        help="rank-bm25 is timed on budget / size questions (at least 5)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        reference = max(5, args.reference_budget // args.one)
        print(json.dumps(run_one(args.one, args.pool, args.seed, reference)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-pool-") as tmp:
        pool_file = Path(tmp) / "pool.pickle"
        pool = make_pool(args.data, args.questions, args.seed)
        pool_file.write_bytes(pickle.dumps(pool))
        results = []
        for size in args.sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--pool", str(pool_file),
                 "--seed", str(args.seed), "--reference-budget", str(args.reference_budget)],
                check=True, capture_output=True, text=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"done {size:,} passages: {results[-1]['postings']:,} postings, "
                  f"{results[-1]['terms']:,} terms", file=sys.stderr, flush=True)
    print(HEADER)
    print("|" + "---:|" * HEADER.count(" | ") + "---:|")
    for r in results:
        print(row(r))
    print(f"\ntokenising (not in build s): {pool['rate_en']:,.0f} characters/s English, "
          f"{pool['rate_zh']:,.0f} characters/s Chinese, {len(pool['questions'])} questions")


if __name__ == "__main__":
    main()
