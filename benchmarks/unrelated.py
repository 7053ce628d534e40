"""Questions about nothing in the collection, and small talk: the share the bot answers
with a passage anyway (lower is better), on the two seed documents and on a collection of
about 900 documents.

    python benchmarks/unrelated.py                      # report halves (even lines)
    python benchmarks/unrelated.py --half odd           # tuning halves (odd lines)

The large collection is the seeds plus one `.txt` file for each article of
`cmrc2018_dev.json` and `squad_v1.1_dev.json` (title line, blank line, paragraphs), written
into a knowledge folder and read through the bot's normal reload. Asked of each collection,
through the engine's answer path with the bot's settings:

- real English search queries (`nq_open_efficientqa_dev.jsonl`); one whose cited passage holds
  one of its answers counts as answered right, not as a false answer;
- Chinese questions of a set the collection does not hold (`cmrc2018_train.json`);
- small talk (`benchmarks/data/small_talk.txt`, written for this): "answered as a search"
  is a reply with cited passages.

Each set is split by line (1-based): odd lines tune, even lines report. Reads
`../shared/data/` unless given `--data DIR`; the figures are printed as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.engine.service import QAService
from bot.faces.evaluation import CURVE, Asked, load_questions, unrelated_shares

ROOT = Path(__file__).resolve().parent.parent
SMALL_TALK = ROOT / "benchmarks" / "data" / "small_talk.txt"


def article_file(set_name: str, article: int) -> str:
    """The file name write_collection gives article number `article` of a set's file."""
    return f"{set_name.removesuffix('.json')}_{article:04d}.txt"


def write_collection(folder: Path, data: Path, seeds: bool = True) -> int:
    """The seeds and one text file per article of the CMRC dev and SQuAD v1.1 dev sets; the
    number of files written."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    if seeds:
        for seed in (ROOT / "knowledge").iterdir():
            if seed.is_file() and not seed.name.startswith("."):
                shutil.copy(seed, folder / seed.name)
                count += 1
    for name in ("cmrc2018_dev.json", "squad_v1.1_dev.json"):
        articles = json.loads((data / name).read_text(encoding="utf-8"))["data"]
        for a, article in enumerate(articles):
            title = str(article.get("title") or f"article {a}").replace("_", " ")
            body = "\n\n".join(p["context"].strip() for p in article["paragraphs"])
            (folder / article_file(name, a)).write_text(
                f"{title}\n\n{body}\n", encoding="utf-8")
            count += 1
    return count


async def serve(folder: Path, db: Path, settings: Settings) -> QAService:
    """The bot over `folder`, through its normal start-up reload (caches where the bot's
    settings keep them)."""
    own = settings.model_copy(update={"knowledge_dir": folder, "database_path": db,
                                      "cache_dir": settings.cache_folder})
    return await QAService.start(own)


def question_sets(data: Path, half: str) -> dict[str, list[Asked]]:
    """The sets asked of each collection, by name."""
    return {
        "English (nq_open)": load_questions(data / "nq_open_efficientqa_dev.jsonl", half),
        "Chinese (cmrc2018_train)": load_questions(data / "cmrc2018_train.json", half),
        "small talk": load_questions(SMALL_TALK, half),
    }


async def measure(data: Path, half: str, collections: list[str], limit: int | None,
                  strictness: float | None = None, curve: bool = False) -> None:
    """Build each collection, ask every set, print one row a set (with `curve`, then the
    share answered falsely at each strictness of `bot eval --strictness-curve`)."""
    settings = Settings() if strictness is None else Settings(strictness=strictness)
    sets = {name: qs[:limit] for name, qs in question_sets(data, half).items()}
    print(f"strictness {settings.strictness}")
    print(f"| collection | documents | set ({half} lines) | questions | answered falsely "
          "| answered with its answer |")
    print("|---|---:|---|---:|---:|---:|")
    curves: list[tuple[str, dict[str, tuple[float, ...]]]] = []
    for which in collections:
        with tempfile.TemporaryDirectory(prefix="bot-unrelated-") as tmp:
            folder = Path(tmp) / "knowledge"
            if which == "seeds":
                shutil.copytree(ROOT / "knowledge", folder)
            else:
                write_collection(folder, data)
            service = await serve(folder, Path(tmp) / "bot.sqlite3", settings)
            try:
                shares = {}
                for name, questions in sets.items():
                    u = unrelated_shares(questions, service.ask, curve)
                    shares[name] = u.curve
                    print(f"| {which} | {service.document_count} | {name} | {u.questions} | "
                          f"{100 * u.answered:.1f}% | {100 * u.answered_right:.1f}% |",
                          flush=True)
            finally:
                await service.close()
            if curve:
                curves.append((which, shares))
    for which, shares in curves:
        print(f"\n{which}: answered falsely by strictness\n")
        print("| strictness | " + " | ".join(shares) + " |")
        print("|---:|" + "---:|" * len(shares))
        for i, level in enumerate(CURVE):
            print(f"| {level:.2f} | "
                  + " | ".join(f"{100 * c[i]:.1f}%" for c in shares.values()) + " |")


def main() -> None:
    """Parse the options and print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--half", choices=["odd", "even", "all"], default="even")
    parser.add_argument("--collections", nargs="+", choices=["seeds", "900"],
                        default=["seeds", "900"])
    parser.add_argument("--limit", type=int, default=None, help="questions per set")
    parser.add_argument("--strictness", type=float, default=None,
                        help="the answer decision's strictness [default: the bot's]")
    parser.add_argument("--curve", action="store_true",
                        help="also the share answered falsely at each strictness")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no data folder at {args.data} (give --data DIR)")
    asyncio.run(measure(args.data, args.half, args.collections, args.limit, args.strictness,
                        args.curve))


if __name__ == "__main__":
    main()
