"""Speed and memory of the ranking fast path against rank-bm25, on generated collections.

    python benchmarks/bench.py --sizes 10000 100000 1000000

Passages of about 310 characters, half English and half Chinese, are grown from the sentences
of SQuAD and CMRC paragraphs (`--data`), each a random combination of sentences from one
language, tokenised by the bot's analyzer; questions are those sets' own questions. Every size
is built in a fresh process, and served from its saved files in another, so each figure
belongs to the process it describes. Columns:

- tokenise s (with `--tokenise`): every passage's text through the analyzer on every core, as
  a first reload does; build s: inverted index and term weights from the tokenised passages;
- load s: a fresh process loading the saved index (arrays, vocabulary, citation data; texts
  mapped); restart s: the bot's whole restart path, `QAService.load_index` (passages version
  and count from SQLite, then the same load), measured up to 100,000 passages;
- index MB: the ranker's arrays; peak RSS: the building process's high-water mark, before
  rank-bm25 is built: every passage in memory, their terms streamed into the index (as a
  reload streams them out of SQLite), the index built and saved; serving RSS: the serving process after loading and answering every question;
- fast p50, p95: milliseconds to rank one question's top 10 in the serving process;
- rank-bm25 get_scores: the reference, scoring every passage, then the best 10; rank-bm25
  candidates: a kinder use of it, `get_batch_scores` on only the passages sharing a term with
  the question; both timed on a sample of n questions (rank-bm25 is too slow for all), speed x
  = its p50 / fast p50 on the same questions;
- top-10 same: sampled questions whose top 10 (indices and scores) are identical across the
  fast path and both rank-bm25 calls; answer p50, p95: `bot.core.answering.answer` whole (analyse,
  rank, check relevance, highlight) as the bot answers (`answer_options`: its settings, and the
  bilingual dictionary, loaded into the serving process, when they ask for it), each
  question's first time; again p50, p95: the same
  questions asked a second time, when their passages' sentences and words are known (a
  running bot shows the same passages again and again).

A second table puts our ranker beside bm25s and tantivy (`benchmarks/peers.py`; the optional
`[bench]` extra installs them, and a missing one is skipped with a message), each engine in a
fresh process of its own, one after another in the same run, over the same terms of the same
passages and the same questions:

- build s: the engine's index from the tokenised passages; memory MB: that process's RSS
  growth from building the engine and answering every question (the terms themselves, held
  by every engine's process alike, are not counted);
- p50, p95: ms for one question's top 10, each the median of three rounds over every question;
- = rank-bm25: sampled questions (the n above) whose top-10 passage ids, as a set, are
  rank-bm25's `get_scores` top 10; = ours: the same over every question, against our ranker.

`--compare REV` adds "before": the Ranker of bot/core/ranking.py as commit REV has it, built
and timed the same way, so a change to the ranker is measured against its predecessor in
one run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402
from collection import start_jieba  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import analysis  # noqa: E402
from bot.core.answering import answer  # noqa: E402
from bot.core.bm25_constants import B, K1  # noqa: E402
from bot.core.cleaning import clean  # noqa: E402
from bot.core.index import SearchIndex  # noqa: E402
from bot.core.models import Document, DocumentUpdate, Passage, StoredPassage  # noqa: E402
from bot.core.ranking import Ranker, make_bm25  # noqa: E402
from bot.core.splitting import sentence_spans  # noqa: E402
from bot.engine.service import answer_options  # noqa: E402
from bot.sources.cedict import load_dictionary  # noqa: E402
from bot.sources.parallel_tokeniser import tokenise_all, tokenise_stream  # noqa: E402
from bot.store import index_store  # noqa: E402
from bot.store.database import Database  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = {"en": "squad_v1.1_dev.json", "zh": "cmrc2018_dev.json"}
TARGET_CHARS = 310
# The SQLite round trip is measured up to this size (writing the database takes a while).
RESTART_UP_TO = 100_000
KEY = index_store.key_for("bench", "lucene", K1, B)


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_pool(data: Path, questions: int, seed: int) -> dict[str, object]:
    """Tokenised sentences per language, and sample questions with their terms."""
    start_jieba()
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


def grow(
    pool: dict[str, object], size: int, seed: int
) -> tuple[list[StoredPassage], np.ndarray, np.ndarray]:
    """size passages of about TARGET_CHARS characters, alternately English and Chinese, and
    the pool sentences each is made of (flat, with offsets): their terms are produced from
    those by `terms`, as the index reads them, rather than held all at once."""
    rng = random.Random(seed)
    passages = []
    picks = array("i")
    offsets = np.zeros(size + 1, dtype=np.int64)
    for i in range(size):
        lang = "zh" if i % 2 else "en"
        sentences = pool[lang][0]  # type: ignore[index]
        texts: list[str] = []
        chars = 0
        while chars < TARGET_CHARS - 40:
            j = rng.randrange(len(sentences))
            texts.append(sentences[j])
            picks.append(j)
            chars += len(sentences[j])
        offsets[i + 1] = len(picks)
        text = ("" if lang == "zh" else " ").join(texts)
        passages.append(StoredPassage(
            id=i + 1, doc_id=f"doc{i // 5}", position=i % 5 + 1, count=5, text=text,
            title=f"Document {i // 5}", source=None, url=None, date=None,
        ))
    return passages, np.frombuffer(picks, dtype=np.int32), offsets


def terms(
    pool: dict[str, object], picks: np.ndarray, offsets: np.ndarray
) -> Iterator[tuple[str, ...]]:
    """Each grown passage's terms, one passage at a time."""
    by_lang = [pool["en"][1], pool["zh"][1]]  # type: ignore[index]
    for i in range(len(offsets) - 1):
        tokens = by_lang[i % 2]
        yield tuple(chain.from_iterable(tokens[j] for j in picks[offsets[i] : offsets[i + 1]]))


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


