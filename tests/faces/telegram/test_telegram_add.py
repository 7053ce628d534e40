"""/add URL: an admin adds a web page from Telegram; everyone else, and bad URLs, get a reason."""

from __future__ import annotations

from typing import Any

from tests.faces.telegram.fake_bot_api import OTHER, OTHER_CHAT, USER, FakeBotAPI
from tests.sources.test_fetching import site  # noqa: F401  (the local web site fixture)


async def test_an_admin_adds_a_page_and_it_is_answered_from(
    start_bot: Any, fake_api: FakeBotAPI, site: str  # noqa: F811
) -> None:
    await start_bot(telegram_admin_ids=frozenset({USER["id"]}), fetch_allow_private=True)
    fake_api.message(f"/add {site}/page")
    (added,) = await fake_api.wait_for("sendMessage")
    shown = fake_api.visible(added)
    assert "Added web/127.0.0.1/page.html" in shown and "[1] Harbour opening hours" in shown
    fake_api.message("When does the harbour office open?")
    answer = (await fake_api.wait_for("sendMessage", 2))[1]
    assert "opens at eight" in fake_api.visible(answer).split("\n")[0]
    assert f'href="{site}/page"' in answer.params["text"]  # cited with its URL


async def test_add_refuses_what_it_must_with_a_reason(
    start_bot: Any, fake_api: FakeBotAPI, site: str  # noqa: F811
) -> None:
    await start_bot(telegram_admin_ids=frozenset({USER["id"]}))  # private addresses refused
    fake_api.message(f"/add {site}/page")
    fake_api.message("/add http://169.254.169.254/latest/meta-data/")
    fake_api.message("/add")
    fake_api.message(f"/add {site}/page", chat=OTHER_CHAT, user=OTHER)  # not an admin
    replies = [fake_api.visible(c) for c in await fake_api.wait_for("sendMessage", 4)]
    assert any("127.0.0.1 is a loopback address" in r for r in replies)
    assert any("169.254.169.254 is a link-local address" in r for r in replies)
    assert any("Send /add and the address of a web page" in r for r in replies)
    assert any("only" in r.lower() and "admin" in r.lower() for r in replies)
    await fake_api.settle()
    assert not [r for r in replies if "something went wrong" in r.lower()]


async def test_a_link_alone_from_an_admin_is_offered_as_a_page_to_add(
    start_bot: Any, fake_api: FakeBotAPI, site: str  # noqa: F811
) -> None:
    await start_bot(telegram_admin_ids=frozenset({USER["id"]}), fetch_allow_private=True)
    fake_api.message(f"{site}/page")
    (offer,) = await fake_api.wait_for("sendMessage")
    assert "Add this page to the documents?" in fake_api.visible(offer)
    labels = {b["text"]: b["callback_data"] for row in offer.params["reply_markup"]
              ["inline_keyboard"] for b in row}
    add = next(data for text, data in labels.items() if text.startswith("➕"))
    fake_api.callback(add, user=OTHER)  # someone else pressing it: refused on the server
    fake_api.callback(add)
    (added,) = await fake_api.wait_for("editMessageText")
    assert "Added web/127.0.0.1/page.html" in fake_api.visible(added)
    answers = [c.params.get("text", "") for c in fake_api.sent("answerCallbackQuery")]
    assert any("admin" in a.lower() for a in answers)
    fake_api.callback(add)  # a second press: the link was used
    await fake_api.settle()
    assert "no longer available" in fake_api.sent("answerCallbackQuery")[-1].params["text"]


async def test_a_link_alone_from_anyone_else_is_a_question(
    start_bot: Any, fake_api: FakeBotAPI, site: str  # noqa: F811
) -> None:
    await start_bot(telegram_admin_ids=frozenset({USER["id"]}))
    fake_api.message(f"{site}/page", chat=OTHER_CHAT, user=OTHER)
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "Add this page" not in fake_api.visible(reply)


async def test_add_with_a_sitemap_adds_the_sites_pages(
    start_bot: Any, fake_api: FakeBotAPI
) -> None:
    from tests.sources.test_crawling import serve, site_app

    runner, base = await serve(site_app(True))
    try:
        await start_bot(telegram_admin_ids=frozenset({USER["id"]}), fetch_allow_private=True,
                        crawl_delay_seconds=0)
        fake_api.message(f"/add {base}/maps/index.xml")
        started, done = await fake_api.wait_for("sendMessage", 2)
        assert "Reading the site's pages" in fake_api.visible(started)
        assert "Added 3 of 3 pages" in fake_api.visible(done)
    finally:
        await runner.cleanup()
