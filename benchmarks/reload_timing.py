"""How long a reload takes when nothing changed and when one file changed, through the same
QAService.reload that /reload, `bot reload` and start-up use, and a restart to its first
answer, syncing the folder first beside serving the saved index first.

    python benchmarks/reload_timing.py                       # the seed collection (knowledge/)
    python benchmarks/reload_timing.py --docs 10000 ../shared/data/*.json
    python benchmarks/reload_timing.py --docs 100000 --piece clause ../shared/data/*.json

With SQuAD-format files, each paragraph is cut at its middle sentence into two documents and
the first DOCS of those are written as .txt files into a temporary knowledge folder (so Chinese
CMRC and English SQuAD paragraphs both count). Prints the first full build, then each repeated
unchanged and one-file-changed reload, in seconds of wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.engine.service import QAService

ROOT = Path(__file__).resolve().parent.parent
_SENTENCE_END = re.compile(r"(?<=[。！？.!?])\s*")
# Where a clause ends: a comma, semicolon or colon of either language, or a sentence's end.
_CLAUSE_END = re.compile(r"(?<=[,;:，；、：。！？.!?])\s*")
# What a document is: half a paragraph, a sentence (of 20 characters or more), or a clause (of
# 12 or more): the shared data gives about 54,000 sentences and 109,000 clauses.
PIECES = ("half", "sentence", "clause")


def write_documents(files: list[Path], count: int, folder: Path, piece: str = "half") -> int:
    """Documents of one PIECES each from SQuAD-format files; returns how many were written."""
    written = 0
    for file in files:
        for article in json.loads(file.read_text(encoding="utf-8"))["data"]:
            for paragraph in article["paragraphs"]:
                text = paragraph["context"]
                if piece == "clause":
                    pieces = [[c] for c in _CLAUSE_END.split(text) if len(c.strip()) >= 12]
                else:
                    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
                    middle = max(1, len(sentences) // 2)
                    pieces = ([[s] for s in sentences if len(s) >= 20] if piece == "sentence"
                              else [sentences[:middle], sentences[middle:]])
                for half in pieces:
                    if not half or written >= count:
                        continue
                    title = article.get("title") or file.stem
                    body = " ".join(half)
                    (folder / f"{written:06d}.txt").write_text(
                        f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{body}\n",
                        encoding="utf-8")
                    written += 1
    return written


async def measure(folder: Path, db: Path, repeats: int) -> None:
    """Print the first build, then unchanged and one-file-changed reloads."""
    settings = Settings(knowledge_dir=folder, database_path=db)
    started = time.perf_counter()
    service = await QAService.start(settings)
    print(f"first build (start-up): {time.perf_counter() - started:.3f} s, "
          f"{service.document_count} documents, {service.passage_count} passages")
    try:
        target = min(folder.glob("*.txt"))
        for n in range(1, repeats + 1):
            started = time.perf_counter()
            report = await service.reload()
            assert not report.touched, report
            print(f"unchanged reload #{n}: {time.perf_counter() - started:.3f} s")
        for n in range(1, repeats + 1):
            with target.open("a", encoding="utf-8") as out:
                out.write(f"\nAn extra line added for run {n} of the benchmark.\n")
            started = time.perf_counter()
            report = await service.reload()
            assert report.changed == [target.name], report
            print(f"one-file-changed reload #{n}: {time.perf_counter() - started:.3f} s")
    finally:
        await service.close()
    await restarts(settings)


async def restarts(settings: Settings) -> None:
    """A restart with nothing changed, to its first answer: syncing the folder first (as `bot
    ask` and piped questions do) beside serving the saved index first (the console at a
    terminal, Telegram), then when the folder's sync is done."""
    for serve_first, label in ((False, "sync first"), (True, "serve first")):
        started = time.perf_counter()
        service = await QAService.start(settings, serve_first=serve_first)
        try:
            service.ask("Who did Fu Linlin take to the hospital?")
            answered = time.perf_counter() - started
            await service.caught_up()
            synced = time.perf_counter() - started
        finally:
            await service.close()
        print(f"restart to the first answer, {label}: {answered:.3f} s "
              f"(folder synced at {synced:.3f} s)")


def main() -> None:
    """Build the collection in a temporary folder and time the reloads."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="*", help="SQuAD-format JSON files")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--piece", choices=PIECES, default="half",
                        help="what one document holds (half a paragraph, a sentence, a clause)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "knowledge"
        folder.mkdir()
        if args.files:
            written = write_documents(args.files, args.docs, folder, args.piece)
            print(f"collection: {written} documents from {len(args.files)} files")
        else:
            for path in (ROOT / "knowledge").glob("*"):
                shutil.copy(path, folder / path.name)
            print(f"collection: the seed knowledge folder ({len(list(folder.iterdir()))} files)")
        asyncio.run(measure(folder, Path(tmp) / "bench.sqlite3", args.repeats))


if __name__ == "__main__":
    main()