def full_top(model: object, query: list[str]) -> list[tuple[int, float]]:
    """rank-bm25's reference: `get_scores` over every passage, the best 10 positive ones,
    ties to the earlier passage."""
    scores = np.asarray(model.get_scores(query))  # type: ignore[attr-defined]
    order = np.lexsort((np.arange(len(scores)), -scores))[:10]
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def batch_top(model: object, ranker: Ranker, query: list[str]) -> list[tuple[int, float]]:
    """rank-bm25 as a careful user would call it: only the passages sharing a term with the
    question, through `get_batch_scores`, then sorted."""
    ids = ranker.candidates(query)
    if not ids:
        return []
    scores = np.asarray(model.get_batch_scores(query, ids))  # type: ignore[attr-defined]
    order = np.lexsort((np.asarray(ids), -scores))[:10]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


async def restart_seconds(folder: Path, passages: list[StoredPassage],
                          tokens: list[tuple[str, ...]], tmp: Path) -> float:
    """Seconds for the bot's restart path (`QAService.load_index`): the passages version and
    count read from SQLite, the saved index loaded."""
    db = await Database.open(tmp / "bot.sqlite3")
    updates = []
    for start in range(0, len(passages), 5):
        group = passages[start : start + 5]
        text = "\n\n".join(p.text for p in group)
        doc = Document(id=group[0].doc_id, title=group[0].title, text=text, content_hash="x")
        updates.append(DocumentUpdate(
            doc, [Passage(p.doc_id, p.position, p.count, 0, 0, p.text) for p in group],
            tokens[start : start + 5],
        ))
    await db.apply(updates)
    key = index_store.key_for(await db.passages_version(), "lucene", K1, B)
    await db.close()
    target = index_store.folder_for(tmp / "bot.sqlite3")
    shutil.copytree(folder, target)
    manifest = json.loads((target / index_store.MANIFEST).read_text())
    (target / index_store.MANIFEST).write_text(json.dumps({**manifest, "key": key}))
    started = time.perf_counter()
    db = await Database.open(tmp / "bot.sqlite3")
    key = index_store.key_for(await db.passages_version(), "lucene", K1, B)
    index = index_store.load(target, key, await db.passage_count())
    seconds = time.perf_counter() - started
    await db.close()
    assert index is not None, "the bot's restart path did not load the saved index"
    return seconds


