"""A restart from a fresh process, as a user's bot restarts: how long to import the bot, to
start the service over a saved index, to answer the first question, and that question's own
time (which pays for anything loaded lazily), each run in a new Python process.

    python benchmarks/first_answer.py --docs 100000 ../shared/data/*.json
    python benchmarks/first_answer.py --runs 5 --serve-first no ...

The folder is written once (one `.txt` a clause, a sentence or a half paragraph, as
`reload_timing.py` writes them) and built by a first process, whose figures are printed but
are a first start's (a build, and the compiled loops' cache filled); the runs after it are
restarts with nothing changed. Serving first is what Telegram and the console at a terminal
do; `--serve-first no` is `bot ask`'s and piped questions' way (sync, then answer).
"""

from __future__ import annotations

import time

BEGAN = time.perf_counter()  # before any import of the bot: imports are part of a restart

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

QUESTIONS = ("Who did Fu Linlin take to the hospital?", "东原社区有多少户居民？")


async def _restart(folder: Path, db: Path, serve_first: bool, question: str) -> None:
    """One restart in this process; prints its figures as one line."""
    from bot.config import Settings
    from bot.engine.service import QAService

    imported = time.perf_counter() - BEGAN
    service = await QAService.start(Settings(knowledge_dir=folder, database_path=db),
                                    serve_first=serve_first)
    try:
        started = time.perf_counter() - BEGAN
        asked = time.perf_counter()
        service.ask(question)
        answered = time.perf_counter()
        await service.caught_up()
        synced = time.perf_counter() - BEGAN
    finally:
        await service.close()
    print(f"| {imported:.2f} | {started:.2f} | {1000 * (answered - asked):.0f} | "
          f"{answered - BEGAN:.2f} | {synced:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="SQuAD-format files to write from")
    parser.add_argument("--docs", type=int, default=100_000)
    # reload_timing.PIECES, not imported before a restart's figures: it imports the bot.
    parser.add_argument("--piece", choices=("half", "sentence", "clause"), default="clause",
                        help="what one document holds (the shared data gives 100,000 clauses)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve-first", choices=("yes", "no"), default="yes")
    parser.add_argument("--question", default=QUESTIONS[0])
    parser.add_argument("--restart", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.restart:
        asyncio.run(_restart(*args.restart, args.serve_first == "yes", args.question))
        return
    from reload_timing import ROOT, write_documents

    with tempfile.TemporaryDirectory(prefix="bot-first-answer-") as tmp:
        folder, db = Path(tmp) / "knowledge", Path(tmp) / "bot.sqlite3"
        folder.mkdir()
        written = (write_documents(args.files, args.docs, folder, args.piece)
                   if args.files else 0)
        for seed in (ROOT / "knowledge").iterdir():
            if seed.is_file() and not seed.name.startswith("."):
                (folder / seed.name).write_bytes(seed.read_bytes())
        print(f"{written} files written and the seeds; question {args.question!r}, "
              f"serving first: {args.serve_first}\n")
        print("| run | imports s | started s | first question ms | first answer s | synced s |")
        print("|---|---:|---:|---:|---:|---:|")
        for run in range(args.runs + 1):
            label = "build" if run == 0 else str(run)
            print(f"| {label} ", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--restart", str(folder), str(db),
                            "--serve-first", args.serve_first, "--question", args.question],
                           check=True, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
