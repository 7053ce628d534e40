"""Admins through the real Application and the fake Bot API: reloads, uploads, removal, stats."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from telegram.ext import Application

from bot.faces.cli import main
from bot.store.database import Database
from tests.conftest import EN_SEED, SEEDS, ZH_SEED, make_pdf
from tests.faces.telegram.fake_bot_api import OTHER, OTHER_CHAT, USER, FakeBotAPI, until
from tests.faces.telegram.test_telegram_bot import assert_telegram_html, buttons

ADMIN = USER["id"]
FU = "Who did Fu Linlin take to the hospital?"
POOL = "When does the swimming pool open?"
POOL_NOTE = "---\ntitle: Pool hours\n---\nThe swimming pool opens at seven every morning.\n"
REFUSAL = "only the bot's admins can do that"


@pytest.fixture
async def admin_bot(start_bot: Any) -> Application:
    """The bot with USER as its only admin."""
    return await start_bot(telegram_admin_ids=frozenset({ADMIN}))


@pytest.fixture
def held_apply(admin_bot: Application,
               monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Once the bot is up, reloads stop before writing: `started` is set when one gets there,
    `release` lets it go on."""
    started, release = asyncio.Event(), asyncio.Event()
    real_apply = Database.apply

    async def held(self: Database, *args: Any, **kwargs: Any) -> None:
        started.set()
        await release.wait()
        await real_apply(self, *args, **kwargs)

    monkeypatch.setattr(Database, "apply", held)
    return started, release


def _folder(app: Application) -> Path:
    return app.bot_data["settings"].knowledge_dir


def _texts(fake_api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in fake_api.sent()]


async def _reply(fake_api: FakeBotAPI) -> str:
    """The text of the next sendMessage."""
    count = len(fake_api.sent()) + 1
    return (await fake_api.wait_for("sendMessage", count))[count - 1].params["text"]


