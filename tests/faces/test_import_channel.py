"""`bot import-channel result.json`, run as a user runs it: a channel's past posts added once,
answered with their t.me links; a file that is no export refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.faces.cli import main
from tests.faces.test_cli import run_bot

MESSAGES: list[dict[str, Any]] = [
    {"id": 1, "type": "service", "date": "2024-03-01T09:00:00", "date_unixtime": "1709283600",
     "actor": "Harbour News", "action": "create_channel", "title": "Harbour News", "text": "",
     "text_entities": []},
    {"id": 2, "type": "message", "date": "2024-03-01T18:00:00", "date_unixtime": "1709287200",
     "from": "Harbour News", "from_id": "channel1234567890",
     "text": "Opening hours\nThe harbour community centre opens at nine every weekday.",
     "text_entities": [{"type": "plain", "text": "Opening hours\nThe harbour community centre "
                        "opens at nine every weekday."}]},
    {"id": 3, "type": "message", "date": "2024-03-02T18:00:00", "date_unixtime": "1709373600",
     "edited": "2024-03-02T19:00:00", "edited_unixtime": "1709377200",
     "text": ["乒乓球室开放时间\n社区中心的", {"type": "bold", "text": "乒乓球室"},
              "每周六下午两点开放，欢迎居民参加。"],
     "text_entities": [{"type": "plain", "text": "乒乓球室开放时间\n社区中心的"},
                       {"type": "bold", "text": "乒乓球室"},
                       {"type": "plain", "text": "每周六下午两点开放，欢迎居民参加。"}]},
    {"id": 4, "type": "message", "date": "2024-03-03T18:00:00", "date_unixtime": "1709460000",
     "photo": "photos/photo_1.jpg", "width": 800, "height": 600, "text": "",
     "text_entities": []},
]


def _export(folder: Path) -> Path:
    path = folder / "result.json"
    path.write_text(json.dumps({"name": "Harbour News", "type": "public_channel",
                                "id": 1234567890, "messages": MESSAGES}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_an_export_is_imported_once_and_answered_with_its_links(
    tmp_path: Path, knowledge: Path
) -> None:
    where = ("--knowledge", str(knowledge), "--db", str(tmp_path / "x.db"))
    export = str(_export(tmp_path))
    first = run_bot("import-channel", export, "--username", "@harbournews", *where, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert ("Harbour News: 2 posts added, 0 already there, 0 refused; skipped 1 service "
            "messages and 1 posts without text; in channels/harbournews/") in first.stdout
    assert sorted(p.name for p in (knowledge / "channels/harbournews").iterdir()) == [
        "2.txt", "3.txt"]
    again = run_bot("import-channel", export, "--username", "harbournews", *where, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 posts added, 2 already there" in again.stdout
    answer = run_bot("ask", "乒乓球室什么时候开放？", *where, cwd=tmp_path)
    assert ("[1] 乒乓球室开放时间 — Harbour News, https://t.me/harbournews/3, 2024-03-02"
            in answer.stdout)
    english = run_bot("ask", "When does the harbour community centre open?", *where, cwd=tmp_path)
    assert "opens at nine" in english.stdout and "https://t.me/harbournews/2" in english.stdout


@pytest.mark.parametrize(("content", "reason"), [
    (b"not json at all", "Invalid JSON"),
    (b'{"name": "Harbour News", "type": "public_channel", "id": 1}', "messages: Field required"),
    (json.dumps({"name": "Mo", "type": "personal_chat", "id": 2002, "messages": []}).encode(),
     "not a channel"),
])
def test_a_bad_file_gets_a_reason_and_adds_nothing(
    tmp_path: Path, knowledge: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "result.json"
    bad.write_bytes(content)
    result = CliRunner().invoke(main, ["import-channel", str(bad), "--knowledge", str(knowledge),
                                       "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "nothing was added from" in result.output
    assert reason in result.output and "Traceback" not in result.output
    assert not (knowledge / "channels").exists()