def serve(folder: Path, size: int, pool_file: Path) -> dict[str, object]:
    """In a fresh process, as the bot after a restart: load the saved index, then answer."""
    pool = pickle.loads(pool_file.read_bytes())
    questions: list[str] = pool["questions"]
    del pool
    start_jieba()
    analyzer = analysis.Analyzer()
    queries = [analyzer.tokens(q) for q in questions]
    gc.collect()
    started = time.perf_counter()
    index = index_store.load(folder, KEY, size)
    load = time.perf_counter() - started
    assert index is not None, "the saved index did not load"
    ranker = index.ranker
    timed(lambda q: ranker.rank(q, 10), queries[:20])  # warm caches
    fast_ms, fast_top = timed(lambda q: ranker.rank(q, 10), queries)
    # The bot's answer path: its settings, with the bilingual dictionary when they ask for it.
    settings = Settings()
    dictionary = (load_dictionary(analyzer, settings.cache_folder)
                  if settings.cross_lingual else None)
    options = answer_options(settings, dictionary)
    answer_ms, _ = timed(lambda q: answer(q, index, analyzer, options), questions)
    # The same questions again: the passages' sentences and words are known by now, as for
    # the passages a running bot shows again and again.
    again_ms, _ = timed(lambda q: answer(q, index, analyzer, options), questions)
    gc.collect()
    return {
        "load_s": load, "serving_mb": rss_mb("VmRSS"), "fast_ms": fast_ms,
        "fast_top": fast_top, "answer_ms": answer_ms, "again_ms": again_ms,
        "postings": int(len(ranker.postings.passages)), "terms": len(ranker.postings.vocabulary),
        "index_mb": sum(a.nbytes for a in index_store.arrays(ranker).values()) / 2**20,
    }


def grown_terms(pool: dict[str, object], size: int, seed: int) -> list[tuple[str, ...]]:
    """The terms of the size passages `grow` makes for this seed, without their texts."""
    _, picks, offsets = grow(pool, size, seed)
    return list(terms(pool, picks, offsets))


def engine_figures(engine: str, size: int, pool_file: Path, seed: int,
                   compare: Path | None) -> dict[str, object]:
    """In a fresh process: one engine built over the grown passages' terms, then timed."""
    pool = pickle.loads(pool_file.read_bytes())
    start_jieba()
    analyzer = analysis.Analyzer()
    queries = [analyzer.tokens(q) for q in pool["questions"]]
    tokens = grown_terms(pool, size, seed)
    gc.collect()
    before = rss_mb("VmRSS")
    started = time.perf_counter()
    try:
        search = peers.build(engine, tokens, K1, B, compare)
    except peers.Missing as missing:
        return {"engine": engine, "skipped": str(missing)}
    build = time.perf_counter() - started
    timing = peers.rounds(search, queries)
    gc.collect()
    return {"engine": engine, "build_s": build, "memory_mb": rss_mb("VmRSS") - before,
            **timing}


def tokenise_seconds(passages: list[StoredPassage], analyzer: analysis.Analyzer) -> float:
    """Seconds to tokenise every passage's text on every core, as a first reload does (the
    terms are counted and dropped, not kept)."""
    texts = [p.text for p in passages]
    started = time.perf_counter()
    for _ in tokenise_stream(texts, analyzer, label="tokenising the collection"):
        pass
    return time.perf_counter() - started


