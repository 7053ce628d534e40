"""A channel's history imported and asked: `bot import-channel` on an export built from SQuAD
(English) and CMRC (Chinese) paragraphs, one post a paragraph, then each post's first question
asked through the service.

    python benchmarks/channel_import.py ../shared/data/squad_v1.1_dev.json \
        ../shared/data/cmrc2018_dev.json --posts 1000

Prints the import's and the re-import's wall time and counts (as `bot import-channel` prints
them), then the share of questions whose first cited passage is their own post, with its
t.me link, by language.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot.config import Settings
from bot.engine.service import QAService
from bot.faces.cli import main


def export_of(files: list[Path], posts: int) -> tuple[dict[str, Any], dict[int, tuple[str, str]]]:
    """A channel export of `posts` paragraphs taken in turn from each file, its post ids one a
    paragraph; and each post's first question and language."""
    messages: list[dict[str, Any]] = [{"id": 1, "type": "service", "action": "create_channel",
                                       "date_unixtime": "1700000000", "text": ""}]
    questions: dict[int, tuple[str, str]] = {}
    sources = [[(a.get("title") or f.stem, p, "zh" if "cmrc" in f.name else "en")
                for a in json.loads(f.read_text(encoding="utf-8"))["data"]
                for p in a["paragraphs"]] for f in files]
    for n in range(posts):
        title, paragraph, language = sources[n % len(sources)][n // len(sources)]
        post_id = n + 2
        # A post as a channel writes one: a first line that names it, then the text (a list
        # of pieces, as the export writes formatted text).
        messages.append({"id": post_id, "type": "message",
                         "date_unixtime": str(1700000000 + 3600 * n),
                         "text": [{"type": "bold", "text": title.replace("_", " ")},
                                  "\n" + paragraph["context"]]})
        questions[post_id] = (paragraph["qas"][0]["question"], language)
    return {"name": "Benchmark Channel", "type": "public_channel", "id": 1234567890,
            "messages": messages}, questions


async def ask_all(settings: Settings, questions: dict[int, tuple[str, str]]) -> None:
    """The share of questions answered first from their own post, by language."""
    service = await QAService.start(settings, sync=False)
    try:
        for language in ("en", "zh"):
            asked = {i: q for i, (q, lang) in questions.items() if lang == language}
            right = 0
            started = time.perf_counter()
            for post_id, question in asked.items():
                answer = service.ask(question)
                first = answer.passages[0].hit.passage if answer.passages else None
                right += bool(first and first.url == f"https://t.me/benchmark/{post_id}")
            seconds = time.perf_counter() - started
            if asked:
                print(f"{language}: {right}/{len(asked)} questions ({100 * right / len(asked):.1f}%)"
                      f" answered first from their own post, {1000 * seconds / len(asked):.1f} ms"
                      " a question")
    finally:
        await service.close()


def main_(files: list[Path], posts: int) -> None:
    """Build the export, import it twice, ask."""
    export, questions = export_of(files, posts)
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "knowledge", Path(tmp) / "bot.sqlite3"
        folder.mkdir()
        path = Path(tmp) / "result.json"
        path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
        for run in ("import", "re-import"):
            started = time.perf_counter()
            result = CliRunner().invoke(main, ["import-channel", str(path), "--username",
                                               "benchmark", "--knowledge", str(folder),
                                               "--db", str(db)])
            print(f"{run}: {time.perf_counter() - started:.1f} s: {result.output.strip()}")
        asyncio.run(ask_all(Settings(knowledge_dir=folder, database_path=db), questions))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="SQuAD-format files")
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    main_(args.files, args.posts)
