"""/healthz, /readyz and /metrics while the real Application answers through the fake API."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp

from tests.faces.telegram.fake_bot_api import FakeBotAPI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_health_ready_and_metrics(start_bot: Any, fake_api: FakeBotAPI) -> None:
    port = _free_port()
    app = await start_bot(health_server=True, health_port=port)
    questions = ["Who is Fu Linlin?", "东原社区有多少户居民？", "What is the capital of France?"]
    for i in range(20):
        fake_api.message(questions[i % 3])
    await fake_api.wait_for("sendMessage", 20)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        healthz = await http.get(f"{base}/healthz")
        readyz = await http.get(f"{base}/readyz")
        metrics = await http.get(f"{base}/metrics")
        text = await metrics.text()
        assert (healthz.status, readyz.status, metrics.status) == (200, 200, 200)
        assert "2 documents" in await readyz.text()
        assert 'bot_questions_total{status="answered"} 14.0' in text
        assert 'bot_questions_total{status="no_match"} 6.0' in text
        assert "bot_questions_no_match_total 6.0" in text
        assert 'bot_answer_seconds_count 20.0' in text
        assert "bot_documents 2.0" in text and "bot_passages " in text
        assert 'bot_reloads_total{result="ok"} 1.0' in text
        await app.bot_data["service"].db.close()  # the database goes away
        assert (await http.get(f"{base}/readyz")).status == 503
        assert (await http.get(f"{base}/healthz")).status == 200
