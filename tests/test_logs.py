from __future__ import annotations

import json
import logging

import pytest

from bot import logs

TOKEN = "123456789:AAH" + "x" * 32


def test_json_lines_never_show_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("INFO", "json", (TOKEN,))
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN, extra={"update_id": 7})
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("update %s failed", 8)
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getUpdates", TOKEN)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 2  # httpx request lines are silenced
    assert lines[0]["update_id"] == 7 and lines[0]["level"] == "INFO"
    assert "<token>" in lines[0]["message"] and "<token>" in lines[1]["exception"]
    assert TOKEN not in json.dumps(lines) and "AAHxxxx" not in json.dumps(lines)


def test_anything_shaped_like_a_token_is_redacted() -> None:
    other = "987654321:" + "Z" * 35
    assert logs.RedactFilter().redact(f"token {other} here") == "token <token> here"


@pytest.fixture(autouse=True)
def _restore_logging() -> None:
    yield
    logs.configure("WARNING", "text")
