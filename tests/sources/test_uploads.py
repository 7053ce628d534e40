from __future__ import annotations

from pathlib import Path

import pytest

from bot.sources.parsing import DocumentError, parse
from bot.sources.uploads import free_path, is_supported, parse_caption, safe_name, with_metadata
from tests.conftest import make_pdf
from tests.sources.office_files import make_docx, make_epub, make_pptx, make_xlsx


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("notes.txt", "notes.txt"),
        ("../../x.txt", "x.txt"),
        ("/etc/passwd.md", "passwd.md"),
        ("..\\..\\windows.html", "windows.html"),
        (".hidden.md", "hidden.md"),
        ("\u202etxt.exe.md", "txt.exe.md"),  # right-to-left override dropped
        ("a\x00b.txt", "ab.txt"),
        ("ﬁle.txt", "file.txt"),  # NFKC: the ligature becomes two letters
        ("報告 2024.pdf", "報告 2024.pdf"),
        ("Report.PDF", "Report.pdf"),
        ("....txt", "upload.txt"),
        ("x" * 300 + ".txt", "x" * 80 + ".txt"),
    ],
)
def test_safe_name(sent: str, saved: str) -> None:
    assert safe_name(sent) == saved


def test_free_path_never_reuses_a_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "a-2.txt").write_text("two")
    assert free_path(tmp_path, "a.txt") == tmp_path / "a-3.txt"
    assert free_path(tmp_path, "b.txt") == tmp_path / "b.txt"


@pytest.mark.parametrize(
    ("caption", "fields"),
    [
        (None, {}),
        ("  ", {}),
        ("Pool hours | https://example.org/pool", {"title": "Pool hours",
                                                   "url": "https://example.org/pool"}),
        ("https://example.org/only", {"url": "https://example.org/only"}),
        ("Just a title", {"title": "Just a title"}),
        ("title: 泳池开放时间\nsource: 社区中心\nURL: https://e.org/x",
         {"title": "泳池开放时间", "source": "社区中心", "url": "https://e.org/x"}),
    ],
)
def test_parse_caption(caption: str | None, fields: dict[str, str]) -> None:
    assert parse_caption(caption) == fields


def test_supported_types() -> None:
    assert all(is_supported(n) for n in ("a.txt", "b.MD", "c.html", "d.pdf", "e.docx",
                                         "f.PPTX", "g.xlsx", "h.csv", "i.odt", "j.epub"))
    # Old binary formats are taken in to be refused with "save it as .docx", not as unknown.
    assert all(is_supported(n) for n in ("k.doc", "l.xls", "m.ppt"))
    assert not any(is_supported(n) for n in ("f.exe", "noext", "n.rtf"))


def test_caption_fields_win_over_the_file_for_text_and_html() -> None:
    fields = {"title": "Pool hours", "url": "https://example.org/pool"}
    md = with_metadata("a.md", b"---\ndate: 2024-05-01\n---\nThe pool opens at seven.\n", fields)
    doc = parse("a.md", md)
    assert (doc.title, doc.url, doc.date) == ("Pool hours", "https://example.org/pool",
                                              "2024-05-01")
    page = b"<html><head><title>Old</title></head><body><p>" + b"The pool opens at seven. " * 5
    doc = parse("a.html", with_metadata("a.html", page + b"</p></body></html>", fields))
    assert doc.title == "Pool hours" and doc.url == "https://example.org/pool"


def test_caption_fields_are_written_into_a_pdf() -> None:
    data = with_metadata("a.pdf", make_pdf(["The pool opens at seven."], title="Old"),
                         {"title": "Pool hours", "url": "https://example.org/pool"})
    doc = parse("a.pdf", data)
    assert (doc.title, doc.url) == ("Pool hours", "https://example.org/pool")
    assert "The pool opens at seven." in doc.text


def test_binary_text_file_with_a_caption_is_refused() -> None:
    with pytest.raises(DocumentError, match="binary|not text"):
        with_metadata("a.txt", bytes(range(256)) * 8, {"title": "x"})


@pytest.mark.parametrize("name", ["a.docx", "a.pptx"])
def test_caption_fields_are_written_into_word_and_powerpoint_files(name: str) -> None:
    data = (make_docx("Old", [("p", "The pool opens at seven.")]) if name == "a.docx"
            else make_pptx("Old", [("Pool", ["The pool opens at seven."])]))
    fields = {"title": "泳池开放时间", "url": "https://example.org/pool", "date": "2025-06-01"}
    doc = parse(name, with_metadata(name, data, fields))
    assert (doc.title, doc.url, doc.date) == ("泳池开放时间", "https://example.org/pool",
                                              "2025-06-01")
    assert "The pool opens at seven." in doc.text


@pytest.mark.parametrize("name", ["a.xlsx", "a.epub"])
def test_other_new_types_are_kept_as_sent(name: str) -> None:
    data = (make_xlsx({"S": [["A"], ["1"]]}) if name == "a.xlsx"
            else make_epub("T", [("One", ["Text."])]))
    assert with_metadata(name, data, {"title": "X"}) == data


def test_a_broken_word_upload_is_refused_with_a_reason() -> None:
    with pytest.raises(DocumentError, match="corrupt"):
        with_metadata("a.docx", b"PK\x03\x04 broken", {"title": "X"})
