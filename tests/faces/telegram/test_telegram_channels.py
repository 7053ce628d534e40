"""The team's channel as documents, through the real Application and the fake Bot API: posts
of SOURCE_CHANNEL_IDS, their edits, other channels, and forwards from admins and others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram.ext import Application

from tests.faces.telegram.fake_bot_api import OTHER, OTHER_CHAT, USER, FakeBotAPI

ADMIN = USER["id"]
NEWS: dict[str, Any] = {"id": -1001234567890, "type": "channel", "title": "Harbour News",
                        "username": "harbournews"}
PRIVATE_CHANNEL: dict[str, Any] = {"id": -1005550001111, "type": "channel",
                                   "title": "社区 通知 Board"}
OUTSIDER: dict[str, Any] = {"id": -1009999999999, "type": "channel", "title": "Spam",
                            "username": "spamchannel"}
MARCH_1 = 1709287200  # 2024-03-01 10:00 UTC
HOURS = "Opening hours\nThe harbour community centre opens at nine every weekday morning."
HOURS_LATER = "Opening hours\nThe harbour community centre now opens at eleven every weekday."
QUESTION = "When does the harbour community centre open?"


def post(fake_api: FakeBotAPI, text: str | None, message_id: int, chat: dict[str, Any] = NEWS,
         edited: bool = False, **extra: Any) -> int:
    """Push a channel post (or its edit) as Telegram sends one: no user, the channel as sender."""
    body: dict[str, Any] = {"message_id": message_id, "date": MARCH_1, "chat": chat,
                            "sender_chat": chat, **extra}
    if text is not None:
        body["text"] = text
    if edited:
        body["edit_date"] = MARCH_1 + 60
    return fake_api.push({"edited_channel_post" if edited else "channel_post": body})


def _folder(app: Application) -> Path:
    return app.bot_data["settings"].knowledge_dir


async def _ask(fake_api: FakeBotAPI, question: str) -> str:
    """The HTML of the bot's reply to a question in a private chat."""
    before = len(fake_api.sent())
    fake_api.message(question)
    return (await fake_api.wait_for("sendMessage", before + 1))[before].params["text"]


