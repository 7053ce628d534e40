"""A spreadsheet row is cited by its sheet and row ("Phones, row 3"), in the console, `ask`
and `ask --json`; any other passage keeps "passage i/N", even prose that reads like a row."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.engine.service import QAService
from bot.faces.text import render_text, to_json
from tests.faces.test_cli import run_bot
from tests.sources.office_files import make_xlsx

PHONES = {"Phones": [["Name", "Phone", "Opening hours"],
                     ["Lee Mei", "6152 0695", "9-18"],
                     ["Wong Tai", "6123 4567", "10-17; closed on Mondays"]]}


def put_phone_list(knowledge: Path) -> None:
    """The phone list workbook, a Chinese CSV, and a text file whose prose copies a row's form."""
    (knowledge / "phones.xlsx").write_bytes(make_xlsx(PHONES, title="Community centre phones"))
    (knowledge / "desks.csv").write_text("服务台,电话,开放时间\n借书处,6177 8899,上午八点到十二点\n"
                                         "游泳池,6177 5566,下午两点到晚上九点\n", encoding="utf-8")
    (knowledge / "seats.txt").write_text(
        "Seating plan for the spring concert\n\nThe hall has seats in rows. Seats, row 3: "
        "reserved for the choir, as agreed with the conductor. The other rows are open to "
        "everyone who has a ticket.\n", encoding="utf-8")


async def test_the_console_and_json_name_the_sheet_and_row(settings: Settings) -> None:
    put_phone_list(settings.knowledge_dir)
    service = await QAService.start(settings)
    try:
        answer = service.ask("What is Wong Tai's phone number?")
        chinese = service.ask("游泳池的电话是多少？")
        prose = service.ask("Who are the seats in row 3 reserved for?")
    finally:
        await service.close()
    lines = render_text(answer).split("\n")
    assert "Wong Tai" in lines[0] and "6123 4567" in lines[0]
    assert lines[1] == "[1] Community centre phones — 2024-03-05, Phones, row 3"
    first = to_json(answer)["passages"][0]
    assert first["row"] == "Phones, row 3" and first["doc_id"] == "phones.xlsx"
    assert render_text(chinese).split("\n")[1] == "[1] desks — Row 3"  # a CSV names its row
    # Prose in a row's form is no row: its citation says which passage it is.
    cited = to_json(prose)["passages"][0]
    assert cited["doc_id"] == "seats.txt" and cited["row"] is None
    assert "Seats, row 3: reserved" in render_text(prose).split("\n")[0]
    assert render_text(prose).split("\n")[1].endswith("— passage 1/1")


def test_ask_prints_the_row_as_a_user_runs_it(tmp_path: Path, knowledge: Path) -> None:
    put_phone_list(knowledge)
    result = run_bot("console", "--knowledge", str(knowledge), "--db", str(tmp_path / "x.db"),
                     cwd=tmp_path, stdin="When does Wong Tai's desk open?\n")
    assert result.returncode == 0, result.stderr
    assert "[1] Community centre phones — 2024-03-05, Phones, row 3" in result.stdout
