"""Headings split passages: a Word file and a Markdown file in the knowledge folder become one
passage a section, each starting at its heading, and a question about a section cites it."""

from __future__ import annotations

from bot.engine.service import QAService
from bot.faces.text import render_text
from tests.sources.office_files import make_docx

GUIDE = [("h1", "Library opening hours"),
         ("p", "The library opens at nine every weekday and closes at six."),
         ("h1", "图书馆停车"),
         ("p", "图书馆的停车场晚上六点以后免费，共有四十个车位。"),
         ("p", "电动车可以在东门充电。")]


async def test_each_heading_of_a_word_file_starts_the_passage_that_cites_it(
    service: QAService
) -> None:
    (service.settings.knowledge_dir / "library.docx").write_bytes(make_docx("Library guide", GUIDE))
    await service.reload()
    passages = service.index.document_passages("library.docx")
    # Both sections together are far below PASSAGE_SIZE: the headings alone split them.
    assert [p.text.split("\n")[0] for p in passages] == ["Library opening hours", "图书馆停车"]
    assert passages[1].text.endswith("电动车可以在东门充电。")
    answer = service.ask("图书馆停车场有多少个车位？")
    first = answer.passages[0].hit.passage
    assert (first.doc_id, first.position, first.count) == ("library.docx", 2, 2)
    assert "[1] Library guide — 2024-03-05, 第 2/2 段" in render_text(answer)


async def test_each_markdown_heading_starts_a_passage_and_code_is_no_heading(
    service: QAService
) -> None:
    (service.settings.knowledge_dir / "pool.md").write_text(
        "# Pool rules for the summer\n\nThe pool opens at seven in the morning.\n\n"
        "```sh\n# clean the filters\n```\n\nSauna\n-----\n\n"
        "The sauna is open until ten at night.\n", encoding="utf-8")
    await service.reload()
    passages = service.index.document_passages("pool.md")
    assert [p.text.split("\n")[0] for p in passages] == ["Pool rules for the summer", "Sauna"]
    assert passages[0].title == "Pool rules for the summer"  # its heading, not a sentence
    assert "# clean the filters" in passages[0].text  # code is text, not a heading
    first = service.ask("How late is the sauna open?").passages[0].hit.passage
    assert (first.doc_id, first.position) == ("pool.md", 2)