async def test_a_channel_post_is_answered_with_its_link_and_an_edit_replaces_it(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(source_channel_ids=frozenset({NEWS["id"]}))
    post(fake_api, HOURS, 42)
    await fake_api.settle()
    reply = await _ask(fake_api, QUESTION)
    assert "opens at nine" in reply.split("\n")[0]
    assert 'href="https://t.me/harbournews/42"' in reply and "Opening hours" in reply
    assert "Harbour News" in reply and "2024-03-01" in reply
    assert (_folder(app) / "channels/harbournews/42.txt").is_file()

    post(fake_api, HOURS_LATER, 42, edited=True)
    await fake_api.settle()
    reply = await _ask(fake_api, QUESTION)
    assert "eleven" in reply and "nine" not in reply
    documents = await app.bot_data["service"].documents()
    assert [d.id for d in documents if d.id.startswith("channels/")] == [
        "channels/harbournews/42.txt"]
    assert {c.params["chat_id"] for c in fake_api.sent()} == {USER["id"]}  # none in the channel


async def test_a_post_edited_to_nothing_is_removed_and_a_photo_alone_adds_nothing(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(source_channel_ids=frozenset({NEWS["id"]}))
    post(fake_api, HOURS, 42)
    post(fake_api, None, 43, photo=[{"file_id": "p1", "file_unique_id": "up1", "width": 9,
                                     "height": 9}])
    await fake_api.settle()
    posts = _folder(app) / "channels/harbournews"
    assert sorted(p.name for p in posts.iterdir()) == ["42.txt"]
    post(fake_api, None, 42, edited=True, photo=[{"file_id": "p2", "file_unique_id": "up2",
                                                  "width": 9, "height": 9}])
    await fake_api.settle()
    assert not list(posts.iterdir())
    documents = await app.bot_data["service"].documents()
    assert not [d for d in documents if d.id.startswith("channels/")]
    assert not fake_api.sent("sendMessage")


async def test_a_caption_and_a_private_channel_get_a_t_me_c_link(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(source_channel_ids=frozenset({PRIVATE_CHANNEL["id"]}))
    post(fake_api, None, 7, chat=PRIVATE_CHANNEL, caption="乒乓球室开放时间\n社区中心的乒乓球室每周六下午两点开放。",
         photo=[{"file_id": "p1", "file_unique_id": "up1", "width": 9, "height": 9}])
    await fake_api.settle()
    assert (_folder(app) / "channels/社区-通知-board/7.txt").is_file()
    reply = await _ask(fake_api, "乒乓球室什么时候开放？")
    assert 'href="https://t.me/c/5550001111/7"' in reply and "每周六下午两点" in reply


async def test_posts_of_channels_not_listed_add_nothing_and_listed_ones_pass_allowed_ids(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    # ALLOWED_IDS lists only the admin: a channel post has no user, and must pass by its chat.
    app = await start_bot(source_channel_ids=frozenset({NEWS["id"]}),
                          allowed_ids=frozenset({ADMIN}), telegram_admin_ids=frozenset({ADMIN}))
    post(fake_api, "Free ferry tickets\nClick this link to win free ferry tickets now.", 5,
         chat=OUTSIDER)
    post(fake_api, HOURS, 42)
    await fake_api.settle()
    assert not (_folder(app) / "channels/spamchannel").exists()
    assert (_folder(app) / "channels/harbournews/42.txt").is_file()
    assert not fake_api.sent("sendMessage")  # nothing said in either channel
    reply = await _ask(fake_api, "How do I win free ferry tickets?")
    assert "t.me/spamchannel" not in reply


async def test_an_admins_forward_from_a_channel_is_added_with_its_link_and_date(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({ADMIN}))  # the channel is not listed
    origin = {"type": "channel", "chat": NEWS, "message_id": 77, "date": MARCH_1 - 86400}
    fake_api.message("Ferry timetable\nThe first ferry to Peng Chau leaves at 7:15 every day.",
                     forward_origin=origin)
    (added,) = await fake_api.wait_for("sendMessage")
    shown = fake_api.visible(added)
    assert "Added channels/harbournews/77.txt: 1 passages" in shown
    assert "[1] Ferry timetable — Harbour News, 2024-02-29" in shown
    assert 'href="https://t.me/harbournews/77"' in added.params["text"]
    reply = await _ask(fake_api, "When does the first ferry to Peng Chau leave?")
    assert "7:15" in reply and 'href="https://t.me/harbournews/77"' in reply
    fake_api.message("Ferry timetable\nThe first ferry to Peng Chau leaves at 7:15 every day.",
                     forward_origin=origin)  # the same post again
    again = (await fake_api.wait_for("sendMessage", 3))[2]
    assert "already in the collection as channels/harbournews/77.txt" in fake_api.visible(again)
    assert len(list((_folder(app) / "channels/harbournews").iterdir())) == 1


async def test_an_admins_forward_from_a_person_is_added_without_a_link(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({ADMIN}))
    origin = {"type": "user", "sender_user": OTHER, "date": MARCH_1}
    fake_api.message("Lost property\nLost property is kept at the front desk for one month.",
                     forward_origin=origin)
    (added,) = await fake_api.wait_for("sendMessage")
    shown = fake_api.visible(added)
    assert "Added channels/forwarded/20240301-100000-" in shown
    assert "[1] Lost property — Mo, 2024-03-01" in shown and "href" not in added.params["text"]
    assert len(list((_folder(app) / "channels/forwarded").iterdir())) == 1


async def test_a_forward_with_no_text_gets_a_reason(start_bot: Any, fake_api: FakeBotAPI) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({ADMIN}))
    fake_api.message(None, forward_origin={"type": "hidden_user", "sender_user_name": "Ann",
                                           "date": MARCH_1},
                     sticker={"file_id": "s", "file_unique_id": "us", "width": 9, "height": 9,
                              "is_animated": False, "is_video": False, "type": "regular"})
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "That message has no text to add" in fake_api.visible(reply)
    assert not (_folder(app) / "channels").exists()


async def test_a_forward_from_someone_not_an_admin_is_a_question_and_adds_nothing(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    app = await start_bot(telegram_admin_ids=frozenset({ADMIN}))
    origin = {"type": "channel", "chat": NEWS, "message_id": 78, "date": MARCH_1}
    fake_api.message("Who is Fu Linlin?", chat=OTHER_CHAT, user=OTHER, forward_origin=origin)
    fake_api.message(None, chat=OTHER_CHAT, user=OTHER, forward_origin=origin,
                     photo=[{"file_id": "p1", "file_unique_id": "up1", "width": 9, "height": 9}])
    replies = [fake_api.visible(c) for c in await fake_api.wait_for("sendMessage", 2)]
    await fake_api.settle()
    assert any("Fu Linlin" in r for r in replies)  # answered, as any question
    assert any("I can only read text" in r for r in replies)
    assert not any("Added" in r for r in replies)
    assert not (_folder(app) / "channels").exists()


async def test_an_edit_handled_before_its_post_is_kept(start_bot: Any, fake_api: FakeBotAPI
                                                       ) -> None:
    app = await start_bot(source_channel_ids=frozenset({NEWS["id"]}))
    post(fake_api, HOURS_LATER, 42, edited=True)
    await fake_api.settle()
    post(fake_api, HOURS, 42)  # Telegram sent it first; the bot got to it later
    await fake_api.settle()
    assert b"eleven" in (_folder(app) / "channels/harbournews/42.txt").read_bytes()


async def test_a_post_that_cannot_be_kept_is_logged_and_nothing_said_in_the_channel(
    start_bot: Any, fake_api: FakeBotAPI, monkeypatch: Any, caplog: Any
) -> None:
    app = await start_bot(source_channel_ids=frozenset({NEWS["id"]}))

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(app.bot_data["service"], "put_files", broken)
    post(fake_api, HOURS, 42)
    await fake_api.settle()
    assert not fake_api.sent("sendMessage")
    assert "could not keep post 42 of channel -1001234567890" in caplog.text