def run_one(
    size: int, pool_file: Path, seed: int, reference: int, tokenise: bool = False
) -> dict[str, object]:
    """All figures for one collection size: built here, served in a fresh process."""
    pool = pickle.loads(pool_file.read_bytes())
    start_jieba()
    analyzer = analysis.Analyzer()
    passages, picks, offsets = grow(pool, size, seed)
    queries = [analyzer.tokens(q) for q in pool["questions"]]
    characters = sum(len(p.text) for p in passages)
    tokenised = tokenise_seconds(passages, analyzer) if tokenise else float("nan")
    gc.collect()

    started = time.perf_counter()
    ranker = Ranker(terms(pool, picks, offsets))
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp) / "bot.sqlite3.index"
        index_store.save(folder, SearchIndex.build(passages, ranker=ranker), KEY)
        peak = rss_mb("VmHWM")  # the passages in memory, their terms streamed, the index built
        out = subprocess.run(
            [sys.executable, __file__, "--serve", str(folder), "--one", str(size),
             "--pool", str(pool_file)], check=True, capture_output=True, text=True,
        )
        served = json.loads(out.stdout.strip().splitlines()[-1])
        tokens = list(terms(pool, picks, offsets))  # rank-bm25 and SQLite need them all
        restart = float("nan")
        if size <= RESTART_UP_TO:
            with tempfile.TemporaryDirectory(prefix="bench-db-") as db_tmp:
                restart = asyncio.run(restart_seconds(folder, passages, tokens, Path(db_tmp)))

    fast_ms, fast_top = served["fast_ms"], [[tuple(x) for x in t] for t in served["fast_top"]]
    sample = list(range(min(reference, len(queries))))
    model = make_bm25(tokens, "lucene", K1, B)
    full_ms, full = timed(lambda i: full_top(model, queries[i]), sample)
    batch_ms, batch = timed(lambda i: batch_top(model, ranker, queries[i]), sample)
    same = sum(full[k] == fast_top[i] == batch[k] for k, i in enumerate(sample))
    reference_tops = {i: full[k] for k, i in enumerate(sample)}
    fast_sample = statistics.median(fast_ms[i] for i in sample)
    return {
        "passages": size, "characters": characters, "tokenise_s": tokenised,
        "restart_s": restart, "build_s": build, "load_s": served["load_s"],
        "peak_mb": peak, "serving_mb": served["serving_mb"],
        "fast_p50": p(fast_ms, 50), "fast_p95": p(fast_ms, 95),
        "full_p50": p(full_ms, 50), "full_p95": p(full_ms, 95),
        "batch_p50": p(batch_ms, 50), "batch_p95": p(batch_ms, 95), "ref_n": len(sample),
        "full_ratio": statistics.median(full_ms) / fast_sample,
        "batch_ratio": statistics.median(batch_ms) / fast_sample,
        "same": f"{same}/{len(sample)}", "answer_p50": p(served["answer_ms"], 50),
        "answer_p95": p(served["answer_ms"], 95), "again_p50": p(served["again_ms"], 50),
        "again_p95": p(served["again_ms"], 95), "postings": served["postings"],
        "terms": served["terms"], "index_mb": served["index_mb"],
        "reference_tops": reference_tops,
    }


HEADER = ("| passages | tokenise s | build s | load s | restart s | index MB | peak RSS MB | serving RSS MB | "
          "fast p50 ms | fast p95 ms | rank-bm25 get_scores p50 / p95 ms | speed x | "
          "rank-bm25 candidates p50 / p95 ms | speed x | n | top-10 same | "
          "answer p50 ms | answer p95 ms | again p50 ms | again p95 ms |")


def row(r: dict[str, object]) -> str:
    return (f"| {r['passages']:,} | {r['tokenise_s']:,.0f} | {r['build_s']:.1f} | {r['load_s']:.2f} | "
            f"{r['restart_s']:.2f} | {r['index_mb']:,.0f} | "
            f"{r['peak_mb']:,.0f} | {r['serving_mb']:,.0f} | {r['fast_p50']:.3f} | "
            f"{r['fast_p95']:.3f} | {r['full_p50']:,.1f} / {r['full_p95']:,.1f} | "
            f"{r['full_ratio']:,.0f} | {r['batch_p50']:,.1f} / {r['batch_p95']:,.1f} | "
            f"{r['batch_ratio']:,.0f} | {r['ref_n']} | {r['same']} | "
            f"{r['answer_p50']:.2f} | {r['answer_p95']:.2f} | {r['again_p50']:.2f} | "
            f"{r['again_p95']:.2f} |")


PEER_HEADER = ("| passages | engine | build s | memory MB | p50 ms | p95 ms | "
               "top 10 = rank-bm25 | top 10 = ours |")


def peer_rows(size: int, figures: list[dict[str, object]],
              reference: dict[int, list[tuple[int, float]]]) -> Iterator[str]:
    """One row an engine that ran, its agreement with rank-bm25 and with our ranker."""
    ours = next((f["tops"] for f in figures if f["engine"] == "ours" and "tops" in f), None)
    every = {q: top for q, top in enumerate(ours)} if ours is not None else {}
    for f in figures:
        if "skipped" in f:
            continue
        same, n = peers.agreement(f["tops"], reference)  # type: ignore[arg-type]
        with_ours = "" if not every else "{}/{}".format(*peers.agreement(f["tops"], every))
        yield (f"| {size:,} | {f['engine']} | {f['build_s']:.1f} | {f['memory_mb']:,.0f} | "
               f"{f['p50']:.3f} | {f['p95']:.3f} | {same}/{n} | {with_ours} |")


