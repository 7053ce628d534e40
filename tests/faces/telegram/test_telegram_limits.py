"""Everything the bot renders fits Telegram's limits whatever a stored document holds: a
document with a 100,000-character title, source, URL and id (one already in a database, so
nothing cut it at parse time), and collections too long for one message.

The fake Bot API refuses what Telegram would (bot_api_limits.py), and the fixture fails a test
whose bot sent anything refused, so every reply here is checked for length, markup, buttons and
callback data on the way out."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.core.models import Document
from tests.faces.telegram.bot_api_limits import visible
from tests.faces.telegram.fake_bot_api import GROUP, USER, FakeBotAPI
from tests.faces.telegram.test_telegram_bot import buttons

HUGE = 100_000
TEXT = ("The lighthouse keeper rings the harbour bell at noon. "
        "Boats return when they hear the harbour bell.")
QUESTION = "When does the lighthouse keeper ring the harbour bell?"


def _huge_document() -> Document:
    return Document(id="doc-" + "i" * HUGE, title="Harbour " + "T" * HUGE, text=TEXT,
                    source="Port " + "S" * HUGE, url="https://example.org/" + "u" * HUGE,
                    date="2024-01-01" + "D" * HUGE, content_hash="huge")


async def _with(app: Application, *documents: Document) -> None:
    await app.bot_data["service"].index_documents(documents)


def _texts(fake_api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in fake_api.calls
            if c.method in {"sendMessage", "editMessageText"}]


async def test_a_document_with_huge_fields_is_answered_and_cited(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({USER["id"]}))
    await _with(app, _huge_document())
    fake_api.message(QUESTION)
    (answer,) = await fake_api.wait_for("sendMessage")
    shown, _ = visible(answer.params["text"], "HTML")
    assert "harbour bell at noon" in shown and "Harbour TTT" in shown and "…" in shown
    for label in [b["callback_data"] for b in buttons(answer) if "Context" in b["text"]]:
        fake_api.callback(label)
    fake_api.message(f"/ask {QUESTION}", chat=GROUP)
    fake_api.push({"inline_query": {"id": "iq", "from": USER, "query": QUESTION, "offset": ""}})
    # The huge document sorts after the two seeds: /remove 3 asks to confirm its removal.
    for command in ("/help", "/sources", "/docs", "/remove 3", "/remove " + "x" * 4000):
        fake_api.message(command)
    await fake_api.settle()
    assert not fake_api.refused
    texts = _texts(fake_api)
    assert not [t for t in texts if "something went wrong" in t]
    assert len(texts) == 1 + 1 + 1 + 5  # the answer, one context, the group's answer, commands
    assert any("Remove “Harbour TTT" in t and "…" in t for t in texts)
    (inline,) = fake_api.sent("answerInlineQuery")
    assert inline.params["results"][0]["title"].startswith("[1] Harbour TTT")


async def test_long_lists_are_pages_turned_in_place(start_bot: Any, fake_api: FakeBotAPI) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({USER["id"]}), questions_per_minute=1000)
    many = [Document(id=f"note-{i:04d}", title=f"Harbour note {i} " + "t" * 150,
                     text=f"{TEXT} {i}", source="Port office",
                     url=f"https://example.org/{i}/" + "p" * 300, date="2024-01-01",
                     content_hash=f"h{i}") for i in range(300)]
    await _with(app, _huge_document(), *many)
    for listing in ("/sources", "/docs"):
        fake_api.message(listing)
        first = (await fake_api.wait_for("sendMessage", len(fake_api.sent()) + 1))[-1]
        seen = {first.params["text"]}
        markup = first
        while True:  # ▶ until the last page
            forward = [b for b in buttons(markup) if "▶" in b["text"]]
            if not forward:
                break
            edits = len(fake_api.sent("editMessageText"))
            fake_api.callback(forward[0]["callback_data"])
            markup = (await fake_api.wait_for("editMessageText", edits + 1))[-1]
            seen.add(markup.params["text"])
        listed = "\n".join(seen)
        assert all(f"Harbour note {i} " in listed for i in range(300))  # every document
        assert len(seen) > 10
        assert markup.params["text"].endswith(f"\n\n{len(seen)}/{len(seen)}")
    assert not fake_api.refused


async def test_docs_pages_are_for_admins_only(start_bot: Any, fake_api: FakeBotAPI) -> None:
    app = await start_bot()
    await _with(app, *(Document(id=f"n{i}", title=f"Note {i} " + "t" * 180, text=f"{TEXT} {i}",
                                content_hash=f"h{i}") for i in range(60)))
    fake_api.callback("pg:d:1")  # /docs' second page, forged by someone who is no admin
    fake_api.callback("pg:s:999")  # past the end of /sources: its last page
    await fake_api.settle()
    refused, = [c for c in fake_api.sent("answerCallbackQuery") if c.params.get("text")]
    assert "only the bot's admins" in refused.params["text"]
    (last,) = fake_api.sent("editMessageText")
    assert "Note 9 " in last.params["text"]  # the last id in order: n0, n1, n10, ..., n9
    assert "<code>" not in last.params["text"]  # /sources shows no ids
    assert "◀" in str(last.params["reply_markup"]) and "▶" not in str(last.params["reply_markup"])


async def test_stats_with_a_huge_question_fit(start_bot: Any, fake_api: FakeBotAPI) -> None:
    await start_bot(telegram_admin_ids=frozenset({USER["id"]}))
    fake_api.message("<&>" * 1365 + "?")  # 4,096 characters, four times as many escaped
    await fake_api.wait_for("sendMessage")
    fake_api.message("/stats")
    await fake_api.settle()
    stats = _texts(fake_api)[1:]
    assert len(stats) >= 2 and "Questions: 1;" in stats[0]
    assert "".join(visible(t, "HTML")[0] for t in stats).count("<&>") == 2 * 1365  # twice listed
