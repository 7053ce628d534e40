from __future__ import annotations

from pathlib import Path

import pytest

from bot.sources.parsing import DocumentError, parse
from bot.sources.uploads import free_path, is_supported, parse_caption, safe_name, with_metadata
from tests.conftest import make_pdf


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
    assert all(is_supported(n) for n in ("a.txt", "b.MD", "c.html", "d.pdf"))
    assert not any(is_supported(n) for n in ("e.docx", "f.exe", "noext"))


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
