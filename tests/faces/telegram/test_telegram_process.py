"""`python -m bot` as a separate process against the fake Bot API: start-up, polling and
webhook modes, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import aiohttp

from bot.config import Settings
from tests.conftest import ROOT
from tests.faces.telegram.fake_bot_api import FakeBotAPI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _start(settings: Settings, fake_api: FakeBotAPI, **env: str) -> asyncio.subprocess.Process:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    base.update({
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": fake_api.token,
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "DATABASE_PATH": str(settings.database_path),
        **env,
    })
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=base, cwd=str(settings.knowledge_dir.parent),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


def _passages(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])


async def test_polling_process_answers_and_stops_cleanly(
    settings: Settings, fake_api: FakeBotAPI
) -> None:
    process = await _start(settings, fake_api)
    try:
        await fake_api.wait_for("setMyCommands", timeout=60)  # post_init ran
        await fake_api.wait_for("deleteWebhook")  # run_polling clears any webhook first
        fake_api.message("東原社區有多少戶居民？")
        (reply,) = await fake_api.wait_for("sendMessage", timeout=30)
    finally:
        stderr = await _stop(process)
    assert "6126" in reply.params["text"]
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert _passages(settings.database_path) > 0


async def test_webhook_process(settings: Settings, fake_api: FakeBotAPI) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    process = await _start(settings, fake_api, WEBHOOK_URL=url, WEBHOOK_LISTEN="127.0.0.1",
                           WEBHOOK_PORT=str(port), WEBHOOK_PATH="hook",
                           WEBHOOK_SECRET_TOKEN="s3cret")
    try:
        (hook,) = await fake_api.wait_for("setWebhook", timeout=60)
        assert hook.params["url"] == url and hook.params["secret_token"] == "s3cret"
        update = {"update_id": 77, "message": {
            "message_id": 5, "date": 0, "chat": {"id": 1001, "type": "private"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Lin"},
            "text": "Who did Fu Linlin take to the hospital?"}}
        async with aiohttp.ClientSession() as http:
            for _ in range(50):  # setWebhook is called just before the server listens
                try:
                    wrong = await http.post(url, json=update,
                                            headers={"X-Telegram-Bot-Api-Secret-Token": "no"})
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.2)
            assert wrong.status == 403
            right = await http.post(url, data=json.dumps(update),
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret",
                                             "Content-Type": "application/json"})
            assert right.status == 200
        (reply,) = await fake_api.wait_for("sendMessage", timeout=30)
    finally:
        stderr = await _stop(process)
    assert "takes the residents to the hospital" in reply.params["text"]
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
