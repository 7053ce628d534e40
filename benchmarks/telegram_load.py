"""Answers per second through the real python-telegram-bot stack, against the fake Bot API.

    python benchmarks/telegram_load.py --users 50 --questions 1000

The Application the bot runs (handlers, rate limiter, HTTP client, usage log) polls the tests'
fake Bot API server on 127.0.0.1; simulated users in private chats ask questions from the seed
documents, all pushed at once. Prints answers per second, the latency from an update being
available to its answer arriving (p50, p95; most of it is waiting in the update queue behind
the rest of the burst), both on the fake server's clock, and the Bot API calls the bot made per
answer (1.00: the reply alone, no "typing"). Logging is set up as `bot run` sets it up; its
lines go to standard error.

The fake server runs in a process of its own (`python -m tests.faces.telegram.fake_bot_api`), as
Telegram's servers are not the bot's CPU; `--same-process` runs it in the bot's event loop
instead, as the tests do, where it competes with the bot for the CPU. The outgoing flood
limiter (about 30 messages a second across chats, Telegram's own limit) is measured both off
and on: with it on, the bot's throughput is Telegram's limit by design.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import logs  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.faces.telegram.app import build_application  # noqa: E402
from tests.faces.telegram.fake_bot_api import USER, FakeBotAPI  # noqa: E402

QUESTIONS = [
    "Who did Fu Linlin take to the hospital?", "东原社区有多少户居民？", "東原社區有多少戶居民？",
    "What illness did the old man have?", "王小容在哪个单位工作？", "Fu Linlin 送谁去了医院？",
    "Where does Jiang Jie work?", "What is the capital of France?",
]


class Fake(Protocol):
    """The fake Bot API as the benchmark drives it, wherever it runs."""

    token: str
    base_url: str

    async def push(self, messages: list[dict[str, Any]]) -> list[float]:
        """Push new messages; the time each was pushed, on the fake's clock."""

    async def sent(self, count: int) -> list[tuple[int, float]]:
        """Wait for `count` sendMessage calls; each as (chat id, time), on the fake's clock."""

    async def counts(self) -> dict[str, int]:
        """Calls so far by method, getUpdates not counted."""


class FakeInProcess:
    """The fake server in this event loop, as the tests run it."""

    def __init__(self) -> None:
        self.api = FakeBotAPI()
        self.token = self.base_url = ""

    async def start(self) -> None:
        await self.api.start()
        self.token, self.base_url = self.api.token, self.api.base_url

    async def stop(self) -> None:
        await self.api.stop()

    async def push(self, messages: list[dict[str, Any]]) -> list[float]:
        pushed = []
        for m in messages:
            self.api.message(m["text"], chat=m["chat"], user=m["user"])
            pushed.append(time.perf_counter())
        return pushed

    async def sent(self, count: int) -> list[tuple[int, float]]:
        calls = await self.api.wait_for("sendMessage", count, timeout=600)
        return [(c.params["chat_id"], c.at) for c in calls]

    async def counts(self) -> dict[str, int]:
        return dict(self.api._counts)


class FakeProcess:
    """The fake server in a process of its own, driven through its /fake routes."""

    def __init__(self) -> None:
        self.token = self.base_url = self.control = ""

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faces.telegram.fake_bot_api", cwd=str(ROOT),
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        info = json.loads(await asyncio.wait_for(self.process.stdout.readline(), 60))
        self.token, self.base_url = info["token"], info["base_url"]
        self.control = info["control_url"]
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))

    async def stop(self) -> None:
        await self.http.close()
        self.process.terminate()
        await self.process.wait()

    async def push(self, messages: list[dict[str, Any]]) -> list[float]:
        async with self.http.post(f"{self.control}/messages",
                                  json={"messages": messages}) as response:
            response.raise_for_status()
            return list((await response.json())["pushed_at"])

    async def sent(self, count: int) -> list[tuple[int, float]]:
        async with self.http.get(f"{self.control}/calls/sendMessage",
                                 params={"count": count, "timeout": 600}) as response:
            response.raise_for_status()
            return [(c["params"]["chat_id"], c["at"]) for c in await response.json()]

    async def counts(self) -> dict[str, int]:
        async with self.http.get(f"{self.control}/counts") as response:
            response.raise_for_status()
            return dict(await response.json())


