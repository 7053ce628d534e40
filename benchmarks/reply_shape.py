"""The shape of the bot's Telegram replies as a person sees them on a phone: how long a reply
is before anything is expanded, and how far into it the gold answer starts.

    python benchmarks/reply_shape.py                 # 300 questions of each set
    python benchmarks/reply_shape.py --questions 100

The collection is the ~900 documents of benchmarks/unrelated.py (the seeds plus one file for
each article of cmrc2018_dev and squad_v1.1_dev), read through the bot's normal reload. Each
question is asked through the engine's answer path with the bot's settings and rendered by the
Telegram face (`bot/faces/telegram/render.py`): the message a person gets, before any button.
The visible text is the HTML without its tags, each `<blockquote expandable>` counted as what
Telegram shows of it folded (`bot/faces/reply.py`: its first 3 lines of a phone, 38 columns
each, a Han character two, then "…"). Printed for each set:

- answered: the share of questions that got passages;
- median visible characters of a reply before anything is expanded, and the median of the
  whole reply once every block is open;
- of the answered replies that hold a gold answer anywhere (every block open), the share
  where it starts within the first 300 visible characters of the folded reply.

Questions are spread over the set (every n-th), the same ones in every run. Reads
`../shared/data/` unless given `--data DIR`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from unrelated import ROOT, serve, write_collection

from bot.config import Settings
from bot.core.cleaning import normalise
from bot.engine.service import QAService
from bot.faces.evaluation import Question, load_squad
from bot.faces.reply import fold
from bot.faces.telegram.render import answer_html, strip_html

# Where a person stops reading without scrolling: the first screen, about.
FIRST_SCREEN = 300
_FOLDED = re.compile(r"<blockquote expandable>(.*?)</blockquote>", re.S)


def visible(html_text: str) -> str:
    """The text of one rendered message as shown before anything is expanded."""
    parts = []
    at = 0
    for match in _FOLDED.finditer(html_text):
        parts.append(strip_html(html_text[at : match.start()]))
        parts.append(fold(strip_html(match.group(1))))
        at = match.end()
    parts.append(strip_html(html_text[at:]))
    return "".join(parts)


@dataclass(frozen=True)
class Shape:
    """What one set's replies look like."""

    questions: int
    answered: float
    median_reply: float
    median_open: float
    holding: int  # answered replies that hold a gold answer somewhere
    early: float  # of those, the share where it starts within FIRST_SCREEN characters


def _find(text: str, golds: list[str]) -> int | None:
    folded = normalise(text).casefold()
    places = [folded.find(g) for g in golds if g and g in folded]
    return min(places) if places else None


def shape(service: QAService, questions: list[Question]) -> Shape:
    """Ask, render and measure every question."""
    lengths: list[int] = []
    opened: list[int] = []
    early = holding = 0
    for q in questions:
        answer = service.ask(q.text)
        if not answer.passages:
            continue
        message = answer_html(answer, service.settings.top_k)
        reply, whole = visible(message), strip_html(message)
        lengths.append(len(reply))
        opened.append(len(whole))
        golds = [normalise(a).casefold() for a in q.answers]
        if _find(whole, golds) is not None:
            holding += 1
            place = _find(reply, golds)
            early += place is not None and place < FIRST_SCREEN
    n = len(questions)
    return Shape(n, len(lengths) / max(n, 1),
                 statistics.median(lengths) if lengths else 0.0,
                 statistics.median(opened) if opened else 0.0,
                 holding, early / max(holding, 1))


async def measure(data: Path, count: int) -> None:
    """Build the collection, then one row a set."""
    print(f"| set | questions | answered | median reply, visible chars (folded) "
          f"| median reply, every block open "
          f"| gold answer within the first {FIRST_SCREEN} visible chars |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="bot-shape-") as tmp:
        folder = Path(tmp) / "knowledge"
        write_collection(folder, data)
        service = await serve(folder, Path(tmp) / "bot.sqlite3", Settings())
        try:
            for name in ("cmrc2018_dev.json", "squad_v1.1_dev.json"):
                _, questions = load_squad(data / name)
                step = max(len(questions) // count, 1)
                picked = questions[::step][:count]
                s = shape(service, picked)
                print(f"| {name.removesuffix('.json')} | {s.questions} | {100 * s.answered:.1f}% "
                      f"| {s.median_reply:.0f} | {s.median_open:.0f} "
                      f"| {100 * s.early:.1f}% of {s.holding} |", flush=True)
        finally:
            await service.close()


def main() -> None:
    """Parse the options and print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--questions", type=int, default=300, help="questions of each set")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no data folder at {args.data} (give --data DIR)")
    asyncio.run(measure(args.data, args.questions))


if __name__ == "__main__":
    main()
