"""A one-file change at a million passages: a full rebuild beside the in-place update, and the
time from the change to an answer through the engine.

    python benchmarks/incremental_update.py [--passages 1000000] [--data ../shared/data]

Passages are grown as `benchmarks/bench.py` grows them (SQuAD and CMRC sentences, tokenised
once by the bot's analyzer), five to a document. Each phase runs in a fresh process:

- core: the index built from every passage's terms (a reload's rebuild, less reading SQLite),
  then a document of five passages replaced by five new ones with `SearchIndex.updated`
  (three times, the median), and the top 10 of every question compared with a fresh build's;
- engine: a database of the grown passages and a knowledge folder of one file, started once
  (a full build, saved); then a fresh process as the bot after a restart: the saved index
  loaded, the file rewritten, `QAService.reload` timed until the new index is swapped in and
  a question about the new text is answered from it, then until the update is saved; its
  resident memory serving before and after, and its high-water mark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import pickle
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DATA, grow, make_pool, rss_mb, terms  # noqa: E402
from collection import start_jieba  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core.analysis import Analyzer  # noqa: E402
from bot.core.index import SearchIndex  # noqa: E402
from bot.core.models import StoredPassage  # noqa: E402
from bot.core.ranking import Ranker  # noqa: E402
from bot.engine.service import QAService  # noqa: E402
from bot.store.database import Database  # noqa: E402

WORD = "zyxquoll"  # in no pool sentence: only the changed file holds it


def new_passages(pool: dict[str, object], rng: random.Random, first_id: int, doc_id: str,
                 ) -> tuple[list[StoredPassage], list[tuple[str, ...]]]:
    """Five new passages of one document, of pool sentences, ids from first_id."""
    passages, tokens = [], []
    sentences = pool["en"]  # type: ignore[index]
    for n in range(5):
        picked = rng.sample(range(len(sentences[0])), 3)
        passages.append(StoredPassage(first_id + n, doc_id, n + 1, 5,
                                      " ".join(sentences[0][j] for j in picked),
                                      doc_id, None, None, None))
        tokens.append(tuple(t for j in picked for t in sentences[1][j]))
    return passages, tokens


def core(pool_file: Path, size: int, seed: int) -> dict[str, object]:
    """Full build beside in-place updates of one document, and their top 10 compared."""
    pool = pickle.loads(pool_file.read_bytes())
    start_jieba()
    queries = [Analyzer().tokens(q) for q in pool["questions"]]
    passages, picks, offsets = grow(pool, size, seed)
    started = time.perf_counter()
    index = SearchIndex.build(passages, ranker=Ranker(terms(pool, picks, offsets)))
    build = time.perf_counter() - started
    rng = random.Random(seed)
    seconds, peak = [], rss_mb("VmHWM")
    removed: set[str] = set()
    added_rows: list[tuple[StoredPassage, tuple[str, ...]]] = []
    for round_ in range(3):
        doc = f"doc{rng.randrange(size // 5)}"
        added, tokens = new_passages(pool, rng, size + 1 + 5 * round_, f"new{round_}")
        started = time.perf_counter()
        index = index.updated({doc}, added, tokens)
        seconds.append(time.perf_counter() - started)
        removed.add(doc)
        added_rows += zip(added, tokens, strict=True)
    peak = max(peak, rss_mb("VmHWM"))
    updated_tops = [index.search(q, 10) for q in queries]
    updated_ids = [[int(index.table.ids[r]) for r, _ in t] for t in updated_tops]
    del index
    # A fresh build over the same passages, in the order a full reload reads them (by id).
    rows = [(p, t) for p, t in zip(passages, terms(pool, picks, offsets), strict=True)
            if p.doc_id not in removed] + added_rows
    fresh = SearchIndex.build([p for p, _ in rows], [t for _, t in rows])
    same = 0
    for q, got, want_ids in zip(queries, updated_tops, updated_ids, strict=True):
        want = fresh.search(q, 10)
        same += (want_ids == [int(fresh.table.ids[r]) for r, _ in want]
                 and [s for _, s in got] == [s for _, s in want])
    return {"build_s": build, "update_s": statistics.median(seconds), "updates_s": seconds,
            "same": f"{same}/{len(queries)}", "peak_mb": peak}


async def _schema(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def write_database(pool_file: Path, size: int, seed: int, folder: Path) -> Settings:
    """A database of the grown passages (documents from no file), and a knowledge folder
    holding one file; the settings for both."""
    pool = pickle.loads(pool_file.read_bytes())
    passages, picks, offsets = grow(pool, size, seed)
    settings = Settings(knowledge_dir=folder / "knowledge", database_path=folder / "bot.sqlite3",
                        cache_dir=Settings().cache_folder)
    settings.knowledge_dir.mkdir()
    (settings.knowledge_dir / "changed.md").write_text(
        "---\ntitle: Opening hours\n---\nThe reading room opens at seven every morning.\n",
        encoding="utf-8")
    asyncio.run(_schema(settings.database_path))
    conn = sqlite3.connect(settings.database_path)
    with conn:
        conn.executemany(
            "INSERT INTO documents (id, path, title, content_hash, text) VALUES (?, NULL, ?, "
            "'x', '')", [(f"doc{d}", f"Document {d}") for d in range(size // 5)])
        conn.executemany(
            'INSERT INTO passages (id, doc_id, position, count, start, "end", text, tokens) '
            "VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
            ((p.id, p.doc_id, p.position, p.count, p.text, " ".join(t))
             for p, t in zip(passages, terms(pool, picks, offsets), strict=True)))
    conn.close()
    return settings


async def engine_first_start(settings: Settings) -> float:
    """The first start: the folder synced, the whole index built and saved."""
    started = time.perf_counter()
    service = await QAService.start(settings)
    await service.close()
    return time.perf_counter() - started


async def engine_change(settings: Settings) -> dict[str, object]:
    """A restarted bot: the saved index loaded, one file changed, reloaded and asked."""
    started = time.perf_counter()
    service = await QAService.start(settings)
    restart = time.perf_counter() - started
    try:
        before = rss_mb("VmRSS")
        question = f"When does the {WORD} room open?"
        started = time.perf_counter()
        (settings.knowledge_dir / "changed.md").write_text(
            f"---\ntitle: Opening hours\n---\nThe {WORD} room opens at nine every morning.\n",
            encoding="utf-8")
        report = await service.reload()
        reloaded = time.perf_counter() - started
        answer = service.ask(question, strictness=0)
        answerable = time.perf_counter() - started
        assert WORD in answer.passages[0].hit.passage.text, "the change was not found"
        await service._saved()
        saved = time.perf_counter() - started
        after = rss_mb("VmRSS")
    finally:
        await service.close()
    return {"restart_s": restart, "answerable_s": answerable, "reloaded_s": reloaded,
            "saved_s": saved,
            "reload": report.summary(), "serving_before_mb": before, "serving_after_mb": after,
            "peak_mb": rss_mb("VmHWM")}


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(relativeCreated)8.0f ms %(name)s: %(message)s")


def main() -> None:
    """Make the pool once, run each phase in a fresh process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-engine", action="store_true", help="the core phase only")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "core":
        print(json.dumps(core(args.pool, args.passages, args.seed)))
        return
    if args.phase == "write":
        settings = write_database(args.pool, args.passages, args.seed, args.folder)
        print(json.dumps({"first_start_s": asyncio.run(engine_first_start(settings))}))
        return
    if args.phase == "change":
        _log_to_stderr()
        settings = Settings(knowledge_dir=args.folder / "knowledge",
                            database_path=args.folder / "bot.sqlite3",
                            cache_dir=Settings().cache_folder)
        print(json.dumps(asyncio.run(engine_change(settings))))
        return
    with tempfile.TemporaryDirectory(prefix="incremental-") as tmp:
        pool_file = Path(tmp) / "pool.pickle"
        pool_file.write_bytes(pickle.dumps(make_pool(args.data, 200, args.seed)))

        def phase(name: str, *extra: str) -> dict[str, object]:
            out = subprocess.run(
                [sys.executable, __file__, "--phase", name, "--pool", str(pool_file),
                 "--passages", str(args.passages), "--seed", str(args.seed), *extra],
                check=True, capture_output=True, text=True)
            if name == "change":
                print(out.stderr.strip()[-2000:], file=sys.stderr)
            return json.loads(out.stdout.strip().splitlines()[-1])

        c = phase("core")
        print(f"{args.passages:,} passages, one document of 5 passages replaced:")
        print(f"  full rebuild (index from every passage's terms): {c['build_s']:.1f} s")
        print(f"  in-place update (SearchIndex.updated), median of 3: {c['update_s']:.2f} s "
              f"({', '.join(f'{s:.2f}' for s in c['updates_s'])})")
        print(f"  top 10 of the updated index = a fresh build's: {c['same']} questions; "
              f"peak RSS {c['peak_mb']:,.0f} MB")
        if args.no_engine:
            return
        folder = Path(tmp) / "engine"
        folder.mkdir()
        w = phase("write", "--folder", str(folder))
        e = phase("change", "--folder", str(folder))
        print("through the engine (QAService), one file of the knowledge folder changed:")
        print(f"  first start (full build and save): {w['first_start_s']:.1f} s; "
              f"restart from the saved index: {e['restart_s']:.1f} s")
        print(f"  change to an answer from the new index: {e['answerable_s']:.2f} s, of "
              f"which the reload {e['reloaded_s']:.2f} s ({e['reload']}); saved for the next "
              f"start after "
              f"{e['saved_s']:.2f} s")
        print(f"  serving RSS {e['serving_before_mb']:,.0f} MB before, "
              f"{e['serving_after_mb']:,.0f} MB after; peak {e['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