async def test_non_admins_are_refused_and_logged(
    admin_bot: Application, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.faces.telegram.admin")
    for command in ("/reload", "/docs", f"/remove {EN_SEED}", "/stats"):
        fake_api.message(command, chat=OTHER_CHAT, user=OTHER)
    replies = await fake_api.wait_for("sendMessage", 4)
    assert all(REFUSAL in c.params["text"] and "只有本机器人的管理员" in c.params["text"]
               for c in replies)
    assert all(c.params["chat_id"] == OTHER["id"] for c in replies)
    refused = [r.getMessage() for r in caplog.records]
    assert "refused /reload from non-admin user 2002" in refused
    assert len(refused) == 4
    fake_api.message("/help", chat=OTHER_CHAT, user=OTHER)
    assert "/reload" not in await _reply(fake_api)
    fake_api.message("/help")
    admin_help = await _reply(fake_api)
    assert "/reload" in admin_help and "/remove ID" in admin_help and "/stats" in admin_help
    everyone, admins = fake_api.sent("setMyCommands")
    assert "scope" not in everyone.params and "reload" not in str(everyone.params["commands"])
    assert admins.params["scope"] == {"type": "chat", "chat_id": ADMIN}
    assert {c["command"] for c in admins.params["commands"]} >= {"reload", "docs", "remove",
                                                                  "stats"}


async def test_reload_reports_each_change_and_the_time(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    folder = _folder(admin_bot)
    (folder / "pool.md").write_text(POOL_NOTE)
    (folder / "broken.txt").write_bytes(b"\x00\xff" * 500)
    (folder / ZH_SEED).unlink()
    fake_api.message("/reload")
    text = await _reply(fake_api)
    assert re.match(r"Reloaded: 1 added, 0 changed, 1 removed, 1 skipped, 1 unchanged "
                    r"in \d+\.\d\ds\n", text)
    assert "added: pool.md" in text and f"removed: {ZH_SEED}" in text
    assert "skipped: broken.txt (" in text
    fake_api.message(POOL)
    assert "Pool hours" in await _reply(fake_api)


async def test_second_reload_is_told_one_is_running(
    admin_bot: Application, fake_api: FakeBotAPI, held_apply: tuple[asyncio.Event, asyncio.Event]
) -> None:
    (_folder(admin_bot) / "pool.md").write_text(POOL_NOTE)
    started, release = held_apply
    fake_api.message("/reload")
    await asyncio.wait_for(started.wait(), 10)
    fake_api.message("/reload")
    assert "already running" in await _reply(fake_api)
    release.set()
    assert "added: pool.md" in await _reply(fake_api)


async def test_questions_during_a_reload_get_whole_answers(
    admin_bot: Application, fake_api: FakeBotAPI, held_apply: tuple[asyncio.Event, asyncio.Event]
) -> None:
    fake_api.message(FU)
    before = await _reply(fake_api)
    (_folder(admin_bot) / "pool.md").write_text(POOL_NOTE)
    started, release = held_apply
    fake_api.message("/reload")
    await asyncio.wait_for(started.wait(), 10)
    for _ in range(3):
        fake_api.message(FU)
        fake_api.message(POOL)
    during = await fake_api.wait_for("sendMessage", 1 + 6)
    release.set()
    await fake_api.wait_for("sendMessage", 1 + 6 + 1)  # the reload report
    for _ in range(2):
        fake_api.message(FU)
        fake_api.message(POOL)
    after = await fake_api.wait_for("sendMessage", 1 + 6 + 1 + 4)
    old_pool = new_pool = 0
    for call in during[1:] + after[8:]:
        text = call.params["text"]
        if "Fu Linlin" in text:
            assert text == before  # the same complete answer throughout
        elif "Pool hours" in text:
            new_pool += 1
            assert text.startswith("<b>The swimming pool opens at seven every morning.</b>\n[1] ")
        else:
            old_pool += 1
            assert "couldn&#x27;t find anything" in text
        assert_telegram_html(text)
    assert (old_pool, new_pool) == (3, 2)


async def test_a_reload_failing_half_way_changes_nothing(
    admin_bot: Application, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = admin_bot.bot_data["settings"]
    fake_api.message(FU)
    before = await _reply(fake_api)
    with sqlite3.connect(settings.database_path) as conn:
        rows_before = conn.execute("SELECT id, content_hash FROM documents ORDER BY id").fetchall()
    folder = _folder(admin_bot)
    (folder / "a-pool.md").write_text(POOL_NOTE)
    (folder / "b-library.md").write_text("The library lends books for three weeks.\n")
    en = folder / EN_SEED
    en.write_text(en.read_text(encoding="utf-8") + "\nA closing line.\n", encoding="utf-8")
    real_upsert = Database._upsert
    written: list[str] = []

    async def failing_upsert(self: Database, update: Any) -> None:
        if written:  # the first document is written, the second fails
            raise OSError("disk full")
        written.append(update.document.id)
        await real_upsert(self, update)

    monkeypatch.setattr(Database, "_upsert", failing_upsert)
    fake_api.message("/reload")
    failure = await _reply(fake_api)
    assert "The reload failed" in failure and "Reason: disk full" in failure
    assert written  # it really failed half way
    fake_api.message(FU)
    assert await _reply(fake_api) == before
    fake_api.message(POOL)
    assert "couldn&#x27;t find anything" in await _reply(fake_api)
    with sqlite3.connect(settings.database_path) as conn:
        rows_after = conn.execute("SELECT id, content_hash FROM documents ORDER BY id").fetchall()
    assert rows_after == rows_before


BIKE = "The bike shed behind the community centre opens at eight and closes at ten."
HTML = ("<html><head><title>Bike shed</title></head><body><article><p>" + BIKE +
        " Bring your own lock.</p><p>" + BIKE + "</p></article></body></html>")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bike.txt", BIKE.encode()),
        ("bike.md", f"# Bike shed\n\n{BIKE}\n".encode()),
        ("bike.html", HTML.encode()),
        ("bike.pdf", make_pdf([BIKE, "Bring your own lock."])),
    ],
)
async def test_upload_of_each_type_is_indexed_and_cited(
    admin_bot: Application, fake_api: FakeBotAPI, name: str, data: bytes
) -> None:
    fake_api.document(name, data, caption="Bike shed rules | https://example.org/bike")
    reply = await _reply(fake_api)
    assert f"Added {name}: 1 passages" in reply
    assert ('[1] <a href="https://example.org/bike">Bike shed rules</a> — passage 1/1'
            in reply)
    assert fake_api.downloads == ["documents/file1"]
    assert (_folder(admin_bot) / name).exists()
    fake_api.message("When does the bike shed open?")
    answer = await _reply(fake_api)
    assert "opens at eight" in answer and ">Bike shed rules</a>" in answer


async def test_too_large_files_are_refused_before_download(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.document("big.txt", BIKE.encode(), file_size=11 * 1024 * 1024)
    reply = await _reply(fake_api)
    assert "11.0 MB" in reply and "up to 10.0 MB" in reply
    assert fake_api.sent("getFile") == [] and fake_api.downloads == []
    assert not (_folder(admin_bot) / "big.txt").exists()


async def test_a_file_larger_than_announced_is_dropped_at_the_limit(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({ADMIN}), max_upload_mb=1)
    data = (BIKE + "\n").encode() * (64 * 1024 * 1024 // (len(BIKE) + 1))  # 64 MB
    fake_api.document("big.txt", data, file_size=1000)  # Telegram says 1,000 bytes
    reply = await _reply(fake_api)
    assert "larger than 1.0 MB" in reply and "无法添加" in reply
    # Read until past the limit, then dropped: before, all 64 MB were read into memory first.
    assert fake_api.served["documents/file1"] < len(data) // 2
    assert not (_folder(app) / "big.txt").exists()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", bytes(range(256)) * 40, "not text"),
        ("empty.md", b"   \n", "empty file"),
        ("scan.pdf", make_pdf([]), "no text in the PDF"),
        ("tool.exe", b"MZ\x90\x00", ".odt and .epub files; tool.exe is not one of them"),
    ],
)
async def test_unusable_files_are_refused_with_the_reason_and_not_kept(
    admin_bot: Application, fake_api: FakeBotAPI, name: str, data: bytes, reason: str
) -> None:
    before = sorted(p.name for p in _folder(admin_bot).iterdir())
    fake_api.document(name, data)
    reply = await _reply(fake_api)
    assert reason in reply and ("I did not add" in reply or "I can only add" in reply)
    assert bool(fake_api.downloads) is name.endswith((".txt", ".md", ".pdf"))  # types: no download
    assert sorted(p.name for p in _folder(admin_bot).iterdir()) == before


async def test_a_file_refused_after_saving_is_removed_again(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    # Parses alone, but its stated id is taken: only the reload can tell.
    fake_api.document("copy.md", f"---\nid: {EN_SEED}\n---\n{BIKE}\n".encode())
    reply = await _reply(fake_api)
    assert "I did not add copy.md" in reply and "is already used by" in reply
    assert not (_folder(admin_bot) / "copy.md").exists()


async def test_duplicate_content_is_recognised(admin_bot: Application, fake_api: FakeBotAPI) -> None:
    fake_api.document("again.txt", (SEEDS / EN_SEED).read_bytes())
    reply = await _reply(fake_api)
    assert f"already in the collection as {EN_SEED}" in reply
    assert not (_folder(admin_bot) / "again.txt").exists()


async def test_upload_names_stay_in_the_folder_and_never_overwrite(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    folder = _folder(admin_bot)
    fake_api.document("../../escape.txt", BIKE.encode())
    assert "Added escape.txt" in await _reply(fake_api)
    fake_api.document("escape.txt", b"The pool opens at seven and closes at nine.")
    assert "Added escape-2.txt" in await _reply(fake_api)
    assert (folder / "escape.txt").read_text() == BIKE
    assert not (folder.parent.parent / "escape.txt").exists()


async def test_non_admin_upload_is_refused(admin_bot: Application, fake_api: FakeBotAPI) -> None:
    fake_api.document("bike.txt", BIKE.encode(), chat=OTHER_CHAT, user=OTHER)
    assert REFUSAL in await _reply(fake_api)
    assert fake_api.sent("getFile") == []
    assert not (_folder(admin_bot) / "bike.txt").exists()


async def test_docs_and_remove_with_confirmation(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message("/docs")
    listing = await _reply(fake_api)
    assert f"id <code>{EN_SEED}</code>" in listing and "passages · added 20" in listing
    fake_api.message("/remove 1")  # its number in /docs
    confirm = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "Remove “Volunteers Offer Hearty Support" in confirm.params["text"]
    yes, no = buttons(confirm)
    assert all(len(b["callback_data"].encode()) <= 64 for b in (yes, no))
    # Someone else replays the confirmation: refused, nothing removed, the button still works.
    fake_api.callback(yes["callback_data"], user=OTHER, chat=OTHER_CHAT)
    (alert,) = await fake_api.wait_for("answerCallbackQuery")
    assert REFUSAL in alert.params["text"] and alert.params["show_alert"] is True
    assert (_folder(admin_bot) / EN_SEED).exists()
    fake_api.callback(yes["callback_data"])
    report = await _reply(fake_api)
    assert report.startswith(f"Removed {EN_SEED}: 0 added, 0 changed, 1 removed")
    assert not (_folder(admin_bot) / EN_SEED).exists()
    fake_api.message(FU)
    assert "couldn&#x27;t find anything" in await _reply(fake_api)
    fake_api.callback(yes["callback_data"])  # pressed twice: the second finds nothing to do
    calls = await fake_api.wait_for("answerCallbackQuery", 3)
    assert "no longer available" in calls[2].params["text"]


async def test_remove_cancel_and_unknown_id(admin_bot: Application, fake_api: FakeBotAPI) -> None:
    fake_api.message("/remove nothing-like-this")
    assert "There is no document nothing-like-this" in await _reply(fake_api)
    fake_api.message(f"/remove {ZH_SEED}")
    confirm = (await fake_api.wait_for("sendMessage", 2))[1]
    fake_api.callback(buttons(confirm)[1]["callback_data"])
    assert "Nothing was removed" in await _reply(fake_api)
    assert (_folder(admin_bot) / ZH_SEED).exists()


async def test_votes_are_stored_with_their_question(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    fake_api.message(FU)
    reply = (await fake_api.wait_for("sendMessage"))[0]
    votes = {b["text"]: b["callback_data"] for b in buttons(reply)}
    assert all(len(data.encode()) <= 64 for data in votes.values())
    fake_api.callback(votes["👎"], user=OTHER)  # someone else's question
    (refused,) = await fake_api.wait_for("answerCallbackQuery")
    assert refused.params["text"] == "Only the person who asked can rate this answer."
    fake_api.callback(votes["👎"])
    ack = (await fake_api.wait_for("answerCallbackQuery", 2))[1]
    assert ack.params["text"] == "Thanks for the feedback!"
    fake_api.callback("fb:987654:1")  # no such question
    forged = (await fake_api.wait_for("answerCallbackQuery", 3))[2]
    assert "no longer available" in forged.params["text"]
    with sqlite3.connect(admin_bot.bot_data["settings"].database_path) as conn:
        rows = conn.execute("SELECT q.question, q.chat_type, f.value, f.user_id FROM feedback f "
                            "JOIN questions q ON q.id = f.question_id").fetchall()
    assert rows == [(FU, "private", -1, str(USER["id"]))]


async def test_stats_and_csv_export_on_logged_questions(
    admin_bot: Application, fake_api: FakeBotAPI
) -> None:
    for question in (FU, "who did fu linlin take to the hospital?", "What is the capital of France?"):
        fake_api.message(question)
    replies = await fake_api.wait_for("sendMessage", 3)  # in any order: updates run concurrently
    answered = next(c for c in replies if "Fu Linlin" in c.params["text"])
    disliked = next(b for b in buttons(answered) if b["text"] == "👎")
    fake_api.callback(disliked["callback_data"])
    await fake_api.wait_for("answerCallbackQuery")
    fake_api.message("/stats")
    stats = await _reply(fake_api)
    assert "Questions: 3; no relevant passage: 1 (33.3%); median answer time: " in stats
    assert "👍 0 / 👎 1" in stats
    assert "2× " in stats.lower() and "who did fu linlin take to the hospital?" in stats.lower()
    assert "no passage  What is the capital of France?" in stats
    assert "👎  " in stats

    settings = admin_bot.bot_data["settings"]
    # The command line runs its own event loop: give it a thread, as a separate process would.
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["stats", "--csv", "--db", str(settings.database_path),
                                   "--knowledge", str(settings.knowledge_dir)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 3
    assert {r["question"] for r in rows} == {FU, "who did fu linlin take to the hospital?",
                                             "What is the capital of France?"}
    france = next(r for r in rows if "France" in r["question"])
    assert france["status"] == "no_match" and france["passages"] == ""
    found = [r for r in rows if "linlin" in r["question"].lower()]
    assert all(r["passages"].startswith(EN_SEED + "#") for r in found)
    assert sum(int(r["thumbs_down"]) for r in rows) == 1
    text = (await asyncio.to_thread(
        CliRunner().invoke, main, ["stats", "--db", str(settings.database_path)])).output
    assert text.strip() == html.unescape(stats).strip()  # the same summary in the terminal


async def test_watching_the_folder_reloads_by_itself(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(watch_seconds=0.1)
    (_folder(app) / "pool.md").write_text(POOL_NOTE)
    await until(lambda: app.bot_data["service"].document_count == 3)
    fake_api.message(POOL)
    assert "Pool hours" in await _reply(fake_api)
