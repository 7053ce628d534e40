"""Office files, e-books and spreadsheets, built by the libraries that write them: their
structure (headings, slides, rows with sheet and column names) and stated metadata carry over,
and every bad one is refused with its reason."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.core.marks import LABEL_END, SECTION
from bot.core.splitting import split_passages
from bot.sources.containers import MAX_RATIO, checked_zip
from bot.sources.parsing import DocumentError, parse
from bot.sources.sheets import MAX_CELLS
from tests.sources.office_files import (
    make_docx,
    make_epub,
    make_odt,
    make_pptx,
    make_xlsx,
    zip_bomb,
)

PHONES = {"Phones": [["Name", "Phone", "Opening hours"],
                     ["Lee Mei", "6152 0695", "9-18"],
                     ["王小容", 61234567, "10-17"]],
          "Rooms": [["Room", "Floor"], ["Reading room", 2]]}


def test_a_word_file_keeps_its_chinese_heading_title_date_and_table() -> None:
    data = make_docx(None, [("h1", "图书馆开放时间"), ("p", "图书馆每天早上九点开门。"),
                            ("h2", "Parking"), ("p", "Parking is free after six.")],
                     table=[["Desk", "Phone"], ["Loans", "6152 0695"]])
    doc = parse("library.docx", data)
    assert doc.title == "图书馆开放时间"  # no title stated: the first heading names it
    assert doc.date == "2024-03-05"
    assert "图书馆每天早上九点开门。" in doc.text
    # A heading is a paragraph of its own, and starts a section: a passage ends before it.
    assert f"\n\n{SECTION}Parking\n\nParking is free after six." in doc.text
    assert "Desk: Loans · Phone: 6152 0695" in doc.text


def test_a_stated_word_title_wins() -> None:
    doc = parse("a.docx", make_docx("Library guide", [("p", "The library opens at nine.")]))
    assert doc.title == "Library guide"


def test_a_spreadsheet_row_keeps_its_sheet_row_and_column_names() -> None:
    doc = parse("phones.xlsx", make_xlsx(PHONES, title="Phone list"))
    lines = doc.text.split("\n")
    assert f"Phones, row 2{LABEL_END}: Name: Lee Mei · Phone: 6152 0695 · Opening hours: 9-18" \
        in lines
    assert f"Phones, row 3{LABEL_END}: Name: 王小容 · Phone: 61234567 · Opening hours: 10-17" in lines
    assert f"Rooms, row 2{LABEL_END}: Room: Reading room · Floor: 2" in lines
    assert (doc.title, doc.date) == ("Phone list", "2024-03-05")


def test_each_row_is_one_sentence_so_the_answer_shown_is_the_row() -> None:
    from bot.core.splitting import split_sentences

    doc = parse("phones.xlsx", make_xlsx(PHONES))
    sentences = [doc.text[s.start:s.end] for s in split_sentences(doc.text)]
    assert f"Phones, row 2{LABEL_END}: Name: Lee Mei · Phone: 6152 0695 · Opening hours: 9-18" \
        in sentences
    assert doc.title == "phones"  # nothing stated: the file's name


def test_rows_further_down_keep_their_own_row_number() -> None:
    rows: list[list[object]] = [["Title", None], [None, None], ["Name", "Phone"]]
    rows += [[f"Person {n}", f"6000 {n:04d}"] for n in range(1, 6)]
    doc = parse("p.xlsx", make_xlsx({"List": rows}))
    # The first filled row is the header; a blank row is skipped but still counted.
    # A column the header leaves unnamed gives its value alone.
    assert f"List, row 3{LABEL_END}: Title: Name · Phone" in doc.text.split("\n")
    assert f"List, row 8{LABEL_END}: Title: Person 5 · 6000 0005" in doc.text.split("\n")


def test_a_csv_becomes_rows_with_column_names() -> None:
    doc = parse("hours.csv", "Service;Opening hours\nPool;9-18\n游泳池;七点\n".encode())
    assert doc.text.split("\n") == [f"Row 2{LABEL_END}: Service: Pool · Opening hours: 9-18",
                                    f"Row 3{LABEL_END}: Service: 游泳池 · Opening hours: 七点"]


def test_a_slide_keeps_its_title_with_its_text() -> None:
    data = make_pptx("Visitor deck", [("Opening hours", ["Monday to Friday 9-18", "Closed Sundays"]),
                                      ("门票", ["成人五元", "儿童免费"])])
    doc = parse("deck.pptx", data)
    slides = doc.text.split("\n\n")
    assert slides == ["Opening hours. Monday to Friday 9-18. Closed Sundays.", "门票。成人五元。儿童免费。"]
    assert (doc.title, doc.date) == ("Visitor deck", "2024-03-05")
    # Each slide is one line: a passage that can hold a slide never cuts it after its title.
    for passage in split_passages(doc.id, doc.text, target=60):
        assert not passage.text.startswith(("Monday", "成人"))


def test_an_odt_keeps_headings_title_and_date() -> None:
    doc = parse("pool.odt", make_odt("Pool rules", [("h1", "Swimming"),
                                                    ("p", "The pool opens at seven."),
                                                    ("h1", "游泳"), ("p", "泳池早上七点开放。")]))
    assert (doc.title, doc.date) == ("Pool rules", "2024-03-05")
    assert f"\n\n{SECTION}游泳\n\n泳池早上七点开放。" in doc.text


def test_an_ebook_reads_its_chapters_in_order_without_the_table_of_contents() -> None:
    data = make_epub("The Lighthouse", [("Chapter one", ["The keeper lit the lamp at dusk."]),
                                        ("Chapter two", ["The ship reached the harbour."])])
    doc = parse("book.epub", data)
    assert (doc.title, doc.date) == ("The Lighthouse", "2024-03-05")
    assert doc.text == ("Chapter one\n\nThe keeper lit the lamp at dusk.\n\n"
                        f"{SECTION}Chapter two\n\nThe ship reached the harbour.")


def _corrupt(data: bytes) -> bytes:
    """The file cut in half: its zip directory is gone."""
    return data[: len(data) // 2]


def _without(data: bytes, part: str) -> bytes:
    """The zip rewritten without one of its parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
    return out.getvalue()


