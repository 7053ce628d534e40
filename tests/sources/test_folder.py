"""The knowledge folder in: which files are documents, and each one split and tokenised with its
title as a field of every passage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.analysis import Analyzer
from bot.core.models import Document
from bot.sources.folder import fingerprint, read, scan, shown_name, split, with_tokens


def test_the_title_is_a_field_of_every_passage(analyzer: Analyzer) -> None:
    doc = Document(id="d", title="River Festival",
                   text="Boats race along the river at noon.\n\nLanterns glow on the water at night.")
    (update,) = with_tokens([split(doc, 40, 0)], analyzer)
    assert len(update.passages) == 2 == len(update.tokens)
    for passage, terms in zip(update.passages, update.tokens, strict=True):
        assert terms.count("festiv") == analyzer.title_weight  # from the title, every passage
        assert terms[: -analyzer.title_weight * 2] == analyzer.index_terms(passage.text)


def test_batches_keep_each_documents_own_terms(analyzer: Analyzer) -> None:
    docs = [Document(id=f"d{n}", title=title, text=text) for n, (title, text) in enumerate(
        [("Pool hours", "The pool opens at seven."), ("图书馆", "借书期限为三周。")])]
    first, second = with_tokens([split(d, 1500, 1) for d in docs], analyzer)
    assert "pool" in first.tokens[0] and "图书馆" not in first.tokens[0]
    assert "图书馆" in second.tokens[0] and "pool" not in second.tokens[0]


def test_scan_and_fingerprint_see_documents_not_hidden_or_other_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("secret", encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("?", encoding="utf-8")
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["a.md"]
    assert found.passed == [("notes.xyz", "unsupported file type .xyz")]
    before = fingerprint(tmp_path)
    (tmp_path / "a.md").write_text("# A\n\nMore text.", encoding="utf-8")
    assert fingerprint(tmp_path) != before


def test_shown_names_are_printable_stable_and_keep_plain_names(tmp_path: Path) -> None:
    gbk = os.fsdecode("名单.txt".encode("gbk"))
    assert shown_name("社区/notes 1.md") == "社区/notes 1.md"
    assert shown_name(gbk) == "\\xc3\\xfb\\xb5\\xa5.txt" == shown_name(gbk)
    assert shown_name("a\nb\u202etxt.md") == "a\\x0ab\\u202etxt.md"
    assert all(shown_name(n).isprintable() for n in (gbk, "a\nb", "\x1b[31mred"))


def test_a_read_checks_again_where_the_entry_leads(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("token")
    (folder / "a.txt").write_text("A plain document about the library.")
    (file,) = scan(folder).files
    assert read(file) == b"A plain document about the library."
    (folder / "a.txt").unlink()
    (folder / "a.txt").symlink_to(tmp_path / "secret.txt")  # swapped after the scan looked
    with pytest.raises(OSError, match="outside the knowledge folder"):
        read(file)
    (folder / "a.txt").unlink()
    os.mkfifo(folder / "a.txt")  # a pipe would block the reload for ever
    with pytest.raises(OSError, match="no longer a regular file"):
        read(file)


def test_pipes_and_links_to_folders_are_passed_over_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.md").write_text("# B\n\nText.")
    os.mkfifo(folder / "pipe.txt")
    (folder / "again").symlink_to(folder / "sub", target_is_directory=True)
    found = scan(folder)
    assert [f.rel for f in found.files] == ["sub/b.md"]  # the linked folder is not read twice
    reasons = dict(found.passed)
    assert "not a regular file" in reasons["pipe.txt"] and "not followed" in reasons["again"]