def run_engines(args: argparse.Namespace, size: int, pool_file: Path,
                compare: Path | None) -> list[dict[str, object]]:
    """Each engine in a process of its own, one after another; skipped peers are said."""
    figures = []
    for engine in args.engines + (["before"] if compare else []):
        out = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--one", str(size), "--pool",
             str(pool_file), "--seed", str(args.seed)]
            + (["--compare-file", str(compare)] if compare else []),
            check=True, capture_output=True, text=True,
        )
        figures.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if "skipped" in figures[-1]:
            print(f"skipping {engine}: {figures[-1]['skipped']}", file=sys.stderr, flush=True)
        else:
            print(f"done {engine} at {size:,} passages", file=sys.stderr, flush=True)
    return figures


def ranking_at(rev: str, folder: Path) -> Path:
    """bot/core/ranking.py as commit rev has it, saved in folder, with its compiled loops
    (bot/core/topk.py) as that commit has them beside it, where it imports them from."""
    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{rev}:{path}"], check=True,
                              capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1]).stdout
    ranking = show("bot/core/ranking.py")
    if "from bot.core.topk import" in ranking:
        (folder / "topk_compared.py").write_text(show("bot/core/topk.py"))
        ranking = ranking.replace("from bot.core.topk import", "from topk_compared import")
    path = folder / "ranking_compared.py"
    path.write_text(ranking)
    return path


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
    parser.add_argument("--tokenise", action="store_true",
                        help="also time tokenising every passage on every core (a first reload)")
    parser.add_argument("--engines", nargs="*", default=list(peers.ENGINES),
                        choices=peers.ENGINES,
                        help="engines of the second table (none: leave it out)")
    parser.add_argument("--compare", metavar="REV",
                        help="also time the Ranker of bot/core/ranking.py at commit REV")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--compare-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        print(json.dumps(serve(args.serve, args.one, args.pool)))
        return
    if args.engine:
        print(json.dumps(engine_figures(args.engine, args.one, args.pool, args.seed,
                                        args.compare_file)))
        return
    if args.one:
        reference = max(5, args.reference_budget // args.one)
        print(json.dumps(run_one(args.one, args.pool, args.seed, reference, args.tokenise)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-pool-") as tmp:
        pool_file = Path(tmp) / "pool.pickle"
        pool = make_pool(args.data, args.questions, args.seed)
        pool_file.write_bytes(pickle.dumps(pool))
        compare = ranking_at(args.compare, Path(tmp)) if args.compare else None
        results, engines = [], []
        for size in args.sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--pool", str(pool_file),
                 "--seed", str(args.seed), "--reference-budget", str(args.reference_budget)]
                + (["--tokenise"] if args.tokenise else []),
                check=True, capture_output=True, text=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"done {size:,} passages: {results[-1]['postings']:,} postings, "
                  f"{results[-1]['terms']:,} terms", file=sys.stderr, flush=True)
            engines.append(run_engines(args, size, pool_file, compare))
    print(HEADER)
    print("|" + "---:|" * HEADER.count(" | ") + "---:|")
    for r in results:
        print(row(r))
    print(f"\n{len(pool['questions'])} questions; passages of "
          f"{results[-1]['characters'] / results[-1]['passages']:.0f} characters on average; "
          f"the pool's sentences tokenised at {pool['rate_en']:,.0f} characters/s English, "
          f"{pool['rate_zh']:,.0f} characters/s Chinese (both cores, workers' start included)")
    if any(args.engines) or compare:
        print("\n" + PEER_HEADER)
        print("|---:|---|" + "---:|" * (PEER_HEADER.count(" | ") - 1))
        for r, figures in zip(results, engines, strict=True):
            reference = {int(q): [tuple(x) for x in top]
                         for q, top in r["reference_tops"].items()}
            for line in peer_rows(r["passages"], figures, reference):
                print(line)


if __name__ == "__main__":
    main()
