"""Follow-ups by reply on a collection of about 900 documents: for each conversation of
`tests/data/follow_ups.json`, whether the follow-up finds its gold passage first when asked
with the question it replies to, and when sent alone; then how often the unrelated follow-ups
of `tests/data/follow_ups_unrelated.json` are shown a passage: with their earlier question,
alone, and written out in full as one question.

    python benchmarks/follow_ups.py                               # the bot's weight
    python benchmarks/follow_ups.py --weights 0.25 0.5 0.75 1.0   # the earlier question's

The collection is `benchmarks/unrelated.py`'s: the seeds plus one file for each article of
`cmrc2018_dev.json` and `squad_v1.1_dev.json`, read through the bot's normal reload and asked
through the engine's answer path with the bot's settings. Reads `../shared/data/` unless
given `--data DIR`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unrelated import ROOT, serve, write_collection  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core.models import Answer  # noqa: E402
from bot.engine.service import QAService  # noqa: E402

CONVERSATIONS = ROOT / "tests" / "data" / "follow_ups.json"
UNRELATED = ROOT / "tests" / "data" / "follow_ups_unrelated.json"


def found_first(result: Answer, gold: str) -> bool:
    """The first passage shown holds the gold answer."""
    return bool(result.passages) and gold in result.passages[0].hit.passage.text


def report(service: QAService, detail: bool) -> None:
    """Ask every conversation (a row each with `detail`), then the unrelated follow-ups, and
    print the totals."""
    conversations = json.loads(CONVERSATIONS.read_text(encoding="utf-8"))
    together = alone = 0
    if detail:
        print("| language | earlier question | follow-up | found first with context | alone |")
        print("|---|---|---|:---:|:---:|")
    for c in conversations:
        hit = found_first(service.ask(c["follow_up"], earlier=c["question"]), c["answer"])
        solo = found_first(service.ask(c["follow_up"]), c["answer"])
        together += hit
        alone += solo
        if detail:
            print(f"| {c['language']} | {c['question']} | {c['follow_up']} | "
                  f"{'yes' if hit else 'no'} | {'yes' if solo else 'no'} |")
    n = len(conversations)
    print(f"\nearlier question's weight {service.options.earlier_weight}: found first with "
          f"context {together}/{n} ({100 * together / n:.0f}%), alone {alone}/{n} "
          f"({100 * alone / n:.0f}%)")
    unrelated = json.loads(UNRELATED.read_text(encoding="utf-8"))
    joined = sum(bool(service.ask(u["follow_up"], earlier=u["question"]).passages)
                 for u in unrelated)
    by_itself = sum(bool(service.ask(u["follow_up"]).passages) for u in unrelated)
    full = sum(bool(service.ask(u["in_full"]).passages) for u in unrelated)
    print(f"unrelated follow-ups shown a passage: with context {joined}/{len(unrelated)}, "
          f"alone {by_itself}/{len(unrelated)}, written out in full {full}/{len(unrelated)}\n")


async def measure(data: Path, weights: Sequence[float] | None) -> None:
    """Build the collection once, then report at each weight (the bot's when None)."""
    with tempfile.TemporaryDirectory(prefix="bot-follow-ups-") as tmp:
        folder = Path(tmp) / "knowledge"
        write_collection(folder, data)
        service = await serve(folder, Path(tmp) / "bot.sqlite3", Settings())
        try:
            print(f"{service.document_count} documents, {service.passage_count} passages, "
                  f"strictness {service.options.strictness}\n")
            shipped = service.options
            for n, weight in enumerate(weights or [shipped.earlier_weight]):
                service.options = dataclasses.replace(shipped, earlier_weight=weight)
                report(service, detail=n == 0)
        finally:
            await service.close()


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--weights", type=float, nargs="+", default=None,
                        help="the earlier question's weights to try [default: the bot's]")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no data folder at {args.data} (give --data DIR)")
    asyncio.run(measure(args.data, args.weights))


if __name__ == "__main__":
    main()