async def run(users: int, questions: int, limiter: bool, same_process: bool,
              client: str) -> tuple[float, float, float, float]:
    """(answers per second, p50 ms, p95 ms, Bot API calls per answer) for one load."""
    fake: FakeInProcess | FakeProcess = FakeInProcess() if same_process else FakeProcess()
    await fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                telegram_bot_token=SecretStr(fake.token), telegram_api_base_url=fake.base_url,
                knowledge_dir=ROOT / "knowledge", database_path=Path(tmp) / "bot.sqlite3",
                questions_per_minute=0, telegram_http_client=client,
            )
            # Logging as `bot run` sets it up, so what a running bot logs is paid for here too.
            logs.configure(settings.log_level, settings.log_format, (fake.token,))
            app = build_application(settings)
            if not limiter:
                app.bot._rate_limiter = None  # measure the bot itself, not Telegram's flood limit
            await app.initialize()
            await app.post_init(app)  # type: ignore[misc]
            await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
            await app.start()
            messages = []
            for n in range(questions):
                user = {**USER, "id": 10_000 + n % users}
                chat = {"id": user["id"], "type": "private", "first_name": "U"}
                messages.append({"text": QUESTIONS[n % len(QUESTIONS)], "chat": chat,
                                 "user": user})
            before = sum((await fake.counts()).values())  # start-up calls (setMyCommands...)
            pushed_at = await fake.push(messages)
            sent = await fake.sent(questions)
            calls = (sum((await fake.counts()).values()) - before) / questions
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            await app.post_shutdown(app)  # type: ignore[misc]
            await app.shutdown()
    finally:
        await fake.stop()
    pushed: dict[int, list[float]] = {}
    for m, at in zip(messages, pushed_at):
        pushed.setdefault(m["chat"]["id"], []).append(at)
    elapsed = max(at for _, at in sent) - min(pushed_at)
    # Replies to one chat are matched to its questions in order.
    latencies = sorted((at - pushed[chat].pop(0)) * 1000
                       for chat, at in sorted(sent, key=lambda s: s[1]))
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    return questions / elapsed, statistics.median(latencies or [float("nan")]), p95, calls


def main() -> None:
    """Run the load with the flood limiter off and on, and print one table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--same-process", action="store_true",
                        help="run the fake server in the bot's event loop, as the tests do")
    parser.add_argument("--limiter", choices=("both", "off", "on"), default="both")
    parser.add_argument("--client", choices=("both", "httpx", "aiohttp"), default="both",
                        help="TELEGRAM_HTTP_CLIENT: httpx (the default) or aiohttp")
    args = parser.parse_args()
    where = "same process" if args.same_process else "own process"
    print(f"fake Bot API: {where}")
    print("| HTTP client | flood limiter | users | questions | answers/s | p50 ms | p95 ms | "
          "calls/answer |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    loads = [(False, args.questions), (True, min(args.questions, 300))]
    for client in ("httpx", "aiohttp"):
        if args.client not in ("both", client):
            continue
        for limiter, count in loads:
            if args.limiter != "both" and limiter != (args.limiter == "on"):
                continue
            rate, p50, p95, calls = asyncio.run(
                run(args.users, count, limiter, args.same_process, client))
            print(f"| {client} | {'on' if limiter else 'off'} | {args.users} | {count} | "
                  f"{rate:.0f} | {p50:.0f} | {p95:.0f} | {calls:.2f} |", flush=True)


if __name__ == "__main__":
    main()
