"""Channel posts as files, and Telegram Desktop's export read into posts (pure)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from bot.sources import channels
from bot.sources.parsing import parse

MARCH_1 = dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC)


def test_links_of_public_and_private_channels() -> None:
    assert channels.post_link("harbournews", -1001234567890, 42) == "https://t.me/harbournews/42"
    assert channels.post_link(None, -1001234567890, 42) == "https://t.me/c/1234567890/42"
    assert channels.own_id(-1001234567890) == channels.own_id(1234567890) == 1234567890


@pytest.mark.parametrize(("username", "title", "folder"), [
    ("HarbourNews", "Harbour News", "harbournews"),
    (None, "社区 通知 Board!", "社区-通知-board"),
    (None, "../../etc/passwd", "etc-passwd"),  # never a path
    (None, "🎉🎉", "c1234567890"),
    (None, "Forwarded", "c1234567890"),  # the folder of forwards from people is taken
    (None, None, "c1234567890"),
])
def test_a_channels_folder_is_its_username_or_a_slug_of_its_title_or_its_id(
    username: str | None, title: str | None, folder: str
) -> None:
    assert channels.channel_folder(username, title, -1001234567890) == folder


def test_a_post_file_reads_back_as_its_document() -> None:
    post = channels.channel_post(-1001234567890, "harbournews", "Harbour News", 42, MARCH_1,
                                 "\n  Opening hours  \nWe open at nine every weekday.\n")
    data = channels.post_file(post)
    assert post.path == "channels/harbournews/42.txt" and data is not None
    doc = parse(post.path, data)
    assert (doc.title, doc.source, doc.url, doc.date) == (
        "Opening hours", "Harbour News", "https://t.me/harbournews/42", "2024-03-01")
    assert "We open at nine every weekday." in doc.text


def test_a_post_that_looks_like_front_matter_states_nothing() -> None:
    text = "---\nid: faq.txt\nurl: https://evil.example\n---\nOur hours changed today."
    post = channels.channel_post(-1001234567890, "harbournews", None, 9, None, text)
    doc = parse(post.path, channels.post_file(post) or b"")
    assert doc.id == post.path and doc.url == "https://t.me/harbournews/9"
    assert "Our hours changed today." in doc.text


def test_a_post_without_text_has_no_file() -> None:
    post = channels.channel_post(-1001234567890, "harbournews", None, 9, MARCH_1, " \n ")
    assert channels.post_file(post) is None


def test_a_forward_from_a_person_is_named_by_its_date_and_text() -> None:
    one = channels.forwarded_post("Mo", MARCH_1, "Lost property is kept at the desk.")
    again = channels.forwarded_post("Mo", MARCH_1, "Lost property is kept at the desk.")
    other = channels.forwarded_post("Mo", MARCH_1, "Lost property is kept for a month.")
    assert one.path == again.path != other.path
    assert one.path.startswith("channels/forwarded/20240301-233000-") and one.url is None


def _export(messages: list[Any], **top: Any) -> bytes:
    return json.dumps({"name": "Harbour News", "type": "public_channel", "id": 1234567890,
                       "messages": messages, **top}, ensure_ascii=False).encode("utf-8")


def test_an_export_gives_its_posts_and_counts_what_it_passes_over() -> None:
    export = channels.read_export(_export([
        {"id": 1, "type": "service", "date": "2024-03-01T09:00:00", "action": "create_channel"},
        {"id": 2, "type": "message", "date": "2024-03-01T18:00:00",
         "date_unixtime": "1709287200", "text": "Opening hours\nWe open at nine.",
         "edited": "2024-03-02T10:00:00"},
        {"id": 3, "type": "message", "date": "2024-03-02T10:00:00",
         "text": ["社区中心的", {"type": "bold", "text": "乒乓球室"}, "周六开放。",
                  {"type": "text_link", "text": "详情", "href": "https://example.org"}]},
        {"id": 4, "type": "message", "date": "2024-03-03T10:00:00", "photo": "a.jpg",
         "text": ""},
    ]), "harbournews")
    assert (export.name, export.folder, export.service, export.empty) == (
        "Harbour News", "harbournews", 1, 1)
    first, second = export.posts
    assert first.path == "channels/harbournews/2.txt" and first.url == "https://t.me/harbournews/2"
    assert first.date == dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)  # date_unixtime wins
    assert second.text == "社区中心的乒乓球室周六开放。详情"
    assert second.date == dt.datetime(2024, 3, 2, 10, 0)


def test_an_export_without_a_username_links_for_members() -> None:
    (post,) = channels.read_export(_export([{"id": 5, "type": "message", "text": "Hello all"}],
                                           type="private_channel")).posts
    assert post.url == "https://t.me/c/1234567890/5" and post.folder == "harbour-news"


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x89PNG\r\n", "Invalid JSON"),
    (b"[1, 2]", "Input should be an object"),
    (_export([{"type": "message", "text": "no id"}]), "messages.0.id: Field required"),
    (b'{"name": "x", "type": "public_channel", "id": 1}', "messages: Field required"),
    (_export([{"id": 1, "type": "message", "text": 5}]), "messages.0.text"),
    (_export([], type="personal_chat"), "this export is of a personal_chat, not a channel"),
])
def test_a_file_that_is_no_channel_export_gets_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(channels.ExportError) as caught:
        channels.read_export(data)
    assert reason in str(caught.value)


def test_a_date_without_a_zone_is_taken_as_written_on_any_machine(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    post = channels.channel_post(-1001234567890, "harbournews", None, 9,
                                 dt.datetime(2024, 3, 1, 23, 30), "Late news tonight")
    files = set()
    for zone in ("UTC", "Asia/Shanghai", "America/New_York"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        files.add(channels.post_file(post))
    monkeypatch.delenv("TZ")
    time.tzset()
    assert len(files) == 1 and b"date: '2024-03-01'" in files.pop()