GOOD = {
    "a.docx": lambda: make_docx("T", [("p", "Text here.")]),
    "a.pptx": lambda: make_pptx("T", [("Slide", ["Point"])]),
    "a.xlsx": lambda: make_xlsx({"S": [["A"], ["1"]]}),
    "a.odt": lambda: make_odt("T", [("p", "Text here.")]),
    "a.epub": lambda: make_epub("T", [("One", ["Text here."])]),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_cut_off_file_is_refused_with_a_reason(name: str) -> None:
    with pytest.raises(DocumentError, match="corrupt|unreadable"):
        parse(name, _corrupt(GOOD[name]()))


@pytest.mark.parametrize(("name", "part"), [("a.docx", "word/document.xml"),
                                            ("a.pptx", "[Content_Types].xml"),
                                            ("a.xlsx", "xl/workbook.xml"),
                                            ("a.odt", "content.xml"),
                                            ("a.epub", "META-INF/container.xml")])
def test_a_file_missing_its_main_part_is_refused(name: str, part: str) -> None:
    with pytest.raises(DocumentError, match="unreadable"):
        parse(name, _without(GOOD[name](), part))


@pytest.mark.parametrize("name", [*sorted(GOOD), "a.doc", "a.xls", "a.ppt"])
def test_an_encrypted_or_old_binary_file_says_what_to_do(name: str) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    with pytest.raises(DocumentError, match="password|save it as"):
        parse(name, ole)


@pytest.mark.parametrize(("name", "answer"), [("old.doc", "save it as .docx"),
                                              ("old.ppt", "save it as .pptx"),
                                              ("old.xls", "save it as .xlsx"),
                                              ("macros.xlsm", "macro-enabled"),
                                              ("macros.docm", "macro-enabled")])
def test_old_and_macro_formats_get_a_clear_answer(name: str, answer: str) -> None:
    with pytest.raises(DocumentError, match=answer):
        parse(name, GOOD["a.docx"]())


def test_a_macro_workbook_renamed_to_xlsx_is_refused() -> None:
    data = GOOD["a.xlsx"]()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"spreadsheetml.sheet.main+xml",
                                    b"ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(info, body)
    with pytest.raises(DocumentError):
        parse("a.xlsx", out.getvalue())


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_zip_bomb_is_never_unpacked(name: str) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 2 * 2**20
    with pytest.raises(DocumentError, match="zip bomb"):
        parse(name, bomb)


def test_the_ratio_check_spares_ordinary_office_files() -> None:
    rows = [["Name", "Phone"]] + [[f"Person {n}", "6152 0695"] for n in range(20_000)]
    data = make_xlsx({"Big": rows})
    checked_zip(data, "workbook")  # repetitive XML, yet well under MAX_RATIO
    assert MAX_RATIO >= 100


def test_a_workbook_over_the_cell_limit_is_refused() -> None:
    rows = [["A", "B"]] + [[n, n] for n in range(MAX_CELLS // 2 + 1)]
    with pytest.raises(DocumentError, match="filled cells"):
        parse("huge.xlsx", make_xlsx({"S": rows}))


@pytest.mark.parametrize("name", ["a.docx", "a.pptx", "a.xlsx", "a.odt", "a.epub", "a.csv"])
def test_garbage_and_empty_files_are_refused(name: str) -> None:
    for data in (b"", b"this is not a zip at all, only words" * 10):
        if name.endswith(".csv") and data:
            continue  # words are a valid one-column CSV of a header only
        with pytest.raises(DocumentError):
            parse(name, data)


def test_a_file_without_text_is_refused() -> None:
    with pytest.raises(DocumentError, match="no text"):
        parse("blank.docx", make_docx(None, []))
    with pytest.raises(DocumentError, match="no text"):
        parse("header.xlsx", make_xlsx({"S": [["Name", "Phone"]]}))


def test_bad_files_of_every_new_type_never_stop_the_others(tmp_path) -> None:
    from bot.sources.folder import read_documents

    for name, build in GOOD.items():
        (tmp_path / f"good{name[1:]}").write_bytes(build())
        (tmp_path / f"cut{name[1:]}").write_bytes(_corrupt(build()))
        (tmp_path / f"bomb{name[1:]}").write_bytes(zip_bomb())
    (tmp_path / "good.csv").write_text("Name,Phone\nLee,6152 0695\n")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    for old in ("old.doc", "old.xls", "old.ppt"):
        (tmp_path / old).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    hashes, skipped = read_documents(tmp_path)
    assert sorted(hashes) == sorted(f"good{n[1:]}" for n in [*GOOD, "a.csv"])
    reasons = dict(s.split(" (", 1) for s in skipped)
    assert set(reasons) == ({f"{kind}{n[1:]}" for kind in ("cut", "bomb") for n in GOOD}
                            | {"binary.csv", "old.doc", "old.xls", "old.ppt"})
    assert all("zip bomb" in reasons[f"bomb{n[1:]}"] for n in GOOD)
    assert "save it as .xlsx" in reasons["old.xls"]
