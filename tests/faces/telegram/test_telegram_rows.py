"""On Telegram a spreadsheet row is cited by its sheet and row, in the lead's citation and in
the evidence's; other passages keep their number."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from tests.faces.telegram.fake_bot_api import FakeBotAPI
from tests.faces.test_row_citations import put_phone_list


async def test_a_row_is_cited_by_its_sheet_and_row(
    start_bot: Any, fake_api: FakeBotAPI, settings: Settings
) -> None:
    put_phone_list(settings.knowledge_dir)
    await start_bot()
    fake_api.message("What is Wong Tai's phone number?")
    fake_api.message("Who are the seats in row 3 reserved for?")
    # Answered concurrently: told apart by what they say.
    replies = sorted((fake_api.visible(c) for c in await fake_api.wait_for("sendMessage", 2)),
                     key=lambda text: "Seats" in text)
    row, prose = replies
    lead, citation = row.split("\n")[:2]
    assert "Wong Tai" in lead and "6123 4567" in lead
    assert citation == "[1] Community centre phones — 2024-03-05, Phones, row 3"
    assert "passage" not in citation
    assert prose.split("\n")[1].endswith("— passage 1/1")
