"""Answers per second through the real python-telegram-bot stack, against the fake Bot API.

    python benchmarks/telegram_load.py --users 50 --questions 1000

The Application the bot runs (handlers, rate limiter, HTTP client) polls the tests' fake Bot API
server on 127.0.0.1; simulated users in private chats ask questions from the seed documents,
all pushed at once. Prints answers per second and the latency from an update being available
to its answer arriving (p50, p95). The outgoing flood limiter (about 30 messages a second
across chats, Telegram's own limit) is measured both on and off: with it on, the bot's
throughput is Telegram's limit by design.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from tests.telegram.fake_bot_api import USER, FakeBotAPI  # noqa: E402

QUESTIONS = [
    "Who did Fu Linlin take to the hospital?", "东原社区有多少户居民？", "東原社區有多少戶居民？",
    "What illness did the old man have?", "王小容在哪个单位工作？", "Fu Linlin 送谁去了医院？",
    "Where does Jiang Jie work?", "What is the capital of France?",
]


async def run(users: int, questions: int, limiter: bool) -> tuple[float, float, float]:
    """(answers per second, p50 ms, p95 ms) for one load."""
    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            telegram_bot_token=SecretStr(api.token), telegram_api_base_url=api.base_url,
            knowledge_dir=ROOT / "knowledge", database_path=Path(tmp) / "bot.sqlite3",
            questions_per_minute=0,
        )
        app = build_application(settings)
        if not limiter:
            app.bot._rate_limiter = None  # measure the bot itself, not Telegram's flood limit
        await app.initialize()
        await app.post_init(app)  # type: ignore[misc]
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await app.start()
        pushed: dict[int, list[float]] = {}
        started = time.perf_counter()
        for n in range(questions):
            user = {**USER, "id": 10_000 + n % users}
            chat = {"id": user["id"], "type": "private", "first_name": "U"}
            api.message(QUESTIONS[n % len(QUESTIONS)], chat=chat, user=user)
            pushed.setdefault(user["id"], []).append(time.perf_counter())
        sent = await api.wait_for("sendMessage", questions, timeout=600)
        elapsed = max(call.at for call in sent) - started
        # Replies to one chat are matched to its questions in order.
        latencies = [(call.at - pushed[call.params["chat_id"]].pop(0)) * 1000
                     for call in sorted(sent, key=lambda c: c.at)]
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()
    await api.stop()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    return questions / elapsed, statistics.median(latencies or [float("nan")]), p95


def main() -> None:
    """Run the load with the flood limiter off and on, and print one table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    print("| flood limiter | users | questions | answers/s | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for limiter, count in ((False, args.questions), (True, min(args.questions, 300))):
        rate, p50, p95 = asyncio.run(run(args.users, count, limiter))
        print(f"| {'on' if limiter else 'off'} | {args.users} | {count} | {rate:.0f} | "
              f"{p50:.0f} | {p95:.0f} |", flush=True)


if __name__ == "__main__":
    main()
